// Open and load one object, printing the runtime's message on failure: what
// an app shows its user (run as another user by the tests).
import { BpfObject, LbcError } from '../../lbc/src/index.js';

try {
  BpfObject.open(process.argv[2]!).load();
  console.log('loaded');
} catch (e) {
  if (!(e instanceof LbcError)) throw e;
  console.error(e.message);
  process.exitCode = 1;
}
