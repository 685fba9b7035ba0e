// lcc gen: x.bpf.c → x.skel.ts. source → parse → model → layout → (check
// against the object's BTF) → emit → prettier → one atomic write.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildModel, modelJson, type Model } from './model.js';
import { checkAgainstBtf, objectBtf } from './btfcheck.js';
import { emitSkeleton } from './emit.js';
import { formatTs as format } from '../prettier.js';
import { GenError } from './parse.js';

export { GenError };

export interface GenOptions {
  out?: string;
  /** compiled object to check layouts against and embed; default: x.bpf.o beside the source */
  object?: string;
  /** the path the object will have when the skeleton runs, when `object` is a temporary name (lcc build) */
  objectAs?: string;
  /** reference the object by path instead of embedding it */
  reference?: boolean;
  btf?: string;
  runtime?: string;
  defines?: Record<string, string>;
  /**
   * Run prettier over the output. The templates already emit prettier's
   * formatting (the golden tests hold them to it), so this is for edited
   * templates; it costs ~0.5 s of a cold process.
   */
  format?: boolean;
}

export interface GenResult {
  model: Model;
  code: string;
  out: string;
  object: string | null;
  checkedTypes: number;
}

export function defaultOut(src: string): string {
  return src.replace(/\.bpf\.c$|\.c$/, '') + '.skel.ts';
}

function findObject(src: string, given?: string): string | null {
  if (given) {
    if (!fs.existsSync(given)) throw new GenError(given, undefined, 'object file does not exist', 'build it first: lcc build ' + src);
    return given;
  }
  const beside = src.replace(/\.c$/, '.o');
  return fs.existsSync(beside) ? beside : null;
}

export function model(src: string, opts: GenOptions = {}): unknown {
  return modelJson(buildModel(src, { btf: opts.btf, defines: opts.defines }));
}

export async function generate(src: string, opts: GenOptions = {}): Promise<GenResult> {
  const object = findObject(src, opts.object);
  const objBtf = object ? btfOrEmpty(src, object, opts) : undefined;
  // messages name the object as the user will find it, not lcc build's temporary name
  const shown = object ? opts.objectAs ?? object : undefined;
  const m = buildModel(src, { btf: opts.btf, defines: opts.defines, objectBtf: objBtf, objectPath: shown });
  const checkedTypes = object ? checkAgainstBtf(m, shown!, objBtf) : 0;
  if (!opts.reference && !object) {
    throw new GenError(src, undefined, `no compiled object to embed (looked for ${src.replace(/\.c$/, '.o')})`, `build it first (lcc build ${src}), pass --object FILE, or --reference to load it by path at run time`);
  }
  const out = opts.out ?? defaultOut(src);
  const relObject = object ? `./${path.relative(path.dirname(path.resolve(out)), path.resolve(opts.objectAs ?? object))}` : `./${path.basename(src).replace(/\.c$/, '.o')}`;
  const emitted = emitSkeleton(m, {
    runtime: opts.runtime,
    objectBytes: opts.reference ? null : fs.readFileSync(object!),
    objectPath: relObject,
  });
  // The template emits prettier's layout; only a line too long for it (long
  // names) needs prettier itself, which costs ~0.5 s of a cold process.
  const code = opts.format || emitted.tooWide ? await format(emitted.code) : emitted.code;
  return { model: m, code, out, object, checkedTypes };
}

/**
 * The object's BTF. clang writes none for a source with nothing in it: that
 * is said as such, not as a missing -g.
 */
function btfOrEmpty(src: string, object: string, opts: GenOptions): ReturnType<typeof objectBtf> {
  try {
    return objectBtf(object);
  } catch (e) {
    if (!(e instanceof GenError)) throw e;
    const m = buildModel(src, { btf: opts.btf, defines: opts.defines });
    if (m.programs.length || m.maps.length || m.globals.length || m.types.length) throw e;
    throw new GenError(src, undefined, 'no BPF programs, maps or globals here: there is nothing to load', 'write a program, e.g. SEC("tracepoint/syscalls/sys_enter_execve") int on_exec(void *ctx) { return 0; } (create-lcc-app scaffolds one)');
  }
}


