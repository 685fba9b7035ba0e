// bcc.tcp: the names of TCP's states (include/net/tcp_states.h) and header flags (include/net/tcp.h),
// as BCC's tools print them (tcpdrop, tcpretrans's kprobe path).
import { PyDict } from '../py/dict.js';

const STATES = ['ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSE', 'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'CLOSING', 'NEW_SYN_RECV'];
const FLAGS = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR'];

export const tcp = {
  /** state number → name, from 1 (ESTABLISHED) */
  tcpstate: new PyDict<number, string>(STATES.map((s, i) => [i + 1, s] as const)),
  ...Object.fromEntries(FLAGS.map((f, i) => [`TCPHDR_${f}`, 1 << i])),
  /** "SYN|ACK": the flags set, lowest bit first */
  flags2str: (flags: unknown): string => FLAGS.filter((_f, i) => Number(flags) & (1 << i)).join('|'),
};
