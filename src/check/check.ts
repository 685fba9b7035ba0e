// lcc check: every program of an object through this kernel's verifier, one
// at a time and nothing attached, as veristat does: a CI catches a verifier
// refusal before a host does, and sees every refused program, not only the
// first (a whole-object load stops at the first).
import * as fs from 'node:fs';
import { BpfObject, canLoadBpf, LbcError, NotSupportedError, PRIVILEGE_HINT, PRIVILEGE_MISSING, VerifierError } from '../../lbc/src/index.js';

export interface ProgramCheck {
  object: string;
  program: string;
  section: string;
  ok: boolean;
  /** instructions the verifier processed (from its statistics), on success */
  insns?: number;
  /** why not, and where: the verifier's reason line, its source line, the whole log's file */
  reason?: string;
  source?: string;
  logFile?: string;
  /** the kernel lacks the program's kind (fentry without BTF trampolines, ...) */
  unsupported?: boolean;
}

function stats(log: string): number | undefined {
  const m = /processed (\d+) insns/.exec(log);
  return m ? Number(m[1]) : undefined;
}

export function checkObjects(files: string[], opts: { btfPath?: string } = {}): ProgramCheck[] {
  for (const file of files) {
    if (!fs.existsSync(file)) throw new LbcError(`${file} does not exist: name a compiled .bpf.o (lcc build makes one)`);
  }
  // without the privilege every program would be refused for that one reason: say it once
  if (!canLoadBpf()) throw new LbcError(`check: ${PRIVILEGE_MISSING}`, { hint: PRIVILEGE_HINT });
  const out: ProgramCheck[] = [];
  for (const file of files) {
    const names = (() => {
      const o = BpfObject.open(file, { btfPath: opts.btfPath });
      try {
        return [...o.programs.values()].map((p) => [p.name, p.section] as const);
      } finally {
        o.destroy();
      }
    })();
    if (!names.length) throw new LbcError(`${file} has no programs: nothing to check`);
    for (const [name, section] of names) {
      // statistics first (a whole instruction log can overflow any buffer, and the kernel then
      // refuses the load); on a refusal, once more with the instructions and source lines
      const first = loadOne(file, name, 4, opts.btfPath);
      const r = first instanceof VerifierError ? loadOne(file, name, 1, opts.btfPath) : first;
      // the second load's refusal carries the source line; should it have failed otherwise, the first's stands
      const e = r instanceof VerifierError || !(first instanceof VerifierError) ? r : first;
      if (!(e instanceof LbcError)) out.push({ object: file, program: name, section, ok: true, insns: e });
      else if (e instanceof VerifierError) {
        out.push({ object: file, program: name, section, ok: false, reason: e.reason || e.message.split('\n')[0], source: e.source, logFile: e.logFile });
      } else if (e instanceof NotSupportedError) {
        out.push({ object: file, program: name, section, ok: false, unsupported: true, reason: e.message.split('\n')[0] });
      } else {
        out.push({ object: file, program: name, section, ok: false, reason: e.message.split('\n')[0] });
      }
    }
  }
  return out;
}

/** Load one program of an object with its verifier log kept: its instruction count, or the refusal. */
function loadOne(file: string, name: string, level: number, btfPath?: string): number | undefined | LbcError {
  const o = BpfObject.open(file, { btfPath });
  try {
    for (const p of o.programs.values()) p.autoload = p.name === name;
    const prog = o.program(name);
    prog.keepVerifierLog(level, level === 4 ? 1 << 20 : 16 << 20);
    try {
      o.load();
      return stats(prog.verifierLog);
    } catch (e) {
      if (e instanceof LbcError) return e;
      throw e;
    }
  } finally {
    o.destroy();
  }
}

export function formatChecks(checks: ProgramCheck[]): string {
  const lines: string[] = [];
  for (const c of checks) {
    const head = `${c.object} ${c.program} (${c.section})`;
    if (c.ok) lines.push(`${head}: ok${c.insns !== undefined ? `, ${c.insns} insns processed` : ''}`);
    else {
      lines.push(`${head}: ${c.unsupported ? 'not supported by this kernel' : 'REFUSED'}: ${c.reason}`);
      if (c.source) lines.push(`  at ${c.source}`);
      if (c.logFile) lines.push(`  the whole verifier log: ${c.logFile}`);
    }
  }
  const bad = checks.filter((c) => !c.ok).length;
  lines.push(bad ? `${bad} of ${checks.length} programs refused` : `all ${checks.length} programs pass the verifier`);
  return `${lines.join('\n')}\n`;
}
