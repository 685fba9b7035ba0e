// pingtrace TARGET...: send tagged echo probes to one target or a mesh of
// them, time each in the kernel and in user space, join the server's report,
// and turn it all into stages; in continuous mode, hunt spikes.
//
// Memory stays flat however long it runs: per target, stage distributions
// are histograms and the spike baseline a fixed window; nothing keeps every
// probe.
import * as dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import { LbcError, ProbeSocket, formatKsym, ipString, ipv6Bytes, sockaddr, tracedStack } from '@lcc-ebpf/lbc';
import { isIP } from 'node:net';
import { computeStages, OffsetEstimator, REMOTE_COMBINED, STAGES, type LocalTimes, type ProbeStages, type StageSummary } from './stages.js';
import { connKey, DEFAULT_PORT, GATE_MIN_MS, parseProbeReply, probePacket, probeTag, PtHook, PtRole, onRecords, reportTimes, startTracing, TAG_SIZE, type ProbeSpec, type PtEvent, type Report, type StageSet } from './probe.js';
import { LatencyHistogram } from './histogram.js';
import { SpikeDetector, type Baseline, type SpikeConfig } from './spikes.js';
import type { Metrics } from './metrics.js';

export interface Target { host: string; addr: string }

export interface ClientOptions {
  targets: Target[];
  /** ICMP echo (default), UDP or TCP to `port`; the family is the targets' */
  protocol?: ProbeSpec['protocol'];
  /** TCP: each probe is a new connection's handshake, not a record on an open one */
  handshake?: boolean;
  port?: number;
  count: number;       // per target; 0: until deadline or SIGINT
  intervalMs: number;  // per target
  deadlineMs: number;  // 0: none
  timeoutMs: number;   // how long a probe may wait for its reply
  size: number;
  /** how long to wait for the server's report once the reply is in */
  reportWaitMs: number;
  /** every target together: at most this many probes per second */
  rate?: number;
  /** spike hunting: thresholds, and kernel context (stacks, softirq time) with each spike */
  spikes?: SpikeConfig;
  metrics?: Metrics;
}

export interface ProbeResult extends ProbeStages {
  target: string;
  seq: number;
  /** wall clock, ms since the epoch, when the probe was sent */
  at: number;
  server: boolean;
  offsetTrusted: boolean;
  thetaUs: number | null;
}

export interface SpikeContext {
  /** the CPU that received the reply (its softirq ran the local receive path) */
  cpu?: number;
  /** softirq time on that CPU while the probe was out, and the NET_RX part of it */
  softirqUs?: number;
  netRxSoftirqUs?: number;
  /** the receiving task's run-queue wait: woken until on a CPU */
  runqWaitUs?: number;
  /** the kernel stack where the slow stage ended, innermost first */
  stack?: string[];
  stackAt?: string;
}

export interface Spike {
  target: string;
  seq: number;
  at: number;
  total: number;
  reason: string;
  /** the stage that grew most over its baseline, and by how much */
  stage: string;
  value: number;
  baseline: Baseline;
  context: SpikeContext;
}

export type StatusEvent =
  | { kind: 'server-lost' | 'server-back'; target: string; detail: string }
  | { kind: 'send-failed' | 'send-ok'; target: string; detail: string };

export interface Summary {
  target: string;
  sent: number;
  received: number;
  loss: number;
  spikes: number;
  stageSet: StageSet;
  server: boolean;
  offset: { us: number | null; trusted: boolean; samples: number };
  stages: Record<string, StageSummary>;
  /** messages the client read from the socket that carries this target's replies (shared by every target for ICMP and UDP) */
  socketReads: number;
  /** calls into the client's packet programs, for all targets: they are attached only while a probe is out */
  kernelCalls: number;
  /** packets the client's kernel programs parsed, for all targets: only while a probe was out */
  kernelParses: number;
}

export interface ClientEvents {
  onStart?(s: StageSet): void;
  onProbe?(p: ProbeResult): void;
  onSpike?(s: Spike): void;
  onStatus?(e: StatusEvent): void;
}

interface SoftirqSnapshot { total: bigint[]; netRx: bigint[] }

interface Pending {
  seq: number;
  /** TCP: the record index on the target's connection */
  record?: number;
  /** TCP handshake probe: its connection, closed when the probe settles */
  handshake?: ProbeSocket;
  handshakeKey?: ReturnType<typeof connKey>;
  target: TargetState;
  at: number;
  local: Partial<LocalTimes>;
  cpus: Partial<Record<keyof LocalTimes, number>>;
  /** kernel stacks (addresses, innermost first) where the stages end, when hunting */
  stacks: Partial<Record<keyof LocalTimes, bigint[]>>;
  softirqAtSend?: SoftirqSnapshot;
  softirqAtRecv?: SoftirqSnapshot;
  report?: Report;
  replied: boolean;
  timer?: NodeJS.Timeout;
  done: boolean;
  /** counted in the kernel's `armed` until its local side is complete */
  armed?: boolean;
}

interface TargetState extends Target {
  sockaddr: Buffer;
  /** TCP: this target's connection, the bytes of a record still arriving, and
   * which probe each record index (as the kernel side counts them) carries */
  conn?: ProbeSocket;
  partial?: Buffer;
  localPort?: number;
  nextRecord: number;
  records: Map<number, number>;
  sent: number;
  received: number;
  spikes: number;
  nextDue: number;
  serverSeen: boolean;
  reportsMissed: number;
  /** replies in a row without a report, once the server had been seen */
  silent: number;
  serverLost: boolean;
  sendError: string | null;
  offset: OffsetEstimator;
  detector: SpikeDetector;
  hist: Map<string, LatencyHistogram>;
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

/** The hook where each local stage ends: its kernel stack says who was running then. */
const STAGE_END: Partial<Record<string, keyof LocalTimes>> = {
  l_tx_kern: 'devQueue', l_tx_qdisc: 'startXmit', l_rx_softirq: 'rxProto', l_rx_kern: 'wakeup',
  l_rx_task_waking: 'onCpu', l_rx_task_queue: 'recvExit',
};

/** Replies in a row without the server's report before it counts as lost. */
const SERVER_LOST_AFTER = 5;

export async function runClient(opts: ClientOptions, on: ClientEvents = {}): Promise<Summary[]> {
  const session = randomInt(1, 0xffffffff);
  const id = process.pid & 0xffff;
  const families = new Set(opts.targets.map((t) => (isIP(t.addr) === 6 ? 6 : 4)));
  if (families.size > 1) throw new LbcError('IPv4 and IPv6 targets in one run', { hint: 'run one pingtrace per address family' });
  const spec: ProbeSpec = { family: families.has(6) ? 6 : 4, protocol: opts.protocol ?? 'icmp' };
  const port = spec.protocol === 'icmp' ? 0 : opts.port ?? DEFAULT_PORT;
  const hunting = !!opts.spikes && (opts.spikes.thresholdUs !== undefined || opts.spikes.factor !== undefined);
  // probes closer together than attaching costs: the programs stay attached
  const period = Math.max(opts.intervalMs / opts.targets.length, opts.rate ? 1000 / opts.rate : 0);
  const { skel, stageSet, gate } = startTracing(PtRole.PT_CLIENT, { session, tgid: process.pid, spikes: hunting, probe: spec, holdProbes: period < GATE_MIN_MS });
  const udp = dgram.createSocket(spec.family === 6 ? 'udp6' : 'udp4');
  await new Promise<void>((r) => udp.bind(0, () => r()));
  const reportPort = udp.address().port;
  // one target: wait for the reply on the sending thread, as ping does (see
  // ProbeSocket.sendAndReceive); a mesh must not hold the loop per probe
  const single = opts.targets.length === 1;
  // the canonical text of an address, as the sockets report senders
  const canonical = (a: string): string => (isIP(a) === 6 ? ipString(ipv6Bytes(a)) : a);

  const targets: TargetState[] = opts.targets.map((t) => ({
    ...t, addr: canonical(t.addr), sockaddr: sockaddr(t.addr, port), sent: 0, received: 0, spikes: 0, nextDue: 0, serverSeen: false, reportsMissed: 0,
    silent: 0, serverLost: false, sendError: null, offset: new OffsetEstimator(), detector: new SpikeDetector(opts.spikes ?? {}),
    hist: new Map(), nextRecord: 1, records: new Map(),
  }));
  const byAddr = new Map(targets.map((t) => [t.addr, t]));
  const labels = (t: TargetState): Record<string, string> => ({ target: t.host, protocol: spec.protocol === 'tcp' && opts.handshake ? 'tcp_handshake' : spec.protocol });
  for (const t of targets) opts.metrics?.set('pingtrace_server_up', labels(t), 0);

  // ICMP and UDP: one socket for every target; TCP: a connection each
  let sock: ProbeSocket | null = null;
  const handshakes = spec.protocol === 'tcp' && !!opts.handshake;
  if (handshakes) {
    // a connection per probe (sendOne): nothing to open now
  } else if (spec.protocol !== 'tcp') {
    sock = ProbeSocket.open(spec);
    if (spec.protocol === 'icmp') {
      sock.acceptOnly([spec.family === 6 ? 129 : 0]);
      // every echo reply in the namespace reaches every raw ICMP socket: the
      // kernel drops the ones that are not ours, so a neighbour's ping never wakes us
      sock.acceptEchoReplies(id, probeTag(session));
    }
  } else {
    for (const t of targets) {
      const conn = ProbeSocket.open(spec);
      try {
        conn.connect(t.sockaddr, opts.timeoutMs);
      } catch (e) {
        conn.close();
        for (const x of targets) x.conn?.close();
        skel.destroy();
        udp.close();
        const why = e instanceof LbcError ? e.message : String(e);
        throw new LbcError(`cannot open a TCP connection to ${t.host} port ${port}: ${why}`, { hint: 'is pingtrace --server running there (it takes TCP probes on --port)?' });
      }
      t.conn = conn;
      // the kernel side finds the connection by this end's port, and counts records from the hello
      const local = conn.localAddress();
      t.localPort = local.port;
      skel.maps.tcp_conns.set(connKey(null, local.port), { session, base_c2s: 0, base_s2c: 0, have_c2s: 0, have_s2c: 0, hs_seq: 0, handshake: 0, _pad: [0, 0, 0] });
      // and wait for its echo: the first probe must not share a segment with it. The
      // kernel side counts records from these two, so it watches them as it does a probe
      gate.open();
      skel.bss.armed = 1;
      try {
        conn.sendAndReceive(null, probePacket(spec, id, 0, session, reportPort, 0, 'data'), opts.timeoutMs);
      } finally {
        skel.bss.armed = 0;
        gate.close();
      }
    }
  }
  const byPort = new Map(targets.filter((t) => t.localPort).map((t) => [t.localPort!, t]));

  const probes = new Map<number, Pending>();
  let nextSeq = 0;
  let finished: () => void = () => {};
  const allDone = new Promise<void>((r) => (finished = r));
  let stopping = false;

  const softirq = (): SoftirqSnapshot | undefined => {
    if (!hunting) return undefined;
    const per = skel.maps.softirq_time.get(0);
    if (!per) return undefined;
    return { total: per.map((s) => s.total_ns), netRx: per.map((s) => s.net_rx_ns) };
  };

  const context = (p: Pending, probe: ProbeStages, stage: string): SpikeContext => {
    const cpu = p.cpus.rxProto ?? p.cpus.rxArrive;
    const ctx: SpikeContext = { cpu, runqWaitUs: probe.stages.l_rx_task_waking };
    if (cpu !== undefined && p.softirqAtSend && p.softirqAtRecv) {
      ctx.softirqUs = Number(p.softirqAtRecv.total[cpu]! - p.softirqAtSend.total[cpu]!) / 1000;
      ctx.netRxSoftirqUs = Number(p.softirqAtRecv.netRx[cpu]! - p.softirqAtSend.netRx[cpu]!) / 1000;
    }
    const hook = STAGE_END[stage];
    const addrs = hook ? p.stacks[hook] : undefined;
    if (hook && addrs?.length) {
      ctx.stack = addrs.map(formatKsym);
      ctx.stackAt = hook;
    }
    return ctx;
  };

  const record = (t: TargetState, name: string, us: number): void => {
    let h = t.hist.get(name);
    if (!h) t.hist.set(name, (h = new LatencyHistogram()));
    h.add(us);
  };

  // The client's packet, scheduler and softirq programs are attached only
  // while a probe is out (probe.ts's ProbeGate), and work only then
  // (pingtrace.bpf.c's `armed`, for a client that keeps them attached).
  // Armed before the send and its softirq snapshot; disarmed once the local
  // side is complete (the reply read, or the probe settled).
  let out = 0;
  const arm = (p: Pending): void => {
    if (p.armed) return;
    p.armed = true;
    if (out++ === 0) {
      gate.open();
      skel.bss.armed_since = process.hrtime.bigint();
    }
    skel.bss.armed = out;
  };
  const disarm = (p: Pending): void => {
    if (!p.armed) return;
    p.armed = false;
    skel.bss.armed = --out;
    if (out === 0) gate.close();
  };

  const settle = (p: Pending): void => {
    if (p.done) return;
    p.done = true;
    disarm(p);
    clearTimeout(p.timer);
    probes.delete(p.seq);
    const t = p.target;
    if (p.record !== undefined) t.records.delete(p.record);
    if (p.handshake) {
      p.handshake.close();
      skel.maps.tcp_conns.delete(p.handshakeKey!);
    }
    if (!p.replied) opts.metrics?.inc('pingtrace_probes_lost', labels(t));
    else {
      rb.poll(); // events are written without wake-ups: collect the rest of this probe's
      serverBookkeeping(t, !!p.report);
      const remote = p.report ? reportTimes(p.report) : null;
      if (process.env.PINGTRACE_DEBUG) {
        const a = p.local.userSend!;
        const rel = (o: object): string => Object.entries(o).map(([k, v]) => `${k}=${v === undefined ? '-' : (Number((v as bigint) - a) / 1000).toFixed(1)}`).join(' ');
        process.stderr.write(`debug seq=${p.seq} record=${p.record} local: ${rel(p.local)}\n  remote: ${remote ? rel(remote) : 'none'}\n`);
      }
      const probe = computeStages(p.local as LocalTimes, remote, t.offset.theta);
      if (probe.ntp) t.offset.add(probe.ntp);
      const theta = t.offset.theta;
      const r: ProbeResult = {
        target: t.host, seq: p.seq, at: p.at, ...probe, server: !!p.report, offsetTrusted: t.offset.trusted,
        thetaUs: theta === null ? null : Number(theta) / 1000,
      };
      t.received++;
      record(t, 'total', r.total);
      for (const [k, v] of Object.entries(r.stages)) record(t, k, v!);
      if (opts.metrics) {
        opts.metrics.inc('pingtrace_probes_received', labels(t));
        opts.metrics.observe('pingtrace_rtt_seconds', labels(t), r.total / 1e6);
        for (const [k, v] of Object.entries(r.stages)) opts.metrics.observe('pingtrace_stage_seconds', { ...labels(t), stage: k }, v! / 1e6);
      }
      on.onProbe?.(r);
      if (hunting) {
        const verdict = t.detector.check({ total: r.total, ...(r.stages as Record<string, number>) });
        if (verdict) {
          t.spikes++;
          opts.metrics?.inc('pingtrace_spikes', { ...labels(t), stage: verdict.stage });
          on.onSpike?.({ target: t.host, seq: p.seq, at: p.at, total: r.total, ...verdict, context: context(p, probe, verdict.stage) });
        }
      }
    }
    if (stopping && probes.size === 0) finished();
  };

  // A server that reported and then stops (restarted, crashed, firewalled):
  // say so once, keep probing, and say so again when it is back.
  const serverBookkeeping = (t: TargetState, reported: boolean): void => {
    if (reported) {
      if (t.serverLost) on.onStatus?.({ kind: 'server-back', target: t.host, detail: `the pingtrace server on ${t.host} reports again` });
      t.serverSeen = true;
      t.serverLost = false;
      t.silent = 0;
      opts.metrics?.set('pingtrace_server_up', labels(t), 1);
      return;
    }
    if (!t.serverSeen) {
      t.reportsMissed++;
      return;
    }
    if (++t.silent === SERVER_LOST_AFTER && !t.serverLost) {
      t.serverLost = true;
      opts.metrics?.set('pingtrace_server_up', labels(t), 0);
      on.onStatus?.({ kind: 'server-lost', target: t.host, detail: `no report from the pingtrace server on ${t.host} for ${SERVER_LOST_AFTER} replies: remote stages merge into remote_net until it is back` });
    }
  };

  // One reply means the local side is complete; the server's report may trail
  // it, and it crosses the same links: when the reply was slow (a congested
  // egress, say) the report is slow too, so wait in proportion.
  const maybeSettle = (p: Pending): void => {
    if (!p.replied) return;
    const t = p.target;
    const wantReport = (t.serverSeen && !t.serverLost) || (!t.serverSeen && t.reportsMissed < 3);
    if (p.report || !wantReport) settle(p);
    else {
      clearTimeout(p.timer);
      const rttMs = Number(p.local.userRecv! - p.local.userSend!) / 1e6;
      p.timer = setTimeout(() => settle(p), Math.max(opts.reportWaitMs, 3 * rttMs));
    }
  };

  const stageEnds = new Set(Object.values(STAGE_END));
  const rb = onRecords(skel, (e: PtEvent, stack) => {
    // TCP segments (and the wake-ups they cause) come as a record index on the
    // connection with this client port; everything else, and what the kernel read
    // from our own buffers (port 0), by the probe's seq
    const seq = e.proto === 6 && e.port ? byPort.get(e.port)?.records.get(e.seq) : e.seq;
    const p = seq === undefined ? undefined : probes.get(seq);
    if (!p || e.session !== session) return;
    const field = HOOK_FIELD[e.hook];
    if (!field) return;
    // several threads may reach user space with the reply: the first one counts
    if (field === 'recvExit') {
      if (p.local.recvExit !== undefined && e.ts >= p.local.recvExit) return;
    } else if (p.local[field] !== undefined) return;
    p.local[field] = e.ts;
    p.cpus[field] = e.cpu;
    if (hunting && stageEnds.has(field)) p.stacks[field] = tracedStack(stack());
  });
  const onReply = (t: TargetState | undefined, packet: Buffer, receivedNs: bigint): void => {
    const r = parseProbeReply(spec, packet);
    if (!r || r.session !== session || (spec.protocol === 'icmp' && r.id !== id)) return;
    const p = probes.get(r.seq);
    if (!p || p.replied || p.target !== t) return;
    p.replied = true;
    p.local.userRecv = receivedNs;
    p.softirqAtRecv = softirq();
    rb.poll();
    disarm(p);
    setImmediate(() => maybeSettle(p));
  };
  if (sock) sock.onMessage((m) => onReply(byAddr.get(m.from), m.packet, m.receivedNs));
  for (const t of targets) {
    // a stream: records of TAG_SIZE bytes, however the segments cut them
    t.conn?.onMessage((m) => {
      if (!m.packet.length) {
        // sends fail from here on, and say so
        if (!stopping) on.onStatus?.({ kind: 'server-lost', target: t.host, detail: `${t.host} closed the TCP connection: its probes are lost from here` });
        return;
      }
      let data = t.partial?.length ? Buffer.concat([t.partial, m.packet]) : m.packet;
      while (data.length >= TAG_SIZE) {
        onReply(t, data.subarray(0, TAG_SIZE), m.receivedNs);
        data = data.subarray(TAG_SIZE);
      }
      t.partial = data;
    });
  }
  udp.on('message', (msg, rinfo) => {
    let rep: Report;
    try {
      rep = JSON.parse(msg.toString()) as Report;
    } catch {
      return;
    }
    if (rep.session !== session) return;
    // the report names the address the probe went to: a server with several
    // addresses answers from its primary one
    const t = byAddr.get(rep.target ?? rinfo.address);
    // a lost server's first report may come after its probe was settled without one
    if (t?.serverLost) serverBookkeeping(t, true);
    const p = probes.get(rep.seq);
    if (!p || p.target !== t) return;
    p.report = rep;
    if (p.replied) maybeSettle(p);
  });

  on.onStart?.(stageSet);
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    clearInterval(ticker);
    if (probes.size === 0) finished();
  };

  const sendOne = (t: TargetState): void => {
    let seq = nextSeq;
    // 65,536 probes may be out at once before a sequence number is reused
    while (probes.has(seq)) seq = (seq + 1) & 0xffff;
    nextSeq = (seq + 1) & 0xffff;
    const packet = probePacket(spec, id, seq, session, reportPort, opts.size);
    const p: Pending = { seq, target: t, at: Date.now(), local: {}, cpus: {}, stacks: {}, replied: false, done: false };
    if (t.conn) {
      p.record = t.nextRecord++ & 0xffff;
      t.records.set(p.record, seq);
    }
    arm(p);
    p.softirqAtSend = softirq();
    probes.set(seq, p);
    t.sent++;
    opts.metrics?.inc('pingtrace_probes_sent', labels(t));
    p.local.userSend = process.hrtime.bigint();
    if (handshakes) {
      p.timer = setTimeout(() => settle(p), opts.timeoutMs);
      handshake(t, p);
      return;
    }
    try {
      if (t.conn) {
        if (single) t.conn.sendAndReceive(null, packet);
        else t.conn.send(null, packet);
      } else if (single) sock!.sendAndReceive(t.sockaddr, packet);
      else sock!.send(t.sockaddr, packet);
      if (t.sendError) on.onStatus?.({ kind: 'send-ok', target: t.host, detail: `probes to ${t.host} leave again` });
      t.sendError = null;
    } catch (e) {
      // no route, interface down or removed: a lost probe, said once, and keep trying
      const why = e instanceof LbcError ? e.message : String(e);
      if (t.sendError !== why) on.onStatus?.({ kind: 'send-failed', target: t.host, detail: `cannot send to ${t.host}: ${why}; still trying` });
      t.sendError = why;
    }
    p.timer = setTimeout(() => settle(p), opts.timeoutMs); // lost, unless the reply comes first
  };

  /**
   * A handshake probe: connect(2) on this thread (the kernel times it from
   * the call: the user's send), the SYN and SYN-ACK timed where they pass,
   * connected is the reply. Then a hello names the probe to the server,
   * whose SYN carried no tag, so that it can report its side.
   */
  const handshake = (t: TargetState, p: Pending): void => {
    const hs = ProbeSocket.open(spec);
    try {
      hs.bind();
      const local = hs.localAddress();
      p.handshakeKey = connKey(null, local.port);
      p.handshake = hs;
      skel.maps.tcp_conns.set(p.handshakeKey, { session, base_c2s: 0, base_s2c: 0, have_c2s: 0, have_s2c: 0, hs_seq: p.seq, handshake: 1, _pad: [0, 0, 0] });
      skel.bss.connecting_seq = p.seq;
      skel.bss.connecting = 1;
      try {
        hs.connect(t.sockaddr, opts.timeoutMs);
      } finally {
        skel.bss.connecting = 0;
      }
      p.local.userRecv = process.hrtime.bigint();
      p.replied = true;
      if (t.sendError) on.onStatus?.({ kind: 'send-ok', target: t.host, detail: `connections to ${t.host} succeed again` });
      t.sendError = null;
      hs.send(null, probePacket(spec, id, p.seq, session, reportPort, 0, 'handshake'));
      rb.poll();
      disarm(p);
      setImmediate(() => maybeSettle(p));
    } catch (e) {
      const why = e instanceof LbcError ? e.message : String(e);
      if (t.sendError !== why) on.onStatus?.({ kind: 'send-failed', target: t.host, detail: `cannot connect to ${t.host} port ${port}: ${why}; still trying` });
      t.sendError = why;
    }
  };

  // Scheduling: each target is due every interval; a token bucket holds every
  // target together to `rate` probes per second. Timers fire at most every
  // millisecond, so faster schedules send several probes per tick.
  const rate = opts.rate ?? Infinity;
  let tokens = Math.min(rate, targets.length);
  let lastTick = performance.now();
  const tick = (): void => {
    const now = performance.now();
    // the bucket holds 50 ms of the rate: late timers catch up, without bursts
    tokens = Math.min(Math.max(2, rate / 20), tokens + ((now - lastTick) / 1000) * rate);
    lastTick = now;
    // the most overdue target first: under the rate limit every target gets its share
    while (!stopping && tokens >= 1) {
      let t: TargetState | null = null;
      for (const x of targets) if (!(opts.count && x.sent >= opts.count) && x.nextDue <= now && (!t || x.nextDue < t.nextDue)) t = x;
      if (!t) break;
      tokens--;
      sendOne(t);
      t.nextDue = (t.nextDue || now) + opts.intervalMs;
      if (t.nextDue < now - 100) t.nextDue = now; // fell behind (a slow loop): do not burst to catch up
    }
    if (opts.count && targets.every((t) => t.sent >= opts.count)) stop();
  };
  const ticker = setInterval(tick, Math.max(1, Math.min(opts.intervalMs, rate === Infinity ? 1000 : 10)));
  tick();
  const deadline = opts.deadlineMs ? setTimeout(stop, opts.deadlineMs) : null;
  // the first signal stops probing and prints the summary; a second one exits now
  let parses = 0;
  let calls = 0;
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
    sock?.close();
    for (const t of targets) t.conn?.close();
    parses = Number(skel.bss.armed_packets);
    calls = Number(skel.bss.packet_calls);
    skel.destroy();
  }
  return targets.map((t) => summary(t, stageSet, (sock ?? t.conn)?.received ?? 0, parses, calls));
}

function summary(t: TargetState, stageSet: StageSet, socketReads: number, kernelParses: number, kernelCalls: number): Summary {
  const names = t.serverSeen ? [...STAGES] : STAGES.filter((s) => s.startsWith('l_') && !s.endsWith('link')).concat([REMOTE_COMBINED as never]);
  const stats = (h: LatencyHistogram | undefined): StageSummary => {
    const round = (x: number): number => Math.round(x * 1000) / 1000;
    if (!h || !h.count) return { min: 0, avg: 0, p50: 0, p99: 0, max: 0 };
    return { min: round(h.min), avg: round(h.mean), p50: round(h.percentile(50)), p99: round(h.percentile(99)), max: round(h.max) };
  };
  const stages: Record<string, StageSummary> = { total: stats(t.hist.get('total')) };
  for (const n of names) stages[n] = stats(t.hist.get(n));
  const theta = t.offset.theta;
  return {
    target: t.host,
    sent: t.sent,
    received: t.received,
    loss: t.sent ? (t.sent - t.received) / t.sent : 0,
    spikes: t.spikes,
    stageSet,
    server: t.serverSeen,
    offset: { us: theta === null ? null : Number(theta) / 1000, trusted: t.offset.trusted, samples: t.offset.count },
    stages,
    socketReads,
    kernelParses,
    kernelCalls,
  };
}
