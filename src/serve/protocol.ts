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

/**
 * The source as the preprocessor's first phases leave it: backslash-newlines
 * spliced, comments replaced by a space (a block comment's newlines go with
 * it, as in C), string and character literals kept whole so that a "/*"
 * inside one hides nothing. One entry per logical line, with the physical
 * line it starts on.
 */
function logicalLines(text: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  let cur = '';
  let line = 1; // physical line of the next character
  let start = 1;
  let i = 0;
  const n = text.length;
  // the character at i after line splices, advancing past them
  const splice = (): void => {
    while (text[i] === '\\' && (text[i + 1] === '\n' || (text[i + 1] === '\r' && text[i + 2] === '\n'))) {
      i += text[i + 1] === '\n' ? 2 : 3;
      line++;
    }
  };
  const next = (): string => {
    splice();
    const ch = text[i++]!;
    if (ch === '\n') line++;
    return ch;
  };
  const peek = (): string | undefined => {
    splice();
    return text[i];
  };
  while (i < n) {
    const ch = next();
    if (ch === undefined) break;
    if (ch === '\n') {
      out.push({ text: cur, line: start });
      cur = '';
      start = line;
      continue;
    }
    if (ch === '/' && peek() === '*') {
      next();
      for (;;) {
        if (i >= n) break;
        const c = next();
        if (c === '*' && peek() === '/') {
          next();
          break;
        }
      }
      cur += ' ';
      continue;
    }
    if (ch === '/' && peek() === '/') {
      while (i < n && peek() !== '\n') next();
      continue;
    }
    if (ch === '"' || ch === "'") {
      cur += ch;
      while (i < n) {
        const c = next();
        if (c === '\n') {
          // an unterminated literal ends at the line's end, as clang's lexer ends it
          i--;
          line--;
          break;
        }
        cur += c;
        if (c === '\\' && i < n) cur += next();
        else if (c === ch) break;
      }
      continue;
    }
    cur += ch;
  }
  if (cur) out.push({ text: cur, line: start });
  return out;
}

/** `#include` directives as the preprocessor finds them (digraph `%:` too), with the line each starts on. */
export function includes(file: string, text: string): (Include | { file: string; line: number; computed: string })[] {
  const out: (Include | { file: string; line: number; computed: string })[] = [];
  for (const l of logicalLines(text)) {
    // clang also honours #import and #include_next in C
    const m = /^[ \t\f\v]*(?:#|%:)[ \t\f\v]*(?:include_next|include|import)\b\s*(.*)$/.exec(l.text);
    if (!m) continue;
    const arg = m[1]!.trim();
    const q = /^"([^"]*)"/.exec(arg) ?? /^<([^>]*)>/.exec(arg);
    if (q) out.push({ file, line: l.line, target: q[1]!, angle: arg.startsWith('<') });
    else out.push({ file, line: l.line, computed: arg });
  }
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
      // own properties only: `#include "constructor"` is no file of the request
      if (!Object.hasOwn(req.files, resolved) && !SHIPPED_QUOTE_HEADERS.has(inc.target)) {
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
  if (!Object.hasOwn(r.files, r.main)) throw new RequestError(`main "${r.main}" is not among the files`);
  // a name that is also another's directory cannot be written (a and a/b.h)
  const dirs = new Set(names.flatMap((nm) => nm.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'))));
  const clash = names.find((nm) => dirs.has(nm));
  if (clash) throw new RequestError(`file ${clash} is also a directory of ${names.find((nm) => nm.startsWith(`${clash}/`))}: a name is a file or a directory, not both`);
  if (!r.main.endsWith('.c')) throw new RequestError(`main "${r.main}" must be a .c file`);
  const req: CompileRequest = { main: r.main, arch, files: r.files as Record<string, string> };
  checkIncludes(req);
  return req;
}
