// pingtrace: where did this ping's milliseconds go?
//
//   # on the target host (optional: without it, the remote side is one segment)
//   pingtrace --server
//   # on the client
//   pingtrace 10.0.0.2 -c 10
//   seq=0 total=84.1us  l_tx_kern=11.2 l_tx_qdisc=3.0 ... l_rx_task_queue=19.8
//
// Stage names and JSON keys follow sysak's PingTrace. Run as root.
import { Command, CommanderError } from 'commander';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import * as fs from 'node:fs';
import { CAP_NET_RAW, canLoadBpf, effectiveCaps, hasCap, LbcError } from '@lcc-ebpf/lbc';
import { runClient, type ProbeResult, type Spike, type StatusEvent, type Summary, type Target } from './client.js';
import { runServer } from './server.js';
import { diagram } from './diagram.js';
import { Metrics } from './metrics.js';
import { ReportRecorder } from './report.js';
import { RotatingLog } from './logfile.js';
import { REMOTE_COMBINED, STAGES, type StageName } from './stages.js';

const VERSION = '0.1.0';

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

/** The payload: our probe header needs 16 bytes; an IPv4 datagram holds 65,507 after its headers. */
const MIN_SIZE = 16;
const MAX_SIZE = 65507;

function checkEnvironment(): void {
  // capabilities, not the uid: root without them fails, a capable non-root user works
  const caps = effectiveCaps();
  if (!canLoadBpf(caps) || !hasCap(CAP_NET_RAW, caps)) {
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

/**
 * pingtrace's command line, defined once: commander parses it and writes
 * --help from it. Values stay strings here and are checked as ping checks
 * them (parseCommandLine), so `-c -1` is the value -1, refused by name.
 */
export function pingtraceCommand(): Command {
  const cmd = new Command('pingtrace')
    .description('where did this ping\'s milliseconds go? Each probe timed at every stage it passes, remote ones included (with pingtrace --server there).')
    .usage('TARGET... [options]\n       pingtrace --server [-w SECONDS] [--port PORT]')
    .argument('[targets...]', 'host names, IPv4 or IPv6 addresses')
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'print this help')
    .optionsGroup('Probing:')
    .option('--udp', 'UDP probes to the server\'s --port (default: ICMP echo)')
    .option('--tcp', 'TCP probes: records on one established connection per target')
    .option('--tcp-handshake', 'each probe a new TCP connection: connect() to connected, SYN out and SYN-ACK back')
    .option('--port <port>', 'where pingtrace --server takes UDP and TCP probes (default 7807; 1 to 65535)')
    .option('-4, --ipv4', 'resolve names to IPv4 only')
    .option('-6, --ipv6', 'resolve names to IPv6 only')
    .option('-c, --count <count>', 'stop after COUNT probes per target (default: until -w, -t or Ctrl-C)')
    .option('-i, --interval <seconds>', 'seconds between probes to a target (default 1)')
    .option('-w, --deadline <seconds>', 'stop after this many seconds')
    .option('-W, --timeout <seconds>', 'seconds to wait for each reply (default 1)')
    .option('-s, --size <bytes>', `payload bytes (default 56; ${MIN_SIZE} to ${MAX_SIZE})`)
    .option('--json', 'JSON lines: a start line once probing begins, each probe (spike, status), the summary')
    .option('--diagram', 'draw every probe (default: the summary only)')
    .optionsGroup('Spike hunting (continuous mode prints only spikes):')
    .option('-t, --time <seconds>', 'probe continuously for this long')
    .option('--continuous', 'probe continuously until Ctrl-C')
    .option('-m, --threshold <us>', 'a probe whose total exceeds this many microseconds is a spike')
    .option('-k, --factor <factor>', 'a stage above FACTOR x its rolling p99 is a spike (default 3 in continuous mode)')
    .optionsGroup('Fleet:')
    .option('--metrics <host:port>', 'Prometheus/OpenMetrics endpoint at /metrics (stage histograms, counters)')
    .option('--pinglist <file>', 'probe every host in FILE (one per line, # comments), Pingmesh style')
    .option('--rate <n>', 'at most N probes per second across all targets')
    .option('--report <file.html>', 'a self-contained HTML report, written at the end (and every 30 s)')
    .option('--log <file>', 'spikes and status changes as JSON lines, rotated at --log-size')
    .option('--log-size <bytes>', 'rotate the log at this size (default 10 MB)')
    .option('--log-keep <n>', 'old log files kept (default 5)')
    .optionsGroup('Server:')
    .option('--server', 'run on the target: report its stages to clients')
    .addHelpText('after', '\nExamples:\n  pingtrace --server                     # on the target\n  pingtrace 10.0.0.2 -c 10 -i 0.2        # like ping\n  pingtrace 10.0.0.2 --continuous -k 5   # spikes only, until Ctrl-C');
  return cmd;
}

interface Values {
  targets?: string[]; udp?: boolean; tcp?: boolean; 'tcp-handshake'?: boolean; port?: string; ipv4?: boolean; ipv6?: boolean;
  count?: string; interval?: string; deadline?: string; timeout?: string; size?: string; json?: boolean; diagram?: boolean;
  time?: string; continuous?: boolean; threshold?: string; factor?: string; metrics?: string; pinglist?: string; rate?: string;
  report?: string; log?: string; 'log-size'?: string; 'log-keep'?: string; server?: boolean; help?: string; version?: string;
}

export type CommandLine = ReturnType<typeof parseCommandLine>;

/**
 * The command line, every number checked (before anything is loaded or
 * resolved: a typo costs nothing). Pure: throws UsageError, reads no file,
 * prints nothing (--help and --version come back as `values.help`/`version`).
 */
export function parseCommandLine(argv: string[]) {
  const cmd = pingtraceCommand();
  let printed = '';
  cmd.exitOverride().configureOutput({ writeOut: (t) => (printed += t), writeErr: (t) => (printed += t), outputError: () => {} });
  let values: Values;
  try {
    cmd.parse(argv, { from: 'user' });
    const o = cmd.opts();
    values = { ...o, 'tcp-handshake': o.tcpHandshake, 'log-size': o.logSize, 'log-keep': o.logKeep, targets: cmd.processedArgs[0] as string[] };
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    if (e.code === 'commander.helpDisplayed') values = { help: printed };
    else if (e.code === 'commander.version') values = { version: printed };
    else throw new UsageError(e.message.replace(/^error: /, ''), true);
  }
  const positionals = values.targets ?? [];
  // --help answers whatever else is on the line
  const num = values.help || values.version ? (_v: string | undefined, _n: string, def: number): number => def : checkedNum;
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
    process.stderr.write(`pingtrace: ${e.message}${e.withUsage ? ' (pingtrace --help lists the options)' : ''}\n`);
    return 2;
  }
  const { values, positionals, port, deadline, count, intervalMs, deadlineMs, timeoutMs, size, rate, thresholdUs, logSize, logKeep } = cl;
  let { factor } = cl;
  if (values.help || values.version) {
    process.stdout.write(values.help ?? values.version ?? '');
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
    if (!hosts.length) throw new UsageError('which host? e.g. pingtrace 10.0.0.2 (or pingtrace --server on the target)', true);
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
