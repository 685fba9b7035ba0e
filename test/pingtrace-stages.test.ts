// pingtrace's arithmetic, table-driven: every stage >= 0, stages summing to
// total exactly, the clock offset recovered, and missing hooks handled.
import { describe, expect, it } from 'vitest';
import { computeStages, OffsetEstimator, REMOTE_COMBINED, RX_KERN_DETAIL, STAGES, summarize, type LocalTimes, type RemoteTimes } from '../examples/pingtrace/src/stages.js';

const ns = (us: number): bigint => BigInt(Math.round(us * 1000));
const local = (o: Partial<Record<keyof LocalTimes, number>>): LocalTimes =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, ns(v!)])) as unknown as LocalTimes;
const remote = (o: Partial<Record<keyof RemoteTimes, number>>, offsetUs = 0): RemoteTimes =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, ns(v! + offsetUs)])) as RemoteTimes;
const sum = (s: Record<string, number | undefined>): number => Object.values(s).reduce<number>((a, b) => a + (b ?? 0), 0);

// a round trip: send at 0, out at 10, remote 20..40, back at 50, user at 100
const L = local({ userSend: 0, sendEnter: 2, devQueue: 6, startXmit: 10, rxArrive: 50, rxProto: 55, wakeup: 60, onCpu: 80, recvExit: 90, userRecv: 100 });
const R = { rxArrive: 20, rxProto: 24, txQueue: 35, startXmit: 40 };

// the finer (kprobe) hooks, between netif_receive_skb (K = 55) and the wake-up (L = 60)
describe('pingtrace finer stages inside l_rx_kern', () => {
  const table: { name: string; hooks: Partial<Record<'ipRcv' | 'rawDeliver' | 'icmpRcv', number>>; want: number[] | null }[] = [
    { name: 'no finer hooks: no detail', hooks: {}, want: null },
    { name: 'all three in order', hooks: { ipRcv: 56, rawDeliver: 57.5, icmpRcv: 58 }, want: [1, 1.5, 0.5, 2] },
    { name: 'icmp_rcv after the wake-up belongs elsewhere', hooks: { ipRcv: 56, rawDeliver: 57, icmpRcv: 61 }, want: [1, 1, 0, 3] },
    { name: 'only ip_rcv', hooks: { ipRcv: 58 }, want: [3, 0, 0, 2] },
    { name: 'a hook before K (another packet) is ignored', hooks: { ipRcv: 40, rawDeliver: 59 }, want: [0, 4, 0, 1] },
  ];
  for (const c of table) {
    it(c.name, () => {
      const p = computeStages({ ...L, ...local(c.hooks) }, remote(R), 0n);
      if (!c.want) {
        expect(p.detail).toBeUndefined();
        return;
      }
      expect(RX_KERN_DETAIL.map((k) => p.detail!.l_rx_kern[k])).toEqual(c.want);
      expect(sum(p.detail!.l_rx_kern)).toBeCloseTo(p.stages.l_rx_kern!, 6);
      expect(sum(p.stages)).toBeCloseTo(p.total, 6); // the top-level stages are unchanged
    });
  }
});

describe('pingtrace stages', () => {
  const cases: { name: string; offsetUs: number; thetaUs: number | null }[] = [
    { name: 'shared clock', offsetUs: 0, thetaUs: 0 },
    { name: 'server clock 5 ms ahead, offset known', offsetUs: 5000, thetaUs: 5000 },
    { name: 'server clock 5 ms behind, offset known', offsetUs: -5000, thetaUs: -5000 },
    { name: 'offset unknown yet, clocks shared', offsetUs: 0, thetaUs: null },
    { name: 'offset badly estimated: wire split clamped', offsetUs: 0, thetaUs: 900 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const p = computeStages(L, remote(R, c.offsetUs), c.thetaUs === null ? null : ns(c.thetaUs));
      expect(Object.keys(p.stages).sort()).toEqual([...STAGES].sort());
      for (const [k, v] of Object.entries(p.stages)) expect(v, k).toBeGreaterThanOrEqual(0);
      expect(p.total).toBe(88); // recvExit - sendEnter: the kernel's view wins over the JS clock readings
      expect(sum(p.stages)).toBeCloseTo(p.total, 6);
      expect(p.stages.r_rx_kern).toBe(15); // remote stages need no offset
      expect(p.stages.r_tx_kern).toBe(5);
      expect(p.stages.l_tx_outlink! + p.stages.l_rx_inlink!).toBeCloseTo(20, 6); // 40 of round trip minus 20 remote
    });
  }

  it('splits the wire time by the offset', () => {
    const p = computeStages(L, remote(R, 5000), ns(5000));
    expect(p.stages.l_tx_outlink).toBe(10);
    expect(p.stages.l_rx_inlink).toBe(10);
  });

  it('without a server: local stages and one remote + network segment', () => {
    const p = computeStages(L, null, null);
    expect(p.stages[REMOTE_COMBINED]).toBe(40);
    expect(p.stages.r_rx_kern).toBeUndefined();
    expect(sum(p.stages)).toBeCloseTo(p.total, 6);
  });

  it('a missing hook makes its stage 0, never negative, and the sum still holds', () => {
    const noWake = { ...L, wakeup: undefined, onCpu: undefined };
    const p = computeStages(noWake, remote(R), 0n);
    expect(p.stages.l_rx_kern).toBe(0);
    expect(p.stages.l_rx_task_waking).toBe(0);
    expect(p.stages.l_rx_task_queue).toBe(35);
    expect(sum(p.stages)).toBeCloseTo(p.total, 6);
  });

  it('a hook that fired after the end (another event) is dropped', () => {
    const late = { ...L, wakeup: ns(500) };
    const p = computeStages(late, remote(R), 0n);
    for (const v of Object.values(p.stages)) expect(v).toBeGreaterThanOrEqual(0);
    expect(sum(p.stages)).toBeCloseTo(p.total, 6);
  });

  it('falls back to the user-space clock when the syscall hooks did not fire', () => {
    const p = computeStages({ ...L, sendEnter: undefined, recvExit: undefined }, remote(R), 0n);
    expect(p.total).toBe(100);
    expect(sum(p.stages)).toBeCloseTo(100, 6);
  });
});

describe('clock offset estimator', () => {
  const sample = (offset: number, out: number, back: number, remoteUs = 20) => {
    const t1 = 1_000_000;
    return { t1: ns(t1), t2: ns(t1 + out + offset), t3: ns(t1 + out + remoteUs + offset), t4: ns(t1 + out + remoteUs + back) };
  };
  it('is ~0 for a shared clock', () => {
    const e = new OffsetEstimator();
    for (let i = 0; i < 8; i++) e.add(sample(0, 5 + (i % 3), 5 + (i % 2)));
    expect(Math.abs(Number(e.theta!) / 1000)).toBeLessThan(1);
    expect(e.trusted).toBe(true);
  });
  it('recovers an offset from the least-delayed probe, and is not trusted on one sample', () => {
    const e = new OffsetEstimator();
    e.add(sample(7000, 300, 10)); // a queued probe: asymmetric, off by ~145 us
    expect(e.trusted).toBe(false);
    for (let i = 0; i < 5; i++) e.add(sample(7000, 10, 10));
    expect(Number(e.theta!) / 1000).toBeCloseTo(7000, 3);
    expect(e.trusted).toBe(true);
  });
});

describe('summaries', () => {
  it('min/avg/p50/p99/max', () => {
    const s = summarize(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(s).toEqual({ min: 1, avg: 50.5, p50: 50, p99: 99, max: 100 });
  });
});
