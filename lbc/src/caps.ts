// The process's effective capabilities, from /proc/self/status: what decides
// whether it may load eBPF at all, so that a missing privilege is said once,
// first, instead of as each refusal libbpf reports.
import * as fs from 'node:fs';

export const CAP_NET_ADMIN = 12;
export const CAP_NET_RAW = 13;
export const CAP_SYS_ADMIN = 21;
export const CAP_PERFMON = 38;
export const CAP_BPF = 39;

export function effectiveCaps(status = '/proc/self/status'): bigint {
  const m = /^CapEff:\s*([0-9a-f]+)/m.exec(fs.readFileSync(status, 'utf8'));
  return m ? BigInt(`0x${m[1]}`) : 0n;
}

export function hasCap(cap: number, caps = effectiveCaps()): boolean {
  return ((caps >> BigInt(cap)) & 1n) === 1n;
}

/** CAP_SYS_ADMIN, or CAP_BPF with CAP_PERFMON: what loading tracing programs takes. */
export function canLoadBpf(caps = effectiveCaps()): boolean {
  return hasCap(CAP_SYS_ADMIN, caps) || (hasCap(CAP_BPF, caps) && hasCap(CAP_PERFMON, caps));
}

export const PRIVILEGE_MISSING = 'this process may not load eBPF programs (it has neither CAP_SYS_ADMIN nor CAP_BPF+CAP_PERFMON)';
export const PRIVILEGE_HINT = 'run it as root (sudo), or give it CAP_BPF and CAP_PERFMON';
