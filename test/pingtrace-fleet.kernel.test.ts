// pingtrace left running: spike hunting on injected spikes (and silence
// without them), Prometheus scraping a mesh of targets, the HTML report in
// headless Chromium, a lost server and a removed interface, SIGINT, and log
// rotation. Between network namespaces made here, torn down after.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually, runKernelTests } from './helpers/kernel.js';
import { Hosts, type Run } from './helpers/pingtrace.js';
import { watch } from './helpers/ready.js';

const ARTIFACTS = path.join(path.dirname(fileURLToPath(import.meta.url)), '.out');

interface SpikeLine { seq: number; at: number; stage: string; value: number; context: { cpu?: number; stack?: string[]; stackAt?: string } }
interface SummaryLine { sent: number; received: number; spikes: number; target: string; server: boolean }

describe.runIf(runKernelTests)('pingtrace in production', () => {
  let h: Hosts;
  let sip2 = '';
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ptfleet-'));
  const client = (args: string[], during?: Parameters<Hosts['client']>[1]): Promise<Run> => h.client(args, during);
  const spikes = (r: Run): SpikeLine[] => r.lines.filter((l) => 'spike' in l).map((l) => l.spike as SpikeLine);
  const statuses = (r: Run): { kind: string; target: string }[] => r.lines.filter((l) => 'status' in l).map((l) => l.status as { kind: string; target: string });
  const summaryOf = (r: Run): SummaryLine => (r.lines.find((l) => 'summary' in l)!.summary as SummaryLine);
  const spikeCount = (n: number) => (out: string): boolean => (out.match(/^\{"spike"/gm)?.length ?? 0) >= n;

  const link = (action: 'add' | 'del'): void => {
    const { c, s, cdev, sdev } = h;
    if (action === 'del') {
      execFileSync('ip', ['-n', c, 'link', 'del', cdev]); // takes its peer with it
      return;
    }
    execFileSync('ip', ['link', 'add', cdev, 'type', 'veth', 'peer', 'name', sdev]);
    execFileSync('ip', ['link', 'set', cdev, 'netns', c]);
    execFileSync('ip', ['link', 'set', sdev, 'netns', s]);
    execFileSync('ip', ['-n', c, 'addr', 'add', `${h.cip}/24`, 'dev', cdev]);
    for (const a of [h.sip, sip2]) execFileSync('ip', ['-n', s, 'addr', 'add', `${a}/24`, 'dev', sdev]);
    execFileSync('ip', ['-n', c, '-6', 'addr', 'add', `${h.cip6}/64`, 'dev', cdev, 'nodad']);
    execFileSync('ip', ['-n', s, '-6', 'addr', 'add', `${h.sip6}/64`, 'dev', sdev, 'nodad']);
    execFileSync('ip', ['-n', c, 'link', 'set', cdev, 'up']);
    execFileSync('ip', ['-n', s, 'link', 'set', sdev, 'up']);
  };

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    h = new Hosts(`lccf${process.pid % 100000}`);
    // a second address on the server: a second mesh target behind the same agent
    sip2 = h.sip.replace(/\.2$/, '.3');
    execFileSync('ip', ['-n', h.s, 'addr', 'add', `${sip2}/24`, 'dev', h.sdev]);
    await h.startServer();
  });
  afterAll(async () => {
    await h?.down();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('flags injected spikes over -m, names the qdisc with its kernel context, and writes a report Chromium renders', async () => {
    const report = path.join(tmp, 'spikes.html');
    const live = await h.start([h.sip, '--json', '-c', '100000', '-i', '0.01', '-m', '5000', '--report', report]);
    let window = { from: 0, to: 0 };
    let r: Run;
    try {
      await live.probesAtLeast(50); // ordinary probes first: the baseline a spike's stage is named against
      window = await h.congest('client', () => live.w.until(spikeCount(10)));
    } finally {
      r = await live.stop();
    }
    expect(r.code).toBe(0);
    const sp = spikes(r);
    console.log(`${sp.length} spikes: ${[...new Set(sp.map((x) => x.stage))].join(', ')}`);
    expect(sp.length).toBeGreaterThan(3);
    // every spike is one the congestion made, and is put in the queue
    for (const x of sp) {
      expect(x.at, `spike seq ${x.seq} during the congestion`).toBeGreaterThanOrEqual(window.from - 50);
      expect(x.at).toBeLessThanOrEqual(window.to + 50);
    }
    const qdisc = sp.filter((x) => x.stage === 'l_tx_qdisc');
    expect(qdisc.length / sp.length).toBeGreaterThan(0.8);
    for (const x of qdisc) {
      expect(x.context.cpu).toBeTypeOf('number');
      expect(x.context.stackAt).toBe('startXmit');
      // the kernel stack where the queue let the probe go: innermost, the
      // tracepoint's caller (the program's own frames and the tracepoint's
      // dispatch dropped), not another event's stack
      expect(x.context.stack![0]).toMatch(/^(xmit_one|dev_hard_start_xmit)\+/);
      expect(x.context.stack!.join(' ')).toMatch(/sch_direct_xmit|__qdisc_run|__dev_queue_xmit/);
    }
    expect(summaryOf(r).spikes).toBe(sp.length);

    // the report, in a real browser: no console message, every chart drawn, the spikes marked
    const shot = path.join(ARTIFACTS, 'pingtrace-report.png');
    fs.rmSync(shot, { force: true });
    const chrome = (extra: string[], page: string): { out: string; err: string } => {
      const res = spawnChrome([...extra, `file://${page}`]);
      return { out: res.stdout, err: res.stderr };
    };
    const dom = chrome(['--dump-dom'], report);
    expect(dom.err).not.toMatch(/:CONSOLE/);
    expect(Number(/data-rendered="(\d+)"/.exec(dom.out)?.[1])).toBe(1 + 1 + 11); // time chart, diagram, 11 histograms
    for (const st of ['l_tx_qdisc', 'r_rx_kern', 'l_rx_task_queue']) expect(dom.out).toContain(`data-stage="${st}"`);
    expect((dom.out.match(/<g class="spike">/g) ?? []).length).toBe(sp.length);
    chrome(['--screenshot=' + shot, '--window-size=1100,2400', '--hide-scrollbars'], report);
    expect(fs.statSync(shot).size).toBeGreaterThan(20_000);
    // the console check can fail: a page with an error is caught
    const bad = path.join(tmp, 'bad.html');
    fs.writeFileSync(bad, '<html><body><script>nosuch();</script></body></html>');
    expect(chrome(['--dump-dom'], bad).err).toMatch(/:CONSOLE.*Uncaught ReferenceError/);
  }, 90_000);

  it('stays quiet without injected spikes', async () => {
    const r = await client([h.sip, '--json', '-c', '400', '-i', '0.01', '-m', '5000']);
    expect(r.code).toBe(0);
    expect(summaryOf(r).received).toBeGreaterThan(390);
    expect(spikes(r)).toEqual([]);
  });

  it('adaptive (-k): the congested stage is the one named', async () => {
    const live = await h.start([h.sip, '--json', '-c', '100000', '-i', '0.01', '-k', '10']);
    let r: Run;
    try {
      await live.probesAtLeast(300); // warm-up: the rolling p99 needs ordinary probes first
      await h.congest('client', () => live.w.until(spikeCount(10)));
    } finally {
      r = await live.stop();
    }
    expect(r.code).toBe(0);
    const sp = spikes(r);
    const qdisc = sp.filter((x) => x.stage === 'l_tx_qdisc');
    console.log(`${sp.length} spikes, ${qdisc.length} in l_tx_qdisc`);
    expect(qdisc.length).toBeGreaterThan(3);
    expect(qdisc.length / sp.length).toBeGreaterThan(0.7);
  }, 60_000);

  it('a mesh of two targets, rate-limited, scraped by a real Prometheus and queried with PromQL', async () => {
    const port = 19000 + (process.pid % 500);
    const promPort = port + 500;
    const pinglist = path.join(tmp, 'pinglist');
    fs.writeFileSync(pinglist, `# the test mesh\n${h.sip}\n${sip2}   # second address, same agent\n`);
    const cfg = path.join(tmp, 'prometheus.yml');
    fs.writeFileSync(cfg, `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: pingtrace\n    static_configs:\n      - targets: ['127.0.0.1:${port}']\n`);
    // Prometheus in the client's namespace: the endpoint is on its loopback
    const prom = spawn('ip', ['netns', 'exec', h.c, 'prometheus', `--config.file=${cfg}`, `--storage.tsdb.path=${path.join(tmp, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${promPort}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    const promOut = watch(prom);
    const api = (q: string): { metric: Record<string, string>; value: [number, string] }[] => {
      const out = h.ns(h.c, process.execPath, '-e', `fetch('http://127.0.0.1:${promPort}/api/v1/query?query=' + encodeURIComponent(${JSON.stringify(q)})).then(r => r.text()).then(t => process.stdout.write(t))`);
      const body = JSON.parse(out) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
      expect(body.status).toBe('success');
      return body.data.result;
    };
    try {
      const live = await h.start(['--pinglist', pinglist, '--json', '--continuous', '-i', '0.02', '--rate', '60', '--metrics', `127.0.0.1:${port}`]);
      const started = performance.now();
      let r: Run;
      let results: Record<string, ReturnType<typeof api>> = {};
      try {
        // until Prometheus has scraped enough for every query to answer: both targets past 50 probes, every stage's rate
        const query = (): Record<string, ReturnType<typeof api>> => ({
          sent: api('sum by (target, protocol) (pingtrace_probes_sent_total)'),
          up: api('pingtrace_server_up'),
          p50: api(`histogram_quantile(0.5, sum by (le, stage) (rate(pingtrace_stage_seconds_bucket{target="${h.sip}"}[5s])))`),
          rtt: api('histogram_quantile(0.99, sum by (le, target) (rate(pingtrace_rtt_seconds_bucket[5s])))'),
        });
        const answered = (q: Record<string, ReturnType<typeof api>>): boolean =>
          q.sent!.length === 2 && q.sent!.every((x) => Number(x.value[1]) > 50) && q.p50!.length === 10 && q.p50!.every((x) => Number(x.value[1]) > 0) && q.rtt!.length === 2;
        // Prometheus listens once it says so; then poll until its scrapes answer every query
        await promOut.until('Server is ready to receive web requests', { stream: 'stderr' });
        expect(await eventually(() => answered((results = query())), 60_000, 500), `Prometheus never answered every query: ${JSON.stringify(results)}`).toBe(true);
      } finally {
        r = await live.stop();
      }
      const seconds = (performance.now() - started) / 1000; // at least as long as it probed
      expect(r.code).toBe(0);
      expect(promOut.stderr).not.toMatch(/level=error/);
      expect(results.sent!.map((x) => x.metric.target).sort()).toEqual([h.sip, sip2].sort());
      for (const x of results.sent!) {
        expect(x.metric.protocol).toBe('icmp');
        expect(Number(x.value[1])).toBeGreaterThan(50);
      }
      expect(results.up!.map((x) => [x.metric.target, x.value[1]]).sort()).toEqual([[h.sip, '1'], [sip2, '1']].sort());
      expect(results.p50!.map((x) => x.metric.stage).sort()).toEqual(['l_rx_inlink', 'l_rx_kern', 'l_rx_softirq', 'l_rx_task_queue', 'l_rx_task_waking', 'l_tx_kern', 'l_tx_outlink', 'l_tx_qdisc', 'r_rx_kern', 'r_tx_kern']);
      for (const x of results.rtt!) expect(Number(x.value[1])).toBeGreaterThan(1e-6); // seconds, answered probes
      // per-target results, and the global rate held: 60/s for 14 s across both targets
      const all = (r.lines.find((l) => 'summary' in l) as { targets: SummaryLine[] }).targets;
      expect(all.map((t) => t.target).sort()).toEqual([h.sip, sip2].sort());
      for (const t of all) {
        expect(t.server).toBe(true);
        expect(t.received / t.sent).toBeGreaterThan(0.95);
      }
      const sent = all.reduce((a, t) => a + t.sent, 0);
      console.log(`mesh: ${sent} probes in ${seconds.toFixed(1)} s at --rate 60`);
      expect(sent).toBeLessThanOrEqual(60 * seconds + 5); // the global rate held (3 to start the bucket, 2 to spare)
    } finally {
      prom.kill('SIGTERM');
      await new Promise((res) => prom.on('exit', res));
    }
  }, 90_000);

  it('reports a lost server and its return, and keeps probing throughout', async () => {
    const live = await h.start([h.sip, '--json', '-c', '100000', '-i', '0.05']);
    const without = (out: string): number => out.match(/"server":false/g)?.length ?? 0;
    let r: Run;
    try {
      await live.probesAtLeast(20);
      await h.stopServer();
      await live.w.until('"server-lost"');
      await live.w.until((out) => without(out) > 20); // the kernel still answers: local stages go on
      await h.startServer();
      await live.w.until('"server-back"');
      const n = live.probes().length;
      await live.probesAtLeast(n + 20);
    } finally {
      r = await live.stop();
    }
    expect(r.code).toBe(0);
    expect(statuses(r).map((x) => x.kind)).toEqual(['server-lost', 'server-back']);
    const probes = r.lines.filter((l) => 'seq' in l && !('spike' in l)) as { server: boolean }[];
    // the kernel answers pings with no agent: local stages go on, remote_net stands for the rest
    expect(probes.filter((p) => !p.server).length).toBeGreaterThan(20);
    expect(probes.slice(-20).every((p) => p.server)).toBe(true);
    expect(summaryOf(r).received).toBeGreaterThan(summaryOf(r).sent * 0.95);
  }, 60_000);

  it('reports a removed interface, and resumes when it is back', async () => {
    const live = await h.start([h.sip, '--json', '-c', '100000', '-i', '0.05', '-W', '0.3']);
    let r: Run;
    let afterReturn = 0;
    try {
      await live.probesAtLeast(20);
      link('del');
      await live.w.until('"send-failed"');
      link('add');
      await live.w.until('"send-ok"');
      afterReturn = live.probes().length;
      await live.probesAtLeast(afterReturn + 20); // answered again
    } finally {
      r = await live.stop();
    }
    expect(r.code).toBe(0);
    expect(statuses(r).map((x) => x.kind)).toEqual(['send-failed', 'send-ok']);
    expect(r.lines.find((l) => 'status' in l && (l.status as { detail: string }).detail.includes('unreachable'))).toBeDefined();
    const sm = summaryOf(r);
    // the probes while it was gone were lost, and said so once
    expect(sm.received).toBeLessThan(sm.sent);
    expect(sm.received).toBeGreaterThanOrEqual(afterReturn + 20);
  }, 60_000);

  it('prints the summary on SIGINT and still writes the report', async () => {
    const report = path.join(tmp, 'sigint.html');
    const live = await h.start([h.sip, '-c', '100000', '-i', '0.02', '--report', report]);
    await live.w.until((out) => (out.match(/^seq=/gm)?.length ?? 0) >= 20);
    const r = await live.stop(); // SIGINT
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--- \S+ pingtrace statistics ---\n\d+ probes transmitted/);
    expect(fs.readFileSync(report, 'utf8')).toContain('<svg class="chart time"');
  }, 30_000);

  it('rotates its log', async () => {
    const log = path.join(tmp, 'rot', 'pt.log');
    fs.mkdirSync(path.dirname(log), { recursive: true });
    // -m 1: every probe is a spike, so the log grows fast
    const r = await client([h.sip, '-t', '3', '-i', '0.01', '-m', '1', '--log', log, '--log-size', '16384', '--log-keep', '2']);
    expect(r.code).toBe(0);
    expect(fs.readdirSync(path.dirname(log)).sort()).toEqual(['pt.log', 'pt.log.1', 'pt.log.2']);
    for (const f of fs.readdirSync(path.dirname(log))) {
      const text = fs.readFileSync(path.join(path.dirname(log), f), 'utf8');
      expect(text.length).toBeLessThanOrEqual(16384);
      for (const line of text.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    }
  }, 30_000);
});

function spawnChrome(args: string[]): { stdout: string; stderr: string } {
  const r = spawnSync('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--enable-logging=stderr', '--v=0', ...args], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { stdout: r.stdout, stderr: r.stderr };
}
