// The one binding table: every foreign call of the project goes through here,
// so koffi is imported nowhere else and the C ABI lives in one file.
import { createRequire } from 'node:module';
import type * as Koffi from 'koffi';

// Required, not imported: in the bundled CLI a static import would be hoisted
// and load koffi for every command, even those that never touch the kernel.
// An app bundled as CommonJS has `require` and an empty import.meta (esbuild
// warns about the latter; it is not read there); an ES module has only
// import.meta.
// The literal require('koffi') is what lets `lcc bundle` (esbuild) carry koffi
// into an app's one file.
const koffi = (typeof require === 'function' ? require('koffi') : createRequire(import.meta.url)('koffi')) as typeof Koffi;

export type Ptr = unknown; // an opaque native pointer as koffi hands it out

function loadFirst(names: string[]): Koffi.IKoffiLib {
  const errors: string[] = [];
  for (const name of names) {
    try {
      return koffi.load(name);
    } catch (e) {
      errors.push(`${name}: ${(e as Error).message}`);
    }
  }
  throw new Error(
    `cannot load libbpf (${errors.join('; ')}); install it with "apt-get install -y libbpf1" or run "lcc doctor"`,
  );
}

// Opaque handles: typed so that koffi refuses to mix an object with a map.
koffi.opaque('bpf_object');
koffi.opaque('bpf_program');
koffi.opaque('bpf_map');
koffi.opaque('bpf_link');
koffi.opaque('btf');

// libbpf 1.x option structs, field for field (the `sz` member makes libbpf
// accept our size as the version we were written against).
export const OpenOpts = koffi.struct('bpf_object_open_opts', {
  sz: 'size_t',
  object_name: 'const char *',
  relaxed_maps: 'bool',
  pin_root_path: 'const char *',
  _attach_prog_fd: 'uint32_t',
  kconfig: 'const char *',
  btf_custom_path: 'const char *',
  kernel_log_buf: 'void *',
  kernel_log_size: 'size_t',
  kernel_log_level: 'uint32_t',
});

export const UprobeOpts = koffi.struct('bpf_uprobe_opts', {
  sz: 'size_t',
  ref_ctr_offset: 'size_t',
  bpf_cookie: 'uint64_t',
  retprobe: 'bool',
  func_name: 'const char *',
});

export const UsdtOpts = koffi.struct('bpf_usdt_opts', {
  sz: 'size_t',
  usdt_cookie: 'uint64_t',
});

export const KprobeOpts = koffi.struct('bpf_kprobe_opts', {
  sz: 'size_t',
  bpf_cookie: 'uint64_t',
  offset: 'size_t',
  retprobe: 'bool',
});

export const KsyscallOpts = koffi.struct('bpf_ksyscall_opts', {
  sz: 'size_t',
  bpf_cookie: 'uint64_t',
  retprobe: 'bool',
});

export const TcHook = koffi.struct('bpf_tc_hook', {
  sz: 'size_t',
  ifindex: 'int',
  attach_point: 'int',
  parent: 'uint32_t',
});

export const TcOpts = koffi.struct('bpf_tc_opts', {
  sz: 'size_t',
  prog_fd: 'int',
  flags: 'uint32_t',
  prog_id: 'uint32_t',
  handle: 'uint32_t',
  priority: 'uint32_t',
});

export const BatchOpts = koffi.struct('bpf_map_batch_opts', {
  sz: 'size_t',
  elem_flags: 'uint64_t',
  flags: 'uint64_t',
});

export const TestRunOpts = koffi.struct('bpf_test_run_opts', {
  sz: 'size_t',
  data_in: 'void *',
  data_out: 'void *',
  data_size_in: 'uint32_t',
  data_size_out: 'uint32_t',
  ctx_in: 'void *',
  ctx_out: 'void *',
  ctx_size_in: 'uint32_t',
  ctx_size_out: 'uint32_t',
  retval: 'uint32_t',
  repeat: 'int',
  duration: 'uint32_t',
  flags: 'uint32_t',
  cpu: 'uint32_t',
  batch_size: 'uint32_t',
});

export const PerfEventAttr = koffi.struct('perf_event_attr', {
  type: 'uint32_t',
  size: 'uint32_t',
  config: 'uint64_t',
  sample_period: 'uint64_t',
  sample_type: 'uint64_t',
  read_format: 'uint64_t',
  flags: 'uint64_t',
  wakeup_events: 'uint32_t',
  bp_type: 'uint32_t',
  config1: 'uint64_t',
  config2: 'uint64_t',
  branch_sample_type: 'uint64_t',
  sample_regs_user: 'uint64_t',
  sample_stack_user: 'uint32_t',
  clockid: 'int32_t',
  sample_regs_intr: 'uint64_t',
  aux_watermark: 'uint32_t',
  sample_max_stack: 'uint16_t',
  _reserved_2: 'uint16_t',
  aux_sample_size: 'uint32_t',
  _reserved_3: 'uint32_t',
  sig_data: 'uint64_t',
  config3: 'uint64_t',
});

// struct epoll_event is packed on x86_64 only (12 bytes); elsewhere data sits at offset 8
export const EPOLL_PACKED = process.arch === 'x64';
/** SO_ATTACH_FILTER's argument: the filter is `struct sock_filter[len]`, bytes from sockfilter.ts. */
export const SockFprog = koffi.struct('sock_fprog', { len: 'uint16_t', filter: 'const uint8_t *' });

export const EpollEvent = (EPOLL_PACKED ? koffi.pack : koffi.struct)('epoll_event', { events: 'uint32_t', data: 'uint64_t' });
export const EPOLL_EVENT_SIZE = EPOLL_PACKED ? 12 : 16;
export const EPOLL_DATA_OFFSET = EPOLL_PACKED ? 4 : 8;

// libbpf's print callback gets a va_list, which on x86_64 and aarch64 arrives
// as a pointer; vsnprintf formats it for us.
export const PrintFn = koffi.proto('int lbc_print_fn(int level, const char *fmt, void *ap)');

function bindLibbpf(libbpf: Koffi.IKoffiLib) {
  return {
    // object lifecycle
    open_file: libbpf.func('bpf_object *bpf_object__open_file(const char *path, const bpf_object_open_opts *opts)'),
    open_mem: libbpf.func('bpf_object *bpf_object__open_mem(const void *buf, size_t sz, const bpf_object_open_opts *opts)'),
    object_load: libbpf.func('int bpf_object__load(bpf_object *obj)'),
    object_close: libbpf.func('void bpf_object__close(bpf_object *obj)'),
    object_name: libbpf.func('const char *bpf_object__name(const bpf_object *obj)'),
    object_btf: libbpf.func('btf *bpf_object__btf(const bpf_object *obj)'),
    btf_raw_data: libbpf.func('const void *btf__raw_data(const btf *btf, _Out_ uint32_t *size)'),
    next_program: libbpf.func('bpf_program *bpf_object__next_program(const bpf_object *obj, bpf_program *prev)'),
    next_map: libbpf.func('bpf_map *bpf_object__next_map(const bpf_object *obj, const bpf_map *prev)'),

    // programs
    prog_name: libbpf.func('const char *bpf_program__name(const bpf_program *prog)'),
    prog_section: libbpf.func('const char *bpf_program__section_name(const bpf_program *prog)'),
    prog_autoload: libbpf.func('bool bpf_program__autoload(const bpf_program *prog)'),
    prog_set_autoload: libbpf.func('int bpf_program__set_autoload(bpf_program *prog, bool autoload)'),
    prog_set_log_buf: libbpf.func('int bpf_program__set_log_buf(bpf_program *prog, void *buf, size_t size)'),
    prog_fd: libbpf.func('int bpf_program__fd(const bpf_program *prog)'),
    prog_type: libbpf.func('int bpf_program__type(const bpf_program *prog)'),
    prog_set_log_level: libbpf.func('int bpf_program__set_log_level(bpf_program *prog, uint32_t level)'),
    attach: libbpf.func('bpf_link *bpf_program__attach(const bpf_program *prog)'),
    attach_kprobe: libbpf.func('bpf_link *bpf_program__attach_kprobe(const bpf_program *prog, bool retprobe, const char *func)'),
    // the syscall's kernel function differs by architecture and kernel (__x64_sys_x, sys_x): libbpf knows
    attach_ksyscall: libbpf.func('bpf_link *bpf_program__attach_ksyscall(const bpf_program *prog, const char *syscall_name, const bpf_ksyscall_opts *opts)'),
    attach_uprobe_opts: libbpf.func(
      'bpf_link *bpf_program__attach_uprobe_opts(const bpf_program *prog, int pid, const char *binary, size_t offset, const bpf_uprobe_opts *opts)',
    ),
    // libbpf reads the probe's notes, sets its semaphore and fills usdt.bpf.h's maps for bpf_usdt_arg()
    attach_usdt: libbpf.func(
      'bpf_link *bpf_program__attach_usdt(const bpf_program *prog, int pid, const char *binary_path, const char *usdt_provider, const char *usdt_name, const bpf_usdt_opts *opts)',
    ),
    attach_tracepoint: libbpf.func('bpf_link *bpf_program__attach_tracepoint(const bpf_program *prog, const char *cat, const char *name)'),
    attach_raw_tracepoint: libbpf.func('bpf_link *bpf_program__attach_raw_tracepoint(const bpf_program *prog, const char *name)'),
    attach_trace: libbpf.func('bpf_link *bpf_program__attach_trace(const bpf_program *prog)'),
    attach_perf_event: libbpf.func('bpf_link *bpf_program__attach_perf_event(const bpf_program *prog, int pfd)'),
    attach_xdp: libbpf.func('bpf_link *bpf_program__attach_xdp(const bpf_program *prog, int ifindex)'),
    attach_cgroup: libbpf.func('bpf_link *bpf_program__attach_cgroup(const bpf_program *prog, int cgroup_fd)'),
    // the attachment a cgroup or a sockmap holds without a link (BCC's attach_func): the legacy attach
    prog_attach: libbpf.func('int bpf_prog_attach(int prog_fd, int attachable_fd, int type, unsigned int flags)'),
    prog_detach2: libbpf.func('int bpf_prog_detach2(int prog_fd, int attachable_fd, int type)'),
    link_destroy: libbpf.func('int bpf_link__destroy(bpf_link *link)'),
    link_fd: libbpf.func('int bpf_link__fd(const bpf_link *link)'),
    link_pin: libbpf.func('int bpf_link__pin(bpf_link *link, const char *path)'),
    tc_hook_create: libbpf.func('int bpf_tc_hook_create(bpf_tc_hook *hook)'),
    tc_hook_destroy: libbpf.func('int bpf_tc_hook_destroy(bpf_tc_hook *hook)'),
    tc_attach: libbpf.func('int bpf_tc_attach(const bpf_tc_hook *hook, _Inout_ bpf_tc_opts *opts)'),
    tc_detach: libbpf.func('int bpf_tc_detach(const bpf_tc_hook *hook, const bpf_tc_opts *opts)'),
    prog_test_run: libbpf.func('int bpf_prog_test_run_opts(int prog_fd, _Inout_ bpf_test_run_opts *opts)'),

    // maps
    map_name: libbpf.func('const char *bpf_map__name(const bpf_map *map)'),
    map_type: libbpf.func('int bpf_map__type(const bpf_map *map)'),
    map_key_size: libbpf.func('uint32_t bpf_map__key_size(const bpf_map *map)'),
    map_value_size: libbpf.func('uint32_t bpf_map__value_size(const bpf_map *map)'),
    map_max_entries: libbpf.func('uint32_t bpf_map__max_entries(const bpf_map *map)'),
    map_set_max_entries: libbpf.func('int bpf_map__set_max_entries(bpf_map *map, uint32_t max)'),
    map_set_value_size: libbpf.func('int bpf_map__set_value_size(bpf_map *map, uint32_t size)'),
    map_fd: libbpf.func('int bpf_map__fd(const bpf_map *map)'),
    map_set_pin_path: libbpf.func('int bpf_map__set_pin_path(bpf_map *map, const char *path)'),
    map_pin: libbpf.func('int bpf_map__pin(bpf_map *map, const char *path)'),
    map_unpin: libbpf.func('int bpf_map__unpin(bpf_map *map, const char *path)'),
    map_reuse_fd: libbpf.func('int bpf_map__reuse_fd(bpf_map *map, int fd)'),
    map_initial_value: libbpf.func('void *bpf_map__initial_value(bpf_map *map, _Out_ size_t *psize)'),
    map_flags: libbpf.func('uint32_t bpf_map__map_flags(const bpf_map *map)'),
    map_is_internal: libbpf.func('bool bpf_map__is_internal(const bpf_map *map)'),
    map_set_autocreate: libbpf.func('int bpf_map__set_autocreate(bpf_map *map, bool autocreate)'),

    // map syscalls by fd (keys and values are caller-owned byte buffers)
    lookup: libbpf.func('int bpf_map_lookup_elem_flags(int fd, const void *key, void *value, uint64_t flags)'),
    update: libbpf.func('int bpf_map_update_elem(int fd, const void *key, const void *value, uint64_t flags)'),
    delete: libbpf.func('int bpf_map_delete_elem(int fd, const void *key)'),
    next_key: libbpf.func('int bpf_map_get_next_key(int fd, const void *key, void *next)'),
    lookup_and_delete: libbpf.func('int bpf_map_lookup_and_delete_elem(int fd, const void *key, void *value)'),
    lookup_batch: libbpf.func(
      'int bpf_map_lookup_batch(int fd, void *in_batch, void *out_batch, void *keys, void *values, _Inout_ uint32_t *count, const bpf_map_batch_opts *opts)',
    ),
    update_batch: libbpf.func(
      'int bpf_map_update_batch(int fd, const void *keys, const void *values, _Inout_ uint32_t *count, const bpf_map_batch_opts *opts)',
    ),
    delete_batch: libbpf.func(
      'int bpf_map_delete_batch(int fd, const void *keys, _Inout_ uint32_t *count, const bpf_map_batch_opts *opts)',
    ),
    obj_get: libbpf.func('int bpf_obj_get(const char *path)'),
    obj_pin: libbpf.func('int bpf_obj_pin(int fd, const char *path)'),
    prog_get_next_id: libbpf.func('int bpf_prog_get_next_id(uint32_t start, _Out_ uint32_t *next)'),
    link_get_next_id: libbpf.func('int bpf_link_get_next_id(uint32_t start, _Out_ uint32_t *next)'),
    map_get_next_id: libbpf.func('int bpf_map_get_next_id(uint32_t start, _Out_ uint32_t *next)'),
    prog_get_fd_by_id: libbpf.func('int bpf_prog_get_fd_by_id(uint32_t id)'),
    obj_get_info_by_fd: libbpf.func('int bpf_obj_get_info_by_fd(int fd, void *info, _Inout_ uint32_t *len)'),
    enable_stats: libbpf.func('int bpf_enable_stats(int type)'),

    // feature probes and misc
    probe_prog_type: libbpf.func('int libbpf_probe_bpf_prog_type(int type, const void *opts)'),
    probe_map_type: libbpf.func('int libbpf_probe_bpf_map_type(int type, const void *opts)'),
    set_print: libbpf.func('void *libbpf_set_print(lbc_print_fn *fn)'),
    strerror: libbpf.func('int libbpf_strerror(int err, _Out_ char *buf, size_t size)'),
    num_possible_cpus: libbpf.func('int libbpf_num_possible_cpus(void)'),
    major_version: libbpf.func('uint32_t libbpf_major_version(void)'),
    minor_version: libbpf.func('uint32_t libbpf_minor_version(void)'),
  };
}

function bindLibc(libc: Koffi.IKoffiLib) {
  return {
    mmap: libc.func('void *mmap(void *addr, size_t len, int prot, int flags, int fd, int64_t off)'),
    munmap: libc.func('int munmap(void *addr, size_t len)'),
    close: libc.func('int close(int fd)'),
    read: libc.func('intptr_t read(int fd, _Out_ uint8_t *buf, size_t n)'),
    write: libc.func('intptr_t write(int fd, const uint8_t *buf, size_t n)'),
    eventfd: libc.func('int eventfd(unsigned int initval, int flags)'),
    epoll_create1: libc.func('int epoll_create1(int flags)'),
    epoll_ctl: libc.func('int epoll_ctl(int epfd, int op, int fd, epoll_event *ev)'),
    epoll_wait: libc.func('int epoll_wait(int epfd, _Out_ uint8_t *events, int maxevents, int timeout)'),
    ioctl: libc.func('int ioctl(int fd, unsigned long req, unsigned long arg)'),
    perf_event_open: libc.func('long syscall(long nr, const perf_event_attr *attr, int pid, int cpu, int group_fd, unsigned long flags)'),
    open: libc.func('int open(const char *path, int flags, int mode)'),
    if_nametoindex: libc.func('unsigned int if_nametoindex(const char *name)'),
    vsnprintf: libc.func('int vsnprintf(_Out_ uint8_t *buf, size_t n, const char *fmt, void *ap)'),
    getpagesize: libc.func('int getpagesize(void)'),
    malloc_trim: libc.func('int malloc_trim(size_t pad)'),
    socket: libc.func('int socket(int domain, int type, int protocol)'),
    sendto: libc.func('intptr_t sendto(int fd, const uint8_t *buf, size_t len, int flags, const uint8_t *addr, uint32_t addrlen)'),
    recvfrom: libc.func('intptr_t recvfrom(int fd, _Out_ uint8_t *buf, size_t len, int flags, _Out_ uint8_t *addr, _Inout_ uint32_t *addrlen)'),
    poll: libc.func('int poll(_Inout_ uint8_t *fds, unsigned long nfds, int timeout)'),
    setsockopt: libc.func('int setsockopt(int fd, int level, int name, const uint8_t *value, uint32_t len)'),
    setsockopt_fprog: libc.func('int setsockopt(int fd, int level, int name, const sock_fprog *value, uint32_t len)'),
    getsockopt: libc.func('int getsockopt(int fd, int level, int name, _Out_ uint8_t *value, _Inout_ uint32_t *len)'),
    connect: libc.func('int connect(int fd, const uint8_t *addr, uint32_t len)'),
    bind: libc.func('int bind(int fd, const uint8_t *addr, uint32_t len)'),
    dup: libc.func('int dup(int fd)'),
    fcntl: libc.func('int fcntl(int fd, int cmd, ...)'),
    getsockname: libc.func('int getsockname(int fd, _Out_ uint8_t *addr, _Inout_ uint32_t *len)'),
    pthread_sigmask: libc.func('int pthread_sigmask(int how, const uint8_t *set, _Out_ uint8_t *old)'),
    mount: libc.func('int mount(const char *src, const char *target, const char *fstype, unsigned long flags, const void *data)'),
  };
}

export type LibbpfBindings = ReturnType<typeof bindLibbpf>;
export type LibcBindings = ReturnType<typeof bindLibc>;

/** What a test puts in place of the foreign calls (aya's faked syscalls): only what it names exists. */
export interface FakeBindings {
  bpf?: Partial<Record<keyof LibbpfBindings, (...args: any[]) => unknown>>;
  c?: Partial<Record<keyof LibcBindings, (...args: any[]) => unknown>>;
  errno?: () => number;
}

const real: { bpf?: LibbpfBindings; c?: LibcBindings } = {};
let fake: FakeBindings | null = null;

/**
 * Replace every foreign call with `f` until called again with null: the
 * runtime's own logic then runs without libbpf, a kernel or root. A call the
 * fake does not provide throws, naming it.
 */
export function useFakeBindings(f: FakeBindings | null): void {
  fake = f;
}

// libbpf and libc are loaded at the first foreign call, not at import: the
// pure parts of lbc, and a process that only formats or parses, never need them
function table<K extends 'bpf' | 'c'>(kind: K): K extends 'bpf' ? LibbpfBindings : LibcBindings {
  return new Proxy({}, {
    get(_, name: string) {
      if (fake) {
        const f = fake[kind]?.[name as never];
        if (!f) throw new Error(`fake bindings: ${kind}.${name} is not provided`);
        return f;
      }
      // each library on its own: a page size from libc must not need libbpf
      if (kind === 'bpf') real.bpf ??= bindLibbpf(loadFirst(['libbpf.so.1', 'libbpf.so']));
      else real.c ??= bindLibc(koffi.load('libc.so.6'));
      return real[kind]![name as never];
    },
  }) as never;
}

export const bpf = table('bpf');
export const c = table('c');

const SIG_BLOCK = 0;
const SIG_SETMASK = 2;
const ALL_SIGNALS = Buffer.alloc(128, 0xff); // sigset_t is 1024 bits in glibc

/**
 * Run `fn` with signals blocked on this thread. The verifier gives up with
 * EAGAIN when a signal arrives (a profiler's SIGPROF, say), and libbpf 1.1
 * cannot retry a failed object load; blocked signals are delivered after.
 */
export function withSignalsBlocked<T>(fn: () => T): T {
  const old = Buffer.alloc(128);
  c.pthread_sigmask(SIG_BLOCK, ALL_SIGNALS, old);
  try {
    return fn();
  } finally {
    c.pthread_sigmask(SIG_SETMASK, old, null);
  }
}

const SYS_perf_event_open = process.arch === 'arm64' ? 241 : 298;
const PERF_FLAG_FD_CLOEXEC = 8;

/** perf_event_open(2), which libc does not wrap: an fd, or -1 with errno set. */
export function perfEventOpen(attr: Record<string, unknown>, pid: number, cpu: number): number {
  return Number(c.perf_event_open(SYS_perf_event_open, attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC));
}

/** errno of the last foreign call on this thread. */
export const errno = (): number => (fake ? (fake.errno?.() ?? 0) : koffi.errno());

/** A zero-copy ArrayBuffer over native memory (mmap'ed rings, global sections). */
export const view = (ptr: Ptr, len: number): ArrayBuffer => koffi.view(ptr as never, len);

// fake bindings hand out plain objects as pointers, and null for NULL
export const isNull = (ptr: Ptr): boolean => ptr === null || ptr === undefined || (!fake && koffi.address(ptr as never) === 0n);

/** Native address as a number, for pointer arithmetic checks such as MAP_FAILED. */
export const address = (ptr: Ptr): bigint => koffi.address(ptr as never);

/** `const char *` results arrive as strings already (null for NULL). */
export const decodeString = (s: unknown): string => (typeof s === 'string' ? s : '');

export const registerPrint = (fn: (level: number, fmt: string, ap: Ptr) => number): unknown =>
  koffi.register(fn, koffi.pointer(PrintFn));

export const structSize = (type: unknown): number => koffi.sizeof(type as never);
