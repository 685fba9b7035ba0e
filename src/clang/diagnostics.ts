// clang's diagnostics as data: `file:line:col: severity: message` lines, with
// the source excerpt and caret lines that follow kept as the diagnostic's
// context. Both the local build and the compile service produce them; the
// service rewrites its sandbox paths back to the request's names before the
// client maps them to the user's files.

export class CompileError extends Error {
  override name = 'CompileError';
  /** clang's stderr as it printed it; `diagnostics` is the same parsed */
  constructor(message: string, readonly diagnostics: Diagnostic[] = [], readonly raw = '') {
    super(message);
  }
}

export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  severity: 'error' | 'warning' | 'note' | 'fatal error';
  message: string;
  /** the excerpt and caret lines clang prints under it */
  context: string[];
}

const LINE = /^(.+?):(\d+):(\d+): (fatal error|error|warning|note): (.*)$/;

export function parseDiagnostics(stderr: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const raw of stderr.split('\n')) {
    const m = LINE.exec(raw);
    if (m) {
      out.push({
        file: m[1]!, line: Number(m[2]), column: Number(m[3]),
        severity: m[4] as Diagnostic['severity'], message: m[5]!, context: [],
      });
    } else if (out.length && raw !== '' && !/^\d+ (error|warning)s? generated\.$/.test(raw) && !/^In file included from /.test(raw)) {
      out[out.length - 1]!.context.push(raw);
    }
  }
  return out;
}

/** Rename files in diagnostics (and in the text clang wrote around them). */
export function mapFiles(diags: Diagnostic[], map: (file: string) => string): Diagnostic[] {
  return diags.map((d) => ({ ...d, file: map(d.file) }));
}

export function formatDiagnostics(diags: Diagnostic[]): string {
  return diags.map((d) => [`${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`, ...d.context].join('\n')).join('\n') + (diags.length ? '\n' : '');
}

export function errorCount(diags: Diagnostic[]): number {
  return diags.filter((d) => d.severity === 'error' || d.severity === 'fatal error').length;
}
