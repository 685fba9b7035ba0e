// The compile service's request, shared by the client (lcc build --remote) and
// the server (lcc serve). Validation lives here so both sides agree on what a
// well-formed request is, and the client can refuse locally with the same words.

export const ARCHES = ['x86_64', 'arm64'] as const;
export type Arch = (typeof ARCHES)[number];

export interface CompileRequest {
  /** the .bpf.c to compile, a key of files */
  main: string;
  arch: Arch;
  /** request-relative name → content: the source and the user's own headers */
  files: Record<string, string>;
}

export interface Limits {
  /** whole request body */
  maxRequestBytes: number;
  maxFiles: number;
}

export const DEFAULT_LIMITS: Limits = { maxRequestBytes: 1 << 20, maxFiles: 64 };

/** Headers the service provides itself; a request may include them by name. */
export const SHIPPED_QUOTE_HEADERS = new Set(['lbc.h', 'vmlinux.h']);
const SHIPPED_ANGLE = /^(bpf\/[\w.-]+\.h|std(def|int|bool|arg|align|atomic|noreturn)\.h|limits\.h|float\.h)$/;

export class RequestError extends Error {
  override name = 'RequestError';
  constructor(message: string, readonly status = 400) {
    super(message);
  }
}

/** A request-relative file name: no absolute paths, no "..", nothing odd. */
export function checkName(name: string): void {
  if (!/^[\w.+-]+(\/[\w.+-]+)*$/.test(name) || name.split('/').some((p) => p === '.' || p === '..')) {
    throw new RequestError(`file name "${name}" is not allowed: names are relative paths inside the request (letters, digits, ".", "_", "-", "/"; no "..")`);
  }
}

function dirOf(name: string): string {
  const i = name.lastIndexOf('/');
  return i < 0 ? '' : name.slice(0, i);
}

/** Resolve a quoted include against the including file's directory, staying inside the request. */
export function resolveInclude(from: string, target: string): string | null {
  const parts = dirOf(from) ? dirOf(from).split('/') : [];
  for (const p of target.split('/')) {
    if (p === '..') {
      if (!parts.length) return null;
      parts.pop();
    } else if (p !== '.' && p !== '') parts.push(p);
  }
  return parts.join('/');
}

export interface Include { file: string; line: number; target: string; angle: boolean }

/** `#include` directives, lexically (comments removed, line numbers kept). */
export function includes(file: string, text: string): (Include | { file: string; line: number; computed: string })[] {
  const out: (Include | { file: string; line: number; computed: string })[] = [];
  const noComments = text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/\/\/[^\n]*/g, '');
  // splice backslash-newline continuations as the preprocessor does, keeping each directive's first line number
  const lines = noComments.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let j = i + 1;
    while (lines[i]!.endsWith('\\') && j < lines.length) {
      lines[i] = lines[i]!.slice(0, -1) + lines[j]!;
      lines[j++] = '';
    }
  }
  lines.forEach((l, i) => {
    // clang also honours #import and #include_next in C
    const m = /^\s*#\s*(?:include_next|include|import)\b\s*(.*)$/.exec(l);
    if (!m) return;
    const arg = m[1]!.trim();
    const q = /^"([^"]*)"/.exec(arg) ?? /^<([^>]*)>/.exec(arg);
    if (q) out.push({ file, line: i + 1, target: q[1]!, angle: arg.startsWith('<') });
    else out.push({ file, line: i + 1, computed: arg });
  });
  return out;
}

/**
 * Every include must name a file of the request or a shipped header: the
 * service compiles untrusted source, and a clear refusal here beats clang's
 * "file not found" from inside the sandbox (which enforces it regardless).
 */
export function checkIncludes(req: CompileRequest): void {
  for (const [name, text] of Object.entries(req.files)) {
    for (const inc of includes(name, text)) {
      const at = `${inc.file}:${inc.line}`;
      if ('computed' in inc) {
        throw new RequestError(`${at}: #include ${inc.computed}: computed includes are not accepted by the compile service; name the header in quotes`);
      }
      if (inc.target.startsWith('/')) {
        throw new RequestError(`${at}: #include "${inc.target}": absolute paths are not allowed; send the header with the request and include it by a relative name`);
      }
      if (inc.angle) {
        if (!SHIPPED_ANGLE.test(inc.target)) {
          throw new RequestError(`${at}: #include <${inc.target}>: the service provides lbc.h, vmlinux.h and <bpf/*.h> only; kernel types come from vmlinux.h (include "lbc.h")`);
        }
        continue;
      }
      const resolved = resolveInclude(inc.file, inc.target);
      if (resolved === null) {
        throw new RequestError(`${at}: #include "${inc.target}" escapes the request's files; send the header with the request (lcc build --remote sends every local header under the source's directory)`);
      }
      if (!(resolved in req.files) && !SHIPPED_QUOTE_HEADERS.has(inc.target)) {
        throw new RequestError(`${at}: #include "${inc.target}": not among the request's files (${Object.keys(req.files).join(', ')}) nor a shipped header`);
      }
    }
  }
}

export function parseRequest(body: Buffer, limits: Limits = DEFAULT_LIMITS): CompileRequest {
  let j: unknown;
  try {
    j = JSON.parse(body.toString('utf8'));
  } catch {
    throw new RequestError('the body is not JSON: send {"main": "x.bpf.c", "arch": "x86_64", "files": {"x.bpf.c": "..."}}');
  }
  const r = j as Partial<CompileRequest>;
  if (!r || typeof r !== 'object' || typeof r.main !== 'string' || typeof r.files !== 'object' || r.files === null) {
    throw new RequestError('a request needs "main" (a file name) and "files" (name → content)');
  }
  const arch = r.arch ?? 'x86_64';
  if (!ARCHES.includes(arch)) throw new RequestError(`arch "${String(arch)}" is not supported: use ${ARCHES.join(' or ')}`);
  const names = Object.keys(r.files);
  if (names.length > limits.maxFiles) throw new RequestError(`${names.length} files: at most ${limits.maxFiles} per request`, 413);
  for (const n of names) {
    checkName(n);
    if (typeof r.files[n] !== 'string') throw new RequestError(`file ${n}: content must be a string`);
  }
  if (!(r.main in r.files)) throw new RequestError(`main "${r.main}" is not among the files`);
  if (!r.main.endsWith('.c')) throw new RequestError(`main "${r.main}" must be a .c file`);
  const req: CompileRequest = { main: r.main, arch, files: r.files as Record<string, string> };
  checkIncludes(req);
  return req;
}
