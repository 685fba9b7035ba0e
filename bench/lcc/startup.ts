// Start-up, lcc side: open → load → attach 3 tracepoints → first event, then exit.
import { BpfObject } from '../../lbc/src/index.js';

const obj = BpfObject.open(process.argv[2] ?? 'bench/out/startup.bpf.o');
obj.setGlobal('self_tgid', process.pid);
obj.load();
obj.attach();
obj.ringBuffer('events', () => {
  // CLOCK_MONOTONIC, like the harness's clock: start -> first event is the metric
  process.stdout.write(`first_event_ns=${process.hrtime.bigint()}\n`);
  obj.destroy();
  process.exit(0);
});
void process.ppid; // getppid(2): the first event
setTimeout(() => {
  process.stderr.write('startup: no event within 5 s\n');
  process.exit(1);
}, 5000).unref();
