// Idle cost: a ring buffer consumer and a perf buffer consumer waiting with
// no events. Prints { idle_cpu_pct } for the whole process over the window.
import { BpfObject } from '../../lbc/src/index.js';

const seconds = Number(process.argv[2] ?? 5);
const obj = BpfObject.open(process.argv[3] ?? 'bench/out/flood.bpf.o');
obj.load();
let events = 0;
obj.ringBuffer('rb', () => events++);
obj.perfBuffer('pb', () => events++, { pages: 8 });
// settle first: start-up work is not idle time
setTimeout(() => {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  setTimeout(() => {
    const c = process.cpuUsage(c0);
    const wall = (performance.now() - t0) * 1000;
    process.stdout.write(`${JSON.stringify({ idle_cpu_pct: ((c.user + c.system) / wall) * 100, events })}\n`);
    obj.destroy();
    process.exit(0);
  }, seconds * 1000);
}, 300);
