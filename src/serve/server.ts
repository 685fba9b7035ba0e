// lcc serve: turn a .bpf.c (plus the user's headers) into a CO-RE object, once
// per distinct input for a whole fleet. request → validate → key → cache or
// (deduplicated, bounded) sandboxed clang → object or diagnostics.
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { cacheDir, clangArgs, clangVersion, codegenFlags, findClang, KERNEL_BTF, vmlinuxDir } from '../clang/compile.js';
import { mapFiles, parseDiagnostics, type Diagnostic } from '../clang/diagnostics.js';
import { LBC_INCLUDE } from '../paths.js';
import { ObjectCache } from './cache.js';
import { BusyError, FairSlots } from './fair.js';
import { DEFAULT_LIMITS, parseRequest, RequestError, type Arch, type CompileRequest, type Limits } from './protocol.js';
import { bubblewrap, IN, type ResourceLimits, type Sandbox } from './sandbox.js';

export interface ServeOptions {
  host?: string;
  port?: number;
  /** concurrent clang processes */
  workers?: number;
  /** requests waiting for a worker before the service answers 503 */
  queue?: number;
  /** wall-clock seconds per compile */
  timeoutSeconds?: number;
  limits?: Partial<Limits & ResourceLimits & { maxDiagnosticBytes: number }>;
  /** BTF per architecture for vmlinux.h; the running kernel's for the host's */
  btf?: Partial<Record<Arch, string>>;
  cache?: string;
  /** the object cache's quota in bytes (least recently used objects go first); default 512 MiB */
  cacheBytes?: number;
  /** the largest object returned (and cached); default 16 MiB */
  maxObjectBytes?: number;
  /** where compiles' work directories go (default: $TMPDIR/lcc-serve-<uid>) */
  workRoot?: string;
  /** run clang without bubblewrap (trusted sources only) */
  unsandboxed?: boolean;
  log?: (line: string) => void;
}

interface Counters {
  requests: number; compiles: number; cacheHits: number; joined: number; failed: number;
  rejected: number; timeouts: number; busy: number; objectsBytes: number;
}

type Outcome = { ok: true; object: Buffer } | { ok: false; status: number; error: string; diagnostics: Diagnostic[]; log: string };

const HOST_ARCH: Arch = process.arch === 'arm64' ? 'arm64' : 'x86_64';
const BPF_HEADERS = '/usr/include/bpf';

/**
 * One directory owned by this user for every service's work directories,
 * named by the service's pid: a service killed mid-compile (SIGKILL) leaves
 * its directories behind, and the next one to start removes those whose
 * process is gone.
 */
export function workRoot(given?: string): string {
  const root = given ?? path.join(os.tmpdir(), `lcc-serve-${process.getuid?.() ?? 'user'}`);
  fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  const st = fs.lstatSync(root);
  if (!st.isDirectory() || (process.getuid && st.uid !== process.getuid())) {
    throw new Error(`${root} is not a directory of this user's: remove it, or start the service with another TMPDIR`);
  }
  fs.chmodSync(root, 0o700); // requests' sources are no one else's to read
  for (const entry of fs.readdirSync(root)) {
    const pid = Number(/^(\d+)-/.exec(entry)?.[1]);
    if (!pid || pid === process.pid || alive(pid)) continue;
    fs.rmSync(path.join(root, entry), { recursive: true, force: true });
  }
  return root;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // someone else's: alive
  }
}

export class CompileService {
  readonly counters: Counters = { requests: 0, compiles: 0, cacheHits: 0, joined: 0, failed: 0, rejected: 0, timeouts: 0, busy: 0, objectsBytes: 0 };
  private readonly clang = findClang();
  private readonly clangId = clangVersion(this.clang);
  private readonly lbcHash: string;
  private readonly sandbox: Sandbox | null;
  private readonly cache: ObjectCache;
  private readonly maxObjectBytes: number;
  private readonly inFlight = new Map<string, Promise<Outcome>>();
  private readonly slots: FairSlots;
  private readonly limits: Limits & ResourceLimits & { maxDiagnosticBytes: number };
  private readonly workers: number;
  private readonly queueMax: number;
  private readonly timeoutMs: number;
  private readonly started = Date.now();
  private server: http.Server | null = null;

  constructor(private readonly opts: ServeOptions = {}) {
    // an option left unset (undefined) keeps its default rather than lifting the limit
    const given = Object.fromEntries(Object.entries(opts.limits ?? {}).filter(([, v]) => v !== undefined));
    this.limits = { ...DEFAULT_LIMITS, memory: 2 << 30, fileSize: 64 << 20, cpuSeconds: 60, maxDiagnosticBytes: 256 << 10, ...given };
    this.workers = opts.workers ?? Math.max(1, os.availableParallelism());
    this.queueMax = opts.queue ?? 64;
    this.timeoutMs = (opts.timeoutSeconds ?? 60) * 1000;
    this.cache = new ObjectCache(opts.cache ?? path.join(cacheDir(), 'serve'), opts.cacheBytes ?? 512 << 20);
    this.maxObjectBytes = opts.maxObjectBytes ?? 16 << 20;
    this.slots = new FairSlots(this.workers, this.queueMax);
    this.lbcHash = createHash('sha256').update(fs.readFileSync(path.join(LBC_INCLUDE, 'lbc.h'))).digest('hex');
    if (!fs.existsSync(BPF_HEADERS)) throw new Error(`${BPF_HEADERS} missing: install libbpf-dev`);
    this.sandbox = opts.unsandboxed ? null : bubblewrap(this.clang, { lbc: LBC_INCLUDE, bpfHeaders: BPF_HEADERS });
    this.workRoot = workRoot(opts.workRoot);
  }

  /** where requests' files are written: <root>/<pid>-XXXXXX, one directory per compile */
  private readonly workRoot: string;

  // vmlinux.h's directory per BTF file: hashing a 6 MB BTF per request would dominate a cache hit
  private readonly vmlinuxDirs = new Map<string, string>();
  private vmlinuxFor(arch: Arch): string {
    const btf = this.btfFor(arch);
    let dir = this.vmlinuxDirs.get(btf);
    if (!dir) this.vmlinuxDirs.set(btf, (dir = vmlinuxDir(btf)));
    return dir;
  }

  private btfFor(arch: Arch): string {
    const f = this.opts.btf?.[arch] ?? (arch === HOST_ARCH ? KERNEL_BTF : undefined);
    if (!f) throw new RequestError(`this service has no BTF for ${arch}: start it with --btf-${arch} FILE`, 422);
    return f;
  }

  health(): Record<string, unknown> {
    return {
      ok: true, clang: this.clangId, sandbox: this.sandbox ? 'bubblewrap' : 'none', uptimeSeconds: (Date.now() - this.started) / 1000,
      workers: this.workers, running: this.slots.active, queued: this.slots.waiting, limits: this.limits, ...this.counters,
      cacheBytes: this.cache.bytes, cacheObjects: this.cache.size, cacheEvictions: this.cache.evictions,
    };
  }

  /** Everything that decides the object's bytes. */
  key(req: CompileRequest): string {
    const h = createHash('sha256');
    h.update(JSON.stringify({ v: 1, clang: this.clangId, flags: codegenFlags({ arch: req.arch }), lbc: this.lbcHash, main: req.main }));
    h.update(this.vmlinuxFor(req.arch));
    for (const name of Object.keys(req.files).sort()) h.update(`\0${name}\0${req.files[name]!.length}\0`).update(req.files[name]!);
    return h.digest('hex');
  }

  /** `client`: whose turn it is when slots are scarce (the peer's address) */
  async compile(req: CompileRequest, client = 'local'): Promise<Outcome & { cache: 'hit' | 'miss' | 'joined' }> {
    const key = this.key(req);
    const hit = this.cache.get(key);
    if (hit) {
      this.counters.cacheHits++;
      return { ok: true, object: hit, cache: 'hit' };
    }
    // a fleet asking for the same object at once waits for one compile
    const pending = this.inFlight.get(key);
    if (pending) {
      this.counters.joined++;
      return { ...(await pending), cache: 'joined' };
    }
    const p = this.compileFresh(req, key, client);
    this.inFlight.set(key, p);
    try {
      return { ...(await p), cache: 'miss' };
    } finally {
      this.inFlight.delete(key);
    }
  }

  private async slot(client: string): Promise<() => void> {
    try {
      return await this.slots.acquire(client);
    } catch (e) {
      if (!(e instanceof BusyError)) throw e;
      this.counters.busy++;
      throw new RequestError(e.message, 503);
    }
  }

  private async compileFresh(req: CompileRequest, key: string, client: string): Promise<Outcome> {
    const release = await this.slot(client);
    const work = fs.mkdtempSync(path.join(this.workRoot, `${process.pid}-`));
    try {
      for (const [name, text] of Object.entries(req.files)) {
        fs.mkdirSync(path.dirname(path.join(work, name)), { recursive: true });
        fs.writeFileSync(path.join(work, name), text);
      }
      const vmlinux = this.vmlinuxFor(req.arch);
      const dirs = this.sandbox ? { src: IN.src, lbc: IN.lbc, vmlinux: IN.vmlinux } : { src: work, lbc: LBC_INCLUDE, vmlinux };
      const args = clangArgs(path.join(dirs.src, req.main), path.join(dirs.src, '.out.o'), {
        arch: req.arch, lbcInclude: dirs.lbc, vmlinuxInclude: dirs.vmlinux, includeDirs: this.sandbox ? [IN.sys] : [],
        // the sandbox shows clang no host headers: lbc's, vmlinux.h and libbpf's bpf/ only
        systemIncludes: this.sandbox ? [] : undefined,
      });
      const cmd = this.sandbox ? this.sandbox.command(work, vmlinux, args, this.limits) : { file: this.clang, args };
      this.counters.compiles++;
      const r = await this.run(cmd.file, cmd.args);
      // diagnostics name the request's files as the client sent them, shipped headers by their own names
      const toName = (f: string): string => {
        if (f.startsWith(`${dirs.src}/`)) return f.slice(dirs.src.length + 1);
        if (f.startsWith(`${dirs.lbc}/`) || f.startsWith(`${dirs.vmlinux}/`)) return path.basename(f);
        return f;
      };
      const log = r.stderr.split(`${dirs.src}/`).join('');
      if (r.timedOut) {
        this.counters.timeouts++;
        return { ok: false, status: 422, error: `compile stopped after ${this.timeoutMs / 1000} s (the service's time limit)`, diagnostics: [], log };
      }
      if (r.flooded) {
        this.counters.failed++;
        return { ok: false, status: 422, error: `compile stopped: diagnostics exceeded ${this.limits.maxDiagnosticBytes} bytes`, diagnostics: [], log: log.slice(0, 4096) };
      }
      const diagnostics = mapFiles(parseDiagnostics(r.stderr), toName);
      const obj = path.join(work, '.out.o');
      if (r.code !== 0 || !fs.existsSync(obj)) {
        this.counters.failed++;
        const why = r.signal ? `clang was killed by ${r.signal} (a resource limit: memory ${this.limits.memory >> 20} MiB, output ${this.limits.fileSize >> 20} MiB, CPU ${this.limits.cpuSeconds} s)` : 'compile failed';
        return { ok: false, status: 422, error: why, diagnostics, log };
      }
      const object = fs.readFileSync(obj);
      if (object.length > this.maxObjectBytes) {
        this.counters.failed++;
        return { ok: false, status: 422, error: `the object is ${(object.length / 2 ** 20).toFixed(1)} MiB: this service returns objects up to ${(this.maxObjectBytes / 2 ** 20).toFixed(0)} MiB`, diagnostics, log };
      }
      this.cache.put(key, object);
      this.counters.objectsBytes += object.length;
      return { ok: true, object };
    } finally {
      release();
      fs.rmSync(work, { recursive: true, force: true });
    }
  }

  private run(file: string, args: string[]): Promise<{ code: number | null; signal: string | null; stderr: string; timedOut: boolean; flooded: boolean }> {
    return new Promise((resolve) => {
      const child = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
      let stderr = '';
      let timedOut = false;
      let flooded = false;
      const kill = (): void => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      };
      const timer = setTimeout(() => {
        timedOut = true;
        kill();
      }, this.timeoutMs);
      child.stderr!.setEncoding('utf8').on('data', (d: string) => {
        if (stderr.length + d.length > this.limits.maxDiagnosticBytes) {
          flooded = true;
          kill();
        } else stderr += d;
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stderr, timedOut, flooded });
      });
    });
  }

  async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(`${JSON.stringify(body)}\n`);
    };
    if (req.method === 'GET' && url.pathname === '/healthz') return json(200, this.health());
    if (req.method !== 'POST' || url.pathname !== '/v1/compile') return json(404, { error: 'POST /v1/compile or GET /healthz' });
    this.counters.requests++;
    try {
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > this.limits.maxRequestBytes) throw new RequestError(`request of ${declared} bytes: the limit is ${this.limits.maxRequestBytes}`, 413);
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const c of req) {
        size += (c as Buffer).length;
        if (size > this.limits.maxRequestBytes) throw new RequestError(`request over ${this.limits.maxRequestBytes} bytes`, 413);
        chunks.push(c as Buffer);
      }
      const r = await this.compile(parseRequest(Buffer.concat(chunks), this.limits), req.socket.remoteAddress ?? 'unknown');
      if (r.ok) {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-lcc-cache': r.cache }).end(r.object);
      } else json(r.status, { error: r.error, diagnostics: r.diagnostics, log: r.log });
      this.opts.log?.(`${req.socket.remoteAddress} ${r.ok ? 200 : r.status} ${r.cache}`);
    } catch (e) {
      if (!(e instanceof RequestError)) throw e;
      this.counters.rejected++;
      if (e.status === 413) res.setHeader('connection', 'close');
      json(e.status, { error: e.message, diagnostics: [] });
    }
  }

  listen(): Promise<{ host: string; port: number }> {
    const server = http.createServer((req, res) => {
      this.handle(req, res).catch((e: Error) => {
        this.opts.log?.(`internal error: ${e.stack}`);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(`${JSON.stringify({ error: `internal error: ${e.message}` })}\n`);
      });
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port ?? 7878, this.opts.host ?? '127.0.0.1', () => {
        const a = server.address() as { address: string; port: number };
        resolve({ host: a.address, port: a.port });
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
