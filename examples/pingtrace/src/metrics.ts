// --metrics ADDR: the probe results as Prometheus metrics, labelled by target
// and protocol so that one Prometheus aggregates a fleet of agents.
//
// Served as OpenMetrics when the scraper asks for it (Prometheus does), as
// the classic text format otherwise (curl, older scrapers).
import * as http from 'node:http';

/** Histogram bounds in seconds: 10 µs to 1 s, 1-2-5 steps. */
export const BUCKETS = [10e-6, 20e-6, 50e-6, 100e-6, 200e-6, 500e-6, 1e-3, 2e-3, 5e-3, 10e-3, 20e-3, 50e-3, 100e-3, 200e-3, 500e-3, 1];

type Labels = Record<string, string>;

class Histogram {
  readonly counts = new Array<number>(BUCKETS.length).fill(0);
  count = 0;
  sum = 0;
  observe(seconds: number): void {
    this.count++;
    this.sum += seconds;
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) this.counts[i]!++;
  }
}

interface Family<T> { help: string; type: 'counter' | 'gauge' | 'histogram'; series: Map<string, { labels: Labels; value: T }> }

const key = (l: Labels): string => JSON.stringify(Object.entries(l).sort());
const esc = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const fmtLabels = (l: Labels, extra: Labels = {}): string => {
  const all = { ...l, ...extra };
  const parts = Object.entries(all).map(([k, v]) => `${k}="${esc(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
};
const num = (x: number): string => (Number.isInteger(x) ? String(x) : x.toPrecision(9).replace(/\.?0+$/, ''));

export class Metrics {
  private readonly counters = new Map<string, Family<number>>();
  private readonly gauges = new Map<string, Family<number>>();
  private readonly histograms = new Map<string, Family<Histogram>>();
  private server: http.Server | null = null;

  constructor() {
    this.family(this.counters, 'pingtrace_probes_sent', 'counter', 'Probes sent.');
    this.family(this.counters, 'pingtrace_probes_received', 'counter', 'Probes whose reply came back in time.');
    this.family(this.counters, 'pingtrace_probes_lost', 'counter', 'Probes without a reply within the timeout.');
    this.family(this.counters, 'pingtrace_spikes', 'counter', 'Probes reported as spikes, by the stage that grew most.');
    this.family(this.gauges, 'pingtrace_server_up', 'gauge', '1 while the target\'s pingtrace server reports its stages.');
    this.family(this.histograms, 'pingtrace_rtt_seconds', 'histogram', 'Round trip, user space to user space.');
    this.family(this.histograms, 'pingtrace_stage_seconds', 'histogram', 'Time spent in each stage of a probe\'s round trip.');
  }

  private family<T>(m: Map<string, Family<T>>, name: string, type: Family<T>['type'], help: string): void {
    m.set(name, { help, type, series: new Map() });
  }

  inc(name: string, labels: Labels, by = 1): void {
    const f = this.counters.get(name)!;
    const k = key(labels);
    const s = f.series.get(k) ?? { labels, value: 0 };
    s.value += by;
    f.series.set(k, s);
  }

  set(name: string, labels: Labels, value: number): void {
    this.gauges.get(name)!.series.set(key(labels), { labels, value });
  }

  observe(name: string, labels: Labels, seconds: number): void {
    const f = this.histograms.get(name)!;
    const k = key(labels);
    let s = f.series.get(k);
    if (!s) {
      s = { labels, value: new Histogram() };
      f.series.set(k, s);
    }
    s.value.observe(seconds);
  }

  /** The exposition text: OpenMetrics (with `# EOF`) or Prometheus' classic format. */
  render(openMetrics: boolean): string {
    const out: string[] = [];
    for (const [name, f] of this.counters) {
      out.push(`# HELP ${name}${openMetrics ? '' : '_total'} ${f.help}`, `# TYPE ${name}${openMetrics ? '' : '_total'} counter`);
      for (const s of f.series.values()) out.push(`${name}_total${fmtLabels(s.labels)} ${num(s.value)}`);
    }
    for (const [name, f] of this.gauges) {
      out.push(`# HELP ${name} ${f.help}`, `# TYPE ${name} gauge`);
      for (const s of f.series.values()) out.push(`${name}${fmtLabels(s.labels)} ${num(s.value)}`);
    }
    for (const [name, f] of this.histograms) {
      out.push(`# HELP ${name} ${f.help}`, `# TYPE ${name} histogram`);
      for (const s of f.series.values()) {
        const h = s.value;
        BUCKETS.forEach((b, i) => out.push(`${name}_bucket${fmtLabels(s.labels, { le: num(b) })} ${h.counts[i]}`));
        out.push(`${name}_bucket${fmtLabels(s.labels, { le: '+Inf' })} ${h.count}`);
        out.push(`${name}_count${fmtLabels(s.labels)} ${h.count}`, `${name}_sum${fmtLabels(s.labels)} ${num(h.sum)}`);
      }
    }
    if (openMetrics) out.push('# EOF');
    return `${out.join('\n')}\n`;
  }

  /** Serve GET /metrics on host:port (port 0: any free one); resolves to the bound address. */
  async listen(addr: string): Promise<{ host: string; port: number }> {
    const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(addr);
    if (!m) throw new Error(`--metrics ${addr}: expected HOST:PORT (e.g. 127.0.0.1:9464, or :9464 for every address)`);
    const host = m[1] ?? (m[2] || '0.0.0.0');
    const port = Number(m[3]);
    this.server = http.createServer((req, res) => {
      if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('pingtrace: metrics are at /metrics\n');
        return;
      }
      const om = /application\/openmetrics-text/.test(req.headers.accept ?? '');
      res.writeHead(200, {
        'content-type': om ? 'application/openmetrics-text; version=1.0.0; charset=utf-8' : 'text/plain; version=0.0.4; charset=utf-8',
      }).end(this.render(om));
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', (e: NodeJS.ErrnoException) => reject(new Error(`--metrics ${addr}: ${e.code === 'EADDRINUSE' ? 'the port is in use' : e.message}`)));
      this.server!.listen(port, host, () => resolve());
    });
    const a = this.server.address() as { address: string; port: number };
    return { host: a.address, port: a.port };
  }

  close(): void {
    // a scraper's keep-alive connection would keep a stopped pingtrace running
    this.server?.closeAllConnections();
    this.server?.close();
    this.server = null;
  }
}
