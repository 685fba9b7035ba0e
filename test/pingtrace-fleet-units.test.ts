// pingtrace's long-run parts without a kernel: spike verdicts, bounded
// histograms, the metrics text, log rotation, and the report page.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SpikeDetector } from '../examples/pingtrace/src/spikes.js';
import { LatencyHistogram } from '../examples/pingtrace/src/histogram.js';
import { Metrics } from '../examples/pingtrace/src/metrics.js';
import { RotatingLog } from '../examples/pingtrace/src/logfile.js';
import { ReportRecorder } from '../examples/pingtrace/src/report.js';
import type { ProbeResult, Spike, Summary } from '../examples/pingtrace/src/client.js';

// a deterministic noise source: the same "random" probes every run
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}
const ordinary = (r: () => number): Record<string, number> => {
  const s = { l_tx_kern: 40 + 20 * r(), l_tx_qdisc: 10 + 8 * r(), l_rx_softirq: 15 + 10 * r(), l_rx_task_queue: 12 + 6 * r() };
  return { ...s, total: Object.values(s).reduce((a, b) => a + b, 0) };
};

describe('spike detector', () => {
  const cases: { name: string; cfg: { thresholdUs?: number; factor?: number }; inject: Record<string, number> | null; want: string | null }[] = [
    { name: 'adaptive: quiet on stationary noise', cfg: { factor: 3 }, inject: null, want: null },
    { name: 'absolute: quiet below the threshold', cfg: { thresholdUs: 500 }, inject: null, want: null },
    { name: 'adaptive: a qdisc spike is named', cfg: { factor: 3 }, inject: { l_tx_qdisc: 900 }, want: 'l_tx_qdisc' },
    { name: 'adaptive: a wake-up delay is named', cfg: { factor: 3 }, inject: { l_rx_task_queue: 400 }, want: 'l_rx_task_queue' },
    // the threshold is on the total, the blame on the stage that grew most over its baseline
    { name: 'absolute: total over, blame the grown stage', cfg: { thresholdUs: 500 }, inject: { l_rx_softirq: 700 }, want: 'l_rx_softirq' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = new SpikeDetector({ ...c.cfg, window: 500, warmup: 50 });
      const r = lcg(7);
      let flagged = 0;
      for (let i = 0; i < 2000; i++) if (d.check(ordinary(r))) flagged++;
      expect(flagged).toBe(0);
      if (!c.inject) return;
      const p = { ...ordinary(r), ...c.inject };
      p.total = Object.entries(p).filter(([k]) => k !== 'total').reduce((a, [, v]) => a + v, 0);
      const v = d.check(p);
      expect(v?.stage).toBe(c.want);
      expect(v!.value).toBeGreaterThan(v!.baseline.p50 * 3);
    });
  }

  it('waits for its warm-up and does not learn from spikes', () => {
    const d = new SpikeDetector({ factor: 3, window: 100, warmup: 20 });
    const r = lcg(1);
    for (let i = 0; i < 19; i++) expect(d.check(ordinary(r))).toBeNull();
    expect(d.check({ ...ordinary(r), l_tx_qdisc: 5000 })).toBeNull(); // the 20th: still warming up, learnt
    for (let i = 0; i < 200; i++) d.check(ordinary(r));
    // a run of spikes: every one is flagged, the baseline does not move up to meet them
    for (let i = 0; i < 50; i++) expect(d.check({ ...ordinary(r), l_tx_qdisc: 800 })?.stage).toBe('l_tx_qdisc');
    expect(d.baselines().get('l_tx_qdisc')!.p99).toBeLessThan(20);
  });
});

describe('latency histogram', () => {
  it('keeps percentiles within 2% in bounded memory', () => {
    const h = new LatencyHistogram();
    const r = lcg(3);
    const xs: number[] = [];
    for (let i = 0; i < 200_000; i++) {
      const x = 10 * Math.exp(4 * r()); // 10 us .. 546 us, log-uniform
      xs.push(x);
      h.add(x);
    }
    xs.sort((a, b) => a - b);
    for (const p of [1, 50, 90, 99, 99.9]) {
      const exact = xs[Math.ceil((p / 100) * xs.length) - 1]!;
      expect(Math.abs(h.percentile(p) - exact) / exact, `p${p}`).toBeLessThan(0.02);
    }
    expect(h.min).toBe(xs[0]);
    expect(h.max).toBe(xs[xs.length - 1]);
    expect(h.buckets().length).toBeLessThan(32 * 14); // about 32 per doubling, not one per sample
  });
});

describe('metrics exposition', () => {
  const m = new Metrics();
  const l = { target: '10.0.0.2', protocol: 'icmp' };
  m.inc('pingtrace_probes_sent', l, 3);
  m.observe('pingtrace_stage_seconds', { ...l, stage: 'l_tx_qdisc' }, 30e-6);
  m.observe('pingtrace_stage_seconds', { ...l, stage: 'l_tx_qdisc' }, 3e-3);
  m.set('pingtrace_server_up', l, 1);

  it('classic text: counters named with _total, cumulative buckets', () => {
    const t = m.render(false);
    expect(t).toContain('# TYPE pingtrace_probes_sent_total counter');
    expect(t).toContain('pingtrace_probes_sent_total{target="10.0.0.2",protocol="icmp"} 3');
    expect(t).toContain('pingtrace_stage_seconds_bucket{target="10.0.0.2",protocol="icmp",stage="l_tx_qdisc",le="0.00002"} 0');
    expect(t).toContain('pingtrace_stage_seconds_bucket{target="10.0.0.2",protocol="icmp",stage="l_tx_qdisc",le="0.00005"} 1');
    expect(t).toContain('pingtrace_stage_seconds_bucket{target="10.0.0.2",protocol="icmp",stage="l_tx_qdisc",le="+Inf"} 2');
    expect(t).toContain('pingtrace_stage_seconds_count{target="10.0.0.2",protocol="icmp",stage="l_tx_qdisc"} 2');
    expect(t).not.toContain('# EOF');
  });

  it('OpenMetrics: family names without _total, and # EOF', () => {
    const t = m.render(true);
    expect(t).toContain('# TYPE pingtrace_probes_sent counter');
    expect(t.trimEnd().endsWith('# EOF')).toBe(true);
  });
});

describe('rotating log', () => {
  it('rotates by size and keeps N old files', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ptlog-'));
    const file = path.join(dir, 'pt.log');
    const log = new RotatingLog(file, 2048, 2);
    for (let i = 0; i < 100; i++) log.write({ i, pad: 'x'.repeat(100) });
    log.close();
    expect(fs.readdirSync(dir).sort()).toEqual(['pt.log', 'pt.log.1', 'pt.log.2']);
    const lines = (f: string): { i: number }[] => fs.readFileSync(f, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    for (const f of ['pt.log', 'pt.log.1', 'pt.log.2']) expect(fs.statSync(path.join(dir, f)).size).toBeLessThanOrEqual(2048);
    // newest in pt.log, then .1, then .2, contiguous, ending with the last record
    const all = [...lines(`${file}.2`), ...lines(`${file}.1`), ...lines(file)].map((r) => r.i);
    expect(all[all.length - 1]).toBe(99);
    expect(all).toEqual(all.map((_, k) => all[0]! + k));
    fs.rmSync(dir, { recursive: true });
  });
});

describe('HTML report', () => {
  const stages = { l_tx_kern: 40, l_tx_qdisc: 10, l_tx_outlink: 5, r_rx_kern: 30, r_tx_kern: 2, l_rx_inlink: 5, l_rx_softirq: 15, l_rx_kern: 1, l_rx_task_waking: 3, l_rx_task_queue: 12 };
  const summary: Summary = {
    target: 'host<1>', sent: 5000, received: 5000, loss: 0, spikes: 1, stageSet: { name: 'tracepoints' }, server: true,
    offset: { us: 0, trusted: true, samples: 8 },
    stages: Object.fromEntries(['total', ...Object.keys(stages)].map((k) => [k, { min: 1, avg: 2, p50: 2, p99: 9, max: 10 }])),
    socketReads: 5000,
    kernelCalls: 40000,
    kernelParses: 20000,
  };

  it('stays bounded over a long run and is self-contained', () => {
    const rec = new ReportRecorder();
    const t0 = Date.UTC(2026, 0, 1);
    for (let i = 0; i < 5000; i++) {
      const r = { target: 'host<1>', seq: i, at: t0 + i * 10, stages: { ...stages }, total: 123, server: true, offsetTrusted: true, thetaUs: 0 } as ProbeResult;
      rec.add(r);
    }
    const spike: Spike = { target: 'host<1>', seq: 4000, at: t0 + 40_000, total: 5000, reason: 'total > 1000us', stage: 'l_tx_qdisc', value: 4900, baseline: { p50: 10, p99: 20 }, context: { cpu: 1, stack: ['dev_hard_start_xmit+0x11b'], stackAt: 'startXmit' } };
    rec.addSpike(spike);
    const html = rec.render([summary], { started: t0, command: 'pingtrace host<1> -t 50' });
    // the time chart: one polygon per stage, at most 600 points each
    const layers = [...html.matchAll(/<polygon class="layer" data-stage="(\w+)"[^>]* points="([^"]*)"/g)];
    expect(layers.map((l) => l[1])).toEqual(Object.keys(stages));
    for (const l of layers) expect(l[2]!.split(' ').length / 2).toBeLessThanOrEqual(600);
    expect(html).toContain('spike seq 4000: l_tx_qdisc');
    expect(html).toContain('dev_hard_start_xmit+0x11b');
    expect(html).toContain('host&#60;1&#62;'); // escaped
    expect(html).not.toMatch(/(src|href)=["']?https?:/); // nothing fetched at view time
  });
});
