// `lcc serve` as its own process, as in production: for the tests (whose
// synchronous spawns would block a service inside their own process) and the
// benchmark (which must not share a CPU budget with what it measures).
import { spawn, type ChildProcess } from 'node:child_process';

/** Start `node ...lccArgv serve --listen 127.0.0.1:0 --cache DIR`; resolves with its URL once it listens. */
export async function startServe(lccArgv: string[], cache: string, extra: string[] = [], stderr: 'inherit' | 'ignore' = 'inherit'): Promise<{ url: string; stop: () => void }> {
  const child: ChildProcess = spawn(process.execPath, [...lccArgv, 'serve', '--listen', '127.0.0.1:0', '--cache', cache, ...extra], { stdio: ['ignore', 'pipe', stderr] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`lcc serve exited ${code}`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}
