// --log FILE: one JSON object per line (spikes, server and path changes,
// summaries), rotated by size as logrotate's `rotate N` would: FILE.1 is the
// newest old file, FILE.N the oldest, and nothing beyond N is kept.
import * as fs from 'node:fs';

export class RotatingLog {
  private fd: number;
  private size: number;

  constructor(readonly file: string, private readonly maxBytes = 10 << 20, private readonly keep = 5) {
    if (maxBytes < 1024) throw new Error(`--log-size ${maxBytes}: at least 1024 bytes`);
    this.fd = fs.openSync(file, 'a');
    this.size = fs.fstatSync(this.fd).size;
  }

  write(record: object): void {
    const line = `${JSON.stringify({ time: new Date().toISOString(), ...record })}\n`;
    if (this.size > 0 && this.size + Buffer.byteLength(line) > this.maxBytes) this.rotate();
    fs.writeSync(this.fd, line);
    this.size += Buffer.byteLength(line);
  }

  private rotate(): void {
    fs.closeSync(this.fd);
    fs.rmSync(`${this.file}.${this.keep}`, { force: true });
    for (let i = this.keep - 1; i >= 1; i--) {
      if (fs.existsSync(`${this.file}.${i}`)) fs.renameSync(`${this.file}.${i}`, `${this.file}.${i + 1}`);
    }
    if (this.keep > 0) fs.renameSync(this.file, `${this.file}.1`);
    else fs.rmSync(this.file, { force: true });
    this.fd = fs.openSync(this.file, 'a');
    this.size = 0;
  }

  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }
}
