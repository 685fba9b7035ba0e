// Latency distributions in bounded memory, for runs of any length: log-linear
// buckets (32 per power of two, so a percentile is within ~2% of the true
// value), exact count, sum, min and max.

const SUB = 32;
const MIN_US = 0.125; // below this everything shares bucket 0

export class LatencyHistogram {
  private readonly counts = new Map<number, number>();
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;

  add(us: number): void {
    const v = Math.max(0, us);
    this.count++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    const b = bucketOf(v);
    this.counts.set(b, (this.counts.get(b) ?? 0) + 1);
  }

  /** The value below which p% of the samples fall (bucket midpoint, clamped to min/max). */
  percentile(p: number): number {
    if (!this.count) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (const b of [...this.counts.keys()].sort((x, y) => x - y)) {
      seen += this.counts.get(b)!;
      if (seen >= rank) return Math.min(this.max, Math.max(this.min, midpoint(b)));
    }
    return this.max;
  }

  get mean(): number {
    return this.count ? this.sum / this.count : 0;
  }

  /** Non-empty buckets as [lower, upper) µs ranges with their counts, in order. */
  buckets(): { lo: number; hi: number; count: number }[] {
    return [...this.counts.entries()].sort((a, b) => a[0] - b[0]).map(([b, count]) => ({ lo: lowerBound(b), hi: lowerBound(b + 1), count }));
  }
}

function bucketOf(us: number): number {
  if (us < MIN_US) return 0;
  const e = Math.floor(Math.log2(us / MIN_US));
  const base = MIN_US * 2 ** e;
  return 1 + e * SUB + Math.min(SUB - 1, Math.floor(((us - base) / base) * SUB));
}

function lowerBound(b: number): number {
  if (b <= 0) return 0;
  const e = Math.floor((b - 1) / SUB);
  const i = (b - 1) % SUB;
  const base = MIN_US * 2 ** e;
  return base + (base * i) / SUB;
}

const midpoint = (b: number): number => (lowerBound(b) + lowerBound(b + 1)) / 2;
