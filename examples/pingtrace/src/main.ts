// pingtrace: where did this ping's milliseconds go?
//
//   # on the target host (optional: without it, the remote side is one segment)
//   pingtrace --server
//   # on the client
//   pingtrace 10.0.0.2 -c 10
//   seq=0 total=84.1us  l_tx_kern=11.2 l_tx_qdisc=3.0 ... l_rx_task_queue=19.8
//
// Stage names and JSON keys follow sysak's PingTrace. Run as root.
import { parseArgs } from 'node:util';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import * as fs from 'node:fs';
import { LbcError } from 'lcc/lbc';
import { runClient, type ProbeResult, type Spike, type StatusEvent, type Summary, type Target } from './client.js';
import { runServer } from './server.js';
import { diagram } from './diagram.js';
import { Metrics } from './metrics.js';
import { ReportRecorder } from './report.js';
import { RotatingLog } from './logfile.js';
import { REMOTE_COMBINED, STAGES, type StageName } from './stages.js';

const USAGE = `usage: pingtrace TARGET [-c COUNT] [-i INTERVAL] [-w DEADLINE] [-W TIMEOUT] [-s SIZE] [--json] [--diagram]
                 [-t SECONDS | --continuous] [-m US] [-k FACTOR] [--metrics HOST:PORT] [--report FILE.html]
                 [--pinglist FILE] [--rate N] [--log FILE [--log-size BYTES] [--log-keep N]]
       pingtrace --server [-w SECONDS] [--port PORT]

  TARGET        host name, IPv4 or IPv6 address
  --udp, --tcp  UDP or TCP probes to the server's --port (default ICMP echo); TCP probes
                are records on one established connection per target
  --tcp-handshake  each probe a new TCP connection: connect() to connected, SYN out and SYN-ACK back
  --port PORT   where pingtrace --server takes UDP and TCP probes (default 7807; 1 to 65535)
  -4, -6        resolve names to IPv4 / IPv6 only
  -c COUNT      stop after COUNT probes (per target; default: until -w, -t or Ctrl-C)
  -i INTERVAL   seconds between probes to a target (default 1)
  -w DEADLINE   stop after this many seconds
  -W TIMEOUT    seconds to wait for each reply (default 1)
  -s SIZE       payload bytes (default 56; 16 to 65507)
  --json        JSON lines: a start line once probing begins, each probe (spike, status), the summary
  --diagram     draw every probe (default: the summary only)

 spike hunting (continuous mode prints only spikes)
  -t SECONDS    probe continuously for this long; --continuous: until Ctrl-C
  -m US         a probe whose total exceeds US microseconds is a spike (as sysak's -m)
  -k FACTOR     a stage above FACTOR x its rolling p99 is a spike (default 3 in continuous mode)
                each spike names the stage that grew, with the receiving CPU, its softirq
                time, the run-queue wait and the kernel stack where the slow stage ended

 fleet
  --metrics HOST:PORT  Prometheus/OpenMetrics endpoint at /metrics (stage histograms, counters)
  --pinglist FILE      probe every host in FILE (one per line, # comments), Pingmesh style
  --rate N             at most N probes per second across all targets
  --report FILE.html   a self-contained HTML report, written at the end (and every 30 s)
  --log FILE           spikes and status changes as JSON lines, rotated at --log-size
                       (default 10 MB) keeping --log-keep old files (default 5)

  --server      run on the target: report its stages to clients`;

export class UsageError extends Error {
  constructor(message: string, readonly withUsage = false) {
    super(message);
  }
}

function checkedNum(v: string | undefined, name: string, def: number, min = 0, range: { max?: number; integer?: boolean } = {}): number {
  if (v === undefined) return def;
  const n = Number(v);
  const { max, integer } = range;
  if (v.trim() === '' || !Number.isFinite(n) || n < min || (max !== undefined && n > max) || (integer && !Number.isInteger(n))) {
    const what = integer ? 'an integer' : 'a number';
    throw new UsageError(`${name} must be ${what} ${max !== undefined ? `from ${min} to ${max}` : `>= ${min}`}, got "${v}"`);
  }
  return n;
}

/** Options that take a value: `-c -1` is the value -1 (as ping reads it), not an option "-1". */
const VALUED = new Set(['-c', '-i', '-w', '-W', '-s', '-t', '-m', '-k', '--port', '--rate', '--log-size', '--log-keep', '--metrics', '--report', '--pinglist', '--log']);
function joinNegatives(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    if (VALUED.has(a) && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(a.startsWith('--') ? `${a}=${next}` : `${a}${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** The payload: our probe header needs 16 bytes; an IPv4 datagram holds 65,507 after its headers. */
const MIN_SIZE = 16;
const MAX_SIZE = 65507;

function checkEnvironment(): void {
  // capabilities, not the uid: root without them fails, a capable non-root user works
  const caps = BigInt(`0x${/^CapEff:\s*([0-9a-f]+)/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '0'}`);
  const has = (bit: number): boolean => ((caps >> BigInt(bit)) & 1n) === 1n;
  const bpfOk = has(21) || (has(39) && has(38)); // CAP_SYS_ADMIN, or CAP_BPF + CAP_PERFMON
  if (!bpfOk || !has(13)) {
    throw new UsageError('pingtrace needs root (CAP_BPF and CAP_PERFMON to load eBPF, CAP_NET_RAW to send raw ICMP): run it with sudo');
  }
  for (const tp of ['net/net_dev_queue', 'net/net_dev_start_xmit', 'net/netif_receive_skb']) {
    const dirs = ['/sys/kernel/tracing/events', '/sys/kernel/debug/tracing/events'];
    if (!dirs.some((d) => fs.existsSync(`${d}/${tp}`)) && fs.existsSync('/sys/kernel/tracing/events')) {
      throw new UsageError(`this kernel has no ${tp} tracepoint, which pingtrace needs (CONFIG_TRACEPOINTS and the net events)`);
    }
  }
}

async function resolve(host: string, family?: 4 | 6): Promise<string> {
  const literal = isIP(host);
  if (literal) {
    if (family && literal !== family) throw new UsageError(`${host} is an IPv${literal} address, and -${family} asks for IPv${family}`);
    return host;
  }
  try {
    return (await lookup(host, { family: family ?? 0 })).address;
  } catch {
    throw new UsageError(`unknown host ${host}: it does not resolve to an ${family ? `IPv${family} ` : ''}address`);
  }
}

function stagesLine(r: ProbeResult, prefix: string): string {
  const keys: StageName[] = r.server ? [...STAGES] : [...STAGES.filter((k) => k.startsWith('l_') && !k.endsWith('link')), REMOTE_COMBINED];
  const detail = r.detail ? ` (l_rx_kern: ${Object.entries(r.detail.l_rx_kern).map(([k, v]) => `${k}=${v.toFixed(1)}`).join(' ')})` : '';
  return `${prefix}seq=${r.seq} total=${r.total.toFixed(1)}us ${keys.map((k) => `${k}=${(r.stages[k] ?? 0).toFixed(1)}`).join(' ')}${detail}`;
}

function spikeLines(s: Spike, prefix: string): string {
  const c = s.context;
  const ctx = [
    c.cpu !== undefined ? `cpu=${c.cpu}` : '',
    c.softirqUs !== undefined ? `softirq=${c.softirqUs.toFixed(1)}us(net_rx=${(c.netRxSoftirqUs ?? 0).toFixed(1)})` : '',
    c.runqWaitUs !== undefined ? `runq_wait=${c.runqWaitUs.toFixed(1)}us` : '',
  ].filter(Boolean).join(' ');
  const head = `${prefix}SPIKE ${new Date(s.at).toISOString()} seq=${s.seq} total=${s.total.toFixed(1)}us: ${s.stage} ${s.value.toFixed(1)}us (baseline p50 ${s.baseline.p50.toFixed(1)}us) [${s.reason}] ${ctx}`;
  const stack = c.stack?.length ? `\n  kernel stack at ${c.stackAt}:\n${c.stack.slice(0, 12).map((f) => `    ${f}`).join('\n')}` : '';
  return head + stack;
}

function printSummary(s: Summary): void {
  const pct = (s.loss * 100).toFixed(1);
  console.log(`\n--- ${s.target} pingtrace statistics ---`);
  console.log(`${s.sent} probes transmitted, ${s.received} received, ${pct}% loss${s.spikes ? `, ${s.spikes} spikes` : ''}; stages from ${s.stageSet.name}${s.stageSet.note ? ` (${s.stageSet.note})` : ''}`);
  if (!s.server) console.log('no pingtrace server answered: the remote host and the network are one segment (run pingtrace --server there)');
  else console.log(`server clock offset ${s.offset.us?.toFixed(1) ?? '?'} us${s.offset.trusted ? '' : ' (not yet trustworthy: too few or inconsistent samples)'}`);
  const rows = Object.entries(s.stages);
  console.log(`${'stage'.padEnd(18)} ${['min', 'avg', 'p50', 'p99', 'max'].map((h) => h.padStart(9)).join(' ')}   (us)`);
  for (const [k, v] of rows) console.log(`${k.padEnd(18)} ${[v.min, v.avg, v.p50, v.p99, v.max].map((x) => x.toFixed(1).padStart(9)).join(' ')}`);
  const p50 = Object.fromEntries(rows.map(([k, v]) => [k, v.p50]));
  console.log(`\n${diagram(`median of ${s.received} probes`, p50, 'this host', s.target)}`);
}

/** Hosts from a pinglist: one per line, `#` starts a comment. */
function readPinglist(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--pinglist ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const hosts: string[] = [];
  text.split('\n').forEach((line, i) => {
    const l = line.replace(/#.*/, '').trim();
    if (!l) return;
    if (/\s/.test(l)) throw new UsageError(`${file}:${i + 1}: one host per line, got "${l}"`);
    hosts.push(l);
  });
  if (!hosts.length) throw new UsageError(`${file}: no hosts in it (one per line)`);
  return hosts;
}

const OPTIONS = {
  count: { type: 'string', short: 'c' }, interval: { type: 'string', short: 'i' },
  deadline: { type: 'string', short: 'w' }, timeout: { type: 'string', short: 'W' },
  size: { type: 'string', short: 's' }, json: { type: 'boolean' }, diagram: { type: 'boolean' },
  server: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  time: { type: 'string', short: 't' }, continuous: { type: 'boolean' },
  threshold: { type: 'string', short: 'm' }, factor: { type: 'string', short: 'k' },
  metrics: { type: 'string' }, report: { type: 'string' }, pinglist: { type: 'string' }, rate: { type: 'string' },
  log: { type: 'string' }, 'log-size': { type: 'string' }, 'log-keep': { type: 'string' },
  udp: { type: 'boolean' }, tcp: { type: 'boolean' }, 'tcp-handshake': { type: 'boolean' }, port: { type: 'string' },
  ipv4: { type: 'boolean', short: '4' }, ipv6: { type: 'boolean', short: '6' },
} as const;

export type CommandLine = ReturnType<typeof parseCommandLine>;

/**
 * The command line, every number checked (before anything is loaded or
 * resolved: a typo costs nothing). Pure: throws UsageError, reads no file.
 */
export function parseCommandLine(argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({ args: joinNegatives(argv), allowPositionals: true, options: OPTIONS });
  } catch (e) {
    throw new UsageError((e as Error).message, true);
  }
  const { values, positionals } = parsed;
  // --help answers whatever else is on the line
  const num = values.help ? (_v: string | undefined, _n: string, def: number): number => def : checkedNum;
  return {
    values, positionals,
    port: values.port !== undefined ? num(values.port, '--port', 0, 1, { max: 65535, integer: true }) : undefined,
    deadline: num(values.deadline, '-w', 0),
    count: num(values.count, '-c', 0, 1, { integer: true }),
    intervalMs: num(values.interval, '-i', 1, 0.0001) * 1000,
    deadlineMs: (values.time !== undefined ? num(values.time, '-t', 0, 0) : num(values.deadline, '-w', 0)) * 1000,
    timeoutMs: num(values.timeout, '-W', 1, 0.001) * 1000,
    size: num(values.size, '-s', 56, MIN_SIZE, { max: MAX_SIZE, integer: true }),
    rate: values.rate !== undefined ? num(values.rate, '--rate', 0, 0.001) : undefined,
    thresholdUs: values.threshold !== undefined ? num(values.threshold, '-m', 0, 1) : undefined,
    factor: values.factor !== undefined ? num(values.factor, '-k', 0, 1) : undefined,
    logSize: num(values['log-size'], '--log-size', 10 << 20, 1024, { integer: true }),
    logKeep: num(values['log-keep'], '--log-keep', 5, 0, { integer: true }),
  };
}

export async function main(argv: string[]): Promise<number> {
  // `pingtrace ... | head`: when the reader goes away there is no one left to
  // print to; stop as Ctrl-C would, so that --report and --log are still written
  let stdoutGone = false;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE' || stdoutGone) return;
    stdoutGone = true;
    process.kill(process.pid, 'SIGINT');
  });
  let cl: CommandLine;
  try {
    cl = parseCommandLine(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`pingtrace: ${e.message}\n${e.withUsage ? `${USAGE}\n` : ''}`);
    return 2;
  }
  const { values, positionals, port, deadline, count, intervalMs, deadlineMs, timeoutMs, size, rate, thresholdUs, logSize, logKeep } = cl;
  let { factor } = cl;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  let metrics: Metrics | null = null;
  let log: RotatingLog | null = null;
  try {
    if (values.server) {
      checkEnvironment();
      await runServer({ seconds: deadline, port });
      return 0;
    }
    const hosts = [...positionals, ...(values.pinglist ? readPinglist(values.pinglist) : [])];
    if (!hosts.length) throw new UsageError(`which host?\n${USAGE}`);
    const targets: Target[] = [];
    if ([values.udp, values.tcp, values['tcp-handshake']].filter(Boolean).length > 1) throw new UsageError('one of --udp, --tcp, --tcp-handshake');
    if (values.ipv4 && values.ipv6) throw new UsageError('-4 or -6, not both');
    const family = values.ipv6 ? 6 : values.ipv4 ? 4 : undefined;
    for (const host of hosts) targets.push({ host, addr: await resolve(host, family) });
    if (new Set(targets.map((t) => isIP(t.addr))).size > 1) throw new UsageError('IPv4 and IPv6 targets in one run: run one pingtrace per address family (-4 / -6 for names)');
    const protocol = values.udp ? 'udp' : values.tcp || values['tcp-handshake'] ? 'tcp' : 'icmp';
    checkEnvironment();
    const json = !!values.json;
    const continuous = values.continuous || values.time !== undefined;
    if (continuous && thresholdUs === undefined && factor === undefined) factor = 3;
    const spikes = thresholdUs !== undefined || factor !== undefined ? { thresholdUs, factor } : undefined;
    const multi = targets.length > 1;
    const prefix = (target: string): string => (multi ? `${target}: ` : '');
    if (values.log) {
      try {
        log = new RotatingLog(values.log, logSize, logKeep);
      } catch (e) {
        throw new UsageError(`--log ${values.log}: ${(e as Error).message}`);
      }
    }
    if (values.metrics) {
      metrics = new Metrics();
      let a: { host: string; port: number };
      try {
        a = await metrics.listen(values.metrics);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      process.stderr.write(`pingtrace: metrics at http://${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}/metrics\n`);
    }
    const report = values.report ? new ReportRecorder() : null;
    const started = Date.now();
    const command = `pingtrace ${argv.join(' ')}`;
    let latest: Summary[] = [];
    const reportTimer = report && continuous ? setInterval(() => latest.length && report.write(values.report!, latest, { started, command }), 30_000) : null;

    const summaries = await runClient(
      {
        targets,
        protocol,
        handshake: !!values['tcp-handshake'],
        port,
        count,
        intervalMs,
        deadlineMs,
        timeoutMs,
        size,
        reportWaitMs: 200,
        rate,
        spikes,
        metrics: metrics ?? undefined,
      },
      {
        // the readiness line: programs attached and sockets filtered, probes go out next
        onStart: (set) => {
          if (json) console.log(JSON.stringify({ start: { protocol, targets: hosts, stages: set.name, ...(set.note ? { note: set.note } : {}) } }));
          else console.log(`PINGTRACE ${protocol.toUpperCase()} ${hosts.join(', ')}: stages from ${set.name}${set.note ? ` (${set.note})` : ''}${continuous ? `; reporting spikes (${thresholdUs !== undefined ? `total > ${thresholdUs} us` : `a stage > ${factor} x its p99`})` : ''}`);
        },
        onProbe: (r) => {
          report?.add(r);
          if (continuous) return;
          if (json) {
            const detail = r.detail ? { detail: { l_rx_kern: roundAll(r.detail.l_rx_kern) } } : {};
            console.log(JSON.stringify({ ...(multi ? { target: r.target } : {}), seq: r.seq, stages: { total: round(r.total), ...roundAll(r.stages) }, ...detail, server: r.server, offset_trusted: r.offsetTrusted }));
          } else if (values.diagram) console.log(diagram(`${prefix(r.target)}seq ${r.seq}`, { ...r.stages, total: r.total }, 'this host', r.target));
          else console.log(stagesLine(r, prefix(r.target)));
        },
        onSpike: (s) => {
          report?.addSpike(s);
          log?.write({ spike: s });
          if (json) console.log(JSON.stringify({ spike: s }));
          else console.log(spikeLines(s, prefix(s.target)));
        },
        onStatus: (e: StatusEvent) => {
          log?.write({ status: e });
          if (json) console.log(JSON.stringify({ status: e }));
          else process.stderr.write(`pingtrace: ${e.detail}\n`);
        },
      },
    );
    latest = summaries;
    if (reportTimer) clearInterval(reportTimer);
    report?.write(values.report!, summaries, { started, command });
    log?.write({ summary: summaries });
    if (json) console.log(JSON.stringify({ summary: summaries[0], ...(multi ? { targets: summaries } : {}) }));
    else for (const s of summaries) printSummary(s);
    return summaries.some((s) => s.received) ? 0 : 1;
  } catch (e) {
    if (e instanceof UsageError || e instanceof LbcError) {
      process.stderr.write(`pingtrace: ${e.message}\n`);
      return e instanceof UsageError ? 2 : 1;
    }
    throw e;
  } finally {
    metrics?.close();
    log?.close();
  }
}

const round = (x: number): number => Math.round(x * 1000) / 1000;
const roundAll = (o: Record<string, number | undefined>): Record<string, number> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined).map(([k, v]) => [k, round(v!)]));
