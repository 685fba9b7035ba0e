// What create-lcc-app can make: the templates, the event kinds, and hooks as
// users write them. Pure: the kernel is asked in hooks.ts.
export const TEMPLATES = {
  events: { description: 'a ring buffer of typed events printed by a callback', hook: 'sched/sched_process_exec' },
  hist: { description: 'a log2 latency histogram printed every interval', hook: 'raw_syscalls/sys_enter', endHook: 'raw_syscalls/sys_exit' },
  counter: { description: 'a hash map of counts per process, read every interval', hook: 'raw_syscalls/sys_enter' },
} as const;
export type TemplateName = keyof typeof TEMPLATES;
export const EVENT_KINDS = ['ringbuf', 'perf'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** What create-lcc-app refuses: a bad answer is a usage error (exit 2); `exitCode` 1 is a failure (a directory in the way, a failed install). */
export class ScaffoldError extends Error {
  constructor(message: string, readonly exitCode: 1 | 2 = 2) {
    super(message);
  }
}

export interface Hook { section: string; label: string; kind: 'tracepoint' | 'tp_btf' | 'raw_tp' | 'kprobe' | 'fentry'; category?: string; event: string }

/** A hook as the user types it: "sched/sched_process_exec", "sched:sched_process_exec", "tp_btf/sched_switch", "raw_tp/sys_enter". */
export function parseHook(text: string): Hook {
  const t = text.trim();
  let m = /^(tp_btf|raw_tp|raw_tracepoint|kprobe|kretprobe|fentry|fexit)\/([A-Za-z0-9_.]+)$/.exec(t);
  if (m) {
    const kind = m[1] === 'raw_tracepoint' ? 'raw_tp' : m[1] === 'kretprobe' ? 'kprobe' : m[1] === 'fexit' ? 'fentry' : m[1] as Hook['kind'];
    return { section: `${m[1]}/${m[2]}`, label: t, kind, event: m[2]! };
  }
  m = /^(?:tracepoint\/|tp\/)?([a-z0-9_]+)[/:]([a-z0-9_]+)$/.exec(t);
  if (m) return { section: `tracepoint/${m[1]}/${m[2]}`, label: `${m[1]}:${m[2]}`, kind: 'tracepoint', category: m[1], event: m[2]! };
  throw new ScaffoldError(`hook "${text}" is not a hook lcc can attach: use a tracepoint (category/name, as in /sys/kernel/tracing/events), tp_btf/NAME, raw_tp/NAME or kprobe/FUNCTION`);
}

export function checkName(name: string): void {
  if (!/^[a-z][a-z0-9_-]*$/.test(name) || name.length > 64) {
    throw new ScaffoldError(`"${name}" cannot name a tool: use lower-case letters, digits, "-" and "_", starting with a letter (it becomes the npm package and the C file name)`);
  }
}
