// The service's object cache on disk, held under a size quota: the least
// recently used objects go first. Last use is the file's mtime (refreshed on
// every hit), so the order survives a restart.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeAtomic } from '../fsutil.js';

export class ObjectCache {
  /** key → size, oldest use first (a Map keeps insertion order) */
  private readonly entries = new Map<string, number>();
  private total = 0;
  evictions = 0;

  constructor(readonly dir: string, readonly quotaBytes: number) {
    fs.mkdirSync(dir, { recursive: true });
    const found: { key: string; size: number; used: number }[] = [];
    for (const f of fs.readdirSync(dir)) {
      if (!f.endsWith('.o')) continue;
      try {
        const st = fs.statSync(path.join(dir, f));
        found.push({ key: f.slice(0, -2), size: st.size, used: st.mtimeMs });
      } catch {
        // removed meanwhile
      }
    }
    for (const e of found.sort((a, b) => a.used - b.used)) this.add(e.key, e.size);
    this.evict();
  }

  get bytes(): number {
    return this.total;
  }

  get size(): number {
    return this.entries.size;
  }

  private file(key: string): string {
    return path.join(this.dir, `${key}.o`);
  }

  private add(key: string, size: number): void {
    this.total += size - (this.entries.get(key) ?? 0);
    this.entries.delete(key);
    this.entries.set(key, size);
  }

  get(key: string): Buffer | null {
    if (!this.entries.has(key)) return null;
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(this.file(key));
    } catch {
      this.total -= this.entries.get(key)!;
      this.entries.delete(key);
      return null;
    }
    this.add(key, bytes.length);
    const now = new Date();
    try {
      fs.utimesSync(this.file(key), now, now);
    } catch {
      // evicted by another service sharing the directory: the bytes are still good
    }
    return bytes;
  }

  put(key: string, bytes: Uint8Array): void {
    writeAtomic(this.file(key), bytes);
    this.add(key, bytes.length);
    this.evict(key);
  }

  /** Down to the quota, oldest first; `keep` (just written) stays even alone over it. */
  private evict(keep?: string): void {
    for (const [key, size] of this.entries) {
      if (this.total <= this.quotaBytes) break;
      if (key === keep) continue;
      fs.rmSync(this.file(key), { force: true });
      this.entries.delete(key);
      this.total -= size;
      this.evictions++;
    }
  }
}
