// Kernel features the runtime and the tools ask about before they try: pure
// file checks, no libbpf (create-lcc-app asks them too).
import * as fs from 'node:fs';

const TRACEFS_DIRS = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'];

/** kprobes can attach: the perf kprobe PMU, or tracefs's kprobe_events (CONFIG_KPROBES). */
export function kprobesAvailable(): boolean {
  return fs.existsSync('/sys/bus/event_source/devices/kprobe/type') || TRACEFS_DIRS.some((d) => fs.existsSync(`${d}/kprobe_events`));
}

export function uprobesAvailable(): boolean {
  return fs.existsSync('/sys/bus/event_source/devices/uprobe/type') || TRACEFS_DIRS.some((d) => fs.existsSync(`${d}/uprobe_events`));
}
