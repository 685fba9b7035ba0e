// Our histogram printers against BCC's own (python3-bpfcc's table module),
// run side by side on the same vectors. BCC loads libbcc and libbpf: a test of
// the machine's kind, with the kernel tests.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { formatLinearHist, formatLog2Hist } from '../lbc/src/pure.js';

const BCC_PYTHON = '/usr/bin/python3'; // Debian's python, where python3-bpfcc installs

function bcc(fn: 'log2' | 'linear', vals: (number | bigint)[], valType: string, strip: boolean): string {
  const script = `
import json, sys
from bcc.table import _print_log2_hist, _print_linear_hist
vals = json.loads(sys.argv[1])
(_print_log2_hist if sys.argv[2] == 'log2' else _print_linear_hist)(vals, sys.argv[3], sys.argv[4] == '1')
`;
  return execFileSync(BCC_PYTHON, ['-c', script, `[${vals.join(',')}]`, fn, valType, strip ? '1' : '0'], { encoding: 'utf8' });
}

const slots = (set: Record<number, number | bigint>, n = 65): (number | bigint)[] =>
  Array.from({ length: n }, (_, i) => set[i] ?? 0);

const CASES: { name: string; vals: (number | bigint)[]; strip?: boolean }[] = [
  { name: 'empty', vals: slots({}) },
  { name: 'only slot 1 (0 and 1)', vals: slots({ 1: 7 }) },
  { name: 'typical latency', vals: slots({ 1: 3, 2: 5, 4: 100, 5: 2, 9: 1 }) },
  { name: 'equal maxima', vals: slots({ 3: 10, 6: 10 }) },
  { name: 'leading zeros stripped', vals: slots({ 8: 1, 9: 40, 10: 3 }), strip: true },
  { name: 'wide (past slot 32)', vals: slots({ 2: 1, 33: 5, 40: 9 }) },
  { name: 'top slot, beyond 2^53', vals: slots({ 64: 1, 63: 2 }) },
  { name: 'one huge count', vals: slots({ 5: 123456789, 6: 1 }) },
];

describe('histograms print exactly as BCC prints them', () => {
  for (const c of CASES) {
    it(`log2: ${c.name}`, () => {
      expect(formatLog2Hist(c.vals, 'usecs', c.strip)).toBe(bcc('log2', c.vals, 'usecs', !!c.strip));
    });
  }
  for (const c of CASES.slice(0, 5)) {
    const lin = c.vals.slice(0, 20);
    it(`linear: ${c.name}`, () => {
      expect(formatLinearHist(lin, 'slot', c.strip)).toBe(bcc('linear', lin, 'slot', !!c.strip));
    });
  }
});
