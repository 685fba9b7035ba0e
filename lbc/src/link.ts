// An attachment that can be undone. libbpf links cover most kinds; tc filters
// and per-CPU perf events are ours to undo.
import { bpf, c, isNull, type Ptr } from './ffi.js';
import { LbcError } from './errors.js';

export interface Link {
  readonly program: string;
  readonly description: string;
  destroy(): void;
}

export class LibbpfLink implements Link {
  private handle: Ptr | null;

  constructor(handle: Ptr, readonly program: string, readonly description: string) {
    this.handle = handle;
  }

  get fd(): number {
    if (!this.handle) throw new LbcError(`link ${this.description} is destroyed`);
    return bpf.link_fd(this.handle) as number;
  }

  /** Keep the attachment alive after this process exits (bpffs path). */
  pin(path: string): void {
    if (!this.handle || isNull(this.handle)) throw new LbcError(`link ${this.description} is destroyed`);
    const rc = bpf.link_pin(this.handle, Buffer.from(`${path}\0`)) as number;
    if (rc < 0) throw new LbcError(`pin link ${this.description} at ${path} failed`, { errno: -rc });
  }

  destroy(): void {
    if (!this.handle) return;
    bpf.link_destroy(this.handle);
    this.handle = null;
  }
}

/** Several links made as one (a perf event on every CPU). */
export class MultiLink implements Link {
  constructor(private links: Link[], private readonly fds: number[], readonly program: string, readonly description: string) {}

  destroy(): void {
    for (const l of this.links) l.destroy();
    for (const fd of this.fds) c.close(fd);
    this.links = [];
    this.fds.length = 0;
  }
}

/** A tc filter made with bpf_tc_attach; its hook (clsact qdisc) goes with it if we made it. */
export class TcLink implements Link {
  private live = true;
  constructor(
    private readonly hook: Record<string, unknown>,
    private readonly opts: Record<string, unknown>,
    private readonly ownsHook: boolean,
    readonly program: string,
    readonly description: string,
  ) {}

  destroy(): void {
    if (!this.live) return;
    this.live = false;
    bpf.tc_detach(this.hook, { ...this.opts, prog_fd: 0, prog_id: 0, flags: 0 });
    if (this.ownsHook) bpf.tc_hook_destroy({ ...this.hook, attach_point: 3 /* ingress|egress */ });
  }
}
