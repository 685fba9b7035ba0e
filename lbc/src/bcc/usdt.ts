// BCC's USDT class, for listing: USDT(path=...) or USDT(pid=...) and
// enumerate_probes(), each probe's locations and arguments printed as BCC
// prints them (tplist). The notes are read from the files by lbc/usdt.ts.
import * as fs from 'node:fs';
import { usdtNotes, type UsdtArg, type UsdtNote } from '../usdt.js';
import { Exception } from '../py/exc.js';
import { splitKw } from '../py/core.js';
import { exit, writeFd } from '../py/builtins.js';
import { findBinary } from './binary.js';

export class USDTException extends Exception {}

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

/** An argument as BCC's USDTProbeArgument prints it: `8 unsigned bytes @ *(sp + 112)` */
export class USDTProbeArgument {
  readonly signed: boolean;
  readonly size: number;
  constructor(private readonly arg: UsdtArg) {
    this.signed = arg.size < 0;
    this.size = Math.abs(arg.size);
  }
  private format(): string {
    const a = this.arg;
    if (a.constant !== undefined) return `${a.constant}`;
    if (a.raw !== undefined) return `unrecognized argument format, flags 0`;
    if (a.offset === undefined) return a.base!;
    const sign = a.offset >= 0 ? '+' : '-';
    if (a.ident) return a.base === 'ip' ? `*(&${a.ident} ${sign} ${Math.abs(a.offset)})` : `unrecognized argument format, flags 0`;
    const index = a.index ? ` + ${a.index}${a.scale ? ` * ${a.scale}` : ''}` : '';
    return `*(${a.base ?? ''} ${sign} ${Math.abs(a.offset)}${index})`;
  }
  __str__(): string {
    return `${this.size} ${this.signed ? 'signed  ' : 'unsigned'} bytes @ ${this.format()}`;
  }
}

export class USDTProbeLocation {
  readonly num_arguments: number;
  readonly bin_path: Buffer;
  constructor(readonly address: number, binPath: string, private readonly args: UsdtArg[]) {
    this.num_arguments = args.length;
    this.bin_path = bytes(binPath);
  }
  get_argument(index: number): USDTProbeArgument {
    const a = this.args[Number(index)];
    if (!a) throw new USDTException(`error retrieving probe argument ${index}`);
    return new USDTProbeArgument(a);
  }
  __str__(): string {
    return `${this.bin_path.toString('latin1')} 0x${this.address.toString(16)}`;
  }
}

export class USDTProbe {
  readonly provider: Buffer;
  readonly name: Buffer;
  readonly bin_path: Buffer;
  readonly semaphore: number;
  readonly num_locations: number;
  readonly num_arguments: number;
  constructor(binPath: string, private readonly notes: UsdtNote[]) {
    const n = notes[0]!;
    this.provider = bytes(n.provider);
    this.name = bytes(n.name);
    this.bin_path = bytes(binPath);
    this.semaphore = n.semaphore;
    this.num_locations = notes.length;
    this.num_arguments = n.args.length;
  }
  short_name(): string {
    return `${this.provider.toString('latin1')}:${this.name.toString('latin1')}`;
  }
  get_location(index: number): USDTProbeLocation {
    const n = this.notes[Number(index)];
    if (!n) throw new USDTException(`error retrieving probe location ${index}`);
    return new USDTProbeLocation(n.pc, this.bin_path.toString('latin1'), n.args);
  }
  __str__(): string {
    return `${this.short_name()} [sema 0x${this.semaphore.toString(16)}]`;
  }
}

/** The files a process has mapped executable, in its maps' order: where its probes are */
function processBinaries(pid: number): string[] {
  let maps: string;
  try {
    maps = fs.readFileSync(`/proc/${pid}/maps`, 'utf8');
  } catch {
    throw new USDTException(`USDT failed to instrument PID ${pid}`);
  }
  const seen = new Set<string>();
  for (const l of maps.split('\n')) {
    const f = l.trim().split(/\s+/);
    if (f.length >= 6 && f[1]![2] === 'x' && f[5]!.startsWith('/')) seen.add(f.slice(5).join(' '));
  }
  return [...seen];
}

/** Probes by provider:name in one file, each with its locations, in the notes' order */
function probesOf(file: string, readAs: string): USDTProbe[] {
  let elf: Buffer;
  try {
    elf = fs.readFileSync(readAs);
  } catch {
    return [];
  }
  const byName = new Map<string, UsdtNote[]>();
  let notes: UsdtNote[];
  try {
    notes = usdtNotes(elf, file);
  } catch {
    return []; // not an ELF file (a mapped data file): no probes
  }
  for (const n of notes) {
    const k = `${n.provider}:${n.name}`;
    byName.set(k, [...(byName.get(k) ?? []), n]);
  }
  return [...byName.values()].map((ns) => new USDTProbe(file, ns));
}

/** BCC's USDT(...): called as a function, as the translation calls BCC's classes */
export function USDT(...a: unknown[]): UsdtContext {
  return new UsdtContext(...a);
}

export class UsdtContext {
  readonly pid: number | null;
  readonly path: string | null;
  private readonly probes: USDTProbe[];
  // USDT(pid=None, path=None), called as BCC's class is: positionally or by keyword
  constructor(...a: unknown[]) {
    const [pos, kw] = splitKw(a);
    const pid = (pos[0] ?? kw['pid'] ?? null) as number | null;
    const p = (pos[1] ?? kw['path'] ?? null) as string | null;
    this.pid = pid && Number(pid) !== -1 ? Number(pid) : null;
    this.path = p ? String(p) : null;
    if (this.pid !== null) {
      if (this.path && !this.path.startsWith('/')) {
        // libbcc's words: a process's binary is named by its path
        writeFd(2, `HINT: Binary path ${this.path} should be absolute.\n\n`);
        throw new USDTException(`USDT failed to instrument PID ${this.pid}`);
      }
      const files = this.path ? [this.path] : processBinaries(this.pid);
      // BCC names them as this process sees them: through its root
      this.probes = files.flatMap((f) => probesOf(`/proc/${this.pid}/root${f}`, `/proc/${this.pid}/root${f}`));
    } else if (this.path) {
      let file: string;
      try {
        file = findBinary(this.path);
      } catch {
        throw new USDTException(`USDT failed to instrument path ${this.path}`);
      }
      if (!fs.existsSync(file)) throw new USDTException(`USDT failed to instrument path ${this.path}`);
      this.probes = probesOf(file, file);
    } else {
      throw new USDTException('either a pid or a binary path must be specified');
    }
  }
  /** the probes enable_probe() chose, each with the function BPF(usdt_contexts=[...]) attaches to it */
  readonly enabled: { probe: USDTProbe; fn: string }[] = [];
  enumerate_probes(): USDTProbe[] {
    return [...this.probes];
  }
  /** enable_probe(probe="name" or "provider:name", fn_name=...): every location of it, attached at BPF() */
  enable_probe(...a: unknown[]): void {
    const [pos, kw] = splitKw(a);
    const probe = String(pos[0] ?? kw['probe']);
    const fn = String(pos[1] ?? kw['fn_name']);
    const [provider, name] = probe.includes(':') ? probe.split(':', 2) : [null, probe];
    const hits = this.probes.filter((p) => p.name.toString('latin1') === name && (provider === null || p.provider.toString('latin1') === provider));
    if (!hits.length) {
      // BCC's own words
      throw new USDTException(`Failed to enable USDT probe '${probe}':
the specified pid might not contain the given language's runtime,
or the runtime was not built with the required USDT probes. Look
for a configure flag similar to --with-dtrace or --enable-dtrace.
To check which probes are present in the process, use the tplist tool.
`);
    }
    for (const p of hits) this.enabled.push({ probe: p, fn });
  }
  enable_probe_or_bail(...a: unknown[]): void {
    try {
      this.enable_probe(...a);
    } catch (e) {
      if (!(e instanceof USDTException)) throw e;
      writeFd(2, `${e.message}\n`);
      exit(1);
    }
  }
}
