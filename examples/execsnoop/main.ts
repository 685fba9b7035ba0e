// execsnoop on lcc: prints every exec for a while.
//
//   $ node dist/examples/execsnoop/main.js --duration 5
//   TIME(s)  PID     PPID    UID   COMM             FILENAME
//   0.000    4121    4120    0     ls               /usr/bin/ls
//
// execsnoop.skel.ts is generated: lcc gen examples/execsnoop/execsnoop.bpf.c --reference
// and the object it loads is built with: lcc build examples/execsnoop/execsnoop.bpf.c
import { parseArgs } from 'node:util';
import { LbcError } from '@lcc-ebpf/lbc';
import { ExecsnoopSkeleton } from './execsnoop.skel.js';

const { values } = parseArgs({ options: { duration: { type: 'string', short: 'd' }, uid: { type: 'string', short: 'u' } } });
const duration = Number(values.duration ?? 0);

try {
  const skel = ExecsnoopSkeleton.open();
  if (values.uid !== undefined) skel.rodata.filter_uid = Number(values.uid);
  skel.load().attach();
  let t0: bigint | null = null;
  console.log(`${'TIME(s)'.padEnd(8)} ${'PID'.padEnd(7)} ${'PPID'.padEnd(7)} ${'UID'.padEnd(5)} ${'COMM'.padEnd(16)} FILENAME`);
  const rb = skel.onEvents((e) => {
    t0 ??= e.ts_ns;
    const t = (Number(e.ts_ns - t0) / 1e9).toFixed(3);
    console.log(`${t.padEnd(8)} ${String(e.pid).padEnd(7)} ${String(e.ppid).padEnd(7)} ${String(e.uid).padEnd(5)} ${e.comm.padEnd(16)} ${e.filename}`);
  });
  const stop = (): void => {
    rb.poll();
    console.error(`${rb.received} execs, ${rb.lost} lost`);
    skel.destroy();
    process.exit(0);
  };
  if (duration > 0) setTimeout(stop, duration * 1000);
  process.on('SIGINT', stop);
} catch (e) {
  if (!(e instanceof LbcError)) throw e;
  console.error(`execsnoop: ${e.message}`);
  process.exit(1);
}
