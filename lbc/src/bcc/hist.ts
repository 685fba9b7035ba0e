// print_json_hist's dict, as BCC builds it (the text forms, print_log2_hist and
// print_linear_hist, are lbc's formatLog2Hist and formatLinearHist: ../hist.ts).
import { PyDict } from '../py/dict.js';

export const LOG2_INDEX_MAX = 65;
export const LINEAR_INDEX_MAX = 1025;

/** The log2 intervals up to the last non-empty slot, their counts, and the section's key */
export function jsonHist(vals: number[], valType: string, section: readonly [unknown, unknown] | null, ts: string): PyDict {
  const idxMax = vals.reduce((last, v, i) => (v > 0 ? i : last), -1);
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
