// pingtrace over ICMPv6, UDP, TCP and TCP handshakes over both families, between namespaces made here:
// every probe's stages are >= 0 and sum to total, the server's stages are
// joined, and congestion on either side's egress lands in the right stage,
// as the ICMP tests check for IPv4.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKernelTests } from './helpers/kernel.js';
import { spawn, spawnSync } from 'node:child_process';
import { BIN, Hosts, sleep } from './helpers/pingtrace.js';

const STAGES = ['l_tx_kern', 'l_tx_qdisc', 'l_tx_outlink', 'r_rx_kern', 'r_tx_kern', 'l_rx_inlink', 'l_rx_softirq', 'l_rx_kern', 'l_rx_task_waking', 'l_rx_task_queue'];
interface Probe { seq: number; stages: Record<string, number>; server: boolean }
interface Summary { sent: number; received: number; loss: number; server: boolean }

describe.runIf(runKernelTests)('pingtrace protocols', () => {
  let h: Hosts;
  beforeAll(async () => {
    h = new Hosts(`lccp${process.pid % 100000}`);
    await h.startServer();
  });
  afterAll(async () => {
    await h?.down();
  });

  const run = async (target: string, args: string[], during?: () => Promise<void>): Promise<{ probes: Probe[]; summary: Summary }> => {
    const r = await h.client([target, '--json', ...args], during);
    expect(r.code, r.stderr).toBe(0);
    return { probes: r.lines.filter((l) => 'seq' in l) as unknown as Probe[], summary: (r.lines.find((l) => 'summary' in l) as { summary: Summary }).summary };
  };

  it('a second server on the same port says what is wrong, without a stack', () => {
    const r = spawnSync('ip', ['netns', 'exec', h.s, process.execPath, BIN, '--server', '-w', '1'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^pingtrace: cannot take UDP probes on port 7807 \(IPv4\): bind EADDRINUSE.*\n  hint: is another pingtrace server running\?/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('TCP without a server there: the kernel reason and what to do', async () => {
    const r = await h.client([h.sip, '--tcp', '--port', '7808', '-c', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^pingtrace: cannot open a TCP connection to \S+ port 7808: connect: .*ECONNREFUSED/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a server with client connections still open stops on SIGTERM, and says how many it reported', async () => {
    const sv = spawn('ip', ['netns', 'exec', h.s, process.execPath, BIN, '--server', '--port', '7809', '-w', '60'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    sv.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((r) => sv.on('exit', (code) => r(code)));
    // a connection that sends half a record and then just stays
    const holder = spawn('ip', ['netns', 'exec', h.c, 'python3', '-c', [
      'import socket, sys, time',
      'for _ in range(100):',
      '    try:',
      `        s = socket.create_connection(("${h.sip}", 7809)); break`,
      '    except OSError: time.sleep(0.1)',
      's.send(b"x" * 5); print("connected", flush=True); time.sleep(30)',
    ].join('\n')], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      await new Promise((r) => holder.stdout!.once('data', r));
      sv.kill('SIGTERM');
      const code = await Promise.race([exited, sleep(10_000).then(() => 'still running')]);
      expect(code, err).toBe(0);
      expect(err).toMatch(/pingtrace server: 0 probes reported/);
    } finally {
      holder.kill('SIGKILL');
      sv.kill('SIGKILL');
    }
  });

  const cases = [
    { name: 'ICMPv6', target: () => h.sip6, args: [] as string[] },
    { name: 'UDP', target: () => h.sip, args: ['--udp'] },
    { name: 'UDP over IPv6', target: () => h.sip6, args: ['--udp'] },
    // records on one established connection; the kernel side knows them by TCP sequence number
    { name: 'TCP', target: () => h.sip, args: ['--tcp'] },
    { name: 'TCP over IPv6', target: () => h.sip6, args: ['--tcp'] },
    // a new connection per probe: connect(2) to connected, the SYN out and the SYN-ACK back
    { name: 'TCP handshake', target: () => h.sip, args: ['--tcp-handshake'] },
    { name: 'TCP handshake over IPv6', target: () => h.sip6, args: ['--tcp-handshake'] },
  ];

  for (const c of cases) {
    describe(c.name, () => {
      // -i 0.02 keeps the client's programs attached; -i 0.25 attaches them around each probe
      for (const [count, interval] of [[30, '0.02'], [3, '0.25']] as const) it(`times every stage of every probe at -i ${interval}, with the server, and they add up to total`, async () => {
        const { probes, summary } = await run(c.target(), [...c.args, '-c', String(count), '-i', interval]);
        expect(summary.sent).toBe(count);
        expect(summary.loss).toBe(0);
        expect(summary.server).toBe(true);
        expect(probes).toHaveLength(count);
        for (const p of probes) {
          expect(p.server).toBe(true);
          expect(Object.keys(p.stages).sort()).toEqual([...STAGES, 'total'].sort());
          let sum = 0;
          for (const k of STAGES) {
            expect(p.stages[k], `${k} of seq ${p.seq}`).toBeGreaterThanOrEqual(0);
            sum += p.stages[k]!;
          }
          expect(Math.abs(sum - p.stages.total!)).toBeLessThan(0.05);
        }
      });

      // the receiving task kept off its CPU: the wait between its wake-up and its run (before
      // the congestion tests: a TCP connection that lost segments there recovers slowly)
      if (!c.name.includes('handshake')) {
        it('puts a busy higher-priority task on the receiving CPU into the receiving task\'s stages, mostly l_rx_task_waking', async () => {
          const mean = (ps: Probe[], k: string): number => ps.reduce((a, p) => a + (p.stages[k] ?? 0), 0) / (ps.length || 1);
          const { probes: base, busy } = await h.busyReceiver<Probe>([c.target(), ...c.args, '-i', '0.03'], 40);
          // the local stages only: both "hosts" share this machine's CPUs, and for UDP and TCP the
          // server's echo is a user-space task the spinner can hold off as well (r_rx_kern)
          const local = (ps: Probe[]): number => STAGES.filter((k) => k.startsWith('l_')).reduce((a, k) => a + mean(ps, k), 0);
          const added = local(busy) - local(base);
          const waking = mean(busy, 'l_rx_task_waking') - mean(base, 'l_rx_task_waking');
          const queue = mean(busy, 'l_rx_task_queue') - mean(base, 'l_rx_task_queue');
          const by = STAGES.filter((k) => k.startsWith('l_')).map((k) => `${k} ${(mean(busy, k) - mean(base, k)).toFixed(0)}`).join(', ');
          console.log(`${c.name}: added ${added.toFixed(0)} us (mean, local stages): ${by}`);
          expect(added).toBeGreaterThan(150);
          // the receiving task's scheduling: mostly held off its CPU after the wake-up; the rest
          // preempted after it ran, before its read returned (the spinner's 0.5 ms gaps can end
          // inside the client's event loop: one run in ~14 put a quarter of the delay there)
          expect((waking + queue) / added).toBeGreaterThan(0.8);
          expect(waking / added).toBeGreaterThan(0.5);
        }, 60_000);
      }

      // Congestion on one side's egress: the stages of that side's sending path take the added
      // delay. The qdisc's for datagrams; TCP also holds data in the socket while the device
      // queue is full (TCP small queues), before net_dev_queue: l_tx_kern, or r_rx_kern remotely.
      // A report that the server's congested queue made too late leaves that probe's remote
      // side as one remote_net stage: still the remote side.
      const tcp = c.args.includes('--tcp');
      for (const [side, stages] of [['client', tcp ? ['l_tx_kern', 'l_tx_qdisc'] : ['l_tx_qdisc']], ['server', tcp ? ['r_rx_kern', 'r_tx_kern', 'remote_net'] : ['r_tx_kern', 'remote_net']]] as const) {
        const stage = stages.join('+');
        it(`puts ${side} egress congestion into ${stage}`, async () => {
          const med = (ps: Probe[], keys: string[]): number => {
            const xs = ps.map((p) => keys.reduce((a, k) => a + (p.stages[k] ?? 0), 0)).sort((a, b) => a - b);
            return xs[Math.floor(xs.length / 2)]!;
          };
          const live = await h.start([c.target(), ...c.args, '--json', '-c', '100000', '-i', '0.05']);
          let base: Probe[] = [];
          let congested: Probe[] = [];
          try {
            await live.probesAtLeast(10);
            base = live.probes<Probe>().slice(0, 10);
            congested = (await h.congest(side, async () => {
              // the probes sent once the queue is there (two may have been out already)
              const from = live.probes().length + 2;
              await live.probesAtLeast(from + 10);
              return live.probes<Probe>().slice(from, from + 10);
            })).result;
          } finally {
            await live.stop();
          }
          // the median probe's total, and its stages on that path (summed per probe)
          const added = med(congested, ['total']) - med(base, ['total']);
          const took = med(congested, [...stages]) - med(base, [...stages]);
          console.log(`${c.name}: added ${added.toFixed(0)} us, of which ${stage} ${took.toFixed(0)} us`);
          expect(added).toBeGreaterThan(1000);
          expect(took / added).toBeGreaterThan(0.8);
        }, 40_000);
      }

    });
  }
});
