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
import { runClient, type ProbeResult, type Summary } from './client.js';
import { runServer } from './server.js';
import { diagram } from './diagram.js';
import { REMOTE_COMBINED, STAGES, type StageName } from './stages.js';

const USAGE = `usage: pingtrace TARGET [-c COUNT] [-i INTERVAL] [-w DEADLINE] [-W TIMEOUT] [-s SIZE] [--json] [--diagram]
       pingtrace --server [-w SECONDS]

  TARGET        host name or IPv4 address
  -c COUNT      stop after COUNT probes (default: until -w or Ctrl-C)
  -i INTERVAL   seconds between probes (default 1)
  -w DEADLINE   stop after this many seconds
  -W TIMEOUT    seconds to wait for each reply (default 1)
  -s SIZE       payload bytes (default 56, at least 16)
  --json        one JSON object per probe, then a summary
  --diagram     draw every probe (default: the summary only)
  --server      run on the target: report its stages to clients`;

class UsageError extends Error {}

function num(v: string | undefined, name: string, def: number, min = 0): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new UsageError(`${name} must be a number >= ${min}, got "${v}"`);
  return n;
}

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

async function resolve(host: string): Promise<string> {
  if (isIP(host) === 4) return host;
  if (isIP(host) === 6) throw new UsageError(`${host}: IPv6 targets are not supported yet (IPv4 only)`);
  try {
    return (await lookup(host, { family: 4 })).address;
  } catch {
    throw new UsageError(`unknown host ${host}: it does not resolve to an IPv4 address`);
  }
}

function stagesLine(r: ProbeResult): string {
  const keys: StageName[] = r.server ? [...STAGES] : [...STAGES.filter((s) => s.startsWith("l_") && !s.endsWith("link")), REMOTE_COMBINED];
  const detail = r.detail ? ` (l_rx_kern: ${Object.entries(r.detail.l_rx_kern).map(([k, v]) => `${k}=${v.toFixed(1)}`).join(' ')})` : '';
  return `seq=${r.seq} total=${r.total.toFixed(1)}us ${keys.map((k) => `${k}=${(r.stages[k] ?? 0).toFixed(1)}`).join(' ')}${detail}`;
}

function printSummary(s: Summary): void {
  const pct = (s.loss * 100).toFixed(1);
  console.log(`\n--- ${s.target} pingtrace statistics ---`);
  console.log(`${s.sent} probes transmitted, ${s.received} received, ${pct}% loss; stages from ${s.stageSet.name}${s.stageSet.note ? ` (${s.stageSet.note})` : ''}`);
  if (!s.server) console.log('no pingtrace server answered: the remote host and the network are one segment (run pingtrace --server there)');
  else console.log(`server clock offset ${s.offset.us?.toFixed(1) ?? '?'} us${s.offset.trusted ? '' : ' (not yet trustworthy: too few or inconsistent samples)'}`);
  const rows = Object.entries(s.stages);
  console.log(`${'stage'.padEnd(18)} ${['min', 'avg', 'p50', 'p99', 'max'].map((h) => h.padStart(9)).join(' ')}   (us)`);
  for (const [k, v] of rows) console.log(`${k.padEnd(18)} ${[v.min, v.avg, v.p50, v.p99, v.max].map((x) => x.toFixed(1).padStart(9)).join(' ')}`);
  const p50 = Object.fromEntries(rows.map(([k, v]) => [k, v.p50]));
  console.log(`\n${diagram(`median of ${s.received} probes`, p50, 'this host', s.target)}`);
}

export async function main(argv: string[]): Promise<number> {
  // `pingtrace ... | head`: when the reader goes away there is no one to report to;
  // leave quietly (exit handlers still detach everything)
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
  });
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        count: { type: 'string', short: 'c' }, interval: { type: 'string', short: 'i' },
        deadline: { type: 'string', short: 'w' }, timeout: { type: 'string', short: 'W' },
        size: { type: 'string', short: 's' }, json: { type: 'boolean' }, diagram: { type: 'boolean' },
        server: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    process.stderr.write(`pingtrace: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  try {
    if (values.server) {
      checkEnvironment();
      await runServer({ seconds: num(values.deadline, '-w', 0) });
      return 0;
    }
    const host = positionals[0];
    if (!host) throw new UsageError(`which host?\n${USAGE}`);
    const target = await resolve(host);
    checkEnvironment();
    const json = !!values.json;
    const summary = await runClient(
      {
        target,
        count: num(values.count, '-c', 0, 0),
        intervalMs: num(values.interval, '-i', 1, 0.0001) * 1000,
        deadlineMs: num(values.deadline, '-w', 0) * 1000,
        timeoutMs: num(values.timeout, '-W', 1, 0.001) * 1000,
        size: num(values.size, '-s', 56, 0),
        reportWaitMs: 200,
      },
      (r) => {
        if (json) {
          const detail = r.detail ? { detail: { l_rx_kern: roundAll(r.detail.l_rx_kern) } } : {};
          console.log(JSON.stringify({ seq: r.seq, stages: { total: round(r.total), ...roundAll(r.stages) }, ...detail, server: r.server, offset_trusted: r.offsetTrusted }));
        } else if (values.diagram) console.log(diagram(`seq ${r.seq}`, { ...r.stages, total: r.total }, 'this host', target));
        else console.log(stagesLine(r));
      },
      (set) => {
        if (!json) console.log(`PINGTRACE ${host} (${target}): stages from ${set.name}${set.note ? ` (${set.note})` : ''}`);
      },
    );
    if (json) console.log(JSON.stringify({ summary }));
    else printSummary(summary);
    return summary.received ? 0 : 1;
  } catch (e) {
    if (e instanceof UsageError || e instanceof LbcError) {
      process.stderr.write(`pingtrace: ${e.message}\n`);
      return e instanceof UsageError ? 2 : 1;
    }
    throw e;
  }
}

const round = (x: number): number => Math.round(x * 1000) / 1000;
const roundAll = (o: Record<string, number | undefined>): Record<string, number> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined).map(([k, v]) => [k, round(v!)]));
