// Spike hunting: which probes were slow, and which stage made them slow.
//
// A probe is a spike when its total passes an absolute threshold (-m, as
// sysak's), or when a stage passes k times that stage's rolling p99 (-k).
// Either way the blamed stage is the one that grew most over its own
// baseline (the rolling median), so a 5 ms spike in the qdisc is named
// l_tx_qdisc even when the threshold was on the total. Baselines are built
// from ordinary probes only: a burst of spikes does not raise the bar that
// detects it.

export interface SpikeConfig {
  /** µs: total above this is a spike */
  thresholdUs?: number;
  /** a stage above factor × its rolling p99 is a spike */
  factor?: number;
  /** probes in the rolling baseline */
  window?: number;
  /** ordinary probes before the adaptive rule may fire */
  warmup?: number;
  /** µs a stage must also exceed its p99 by (tiny stages jitter by whole multiples) */
  floorUs?: number;
}

export interface Baseline { p50: number; p99: number }

export interface SpikeVerdict {
  /** why it is a spike: "total 5123.0us > 1000us" or "l_tx_qdisc 812.0us > 3 x p99 41.2us" */
  reason: string;
  stage: string;
  value: number;
  baseline: Baseline;
}

export class SpikeDetector {
  private readonly values = new Map<string, number[]>();
  private next = 0;
  private filled = 0;
  private cached: Map<string, Baseline> | null = null;
  private sinceRefresh = 0;
  readonly window: number;
  private readonly warmup: number;
  private readonly floorUs: number;

  constructor(private readonly cfg: SpikeConfig) {
    this.window = cfg.window ?? 1000;
    this.warmup = Math.min(cfg.warmup ?? 30, this.window);
    this.floorUs = cfg.floorUs ?? 20;
  }

  get enabled(): boolean {
    return this.cfg.thresholdUs !== undefined || this.cfg.factor !== undefined;
  }

  /** Judge one probe (stage → µs, with `total`), then learn from it if it was ordinary. */
  check(stages: Record<string, number>): SpikeVerdict | null {
    const base = this.baselines();
    let verdict: SpikeVerdict | null = null;
    const total = stages.total ?? 0;
    if (this.cfg.thresholdUs !== undefined && total > this.cfg.thresholdUs) {
      verdict = { reason: `total ${total.toFixed(1)}us > ${this.cfg.thresholdUs}us`, ...this.blame(stages, base) };
    } else if (this.cfg.factor !== undefined && this.filled >= this.warmup) {
      let worst: { stage: string; over: number } | null = null;
      for (const [stage, v] of Object.entries(stages)) {
        if (stage === 'total') continue;
        const b = base.get(stage);
        if (!b) continue;
        const limit = Math.max(this.cfg.factor * b.p99, b.p99 + this.floorUs);
        if (v > limit && (!worst || v - limit > worst.over)) worst = { stage, over: v - limit };
      }
      if (worst) {
        const b = base.get(worst.stage)!;
        verdict = { reason: `${worst.stage} ${stages[worst.stage]!.toFixed(1)}us > ${this.cfg.factor} x p99 ${b.p99.toFixed(1)}us`, ...this.blame(stages, base) };
      }
    }
    if (!verdict) this.learn(stages);
    return verdict;
  }

  private blame(stages: Record<string, number>, base: Map<string, Baseline>): Omit<SpikeVerdict, 'reason'> {
    let best: Omit<SpikeVerdict, 'reason'> | null = null;
    for (const [stage, value] of Object.entries(stages)) {
      if (stage === 'total') continue;
      const baseline = base.get(stage) ?? { p50: 0, p99: 0 };
      if (!best || value - baseline.p50 > best.value - best.baseline.p50) best = { stage, value, baseline };
    }
    return best ?? { stage: 'total', value: stages.total ?? 0, baseline: base.get('total') ?? { p50: 0, p99: 0 } };
  }

  private learn(stages: Record<string, number>): void {
    for (const [stage, v] of Object.entries(stages)) {
      let ring = this.values.get(stage);
      if (!ring) {
        ring = new Array<number>(this.window).fill(NaN);
        this.values.set(stage, ring);
      }
      ring[this.next] = v;
    }
    this.next = (this.next + 1) % this.window;
    this.filled = Math.min(this.window, this.filled + 1);
    // percentiles of the window, recomputed every few probes rather than per probe
    if (++this.sinceRefresh >= Math.max(1, Math.min(25, this.filled >> 2))) this.cached = null;
  }

  baselines(): Map<string, Baseline> {
    if (this.cached) return this.cached;
    this.sinceRefresh = 0;
    const out = new Map<string, Baseline>();
    for (const [stage, ring] of this.values) {
      const s = ring.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
      if (!s.length) continue;
      const at = (p: number): number => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
      out.set(stage, { p50: at(50), p99: at(99) });
    }
    this.cached = out;
    return out;
  }
}
