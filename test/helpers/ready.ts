// Waiting for facts: a started tool prints a line when it is ready (attached,
// listening); a test waits for that line, causes activity, then waits for the
// output it expects. The deadline is generous and only there to turn a hang
// into a failure that shows what the child printed.
import type { ChildProcess } from 'node:child_process';

export interface WaitOptions {
  /** which stream to read (default stdout) */
  stream?: 'stdout' | 'stderr';
  /** fail after this long (default 60 s: a loaded 2-core runner starting node through tsx) */
  ms?: number;
}

/** Resolves with everything the child printed on `stream` once it matches `pattern`. */
export function waitForOutput(child: ChildProcess, pattern: RegExp | string, opts: WaitOptions = {}): Promise<string> {
  const stream = opts.stream ?? 'stdout';
  const ms = opts.ms ?? 60_000;
  const matches = (text: string): boolean => (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const onOut = (d: Buffer): void => {
      out += d.toString();
      if (stream === 'stdout' && matches(out)) done(null);
    };
    const onErr = (d: Buffer): void => {
      err += d.toString();
      if (stream === 'stderr' && matches(err)) done(null);
    };
    const onExit = (code: number | null, signal: string | null): void => done(`exited (${code ?? signal})`);
    const timer = setTimeout(() => done(`did not print it within ${ms / 1000} s`), ms);
    const done = (failure: string | null): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onOut);
      child.stderr?.off('data', onErr);
      child.off('exit', onExit);
      if (failure === null) resolve(stream === 'stdout' ? out : err);
      else reject(new Error(`waiting for ${pattern} on ${stream}: the child ${failure}\n--- stdout ---\n${out}\n--- stderr ---\n${err}`));
    };
    child.stdout?.on('data', onOut);
    child.stderr?.on('data', onErr);
    child.on('exit', onExit);
  });
}
