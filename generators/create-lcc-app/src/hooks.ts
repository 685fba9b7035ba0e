// A hook checked against the kernel create-lcc-app runs on: a tracepoint that
// does not exist here gets "did you mean", and a kprobe where kprobes cannot
// attach is refused with the tracepoints to use instead. The kernel's facts
// are read once (readKernel); checkHook is pure.
import * as fs from 'node:fs';
import { kprobesAvailable } from '../../../lbc/src/features.js';
import { ScaffoldError, type Hook } from './templates.js';

export interface KernelHooks {
  /** "category:name" of every tracepoint (tracefs available_events) */
  events: string[];
  /** kprobes can attach (the runtime's own test: lbc's kprobesAvailable) */
  kprobes: boolean;
}

const TRACEFS = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'];

/** What this kernel offers, or null when tracefs cannot be read (not mounted, not root): then nothing is checked. */
export function readKernel(): KernelHooks | null {
  for (const dir of TRACEFS) {
    try {
      const events = fs.readFileSync(`${dir}/available_events`, 'utf8').split('\n').filter(Boolean);
      return { events, kprobes: kprobesAvailable() };
    } catch {
      // the next mount point, or none
    }
  }
  return null;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** The closest names, nearest first, within a third of the name's length. */
export function nearest(name: string, names: string[], limit = 3): string[] {
  const max = Math.max(2, Math.floor(name.length / 3));
  return names.map((n) => [n, distance(name, n)] as const).filter(([, d]) => d <= max).sort((a, b) => a[1] - b[1]).slice(0, limit).map(([n]) => n);
}

/** Tracepoints named after a kernel function's words: do_sys_openat2 → syscalls:sys_enter_openat, ... */
function tracepointsFor(fn: string, events: string[]): string[] {
  // openat2 → openat: a syscall's newer version keeps the tracepoint of the older name
  const words = fn.replace(/^(__x64_|__arm64_|__se_|__do_|do_|__)/, '').split('_').map((w) => w.replace(/\d+$/, '')).filter((w) => w.length > 2 && w !== 'sys');
  const scored = events.map((e) => [e, words.filter((w) => e.includes(w)).length] as const).filter(([, n]) => n > 0);
  return scored.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 3).map(([e]) => e);
}

export function checkHook(hook: Hook, k: KernelHooks): void {
  if (hook.kind === 'kprobe' && !k.kprobes) {
    const instead = tracepointsFor(hook.event, k.events);
    throw new ScaffoldError(`hook ${hook.label}: this kernel cannot attach kprobes (no kprobe_events in tracefs: CONFIG_KPROBES is off)${instead.length ? `; use a tracepoint instead, e.g. ${instead.join(', ')}` : '; use a tracepoint instead (--list-hooks)'}`);
  }
  if (hook.kind === 'tracepoint') {
    const full = `${hook.category}:${hook.event}`;
    if (k.events.includes(full)) return;
    const near = nearest(full, k.events);
    throw new ScaffoldError(`hook ${hook.label}: this kernel has no tracepoint ${full}${near.length ? `; did you mean ${near.join(', ')}?` : ' (--list-hooks lists them)'}`);
  }
  if (hook.kind === 'tp_btf' || hook.kind === 'raw_tp') {
    // a raw tracepoint is a tracepoint's name without its category
    const names = [...new Set(k.events.map((e) => e.slice(e.indexOf(':') + 1)))];
    if (names.includes(hook.event)) return;
    const near = nearest(hook.event, names);
    throw new ScaffoldError(`hook ${hook.label}: this kernel has no tracepoint named ${hook.event}${near.length ? `; did you mean ${near.map((n) => `${hook.kind}/${n}`).join(', ')}?` : ' (--list-hooks lists them)'}`);
  }
}
