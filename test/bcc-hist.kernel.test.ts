// print_json_hist as BCC prints it: lcc's dict (lbc/src/bcc/hist.ts) against
// BCC's own (python3-bpfcc's bcc.table), on the same counts; the text
// histograms are test/hist.kernel.test.ts's. Needs BCC's Python module, which
// is why it is a kernel test.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { jsonHist } from '../lbc/src/bcc/hist.js';
import { repr } from '../lbc/src/py/core.js';
import { runKernelTests } from './helpers/kernel.js';

function bcc(code: string): string {
  const r = spawnSync('/usr/bin/python3', ['-c', `from bcc import table\ntable.strftime = lambda f: 'TS'\n${code}`], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}
const pad = (vals: number[], n: number): number[] => [...vals, ...Array<number>(n - vals.length).fill(0)];

// counts of every shape: empty, one slot, a gap, only slot 0, leading zeros, past slot 32
const CASES: number[][] = [[], [0, 5], [0, 3, 10, 0, 1], [7], [0, 0, 0, 2, 9, 4], [...Array<number>(40).fill(0), 3, 0, 8], [0, 1, 1000000, 3], [0, 0, 0, 0, 12, 0, 1]];

describe.runIf(runKernelTests)('print_json_hist prints what BCC prints', () => {
  it('print_json_hist, with a section and without', () => {
    for (const vals of CASES) {
      const v = pad(vals, 65);
      expect(`${repr(jsonHist(v, 'usecs', null, 'TS'))}\n`).toBe(bcc(`table._print_json_hist(${JSON.stringify(v)}, 'usecs')`));
      expect(`${repr(jsonHist(v, 'usecs', ['disk', 'vda'], 'TS'))}\n`).toBe(bcc(`table._print_json_hist(${JSON.stringify(v)}, 'usecs', ('disk', 'vda'))`));
    }
  });
});
