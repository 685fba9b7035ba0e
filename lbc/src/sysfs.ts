// The filesystems BPF tools need are not always mounted (this project's own
// VMs boot without them): mount bpffs and tracefs on demand, once.
import * as fs from 'node:fs';
import { c, errno } from './ffi.js';
import { LbcError } from './errors.js';

export const BPFFS = '/sys/fs/bpf';
export const TRACEFS = '/sys/kernel/tracing';
const BPF_FS_MAGIC = 0xcafe4a11;
const TRACEFS_MAGIC = 0x74726163;

function mountedAs(path: string, magic: number): boolean {
  try {
    const st = fs.statfsSync(path);
    return st.type === magic;
  } catch {
    return false;
  }
}

function ensure(path: string, fstype: string, magic: number): void {
  if (mountedAs(path, magic)) return;
  // Never a recursive mkdir here: on sysfs it can spin forever (ENOENT for
  // the leaf while the parent exists), and the mount points already exist.
  if (!fs.existsSync(path)) fs.mkdirSync(path);
  if ((c.mount(fstype, path, fstype, 0, null) as number) !== 0) {
    throw new LbcError(`cannot mount ${fstype} at ${path}`, {
      errno: errno(),
      hint: `run as root, or mount it yourself: mount -t ${fstype} ${fstype} ${path}`,
    });
  }
}

export const isBpffsMounted = (path = BPFFS): boolean => mountedAs(path, BPF_FS_MAGIC);
export const isTracefsMounted = (): boolean => mountedAs(TRACEFS, TRACEFS_MAGIC);
export const ensureBpffs = (): void => ensure(BPFFS, 'bpf', BPF_FS_MAGIC);
export const ensureTracefs = (): void => ensure(TRACEFS, 'tracefs', TRACEFS_MAGIC);
