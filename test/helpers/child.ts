// A second process for the runtime tests: loads the runtime fixture, reports
// what it loaded on stdout, then waits to be killed or for stdin to close.
import { BpfObject, codec } from '../../lbc/src/index.js';

const [mode, objPath, pinPath] = process.argv.slice(2);
const obj = BpfObject.open(objPath!);
if (mode === 'pin') obj.pinMap('send_count', pinPath!);
obj.load();
obj.attach();
if (mode === 'pin') obj.map('send_count', { key: codec.u32, value: codec.u64 }).set(42, 4242n);
process.stdout.write(`${JSON.stringify({ progs: [obj.program('on_exec').fd, obj.program('on_sendto').fd], pid: process.pid })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  obj.destroy();
  process.exit(0);
});
