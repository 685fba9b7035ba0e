// --report out.html: one self-contained page (inline SVG and CSS, nothing
// fetched at view time) with, per target, the stages over time stacked with
// the spikes marked, each stage's distribution, and the stage diagram with
// the p50/p99 of every edge.
//
// Bounded in memory for any run length: the time series keeps at most
// MAX_POINTS points per target (neighbours merge, halving the resolution,
// when it would grow past that), the spike list the last MAX_SPIKES.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LatencyHistogram } from './histogram.js';
import { REMOTE_COMBINED, STAGES } from './stages.js';
import type { ProbeResult, Spike, Summary } from './client.js';

const MAX_POINTS = 600;
const MAX_SPIKES = 1000;

interface Point { t0: number; t1: number; n: number; sums: Record<string, number> }

class TargetSeries {
  points: Point[] = [];
  private group = 1;
  private open: Point | null = null;
  readonly hist = new Map<string, LatencyHistogram>();
  spikes: Spike[] = [];

  add(r: ProbeResult): void {
    const stages = r.stages as Record<string, number>;
    for (const [k, v] of Object.entries({ total: r.total, ...stages })) {
      let h = this.hist.get(k);
      if (!h) this.hist.set(k, (h = new LatencyHistogram()));
      h.add(v);
    }
    const p = (this.open ??= { t0: r.at, t1: r.at, n: 0, sums: {} });
    p.t1 = r.at;
    p.n++;
    for (const [k, v] of Object.entries(stages)) p.sums[k] = (p.sums[k] ?? 0) + v;
    if (p.n >= this.group) {
      this.points.push(p);
      this.open = null;
      if (this.points.length > MAX_POINTS) this.halve();
    }
  }

  private halve(): void {
    const merged: Point[] = [];
    for (let i = 0; i < this.points.length; i += 2) {
      const a = this.points[i]!;
      const b = this.points[i + 1];
      if (!b) merged.push(a);
      else {
        const sums: Record<string, number> = { ...a.sums };
        for (const [k, v] of Object.entries(b.sums)) sums[k] = (sums[k] ?? 0) + v;
        merged.push({ t0: a.t0, t1: b.t1, n: a.n + b.n, sums });
      }
    }
    this.points = merged;
    this.group *= 2;
  }

  all(): Point[] {
    return this.open ? [...this.points, this.open] : this.points;
  }
}

export class ReportRecorder {
  private readonly series = new Map<string, TargetSeries>();

  private of(target: string): TargetSeries {
    let s = this.series.get(target);
    if (!s) this.series.set(target, (s = new TargetSeries()));
    return s;
  }

  add(r: ProbeResult): void {
    this.of(r.target).add(r);
  }

  addSpike(s: Spike): void {
    const list = this.of(s.target).spikes;
    list.push(s);
    if (list.length > MAX_SPIKES) list.shift();
  }

  /** Write the page via a temporary file: a reader never sees half of it. */
  write(file: string, summaries: Summary[], meta: { started: number; command: string }): void {
    const html = this.render(summaries, meta);
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, html);
    fs.renameSync(tmp, file);
  }

  render(summaries: Summary[], meta: { started: number; command: string }): string {
    const sections = summaries.map((s) => this.section(s)).join('\n');
    const title = `pingtrace ${summaries.map((s) => s.target).join(', ')}`;
    return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${esc(title)}</h1>
<p class="meta">${esc(meta.command)} &middot; from ${esc(new Date(meta.started).toISOString())} to ${esc(new Date().toISOString())}</p>
${sections}
<script>${SCRIPT}</script>
</body>
</html>
`;
  }

  private section(s: Summary): string {
    const series = this.series.get(s.target) ?? new TargetSeries();
    const stages = (s.server ? [...STAGES] : Object.keys(s.stages).filter((k) => k !== 'total')) as string[];
    const pct = (s.loss * 100).toFixed(1);
    return `<section class="target" data-target="${esc(s.target)}">
<h2>${esc(s.target)}</h2>
<p>${s.sent} probes, ${s.received} answered (${pct}% lost), ${s.spikes} spikes; stages from ${esc(s.stageSet.name)}${s.server ? '' : '; no pingtrace server answered, so the remote host and the network are one stage (remote_net)'}.</p>
<h3>Stages over time</h3>
${timeChart(series.all(), stages, series.spikes)}
<h3>Stage diagram (p50 / p99, &micro;s)</h3>
${diagram(s, stages)}
<h3>Distributions</h3>
<div class="hists">${['total', ...stages].map((k) => histChart(k, series.hist.get(k))).join('\n')}</div>
${spikeTable(series.spikes)}
</section>`;
  }
}

const COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac', '#86bcb6'];
const colorOf = (stages: string[], k: string): string => COLORS[stages.indexOf(k) % COLORS.length]!;
const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

function niceMax(x: number): number {
  if (x <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  return [1, 2, 5, 10].map((m) => m * p).find((v) => v >= x)!;
}

/** Mean of each stage per point, stacked; spikes as red marks on the time axis. */
function timeChart(points: Point[], stages: string[], spikes: Spike[]): string {
  const W = 960, H = 320, L = 60, R = 160, T = 10, B = 40;
  if (!points.length) return '<p class="empty">no probe was answered</p>';
  const t0 = points[0]!.t0;
  const t1 = Math.max(points[points.length - 1]!.t1, t0 + 1);
  const x = (t: number): number => L + ((t - t0) / (t1 - t0)) * (W - L - R);
  const mean = (p: Point, k: string): number => (p.sums[k] ?? 0) / p.n;
  const top = niceMax(Math.max(...points.map((p) => stages.reduce((a, k) => a + mean(p, k), 0))));
  const y = (v: number): number => T + (1 - v / top) * (H - T - B);
  const layers: string[] = [];
  const base = points.map(() => 0);
  for (const k of stages) {
    const upper = points.map((p, i) => base[i]! + mean(p, k));
    const fwd = points.map((p, i) => `${x((p.t0 + p.t1) / 2).toFixed(1)},${y(upper[i]!).toFixed(1)}`);
    const back = points.map((p, i) => `${x((p.t0 + p.t1) / 2).toFixed(1)},${y(base[i]!).toFixed(1)}`).reverse();
    layers.push(`<polygon class="layer" data-stage="${k}" fill="${colorOf(stages, k)}" points="${[...fwd, ...back].join(' ')}"><title>${k}</title></polygon>`);
    upper.forEach((v, i) => (base[i] = v));
  }
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const v = top * f;
    return `<line class="grid" x1="${L}" x2="${W - R}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"/><text class="tick" x="${L - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${fmt(v)}</text>`;
  });
  const secs = (t1 - t0) / 1000;
  const xticks = [0, 0.5, 1].map((f) => `<text class="tick" x="${(L + f * (W - L - R)).toFixed(1)}" y="${H - B + 16}" text-anchor="middle">${(secs * f).toFixed(secs < 10 ? 1 : 0)} s</text>`);
  const marks = spikes.filter((s) => s.at >= t0 && s.at <= t1).map((s) => {
    const sx = x(s.at).toFixed(1);
    return `<g class="spike"><line x1="${sx}" x2="${sx}" y1="${T}" y2="${H - B}"/><path d="M${sx},${H - B + 2} l-5,9 h10 z"/><title>spike seq ${s.seq}: ${esc(s.stage)} ${fmt(s.value)} us (baseline p50 ${fmt(s.baseline.p50)}), total ${fmt(s.total)} us</title></g>`;
  });
  const legend = stages.map((k, i) => `<g class="legend" data-stage="${k}" transform="translate(${W - R + 14},${T + 8 + i * 20})"><rect width="12" height="12" fill="${colorOf(stages, k)}"/><text x="18" y="10">${k}</text></g>`);
  legend.push(`<g class="legend" transform="translate(${W - R + 14},${T + 8 + stages.length * 20})"><path d="M6,0 l-6,11 h12 z" class="spike-key"/><text x="18" y="10">spike (${spikes.length})</text></g>`);
  return `<svg class="chart time" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="stages over time">
<text class="axis" x="14" y="${T + (H - T - B) / 2}" transform="rotate(-90 14 ${T + (H - T - B) / 2})" text-anchor="middle">&micro;s (mean per point)</text>
${ticks.join('\n')}
${layers.join('\n')}
${xticks.join('\n')}
${marks.join('\n')}
${legend.join('\n')}
</svg>`;
}

/** One stage's distribution over log-spaced bins. */
function histChart(stage: string, h: LatencyHistogram | undefined): string {
  const W = 300, H = 150, L = 8, B = 28, T = 22;
  if (!h || !h.count) return `<svg class="chart hist" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}"><text x="${L}" y="16">${stage}: no samples</text></svg>`;
  const lo = Math.max(0.1, h.min);
  const hi = Math.max(lo * 1.01, h.max);
  const bins = 24;
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo * (hi / lo) ** (i / bins));
  const counts = new Array<number>(bins).fill(0);
  for (const b of h.buckets()) {
    const mid = (b.lo + b.hi) / 2;
    let i = edges.findIndex((e, j) => j < bins && mid >= e && mid < edges[j + 1]!);
    if (i < 0) i = mid < lo ? 0 : bins - 1;
    counts[i]! += b.count;
  }
  const top = Math.max(...counts, 1);
  const bw = (W - 2 * L) / bins;
  const bars = counts.map((c, i) => {
    const bh = (c / top) * (H - T - B);
    return `<rect x="${(L + i * bw).toFixed(1)}" y="${(H - B - bh).toFixed(1)}" width="${(bw - 1).toFixed(1)}" height="${bh.toFixed(1)}"><title>${fmt(edges[i]!)}-${fmt(edges[i + 1]!)} us: ${c}</title></rect>`;
  });
  return `<svg class="chart hist" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${stage} distribution">
<text class="title" x="${L}" y="15">${stage}</text><text class="tick" x="${W - L}" y="15" text-anchor="end">p50 ${fmt(h.percentile(50))} p99 ${fmt(h.percentile(99))} us</text>
${bars.join('')}
<text class="tick" x="${L}" y="${H - 10}">${fmt(lo)} us</text><text class="tick" x="${W - L}" y="${H - 10}" text-anchor="end">${fmt(hi)} us (log)</text>
</svg>`;
}

/** The round trip as a sequence diagram: this host on the left, the target on the right. */
function diagram(s: Summary, stages: string[]): string {
  const W = 800, lane = 250, right = W - 180;
  const edge = (k: string): string => {
    const v = s.stages[k];
    return v ? `${k}  ${fmt(v.p50)} / ${fmt(v.p99)}` : k;
  };
  const rows: string[] = [];
  let y = 50;
  const down = (xc: number, k: string, anchor: 'end' | 'start'): void => {
    rows.push(`<line class="edge" x1="${xc}" x2="${xc}" y1="${y}" y2="${y + 30}" marker-end="url(#arrow)"/><text class="edge-label" x="${anchor === 'end' ? xc - 10 : xc + 10}" y="${y + 19}" text-anchor="${anchor}">${edge(k)}</text>`);
    y += 34;
  };
  const across = (from: number, to: number, k: string): void => {
    rows.push(`<line class="edge" x1="${from}" x2="${to}" y1="${y}" y2="${y + 24}" marker-end="url(#arrow)"/><text class="edge-label" x="${(from + to) / 2}" y="${y + 6}" text-anchor="middle">${edge(k)}</text>`);
    y += 34;
  };
  for (const k of ['l_tx_kern', 'l_tx_qdisc']) down(lane, k, 'end');
  if (s.server) {
    across(lane, right, 'l_tx_outlink');
    for (const k of ['r_rx_kern', 'r_tx_kern']) down(right, k, 'start');
    across(right, lane, 'l_rx_inlink');
  } else {
    rows.push(`<path class="edge" d="M${lane},${y} C${right},${y} ${right},${y + 40} ${lane},${y + 40}" fill="none" marker-end="url(#arrow)"/><text class="edge-label" x="${right - 20}" y="${y + 24}" text-anchor="end">${edge(REMOTE_COMBINED)}</text>`);
    y += 50;
  }
  for (const k of ['l_rx_softirq', 'l_rx_kern', 'l_rx_task_waking', 'l_rx_task_queue']) if (stages.includes(k)) down(lane, k, 'end');
  const H = y + 20;
  const total = s.stages.total;
  return `<svg class="chart diagram" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="stage diagram">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>
<text class="host" x="${lane}" y="24" text-anchor="middle">this host</text><text class="host" x="${right}" y="24" text-anchor="middle">${esc(s.target)}</text>
<line class="lane" x1="${lane}" x2="${lane}" y1="32" y2="${H - 10}"/><line class="lane" x1="${right}" x2="${right}" y1="32" y2="${H - 10}"/>
${rows.join('\n')}
${total ? `<text class="edge-label" x="${W / 2}" y="${H - 4}" text-anchor="middle">total ${fmt(total.p50)} / ${fmt(total.p99)}</text>` : ''}
</svg>`;
}

function spikeTable(spikes: Spike[]): string {
  if (!spikes.length) return '<h3>Spikes</h3><p class="empty">none</p>';
  const rows = spikes.slice(-50).reverse().map((s) => {
    const c = s.context;
    const ctx = [
      c.cpu !== undefined ? `cpu ${c.cpu}` : '',
      c.softirqUs !== undefined ? `softirq ${fmt(c.softirqUs)} us (net_rx ${fmt(c.netRxSoftirqUs ?? 0)})` : '',
      c.runqWaitUs !== undefined ? `run-queue wait ${fmt(c.runqWaitUs)} us` : '',
    ].filter(Boolean).join(', ');
    const stack = c.stack?.length ? `<details><summary>stack at ${esc(c.stackAt ?? '')}</summary><pre>${esc(c.stack.join('\n'))}</pre></details>` : '';
    return `<tr><td>${esc(new Date(s.at).toISOString().slice(11, 23))}</td><td>${s.seq}</td><td>${fmt(s.total)}</td><td>${esc(s.stage)}</td><td>${fmt(s.value)} (p50 ${fmt(s.baseline.p50)})</td><td>${esc(ctx)}${stack}</td></tr>`;
  });
  return `<h3>Spikes (newest ${Math.min(50, spikes.length)} of ${spikes.length})</h3>
<table class="spikes"><thead><tr><th>time (UTC)</th><th>seq</th><th>total us</th><th>stage</th><th>stage us</th><th>kernel context</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>`;
}

const CSS = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 20px; } h2 { font-size: 17px; border-bottom: 1px solid #ddd; } h3 { font-size: 15px; margin-top: 20px; }
.meta, .empty { color: #666; }
svg text { font: 12px system-ui, sans-serif; fill: #333; }
.tick { fill: #666; font-size: 11px; } .title { font-weight: 600; }
.grid { stroke: #eee; } .layer { opacity: 0.9; } .layer.hidden, .legend.hidden { opacity: 0.15; }
.legend { cursor: pointer; }
.spike line { stroke: #d62728; stroke-width: 1; stroke-dasharray: 3 2; } .spike path, .spike-key { fill: #d62728; }
.hist rect { fill: #4e79a7; } .hists { display: flex; flex-wrap: wrap; gap: 12px; }
.lane { stroke: #bbb; stroke-dasharray: 4 3; } .edge { stroke: #333; stroke-width: 1.5; } .host { font-weight: 600; }
.spikes { border-collapse: collapse; } .spikes td, .spikes th { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
pre { margin: 4px 0; font-size: 12px; }
`;

// Clicking a legend entry hides or shows that stage's layer.
const SCRIPT = `
document.querySelectorAll('.chart.time').forEach(function (svg) {
  svg.querySelectorAll('.legend[data-stage]').forEach(function (g) {
    g.addEventListener('click', function () {
      var stage = g.getAttribute('data-stage');
      g.classList.toggle('hidden');
      svg.querySelectorAll('.layer[data-stage="' + stage + '"]').forEach(function (l) { l.classList.toggle('hidden'); });
    });
  });
});
document.body.setAttribute('data-rendered', String(document.querySelectorAll('svg.chart').length));
`;
