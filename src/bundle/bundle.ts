// lcc bundle: an app → what a host needs to run it, and nothing else: one
// CommonJS file (the app, its skeletons' objects, the lbc runtime and koffi's
// JavaScript) plus koffi's prebuilt native part for each target platform.
// The host then needs node and libbpf.so.1: no npm, no node_modules, no
// compiler, no clang.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import type { Plugin } from 'esbuild';
import { writeFilesAtomic } from '../fsutil.js';

/** koffi's names for the platforms eBPF runs on, as its build/koffi directories spell them. */
export const BUNDLE_PLATFORMS = ['linux_x64', 'linux_arm64'] as const;
export type BundlePlatform = (typeof BUNDLE_PLATFORMS)[number];

export class BundleError extends Error {}

export interface BundleOptions {
  /** the app's entry: its TypeScript (src/main.ts) or compiled JavaScript */
  entry: string;
  /** the directory written: NAME.cjs and koffi/PLATFORM/koffi.node */
  outDir: string;
  /** the bundle's file name without .cjs (default: the entry's package name, else the entry's) */
  name?: string;
  platforms?: readonly BundlePlatform[];
  /**
   * One executable file instead (Node's single executable applications):
   * node itself, the bundle and koffi's library for this machine's platform.
   * The host then needs not even node.
   */
  executable?: boolean;
}

export interface BundleResult {
  file: string;
  bytes: number;
  natives: string[];
  /** objects of skeletons made with --reference, read from disk and carried in the file */
  objects: string[];
}

/** The package.json nearest the entry: the app's name and version. */
function appPackage(entry: string): { name?: string; version?: string } {
  for (let dir = path.dirname(path.resolve(entry)); ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const p = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      return { name: p.name?.replace(/^@[^/]+\//, ''), version: p.version };
    }
    if (path.dirname(dir) === dir) return {};
  }
}

/**
 * koffi loads its native part with a require per platform
 * (`./build/koffi/linux_x64/koffi.node`): the targets' become requires of the
 * copies beside the bundle (or, in an executable, of the copy it carries),
 * the others a module that throws, which koffi's own try/catch turns into
 * "Cannot find the native Koffi module".
 */
function koffiNatives(platforms: readonly string[], found: Map<string, string>, executable: boolean): Plugin {
  return {
    name: 'lcc-koffi-native',
    setup(b) {
      b.onResolve({ filter: /\/koffi\.node$/ }, (args) => {
        const m = /build\/koffi\/([a-z0-9_]+)\/koffi\.node$/.exec(args.path);
        if (!m || !/[\\/]koffi[\\/]/.test(args.importer)) return undefined;
        if (!platforms.includes(m[1]!)) return { path: m[1]!, namespace: 'lcc-absent-native' };
        found.set(m[1]!, path.resolve(args.resolveDir, args.path));
        if (executable) return { path: found.get(m[1]!)!, namespace: 'lcc-sea-native' };
        return { path: `./koffi/${m[1]}/koffi.node`, external: true };
      });
      b.onLoad({ filter: /.*/, namespace: 'lcc-absent-native' }, (args) => ({
        contents: `throw new Error(${JSON.stringify(`this bundle carries koffi for ${platforms.join(', ')}, not ${args.path}: bundle again with --platform`)});`,
        loader: 'js',
      }));
      // A single executable cannot dlopen from inside itself: the library it carries is
      // written once per content to a directory of the user's own (0700), then loaded.
      b.onLoad({ filter: /.*/, namespace: 'lcc-sea-native' }, (args) => {
        const hash = createHash('sha256').update(fs.readFileSync(args.path)).digest('hex').slice(0, 16);
        return {
          contents: `
const fs = require('node:fs'), os = require('node:os'), path = require('node:path');
const dir = path.join(process.env.XDG_RUNTIME_DIR || os.tmpdir(), 'lcc-koffi-' + process.getuid());
fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
const st = fs.lstatSync(dir);
if (!st.isDirectory() || st.uid !== process.getuid() || (st.mode & 0o077)) throw new Error(dir + ' is not a private directory of this user: remove it');
const file = path.join(dir, 'koffi-${hash}.node');
if (!fs.existsSync(file)) {
  const tmp = file + '.' + process.pid + '.tmp';
  fs.writeFileSync(tmp, new Uint8Array(require('node:sea').getRawAsset('koffi.node')), { mode: 0o600 });
  fs.renameSync(tmp, file);
}
const m = { exports: {} };
process.dlopen(m, file);
module.exports = m.exports;
`,
          loader: 'js',
        };
      });
    },
  };
}

/** A skeleton made with --reference opens ./NAME.bpf.o beside it: the bundle carries those bytes instead. */
function referencedObjects(objects: string[]): Plugin {
  const ref = /new URL\('(\.\/[^']+\.bpf\.o)', import\.meta\.url\)\.pathname/g;
  return {
    name: 'lcc-referenced-objects',
    setup(b) {
      b.onLoad({ filter: /\.skel\.[cm]?[jt]s$/ }, (args) => {
        const text = fs.readFileSync(args.path, 'utf8');
        // search, not test: a /g pattern's test() would carry lastIndex over to the next file
        if (text.search(ref) < 0) return undefined;
        const imports: string[] = [];
        const contents = text.replace(ref, (_, rel: string) => {
          const file = path.resolve(path.dirname(args.path), rel);
          if (!fs.existsSync(file)) throw new BundleError(`${args.path}: its object ${file} does not exist: run lcc build first`);
          objects.push(file);
          const id = `__lcc_object_${imports.length}`;
          imports.push(`import ${id} from ${JSON.stringify(rel)};`);
          return id;
        });
        return { contents: `${imports.join('\n')}\n${contents}`, loader: args.path.endsWith('ts') ? 'ts' : 'js' };
      });
    },
  };
}

export async function bundleApp(opts: BundleOptions): Promise<BundleResult> {
  const entry = path.resolve(opts.entry);
  if (!fs.existsSync(entry)) throw new BundleError(`${opts.entry} does not exist: name the app's entry (e.g. src/main.ts)`);
  const here = `${process.platform}_${process.arch}`;
  if (opts.executable && !(BUNDLE_PLATFORMS as readonly string[]).includes(here)) throw new BundleError(`an executable is this machine's node (${here}): lcc bundles for ${BUNDLE_PLATFORMS.join(', ')}`);
  if (opts.executable && opts.platforms?.some((p) => p !== here)) throw new BundleError(`an executable is this machine's node, ${here}: build it on a ${opts.platforms.find((p) => p !== here)} machine for that platform`);
  const platforms = opts.executable ? [here] : opts.platforms ?? BUNDLE_PLATFORMS;
  const pkg = appPackage(entry);
  const name = opts.name ?? pkg.name ?? path.basename(entry).replace(/\.[cm]?[jt]s$/, '');
  // esbuild is loaded here only: the other commands do not pay for it
  const { build } = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  const natives = new Map<string, string>();
  const objects: string[] = [];
  let result;
  try {
    result = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      outfile: path.join(path.resolve(opts.outDir), `${name}.cjs`),
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      loader: { '.o': 'binary' },
      // the runtime and skeletons find files through import.meta.url; CommonJS has __filename
      // LCC_APP_VERSION: --version of a scaffolded app, which has no package.json beside it on a host
      define: { 'import.meta.url': '__lcc_import_meta_url', LCC_APP_VERSION: JSON.stringify(pkg.version ?? 'unknown') },
      banner: { js: `#!/usr/bin/env node\n// ${name}: bundled by lcc bundle from ${path.relative(process.cwd(), entry) || entry}; DO NOT EDIT.\nconst __lcc_import_meta_url = require('node:url').pathToFileURL(__filename).href;` },
      plugins: [koffiNatives(platforms, natives, !!opts.executable), referencedObjects(objects)],
      logLevel: 'silent',
    });
  } catch (e) {
    if (e instanceof BundleError) throw e;
    const errors = (e as { errors?: { text: string; detail?: unknown; location?: { file: string; line: number; column: number } | null }[] }).errors;
    if (!errors?.length) throw e;
    // a plugin's own refusal is located in lcc, not in the user's code: its message alone
    throw new BundleError(errors.map((x) => (x.location && !(x.detail instanceof BundleError) ? `${x.location.file}:${x.location.line}:${x.location.column + 1}: ${x.text}` : x.text)).join('\n'));
  }
  const code = result.outputFiles[0]!.contents;
  if (!natives.size) throw new BundleError(`${opts.entry} does not load the lbc runtime (koffi): nothing to bundle for a host`);
  if (opts.executable) {
    const [native] = natives.values();
    const bytes = await singleExecutable(code, native!);
    writeFilesAtomic(opts.outDir, [[name, bytes]]);
    const file = path.join(opts.outDir, name);
    fs.chmodSync(file, 0o755);
    return { file, bytes: bytes.length, natives: [...natives.keys()], objects };
  }
  const files: [string, string | Uint8Array][] = [[`${name}.cjs`, code]];
  for (const [platform, from] of natives) files.push([path.join('koffi', platform, 'koffi.node'), fs.readFileSync(from)]);
  writeFilesAtomic(opts.outDir, files);
  const file = path.join(opts.outDir, `${name}.cjs`);
  fs.chmodSync(file, 0o755);
  return { file, bytes: code.length, natives: [...natives.keys()], objects };
}

/**
 * Node's single executable application: the bundle as its main script and
 * koffi's library as an asset (node --experimental-sea-config), injected into
 * a copy of this node with postject, as Node's documentation does it.
 */
async function singleExecutable(code: Uint8Array, koffiNode: string): Promise<Buffer> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lcc-sea-'));
  try {
    // the shebang line is not JavaScript a SEA's main script may start with
    fs.writeFileSync(path.join(work, 'main.cjs'), Buffer.from(code).toString('utf8').replace(/^#!.*\n/, ''));
    fs.writeFileSync(path.join(work, 'sea.json'), JSON.stringify({
      main: 'main.cjs', output: 'sea.blob', disableExperimentalSEAWarning: true, assets: { 'koffi.node': koffiNode },
    }));
    const r = spawnSync(process.execPath, ['--experimental-sea-config', 'sea.json'], { cwd: work, encoding: 'utf8' });
    if (r.status !== 0) throw new BundleError(`node --experimental-sea-config failed (node ${process.version} needs 20.12 or later): ${(r.stderr || r.stdout).trim()}`);
    const exe = path.join(work, 'app');
    fs.copyFileSync(process.execPath, exe);
    // postject's ELF reader (LIEF) warns about every note section of a distribution's node
    // ("Can't find string offset for section name"): harmless, and not the user's to act on
    const quiet = console.warn;
    console.warn = () => {};
    try {
      const { inject } = createRequire(import.meta.url)('postject') as { inject(file: string, name: string, data: Buffer, o: { sentinelFuse: string }): Promise<void> };
      await inject(exe, 'NODE_SEA_BLOB', fs.readFileSync(path.join(work, 'sea.blob')), { sentinelFuse: 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2' });
    } finally {
      console.warn = quiet;
    }
    return fs.readFileSync(exe);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
