// BCC's histogram output, line for line: print_log2_hist's two widths (the
// wide one past slot 32, with half the stars), print_linear_hist, and
// print_json_hist's dict. Tools are judged by these lines, so they are
// compared with BCC's own printers (test/bcc-hist.kernel.test.ts).
import { tuple } from '../py/core.js';
import { PyDict } from '../py/dict.js';
import { pyFormat } from '../py/format.js';

export const LOG2_INDEX_MAX = 65;
export const LINEAR_INDEX_MAX = 1025;
const STARS_MAX = 40;

function stars(val: number, max: number, width: number): string {
  let out = '';
  for (let i = 0; !(i > (width * val) / max - 1 || i > width - 1); i++) out += '*';
  return val > max ? `${out.slice(0, -1)}+` : out;
}

/** the last slot with a count, and the largest count */
export function extent(vals: number[]): { idxMax: number; valMax: number } {
  let idxMax = -1;
  let valMax = 0;
  vals.forEach((v, i) => {
    if (v > 0) idxMax = i;
    if (v > valMax) valMax = v;
  });
  return { idxMax, valMax };
}

/** vals[i] counts values in [2^(i-1), 2^i - 1] (slot 1 is 0 -> 1) */
export function log2Lines(vals: number[], valType: string, stripLeadingZero: boolean): string[] {
  const { idxMax, valMax } = extent(vals);
  const wide = idxMax > 32;
  const header = wide ? '               %-29s : count     distribution' : '     %-19s : count     distribution';
  const body = wide ? '%20d -> %-20d : %-8d |%-*s|' : '%10d -> %-10d : %-8d |%-*s|';
  const width = wide ? Math.floor(STARS_MAX / 2) : STARS_MAX;
  const out: string[] = [];
  if (idxMax > 0) out.push(pyFormat(header, valType));
  let strip = stripLeadingZero;
  for (let i = 1; i <= idxMax; i++) {
    let low = (2n ** BigInt(i)) >> 1n;
    const high = 2n ** BigInt(i) - 1n;
    if (low === high) low -= 1n;
    const val = vals[i]!;
    if (strip && !val) continue;
    strip = false;
    out.push(pyFormat(body, tuple(low, high, val, width, stars(val, valMax, width))));
  }
  return out;
}

export function linearLines(vals: number[], valType: string, stripLeadingZero: boolean): string[] {
  const { idxMax, valMax } = extent(vals);
  const out: string[] = [];
  if (idxMax >= 0) out.push(pyFormat('     %-13s : count     distribution', valType));
  let strip = stripLeadingZero;
  for (let i = 0; i <= idxMax; i++) {
    const val = vals[i]!;
    if (strip && !val) continue;
    strip = false;
    out.push(pyFormat('        %-10d : %-8d |%-*s|', tuple(i, val, STARS_MAX, stars(val, valMax, STARS_MAX))));
  }
  return out;
}

/** print_json_hist's dict: the log2 intervals up to the last non-empty one, and the section's key */
export function jsonHist(vals: number[], valType: string, section: readonly [unknown, unknown] | null, ts: string): PyDict {
  const { idxMax } = extent(vals);
  const data: PyDict[] = [];
  let index = 1;
  let prev = 0;
  for (let i = 1; i <= idxMax; i++) {
    index *= 2;
    data.push(new PyDict([['interval-start', prev], ['interval-end', index - 1], ['count', vals[i]!]]));
    prev = index;
  }
  const h = new PyDict<unknown, unknown>([['ts', ts], ['val_type', valType], ['data', data]]);
  if (section) h.__setitem__(section[0], section[1]);
  return h;
}
