// From timestamps to stages. Pure: the tests feed it numbers.
//
// The boundaries form one chain from the user's send to the user's receive:
//
//   A user send       B dev queue      C driver xmit    | T2 remote arrival  G remote reply queued
//   T3 remote xmit    | J local arrival  K protocol      L task woken       M task on CPU   N user has it
//
// Local times (A..C, J..N) are on the client's CLOCK_MONOTONIC, remote times
// (T2, G, T3) on the server's. The wire segments C→T2 and T3→J cross clocks:
// with the server's offset θ they are (T2 - C - θ) and (J - T3 + θ), so θ
// cancels in the sum and every probe's stages add up to N - A exactly.

export const STAGES = [
  'l_tx_kern', 'l_tx_qdisc', 'l_tx_outlink', 'r_rx_kern', 'r_tx_kern', 'l_rx_inlink',
  'l_rx_softirq', 'l_rx_kern', 'l_rx_task_waking', 'l_rx_task_queue',
] as const;
/** Without a server: everything between the local driver and the local arrival. */
export const REMOTE_COMBINED = 'remote_net';
export type StageName = (typeof STAGES)[number] | typeof REMOTE_COMBINED;

export interface LocalTimes {
  /** A, as seen by the kernel: the probe entering sendto(2); the user-space clock reading is the fallback */
  sendEnter?: bigint;
  userSend: bigint;       // A
  devQueue?: bigint;      // B
  startXmit?: bigint;     // C
  rxArrive?: bigint;      // J
  rxProto?: bigint;       // K
  wakeup?: bigint;        // L
  onCpu?: bigint;         // M
  /** the finer stage set (kprobes): inside K→L, where the kernel allows them */
  ipRcv?: bigint;
  rawDeliver?: bigint;
  icmpRcv?: bigint;
  /** N, as seen by the kernel: a thread back in user space with the reply (a woken waiter, or recvfrom returning it) */
  recvExit?: bigint;
  /** sendto(2) returning: N when the reply was delivered during the call (veth, loopback) */
  sendExit?: bigint;
  userRecv: bigint;       // N
}

export interface RemoteTimes {
  rxArrive?: bigint;      // T2 (netif_rx / GRO entry)
  rxProto?: bigint;       // used for T2 when the arrival hook did not fire
  txQueue?: bigint;       // G
  startXmit?: bigint;     // T3
}

/** l_rx_kern split by the kprobe hooks: netif_receive_skb → ip_rcv → raw_local_deliver → icmp_rcv → wake-up. */
export const RX_KERN_DETAIL = ['to_ip_rcv', 'ip_to_raw_deliver', 'raw_deliver_to_icmp_rcv', 'to_wakeup'] as const;
export type RxKernDetail = (typeof RX_KERN_DETAIL)[number];

export interface ProbeStages {
  /** µs, fractions allowed */
  stages: Partial<Record<StageName, number>>;
  /** finer sub-stages that sum to their stage, present only when the finer hooks fired */
  detail?: { l_rx_kern: Partial<Record<RxKernDetail, number>> };
  total: number;
  /** the four NTP timestamps, when the server reported */
  ntp?: { t1: bigint; t2: bigint; t3: bigint; t4: bigint };
}

const us = (ns: bigint): number => Number(ns) / 1000;

/**
 * A monotonic chain between fixed ends: a missing boundary takes the previous
 * one (its stage is then 0), and none may pass the last point, which is the
 * measured end. A hook that fired for something else (too late) is dropped.
 */
function chain(points: (bigint | undefined)[]): bigint[] {
  const last = points[points.length - 1]!;
  const out: bigint[] = [];
  let prev = points[0]!;
  points.forEach((p, i) => {
    const ok = p !== undefined && p >= prev && (p <= last || i === points.length - 1);
    const v = ok ? p : prev;
    out.push(v);
    prev = v;
  });
  return out;
}

export function computeStages(local: LocalTimes, remote: RemoteTimes | null, thetaNs: bigint | null): ProbeStages {
  const a = local.sendEnter ?? local.userSend;
  // N: the first return to user space with the reply already in the socket;
  // the process's own scheduling of its JavaScript afterwards is not the network's
  const delivered = local.rxProto ?? local.rxArrive;
  const candidates = [
    local.recvExit,
    delivered !== undefined && local.sendExit !== undefined && local.sendExit >= delivered ? local.sendExit : undefined,
  ].filter((x): x is bigint => x !== undefined && x > a);
  const n = candidates.length ? candidates.reduce((m, x) => (x < m ? x : m)) : local.userRecv;
  const total = us(n - a);
  // the local chain on its own: A B C ... J K L M N
  const [A, B, C, J, K, L, M, N] = chain([
    a, local.devQueue, local.startXmit, local.rxArrive, local.rxProto, local.wakeup, local.onCpu, n,
  ]) as [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];
  const stages: ProbeStages['stages'] = {
    l_tx_kern: us(B - A),
    l_tx_qdisc: us(C - B),
    l_rx_softirq: us(K - J),
    l_rx_kern: us(L - K),
    l_rx_task_waking: us(M - L),
    l_rx_task_queue: us(N - M),
  };
  const detail = rxKernDetail(local, K, L);
  const t2 = remote?.rxArrive ?? remote?.rxProto;
  if (!remote || t2 === undefined || remote.startXmit === undefined) {
    stages[REMOTE_COMBINED] = us(J - C);
    return { stages, total, ...(detail ? { detail } : {}) };
  }
  const [T2, G, T3] = chain([t2, remote.txQueue, remote.startXmit]) as [bigint, bigint, bigint];
  // wire time both ways: the round trip minus the server's time
  const wire = J - C - (T3 - T2);
  let outlink: bigint;
  if (wire < 0n) {
    // the server took longer than the local round trip (clock trouble): no wire time to split
    outlink = 0n;
  } else {
    const theta = thetaNs ?? 0n;
    outlink = T2 - C - theta;
    if (outlink < 0n) outlink = 0n;
    if (outlink > wire) outlink = wire;
  }
  const inlink = wire < 0n ? 0n : wire - outlink;
  stages.l_tx_outlink = us(outlink);
  stages.r_rx_kern = us(G - T2);
  stages.r_tx_kern = us(T3 - G);
  stages.l_rx_inlink = us(inlink);
  if (wire < 0n) {
    // keep the sum exact: what the remote stages over-count comes out of them proportionally
    const remoteSum = T3 - T2;
    const scale = Number(J - C) / Number(remoteSum || 1n);
    stages.r_rx_kern = us(G - T2) * scale;
    stages.r_tx_kern = us(T3 - G) * scale;
  }
  return { stages, total, ntp: { t1: C, t2: T2, t3: T3, t4: J }, ...(detail ? { detail } : {}) };
}

/**
 * K→L through the kprobe hooks that fired. A hook outside [K, L] belongs to
 * another stage (icmp_rcv usually runs after the raw socket's reader is
 * woken) and is left out; the pieces always sum to l_rx_kern.
 */
function rxKernDetail(local: LocalTimes, K: bigint, L: bigint): ProbeStages['detail'] | undefined {
  const within = (t?: bigint): bigint | undefined => (t !== undefined && t >= K && t <= L ? t : undefined);
  const ip = within(local.ipRcv);
  const raw = within(local.rawDeliver);
  const icmp = within(local.icmpRcv);
  if (ip === undefined && raw === undefined && icmp === undefined) return undefined;
  const [k, i, r, c, l] = chain([K, ip, raw, icmp, L]) as [bigint, bigint, bigint, bigint, bigint];
  return {
    l_rx_kern: {
      to_ip_rcv: us(i - k), ip_to_raw_deliver: us(r - i), raw_deliver_to_icmp_rcv: us(c - r), to_wakeup: us(l - c),
    },
  };
}

/**
 * The server clock's offset, NTP style: each probe gives θ = ((T2 - T1) + (T3 - T4)) / 2
 * with error bounded by its delay δ = (T4 - T1) - (T3 - T2); keep the θ of the
 * least-delayed recent probe. Trusted once a window has enough samples and
 * their offsets agree to within their delays.
 */
export class OffsetEstimator {
  private readonly samples: { theta: bigint; delay: bigint }[] = [];

  constructor(private readonly window = 8, private readonly minSamples = 4) {}

  add(ntp: { t1: bigint; t2: bigint; t3: bigint; t4: bigint }): void {
    const theta = (ntp.t2 - ntp.t1 + (ntp.t3 - ntp.t4)) / 2n;
    const delay = ntp.t4 - ntp.t1 - (ntp.t3 - ntp.t2);
    if (delay < 0n) return; // clocks moved under us: not a usable sample
    this.samples.push({ theta, delay });
    if (this.samples.length > this.window) this.samples.shift();
  }

  /** Best estimate in ns, or null before any sample. */
  get theta(): bigint | null {
    if (!this.samples.length) return null;
    return this.samples.reduce((a, b) => (b.delay < a.delay ? b : a)).theta;
  }

  get trusted(): boolean {
    if (this.samples.length < this.minSamples) return false;
    const best = this.theta!;
    const maxDelay = this.samples.reduce((m, s) => (s.delay > m ? s.delay : m), 0n);
    return this.samples.every((s) => (s.theta > best ? s.theta - best : best - s.theta) <= maxDelay);
  }

  get count(): number {
    return this.samples.length;
  }
}

export interface StageSummary { min: number; avg: number; p50: number; p99: number; max: number }

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function summarize(values: number[]): StageSummary {
  const s = [...values].sort((a, b) => a - b);
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  return {
    min: round(s[0] ?? 0),
    avg: round(s.reduce((a, b) => a + b, 0) / (s.length || 1)),
    p50: round(percentile(s, 50)),
    p99: round(percentile(s, 99)),
    max: round(s[s.length - 1] ?? 0),
  };
}
