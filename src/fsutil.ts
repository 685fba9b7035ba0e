// The one way this project replaces a file: written beside it under a name of
// its own, then renamed over it. A reader sees the old file or the new one,
// never half of one, and a failed step leaves nothing behind.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * `produce` writes the file's new content to the path it is given (clang's -o,
 * say); then it replaces `file`. When `produce` throws, the partial output goes.
 */
export function replaceAtomic<T>(file: string, produce: (tmp: string) => T): T {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  // unique per call, not per process: the compile service writes concurrently
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const r = produce(tmp);
    fs.renameSync(tmp, file);
    return r;
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

export function writeAtomic(file: string, data: string | Uint8Array): void {
  replaceAtomic(file, (tmp) => fs.writeFileSync(tmp, data));
}

/**
 * Several files into `dir`, all or none: written into a fresh directory beside
 * it, then moved in (a failure before the moves leaves `dir` as it was).
 */
export function writeFilesAtomic(dir: string, files: [name: string, body: string | Uint8Array][]): void {
  fs.mkdirSync(path.dirname(path.resolve(dir)), { recursive: true });
  const tmp = fs.mkdtempSync(path.join(path.dirname(path.resolve(dir)), `.${path.basename(dir)}.lcc-`));
  try {
    // a name may hold directories (koffi/linux_x64/koffi.node)
    for (const [f, body] of files) {
      fs.mkdirSync(path.dirname(path.join(tmp, f)), { recursive: true });
      fs.writeFileSync(path.join(tmp, f), body);
    }
    for (const [f] of files) {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.renameSync(path.join(tmp, f), path.join(dir, f));
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
