// lcc build --remote: send a .bpf.c and the local headers it includes to a
// compile service, get the object back. The host needs neither clang nor
// kernel headers.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CompileError } from '../clang/compile.js';
import { type Diagnostic } from '../clang/diagnostics.js';
import { includes, SHIPPED_QUOTE_HEADERS, type Arch, type CompileRequest } from './protocol.js';

/** The source and every local header it includes (quoted form, recursively), named relative to the source's directory. */
export function collectSources(main: string, arch: Arch): { request: CompileRequest; files: string[] } {
  const root = path.dirname(path.resolve(main));
  const files: Record<string, string> = {};
  const visit = (abs: string, from?: { file: string; line: number }): void => {
    const name = path.relative(root, abs).split(path.sep).join('/');
    if (name in files) return;
    if (name.startsWith('../')) {
      throw new CompileError(`${from!.file}:${from!.line}: ${path.relative(process.cwd(), abs)} is outside ${path.relative(process.cwd(), root) || '.'}: a remote build sends only the source's directory; move the header under it`);
    }
    let text: string;
    try {
      text = fs.readFileSync(abs, 'utf8');
    } catch (e) {
      throw new CompileError(`cannot read ${abs}: ${(e as Error).message}`);
    }
    files[name] = text;
    for (const inc of includes(path.relative(process.cwd(), abs), text)) {
      if ('computed' in inc || inc.angle) continue; // the service names what it refuses
      const target = path.resolve(path.dirname(abs), inc.target);
      if (fs.existsSync(target)) visit(target, inc);
      else if (!SHIPPED_QUOTE_HEADERS.has(inc.target)) throw new CompileError(`${inc.file}:${inc.line}: #include "${inc.target}": file not found`);
    }
  };
  visit(path.resolve(main));
  const mainName = path.basename(main);
  return { request: { main: mainName, arch, files }, files: Object.keys(files).map((f) => path.join(root, f)) };
}

export interface RemoteResult { object: Buffer; cache: string }

export async function remoteCompile(url: string, req: CompileRequest, userDir: string): Promise<RemoteResult> {
  const endpoint = new URL('/v1/compile', url);
  let res: Response;
  try {
    res = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(req) });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new CompileError(`cannot reach the compile service at ${endpoint.origin}: ${cause?.code ?? cause?.message ?? (e as Error).message} (is lcc serve running there? set --remote URL or LCC_SERVER)`);
  }
  if (res.ok) return { object: Buffer.from(await res.arrayBuffer()), cache: res.headers.get('x-lcc-cache') ?? '' };
  let body: { error?: string; diagnostics?: Diagnostic[]; log?: string };
  try {
    body = (await res.json()) as typeof body;
  } catch {
    throw new CompileError(`compile service answered ${res.status} ${res.statusText}`);
  }
  // the service names files as sent (relative to the source's directory): show them as the user would type them
  const toUser = (f: string): string => (f in req.files ? path.relative(process.cwd(), path.join(userDir, f)) : f);
  const diagnostics = (body.diagnostics ?? []).map((d) => ({ ...d, file: toUser(d.file) }));
  const raw = diagnostics.length ? '' : body.log ?? '';
  const msg = (body.error ?? `HTTP ${res.status}`).replace(/^([\w./+-]+):(\d+):/, (_, f: string, l: string) => `${toUser(f)}:${l}:`);
  throw new CompileError(`compile service: ${msg}`, diagnostics, raw);
}
