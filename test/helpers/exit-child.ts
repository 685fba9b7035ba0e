// Exits with a source still registered on the runtime's poller (an ICMP
// socket nobody closed): the process must still end.
import { IcmpSocket } from '../../lbc/src/index.js';

const sock = IcmpSocket.open();
sock.onMessage(() => {});
setTimeout(() => process.exit(0), 200);
