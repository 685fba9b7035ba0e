// Waiting for facts: a started tool prints a line when it is ready (attached,
// listening); a test waits for that line, causes activity, then waits for the
// output it expects. The deadline is generous and only there to turn a hang
// into a failure that shows what the child printed.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface Watched {
  readonly stdout: string;
  readonly stderr: string;
  /** the exit code (or -1 when killed by a signal), once the child has closed its streams */
  readonly closed: Promise<number>;
  /**
   * Resolves once the stream (stdout unless told) holds `pattern`, printed
   * before or after the call; a function is asked on every output instead.
   */
  until(pattern: RegExp | string | ((stdout: string) => boolean), opts?: { stream?: 'stdout' | 'stderr'; ms?: number }): Promise<void>;
}

/** Collect a child's output from now on; call it right after spawn. */
export function watch(child: ChildProcess): Watched {
  const text = { stdout: '', stderr: '' };
  const waiters = new Set<() => void>();
  let exit: string | null = null;
  const poke = (): void => waiters.forEach((w) => w());
  child.stdout?.on('data', (d: Buffer) => ((text.stdout += d.toString()), poke()));
  child.stderr?.on('data', (d: Buffer) => ((text.stderr += d.toString()), poke()));
  const closed = new Promise<number>((resolve) =>
    child.on('close', (code, signal) => {
      exit = `exited (${code ?? signal})`;
      poke();
      resolve(code ?? -1);
    }),
  );
  return {
    get stdout() {
      return text.stdout;
    },
    get stderr() {
      return text.stderr;
    },
    closed,
    until(pattern, opts = {}) {
      const stream = opts.stream ?? 'stdout';
      const ms = opts.ms ?? 60_000; // a loaded 2-core runner starting node through tsx
      const has = (): boolean =>
        typeof pattern === 'string' ? text[stream].includes(pattern) : typeof pattern === 'function' ? pattern(text[stream]) : pattern.test(text[stream]);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => done(`did not print it within ${ms / 1000} s`), ms);
        const done = (failure: string | null): void => {
          clearTimeout(timer);
          waiters.delete(check);
          if (failure === null) resolve();
          else reject(new Error(`waiting for ${typeof pattern === 'function' ? 'a condition' : pattern} on ${stream}: the child ${failure}\n--- stdout ---\n${text.stdout}\n--- stderr ---\n${text.stderr}`));
        };
        const check = (): void => (has() ? done(null) : exit ? done(exit) : undefined);
        waiters.add(check);
        check();
      });
    },
  };
}

/**
 * Run a command to its end without blocking the event loop (a test's worker answers vitest's calls
 * meanwhile: a minute of spawnSync in a row on a busy machine is a "Timeout calling onTaskUpdate").
 */
export async function runToEnd(cmd: string, args: string[], opts: SpawnOptions = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
  const w = watch(child);
  const code = await w.closed;
  return { status: child.exitCode ?? (code === -1 ? null : code), stdout: w.stdout, stderr: w.stderr };
}
