// Throughput, lcc side: a producer on a worker thread runs flood_rb/flood_pb
// through BPF_PROG_TEST_RUN back to back; the main thread consumes.
// Prints one JSON line: { received, lost, seconds, rate }.
import { BpfObject } from '../../lbc/src/index.js';
import { bpf, structSize, TestRunOpts } from '../../lbc/src/ffi.js';

const [kind = 'rb', secondsArg = '3', objPath = 'bench/out/flood.bpf.o', wakeupArg = '1'] = process.argv.slice(2);
const seconds = Number(secondsArg);
const PAGES = 256; // per CPU, the same in bench/c and bench/bcc: holds a whole 4096-event batch
const obj = BpfObject.open(objPath);
obj.load();

let received = 0;
let sum = 0;
const handler = (dv: DataView, off: number): void => {
  received++;
  sum += dv.getUint32(off, true); // touch the event, as every consumer here does
};
const consumer = kind === 'rb' ? obj.ringBuffer('rb', handler) : obj.perfBuffer('pb', handler, { pages: PAGES, wakeupEvents: Number(wakeupArg) });
const fd = obj.program(kind === 'rb' ? 'flood_rb' : 'flood_pb').fd;
const opts = {
  sz: structSize(TestRunOpts), data_in: null, data_out: null, data_size_in: 0, data_size_out: 0, ctx_in: null,
  ctx_out: null, ctx_size_in: 0, ctx_size_out: 0, retval: 0, repeat: 0, duration: 0, flags: 0, cpu: 0, batch_size: 0,
};

const start = performance.now();
const deadline = start + seconds * 1000;
const produce = (): void => {
  if (performance.now() >= deadline) return void setTimeout(finish, 0);
  bpf.prog_test_run.async(fd, opts, (err: unknown) => {
    if (err) throw err;
    produce();
  });
};

function finish(): void {
  // let the consumer catch up with what is already in the rings
  let last = -1;
  const check = (): void => {
    consumer.poll(); // below the wake-up watermark nothing wakes us: collect the rest
    if (received === last) {
      const elapsed = (performance.now() - start) / 1000;
      const drops = kind === 'rb' ? consumer.lost : Number(obj.getGlobal('perf_drops')) + consumer.lost;
      process.stdout.write(`${JSON.stringify({ impl: 'lcc', kind, wakeup: Number(wakeupArg), received, lost: drops, seconds: elapsed, rate: received / elapsed, check: sum > 0 })}\n`);
      obj.destroy();
      process.exit(0);
    }
    last = received;
    setTimeout(check, 50);
  };
  check();
}
produce();
