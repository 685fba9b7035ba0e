// Histograms printed exactly as BCC's table.print_log2_hist / print_linear_hist
// do, so tools converted from BCC keep their output (and tests diff it with BCC).

const STARS_MAX = 40;

function stars(val: number, valMax: number, width: number): string {
  let text = '';
  for (let i = 0; ; i++) {
    if (i > (width * val) / valMax - 1 || i > width - 1) break;
    text += '*';
  }
  if (val > valMax) text = `${text.slice(0, -1)}+`;
  return text;
}

const pad = (s: string | number, w: number, left = false): string => {
  const t = String(s);
  return left ? t.padEnd(w) : t.padStart(w);
};

function maxima(vals: readonly number[]): { idxMax: number; valMax: number } {
  let idxMax = -1;
  let valMax = 0;
  vals.forEach((v, i) => {
    if (v > 0) idxMax = i;
    if (v > valMax) valMax = v;
  });
  return { idxMax, valMax };
}

/** Slot i holds [2^(i-1), 2^i - 1] (lbc.h's lbc_log2l, BCC's bpf_log2l). */
export function formatLog2Hist(values: readonly (number | bigint)[], valType = 'value', stripLeadingZero = false): string {
  const vals = values.map(Number);
  const { idxMax, valMax } = maxima(vals);
  const wide = idxMax > 32;
  const width = wide ? Math.trunc(STARS_MAX / 2) : STARS_MAX;
  const lines: string[] = [];
  if (idxMax > 0) lines.push(wide ? `               ${pad(valType, 29, true)} : count     distribution` : `     ${pad(valType, 19, true)} : count     distribution`);
  let strip = stripLeadingZero;
  for (let i = 1; i <= idxMax; i++) {
    // bigint: the top slots pass 2^53, and BCC prints them exactly
    let low = (1n << BigInt(i)) >> 1n;
    const high = (1n << BigInt(i)) - 1n;
    if (low === high) low -= 1n;
    const val = vals[i]!;
    if (strip && !val) continue;
    strip = false;
    const w = wide ? 20 : 10;
    lines.push(`${pad(low.toString(), w)} -> ${pad(high.toString(), w, true)} : ${pad(val, 8, true)} |${pad(stars(val, valMax, width), width, true)}|`);
  }
  return lines.map((l) => `${l}\n`).join('');
}

/** Slot i holds the value i. */
export function formatLinearHist(values: readonly (number | bigint)[], valType = 'value', stripLeadingZero = false): string {
  const vals = values.map(Number);
  const { idxMax, valMax } = maxima(vals);
  const lines: string[] = [];
  if (idxMax >= 0) lines.push(`     ${pad(valType, 13, true)} : count     distribution`);
  let strip = stripLeadingZero;
  for (let i = 0; i <= idxMax; i++) {
    const val = vals[i]!;
    if (strip && !val) continue;
    strip = false;
    lines.push(`        ${pad(i, 10, true)} : ${pad(val, 8, true)} |${pad(stars(val, valMax, STARS_MAX), STARS_MAX, true)}|`);
  }
  return lines.map((l) => `${l}\n`).join('');
}

/** Slot i holds [10^(i-1), 10^i - 1], slot 0 holds 0 (lbc.h's lbc_log10l). */
export function formatLog10Hist(values: readonly (number | bigint)[], valType = 'value'): string {
  const vals = values.map(Number);
  const { idxMax, valMax } = maxima(vals);
  const lines: string[] = [];
  if (idxMax >= 0) lines.push(`     ${pad(valType, 29, true)} : count     distribution`);
  for (let i = 0; i <= idxMax; i++) {
    const low = i === 0 ? 0n : 10n ** BigInt(i - 1);
    const high = i === 0 ? 0n : 10n ** BigInt(i) - 1n;
    const val = vals[i]!;
    lines.push(`${pad(low.toString(), 15)} -> ${pad(high.toString(), 15, true)} : ${pad(val, 8, true)} |${pad(stars(val, valMax, STARS_MAX), STARS_MAX, true)}|`);
  }
  return lines.map((l) => `${l}\n`).join('');
}
