// libbpf-bootstrap's bootstrap, its user space in TypeScript: the same
// bootstrap.bpf.c and bootstrap.h (copied unchanged from
// libbpf/libbpf-bootstrap examples/c), the same options, the same lines as
// its bootstrap.c prints — through the skeleton lcc gen makes of them.
//
//   $ node dist/examples/bootstrap/main.js -d 50
//   TIME     EVENT COMM             PID     PPID    FILENAME/EXIT CODE
//   10:01:02 EXEC  ls               4121    4120    /usr/bin/ls
//   10:01:02 EXIT  ls               4121    4120    [0] (2ms)
//
// bootstrap.skel.ts: lcc gen examples/bootstrap/bootstrap.bpf.c --reference
// its object: lcc build examples/bootstrap/bootstrap.bpf.c (npm run build does both)
import { parseArgs } from 'node:util';

const USAGE = `Usage: bootstrap [-v] [-d MIN-DURATION-MS]
BPF bootstrap demo application.

It traces process start and exits and shows associated
information (filename, process duration, PID and PPID, etc).

  -d, --duration=DURATION-MS   Minimum process duration (ms) to report
  -v, --verbose                Verbose debug output
  -h, --help                   Give this help list
`;

let values: { verbose?: boolean; duration?: string; help?: boolean };
try {
  ({ values } = parseArgs({ options: { verbose: { type: 'boolean', short: 'v' }, duration: { type: 'string', short: 'd' }, help: { type: 'boolean', short: 'h' } } }));
} catch (e) {
  process.stderr.write(`bootstrap: ${(e as Error).message}\n${USAGE}`);
  process.exit(64);
}
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
let minDurationMs = 0;
if (values.duration !== undefined) {
  minDurationMs = Number(values.duration);
  if (!Number.isInteger(minDurationMs) || minDurationMs <= 0) {
    process.stderr.write(`Invalid duration: ${values.duration}\n${USAGE}`);
    process.exit(64);
  }
}
// libbpf's debug messages, as bootstrap.c's libbpf_print_fn shows them with -v
if (values.verbose) process.env.LCC_LIBBPF_LOG = 'debug';

const { LbcError } = await import('@lcc-ebpf/lbc');
const { BootstrapSkeleton } = await import('./bootstrap.skel.js');

const pad = (v: string | number, n: number): string => String(v).padEnd(n);
const clock = (): string => new Date().toTimeString().slice(0, 8);

try {
  const skel = BootstrapSkeleton.open();
  skel.rodata.min_duration_ns = BigInt(minDurationMs) * 1_000_000n;
  skel.load();
  skel.attach();
  const rb = skel.onRb((e) => {
    const head = `${pad(clock(), 8)} ${pad(e.exit_event ? 'EXIT' : 'EXEC', 5)} ${pad(e.comm, 16)} ${pad(e.pid, 7)} ${pad(e.ppid, 7)}`;
    if (e.exit_event) process.stdout.write(`${head} [${e.exit_code}]${e.duration_ns ? ` (${e.duration_ns / 1_000_000n}ms)` : ''}\n`);
    else process.stdout.write(`${head} ${e.filename}\n`);
  });
  process.stdout.write(`${pad('TIME', 8)} ${pad('EVENT', 5)} ${pad('COMM', 16)} ${pad('PID', 7)} ${pad('PPID', 7)} FILENAME/EXIT CODE\n`);
  const stop = (): void => {
    rb.poll();
    skel.destroy();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (e) {
  if (!(e instanceof LbcError)) throw e;
  process.stderr.write(`bootstrap: ${e.message}\n`);
  process.exit(1);
}
