// execsnoop on lcc: prints every exec for a while.
//
//   $ node dist/examples/execsnoop/main.js --duration 5
//   TIME(s)  PID     PPID    UID   COMM             FILENAME
//   0.000    4121    4120    0     ls               /usr/bin/ls
//
// Build the object first: node bin/lcc.js build examples/execsnoop/execsnoop.bpf.c
import { parseArgs } from 'node:util';
import * as path from 'node:path';
import { BpfObject, codec, LbcError, type Codec } from '../../lbc/src/index.js';
import { ROOT } from '../../src/paths.js';

interface ExecEvent { tsNs: bigint; pid: number; ppid: number; uid: number; comm: string; filename: string }

// Layout of struct exec_event in execsnoop.h (`lcc gen` will emit this codec).
const comm = codec.cstring(16);
const filename = codec.cstring(128);
const execEvent: Codec<ExecEvent> = {
  size: 168,
  decode: (dv, o) => ({
    tsNs: dv.getBigUint64(o, true), pid: dv.getUint32(o + 8, true), ppid: dv.getUint32(o + 12, true),
    uid: dv.getUint32(o + 16, true), comm: comm.decode(dv, o + 24), filename: filename.decode(dv, o + 40),
  }),
  encode: () => { throw new Error('read-only'); },
};

const { values } = parseArgs({ options: { duration: { type: 'string', short: 'd' }, uid: { type: 'string', short: 'u' } } });
const duration = Number(values.duration ?? 0);

try {
  const obj = BpfObject.open(path.join(ROOT, 'examples/execsnoop/execsnoop.bpf.o'));
  if (values.uid !== undefined) obj.setGlobal('filter_uid', Number(values.uid));
  obj.load();
  obj.attach();
  let t0: bigint | null = null;
  console.log(`${'TIME(s)'.padEnd(8)} ${'PID'.padEnd(7)} ${'PPID'.padEnd(7)} ${'UID'.padEnd(5)} ${'COMM'.padEnd(16)} FILENAME`);
  const rb = obj.ringBuffer('events', (dv, off) => {
    const e = execEvent.decode(dv, off);
    t0 ??= e.tsNs;
    const t = (Number(e.tsNs - t0) / 1e9).toFixed(3);
    console.log(`${t.padEnd(8)} ${String(e.pid).padEnd(7)} ${String(e.ppid).padEnd(7)} ${String(e.uid).padEnd(5)} ${e.comm.padEnd(16)} ${e.filename}`);
  });
  const stop = (): void => {
    rb.poll();
    console.error(`${rb.received} execs, ${rb.lost} lost`);
    obj.destroy();
    process.exit(0);
  };
  if (duration > 0) setTimeout(stop, duration * 1000);
  process.on('SIGINT', stop);
} catch (e) {
  if (!(e instanceof LbcError)) throw e;
  console.error(`execsnoop: ${e.message}`);
  process.exit(1);
}
