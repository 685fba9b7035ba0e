// `lcc doctor`: what this machine can do for eBPF, measured. Program kinds are
// probed by really loading and attaching each one from a tiny object.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
// the runtime is loaded inside doctor(): on a host without libbpf.so.1 that is a row of the report, not a crash
import type { AttachTarget } from '../../lbc/src/index.js';
import { CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON, CAP_SYS_ADMIN, canLoadBpf, effectiveCaps, hasCap, LbcError } from '../../lbc/src/pure.js';
import { clangVersion, findClang, systemIncludes, which } from '../clang/compile.js';
import { DOCTOR_OBJECT, LBC_INCLUDE } from '../paths.js';

/** `required`: lcc cannot build or run without it (doctor then exits 1); else it only limits what works */
export interface Check { name: string; ok: boolean; detail: string; side: 'build' | 'run'; required: boolean }
export interface ProbeResult { kind: string; loads: boolean; attaches: boolean | null; detail: string }
export interface DoctorReport { checks: Check[]; programs: ProbeResult[] }

/** Something required is missing. */
export function doctorFailed(r: DoctorReport): boolean {
  return r.checks.some((c) => c.required && !c.ok);
}

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

export async function probePrograms(object = DOCTOR_OBJECT): Promise<ProbeResult[]> {
  const { BpfObject, ensureTracefs } = await import('../../lbc/src/index.js');
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

/** The build side: what lcc build needs on the machine that compiles (not on the hosts that run the app). */
export function buildChecks(): Check[] {
  const checks: Check[] = [];
  let clang: string | null = null;
  try {
    clang = findClang();
    checks.push({ name: 'clang', side: 'build', required: true, ok: true, detail: `${clangVersion(clang)} (${clang})` });
  } catch (e) {
    checks.push({ name: 'clang', side: 'build', required: true, ok: false, detail: `${reason(e)}` });
  }
  const helpers = clang ? includeSearch(clang).find((d) => fs.existsSync(path.join(d, 'bpf', 'bpf_helpers.h'))) : undefined;
  checks.push({
    name: 'libbpf headers', side: 'build', required: true, ok: !!helpers,
    detail: helpers ? `${helpers}/bpf/bpf_helpers.h` : clang ? '<bpf/bpf_helpers.h> not found: apt-get install -y libbpf-dev' : 'not looked for without clang',
  });
  const bpftool = which('bpftool');
  checks.push({
    name: 'bpftool', side: 'build', required: false, ok: !!bpftool,
    detail: bpftool ? `${bpftool}: makes vmlinux.h from kernel BTF` : 'missing: vmlinux.h cannot be generated (apt-get install -y bpftool); sources that include only their own headers still build',
  });
  checks.push({ name: 'lbc.h', side: 'build', required: true, ok: fs.existsSync(path.join(LBC_INCLUDE, 'lbc.h')), detail: path.join(LBC_INCLUDE, 'lbc.h') });
  return checks;
}

function includeSearch(clang: string): string[] {
  return systemIncludes(clang).filter((a) => a !== '-idirafter');
}

export async function doctor(): Promise<DoctorReport> {
  const caps = effectiveCaps();
  const has = (bit: number): boolean => hasCap(bit, caps);
  const privileged = canLoadBpf(caps);
  const btf = fs.existsSync('/sys/kernel/btf/vmlinux');
  const checks: Check[] = [
    {
      name: 'privileges', side: 'run', required: true, ok: privileged,
      detail: privileged
        ? `uid ${process.getuid?.()}, CAP_SYS_ADMIN=${has(CAP_SYS_ADMIN)}, CAP_BPF=${has(CAP_BPF)}, CAP_PERFMON=${has(CAP_PERFMON)}, CAP_NET_ADMIN=${has(CAP_NET_ADMIN)}`
        : `uid ${process.getuid?.()} has neither CAP_SYS_ADMIN nor CAP_BPF+CAP_PERFMON: eBPF needs them; run it as root (sudo lcc doctor)`,
    },
    ...buildChecks(),
    { name: 'kernel', side: 'run', required: true, ok: true, detail: `${os.release()} ${os.arch()}` },
    { name: 'kernel BTF', side: 'run', required: true, ok: btf, detail: btf ? '/sys/kernel/btf/vmlinux' : 'missing: CO-RE needs a BTF file (lcc btf minimize, then OpenOptions.btfPath or LCC_BTF)' },
  ];
  let libbpf: string | null = null;
  try {
    const lbc = await import('../../lbc/src/index.js');
    libbpf = lbc.libbpfVersion();
    checks.push(
      { name: 'bpffs', side: 'run', required: false, ok: lbc.isBpffsMounted(), detail: lbc.isBpffsMounted() ? '/sys/fs/bpf' : 'not mounted (the runtime mounts it when pinning)' },
      { name: 'tracefs', side: 'run', required: false, ok: lbc.isTracefsMounted(), detail: lbc.isTracefsMounted() ? '/sys/kernel/tracing' : 'not mounted (the runtime mounts it when attaching)' },
    );
  } catch (e) {
    checks.push({ name: 'libbpf', side: 'run', required: true, ok: false, detail: reason(e) });
  }
  if (libbpf) checks.push({ name: 'libbpf', side: 'run', required: true, ok: true, detail: `${libbpf} (system libbpf.so.1)` });
  let programs: ProbeResult[] = [];
  // without the privilege every probe fails for that one reason: said once above, not once per kind
  if (!privileged) checks.push({ name: 'program probes', side: 'run', required: false, ok: false, detail: 'not run: they need the privileges above' });
  else if (libbpf) {
    try {
      programs = await probePrograms();
    } catch (e) {
      checks.push({ name: 'program probes', side: 'run', required: false, ok: false, detail: reason(e) });
    }
  }
  return { checks, programs };
}

export function formatDoctor(r: DoctorReport): string {
  const rows: string[][] = [['check', 'status', 'detail']];
  for (const c of r.checks) rows.push([`${c.side} ${c.name}`, c.ok ? 'ok' : c.required ? 'MISSING' : 'missing', c.detail]);
  for (const p of r.programs) {
    const status = !p.loads ? 'no load' : p.attaches === false ? 'no attach' : p.attaches ? 'works' : 'loads';
    rows.push([`prog ${p.kind}`, status, p.detail]);
  }
  const w = [0, 1].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => `${r[0]!.padEnd(w[0]!)}  ${r[1]!.padEnd(w[1]!)}  ${r[2]}`).join('\n') + '\n';
}
