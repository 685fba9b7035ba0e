// `lcc doctor`: what this machine can do for eBPF, measured. Program kinds are
// probed by really loading and attaching each one from a tiny object.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { BpfObject, LbcError, ensureTracefs, isBpffsMounted, isTracefsMounted, libbpfVersion, type AttachTarget } from '../../lbc/src/index.js';

import { DOCTOR_OBJECT } from '../paths.js';

export interface Check { name: string; ok: boolean; detail: string }
export interface ProbeResult { kind: string; loads: boolean; attaches: boolean | null; detail: string }
export interface DoctorReport { checks: Check[]; programs: ProbeResult[] }

function libcPath(): string {
  const maps = fs.readFileSync('/proc/self/maps', 'utf8');
  const m = /\s(\/\S*libc\.so\.6)\n/.exec(maps) ?? /\s(\/\S*libc[-.]\S*\.so\S*)\n/.exec(maps);
  return m ? m[1]! : '/lib/x86_64-linux-gnu/libc.so.6';
}

const TARGETS: Record<string, () => AttachTarget | undefined | null> = {
  tracepoint: () => undefined,
  raw_tracepoint: () => undefined,
  tp_btf: () => undefined,
  kprobe: () => undefined,
  kretprobe: () => undefined,
  fentry: () => undefined,
  fexit: () => undefined,
  uprobe: () => ({ uprobe: { binary: libcPath(), symbol: 'getpid' } }),
  perf_event: () => ({ perfEvent: { type: 1 /* software */, config: 0 /* cpu-clock */, samplePeriod: 1_000_000_000, cpus: [0] } }),
  xdp: () => ({ xdp: 'lo' }),
  tc: () => ({ tc: { interface: 'lo', direction: 'ingress', priority: 0xfffe, handle: 0xfffe } }),
  socket: () => null, // attaching needs a socket of the caller's; loading is the check
};

function reason(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0]!;
}

export function probePrograms(object = DOCTOR_OBJECT): ProbeResult[] {
  if (!fs.existsSync(object)) {
    throw new LbcError(`probe object ${object} is missing`, { hint: 'run "bash scripts/setup.sh" (it builds it)' });
  }
  try { ensureTracefs(); } catch { /* reported by the tracefs check */ }
  const out: ProbeResult[] = [];
  for (const [kind, target] of Object.entries(TARGETS)) {
    const obj = BpfObject.open(object, { name: 'lcc_doctor' });
    try {
      for (const p of obj.programs.values()) p.autoload = p.name === `probe_${kind}`;
      try {
        obj.load();
      } catch (e) {
        out.push({ kind, loads: false, attaches: null, detail: reason(e) });
        continue;
      }
      const t = target();
      if (t === null) {
        out.push({ kind, loads: true, attaches: null, detail: 'loads (attach needs a socket)' });
        continue;
      }
      try {
        obj.program(`probe_${kind}`).attach(t);
        out.push({ kind, loads: true, attaches: true, detail: 'ok' });
      } catch (e) {
        out.push({ kind, loads: true, attaches: false, detail: reason(e) });
      }
    } finally {
      obj.destroy();
    }
  }
  return out;
}

function capEff(): bigint {
  const m = /^CapEff:\s*([0-9a-f]+)/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? BigInt(`0x${m[1]}`) : 0n;
}

export function doctor(): DoctorReport {
  const caps = capEff();
  const has = (bit: number): boolean => ((caps >> BigInt(bit)) & 1n) === 1n;
  const checks: Check[] = [
    { name: 'kernel', ok: true, detail: `${os.release()} ${os.arch()}` },
    { name: 'kernel BTF', ok: fs.existsSync('/sys/kernel/btf/vmlinux'), detail: fs.existsSync('/sys/kernel/btf/vmlinux') ? '/sys/kernel/btf/vmlinux' : 'missing: pass a BTF file (OpenOptions.btfPath / lcc btf minimize)' },
    { name: 'bpffs', ok: isBpffsMounted(), detail: isBpffsMounted() ? '/sys/fs/bpf' : 'not mounted (the runtime mounts it when pinning)' },
    { name: 'tracefs', ok: isTracefsMounted(), detail: isTracefsMounted() ? '/sys/kernel/tracing' : 'not mounted (the runtime mounts it when attaching)' },
    {
      name: 'privileges', ok: has(21) || (has(39) && has(38)),
      detail: `uid ${process.getuid?.()}, CAP_SYS_ADMIN=${has(21)}, CAP_BPF=${has(39)}, CAP_PERFMON=${has(38)}, CAP_NET_ADMIN=${has(12)}`,
    },
    { name: 'libbpf', ok: true, detail: `${libbpfVersion()} (system libbpf.so.1)` },
  ];
  let programs: ProbeResult[] = [];
  try {
    programs = probePrograms();
  } catch (e) {
    checks.push({ name: 'program probes', ok: false, detail: reason(e) });
  }
  return { checks, programs };
}

export function formatDoctor(r: DoctorReport): string {
  const rows: string[][] = [['check', 'status', 'detail']];
  for (const c of r.checks) rows.push([c.name, c.ok ? 'ok' : 'MISSING', c.detail]);
  for (const p of r.programs) {
    const status = !p.loads ? 'no load' : p.attaches === false ? 'no attach' : p.attaches ? 'works' : 'loads';
    rows.push([`prog ${p.kind}`, status, p.detail]);
  }
  const w = [0, 1].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => `${r[0]!.padEnd(w[0]!)}  ${r[1]!.padEnd(w[1]!)}  ${r[2]}`).join('\n') + '\n';
}
