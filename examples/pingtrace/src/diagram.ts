// The talk's picture: the local stack's layers against the remote host, with
// the microseconds spent on each edge. Plain ASCII, so it survives any terminal and log.
import type { StageName } from './stages.js';

const W = 78;
const fmt = (v: number | undefined): string => (v === undefined ? '-' : v.toFixed(1));
const line = (s = ''): string => `| ${s.padEnd(W - 4)} |`;

export function diagram(title: string, stages: Partial<Record<StageName | 'total', number>>, local: string, remote: string): string {
  const s = (k: StageName | 'total'): string => fmt(stages[k]);
  const remoteSeen = stages.r_rx_kern !== undefined;
  const head = `+${`-- ${title} `.padEnd(W - 16, '-')} unit: usec --+`;
  const rows = [
    head,
    line(`${`local ${local}`.padEnd(44)}remote ${remote}`),
    line(),
    line(`user        send                      recv`),
    line(`              | ${s('l_tx_kern').padStart(8)} l_tx_kern      ^ ${s('l_rx_task_queue').padStart(8)} l_rx_task_queue`),
    line(`trans/ip      |                         | ${s('l_rx_task_waking').padStart(8)} l_rx_task_waking`),
    line(`              v                         | ${s('l_rx_kern').padStart(8)} l_rx_kern`),
    line(`dev/qdisc     | ${s('l_tx_qdisc').padStart(8)} l_tx_qdisc     | ${s('l_rx_softirq').padStart(8)} l_rx_softirq`),
    line(`              v                         |`),
  ];
  if (remoteSeen) {
    rows.push(
      line(`link          +-- ${s('l_tx_outlink')} -->  [rx ${s('r_rx_kern')} | tx ${s('r_tx_kern')}]  -- ${s('l_rx_inlink')} --+`),
    );
  } else {
    rows.push(line(`link          +------ remote + network ${s('remote_net')} ------+`));
  }
  rows.push(line(), line(`total ${s('total')}`), `+${'-'.repeat(W - 2)}+`);
  return rows.join('\n');
}
