// pingtrace TARGET: send tagged echo probes, time each in the kernel and in
// user space, join the server's report, and turn it all into stages.
import * as dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import { IcmpSocket, sockaddrIn } from 'lcc/lbc';
import { computeStages, OffsetEstimator, REMOTE_COMBINED, STAGES, summarize, type LocalTimes, type ProbeStages, type StageSummary } from './stages.js';
import { echoRequest, parseReply, PtHook, PtRole, reportTimes, startTracing, type PtEvent, type Report, type StageSet } from './probe.js';

export interface ClientOptions {
  target: string;
  count: number;       // 0: until deadline or SIGINT
  intervalMs: number;
  deadlineMs: number;  // 0: none
  timeoutMs: number;   // how long a probe may wait for its reply
  size: number;
  /** how long to wait for the server's report once the reply is in */
  reportWaitMs: number;
}

export interface ProbeResult extends ProbeStages {
  seq: number;
  server: boolean;
  offsetTrusted: boolean;
  thetaUs: number | null;
}

export interface Summary {
  target: string;
  sent: number;
  received: number;
  loss: number;
  stageSet: StageSet;
  server: boolean;
  offset: { us: number | null; trusted: boolean; samples: number };
  stages: Record<string, StageSummary>;
}

interface Pending {
  seq: number;
  local: Partial<LocalTimes>;
  report?: Report;
  replied: boolean;
  timer?: NodeJS.Timeout;
  done: boolean;
}

const HOOK_FIELD: Partial<Record<number, keyof LocalTimes>> = {
  [PtHook.PT_DEV_QUEUE]: 'devQueue',
  [PtHook.PT_START_XMIT]: 'startXmit',
  [PtHook.PT_RX_ARRIVE]: 'rxArrive',
  [PtHook.PT_RX_PROTO]: 'rxProto',
  [PtHook.PT_WAKEUP]: 'wakeup',
  [PtHook.PT_ONCPU]: 'onCpu',
  [PtHook.PT_USER_SEND]: 'sendEnter',
  [PtHook.PT_USER_RECV]: 'recvExit',
  [PtHook.PT_SEND_RETURN]: 'sendExit',
  [PtHook.PT_IP_RCV]: 'ipRcv',
  [PtHook.PT_RAW_DELIVER]: 'rawDeliver',
  [PtHook.PT_ICMP_RCV]: 'icmpRcv',
};

export async function runClient(opts: ClientOptions, onProbe: (p: ProbeResult) => void, onStart: (s: StageSet) => void): Promise<Summary> {
  const session = randomInt(1, 0xffffffff);
  const id = process.pid & 0xffff;
  const { skel, stageSet } = startTracing(PtRole.PT_CLIENT, { session, tgid: process.pid });
  const sock = IcmpSocket.open();
  sock.acceptOnly([0]);
  const udp = dgram.createSocket('udp4');
  await new Promise<void>((r) => udp.bind(0, () => r()));
  const reportPort = udp.address().port;
  const to = sockaddrIn(opts.target);

  const probes = new Map<number, Pending>();
  const results: ProbeResult[] = [];
  const offset = new OffsetEstimator();
  let sent = 0;
  let serverSeen = false;
  let reportsMissed = 0;
  let finished: () => void = () => {};
  const allDone = new Promise<void>((r) => (finished = r));

  const settle = (p: Pending): void => {
    if (p.done) return;
    p.done = true;
    clearTimeout(p.timer);
    probes.delete(p.seq);
    if (p.replied) {
      rb.poll(); // events are written without wake-ups: collect the rest of this probe's
      if (p.report) serverSeen = true;
      else if (!serverSeen) reportsMissed++;
      const remote = p.report ? reportTimes(p.report) : null;
      if (process.env.PINGTRACE_DEBUG) {
        const a = p.local.userSend!;
        const rel = (o: object): string => Object.entries(o).map(([k, v]) => `${k}=${v === undefined ? '-' : (Number((v as bigint) - a) / 1000).toFixed(1)}`).join(' ');
        process.stderr.write(`debug seq=${p.seq} local: ${rel(p.local)}\n  remote: ${remote ? rel(remote) : 'none'}\n`);
      }
      const probe = computeStages(p.local as LocalTimes, remote, offset.theta);
      if (probe.ntp) offset.add(probe.ntp);
      const theta = offset.theta;
      const r: ProbeResult = { seq: p.seq, ...probe, server: !!p.report, offsetTrusted: offset.trusted, thetaUs: theta === null ? null : Number(theta) / 1000 };
      results.push(r);
      onProbe(r);
    }
    if (stopping && probes.size === 0) finished();
  };

  // One reply means the local side is complete; the server's report may trail
  // it, and it crosses the same links: when the reply was slow (a congested
  // egress, say) the report is slow too, so wait in proportion.
  const maybeSettle = (p: Pending): void => {
    if (!p.replied) return;
    const wantReport = serverSeen || reportsMissed < 3;
    if (p.report || !wantReport) settle(p);
    else {
      clearTimeout(p.timer);
      const rttMs = Number(p.local.userRecv! - p.local.userSend!) / 1e6;
      p.timer = setTimeout(() => settle(p), Math.max(opts.reportWaitMs, 3 * rttMs));
    }
  };

  const rb = skel.onEvents((e: PtEvent) => {
    const p = probes.get(e.seq);
    if (!p || e.session !== session) return;
    const field = HOOK_FIELD[e.hook];
    // several threads may reach user space with the reply: the first one counts
    if (field === 'recvExit') p.local.recvExit = p.local.recvExit === undefined || e.ts < p.local.recvExit ? e.ts : p.local.recvExit;
    else if (field && p.local[field] === undefined) p.local[field] = e.ts;
  });
  sock.onMessage((m) => {
    const r = parseReply(m.packet);
    if (!r || r.session !== session || r.id !== id) return;
    const p = probes.get(r.seq);
    if (!p || p.replied) return;
    p.replied = true;
    p.local.userRecv = m.receivedNs;
    rb.poll();
    setImmediate(() => maybeSettle(p));
  });
  udp.on('message', (msg) => {
    let rep: Report;
    try {
      rep = JSON.parse(msg.toString()) as Report;
    } catch {
      return;
    }
    if (rep.session !== session) return;
    const p = probes.get(rep.seq);
    if (!p) return;
    p.report = rep;
    if (p.replied) maybeSettle(p);
  });

  onStart(stageSet);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    clearInterval(ticker);
    if (probes.size === 0) finished();
  };
  const sendOne = (): void => {
    if (stopping) return;
    const seq = sent & 0xffff;
    const p: Pending = { seq, local: {}, replied: false, done: false };
    probes.set(seq, p);
    const packet = echoRequest(id, seq, session, reportPort, opts.size);
    p.local.userSend = process.hrtime.bigint();
    sock.sendAndReceive(to, packet);
    sent++;
    p.timer = setTimeout(() => settle(p), opts.timeoutMs); // lost, unless the reply comes first
    if (opts.count && sent >= opts.count) stop();
  };
  // timers fire at most every 1 ms: faster rates send several probes per tick
  const perTick = opts.intervalMs < 1 ? Math.round(1 / opts.intervalMs) : 1;
  const tick = (): void => {
    for (let i = 0; i < perTick && !stopping; i++) sendOne();
  };
  const ticker = setInterval(tick, Math.max(1, opts.intervalMs));
  tick();
  const deadline = opts.deadlineMs ? setTimeout(stop, opts.deadlineMs) : null;
  // the first signal stops probing and prints the summary; a second one exits now
  const onSignal = (): void => (stopping ? process.exit(130) : stop());
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await allDone;
  } finally {
    if (deadline) clearTimeout(deadline);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    for (const p of probes.values()) clearTimeout(p.timer);
    udp.close();
    sock.close();
    skel.destroy();
  }

  const names = serverSeen ? [...STAGES] : STAGES.filter((s) => s.startsWith('l_') && !s.endsWith('link')).concat([REMOTE_COMBINED as never]);
  const stages: Record<string, StageSummary> = { total: summarize(results.map((r) => r.total)) };
  for (const n of names) stages[n] = summarize(results.map((r) => r.stages[n] ?? 0));
  const theta = offset.theta;
  return {
    target: opts.target,
    sent,
    received: results.length,
    loss: sent ? (sent - results.length) / sent : 0,
    stageSet,
    server: serverSeen,
    offset: { us: theta === null ? null : Number(theta) / 1000, trusted: offset.trusted, samples: offset.count },
    stages,
  };
}
