// BCC's histograms as BCC prints them: lcc's printers (lbc/src/bcc/hist.ts)
// against BCC's own (python3-bpfcc's bcc.table), on the same counts. Needs
// BCC's Python module, which is why it is a kernel test.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { jsonHist, linearLines, log2Lines } from '../lbc/src/bcc/hist.js';
import { repr } from '../lbc/src/py/core.js';
import { runKernelTests } from './helpers/kernel.js';

function bcc(code: string): string {
  const r = spawnSync('/usr/bin/python3', ['-c', `from bcc import table\ntable.strftime = lambda f: 'TS'\n${code}`], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}
const lines = (l: string[]): string => (l.length ? `${l.join('\n')}\n` : '');
const pad = (vals: number[], n: number): number[] => [...vals, ...Array<number>(n - vals.length).fill(0)];

// counts of every shape: empty, one slot, a gap, the first slot, past slot 32 (the wide form), a count
// over the max (the + star), leading zeros to strip
const CASES: number[][] = [[], [0, 5], [0, 3, 10, 0, 1], [7], [0, 0, 0, 2, 9, 4], [...Array<number>(40).fill(0), 3, 0, 8], [0, 1, 1000000, 3], [0, 0, 0, 0, 12, 0, 1]];

describe.runIf(runKernelTests)('histograms print as BCC prints them', () => {
  it('print_log2_hist, both widths, with and without leading zeros', () => {
    for (const vals of CASES) {
      for (const strip of [false, true]) {
        const v = pad(vals, 65);
        expect(lines(log2Lines(v, 'usecs', strip)), JSON.stringify(vals)).toBe(bcc(`table._print_log2_hist(${JSON.stringify(v)}, 'usecs', ${strip ? 'True' : 'None'})`));
      }
    }
  });

  it('print_linear_hist', () => {
    for (const vals of CASES) {
      for (const strip of [false, true]) {
        const v = pad(vals, 1025);
        expect(lines(linearLines(v, 'slot', strip)), JSON.stringify(vals)).toBe(bcc(`table._print_linear_hist(${JSON.stringify(v)}, 'slot', ${strip ? 'True' : 'None'})`));
      }
    }
  });

  it('print_json_hist, with a section and without', () => {
    for (const vals of CASES) {
      const v = pad(vals, 65);
      expect(`${repr(jsonHist(v, 'usecs', null, 'TS'))}\n`).toBe(bcc(`table._print_json_hist(${JSON.stringify(v)}, 'usecs')`));
      expect(`${repr(jsonHist(v, 'usecs', ['disk', 'vda'], 'TS'))}\n`).toBe(bcc(`table._print_json_hist(${JSON.stringify(v)}, 'usecs', ('disk', 'vda'))`));
    }
  });
});
