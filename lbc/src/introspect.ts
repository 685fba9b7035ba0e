// What is loaded in the kernel right now, by id: lets tools and tests check
// that nothing of theirs stayed behind.
import { bpf, c } from './ffi.js';
import { LbcError } from './errors.js';

export interface LoadedProgram {
  id: number;
  type: number;
  name: string;
  /** with run-time statistics enabled (enableRunStats): total ns in the program, and runs */
  runTimeNs: bigint;
  runCount: bigint;
}

/**
 * Turn on the kernel's per-program run-time statistics (BPF_STATS_RUN_TIME)
 * until the returned function is called. They cost a little per run, so they
 * are off unless someone holds them on.
 */
export function enableRunStats(): () => void {
  const fd = bpf.enable_stats(0) as number;
  if (fd < 0) throw new LbcError('enable BPF run-time statistics', { errno: -fd });
  return () => void c.close(fd);
}

/** Every BPF program in the kernel (needs CAP_SYS_ADMIN). */
export function loadedPrograms(): LoadedProgram[] {
  const out: LoadedProgram[] = [];
  const next = [0];
  const info = Buffer.alloc(208); // through bpf_prog_info.run_cnt; the kernel copies no more than we ask
  for (let id = 0; bpf.prog_get_next_id(id, next) === 0; id = next[0]!) {
    const fd = bpf.prog_get_fd_by_id(next[0]!) as number;
    if (fd < 0) continue; // unloaded meanwhile
    info.fill(0);
    const len = [info.length];
    if (bpf.obj_get_info_by_fd(fd, info, len) === 0) {
      const raw = info.subarray(64, 80);
      const nul = raw.indexOf(0);
      out.push({
        id: info.readUInt32LE(4),
        type: info.readUInt32LE(0),
        name: raw.toString('utf8', 0, nul < 0 ? 16 : nul),
        runTimeNs: info.readBigUInt64LE(192),
        runCount: info.readBigUInt64LE(200),
      });
    }
    c.close(fd);
  }
  return out;
}

/** The system libbpf's version, as "major.minor". */
export function libbpfVersion(): string {
  return `${bpf.major_version()}.${bpf.minor_version()}`;
}
