// `lcc serve` as its own process, as in production (a test's synchronous
// spawns would block a service running inside the test process).
import { spawn, type ChildProcess } from 'node:child_process';

/** Start `node ...lccArgv serve --listen 127.0.0.1:0 --cache DIR`; resolves with its URL once it listens. */
export async function startServe(lccArgv: string[], cache: string): Promise<{ url: string; stop: () => void }> {
  const child: ChildProcess = spawn(process.execPath, [...lccArgv, 'serve', '--listen', '127.0.0.1:0', '--cache', cache], { stdio: ['ignore', 'pipe', 'inherit'] });
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
