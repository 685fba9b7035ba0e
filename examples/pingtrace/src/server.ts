// pingtrace --server: the kernel answers the echo requests; we time the
// request's way in and the reply's way out, and send those times back to the
// client over UDP, to the port its probe names.
import * as dgram from 'node:dgram';
import { startTracing, ipString, PtHook, PtRole, type PtEvent, type Report } from './probe.js';

const REPORT_RESEND_MS = [80];
const DRAIN_MS = 100;

export interface ServerOptions {
  /** stop after this many seconds (0: until SIGINT/SIGTERM) */
  seconds?: number;
  log?: (line: string) => void;
}

export async function runServer(opts: ServerOptions = {}): Promise<void> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const { skel, stageSet } = startTracing(PtRole.PT_SERVER, { session: 0, tgid: process.pid });
  const udp = dgram.createSocket('udp4');
  const open = new Map<string, Report & { at: number }>();
  let reported = 0;

  const rb = skel.onEvents((e: PtEvent) => {
    // requests come from the client, replies go to it
    const client = e.icmp_type === 8 ? e.saddr : e.daddr;
    const key = `${client}/${e.session}/${e.seq}`;
    let r = open.get(key);
    if (!r) {
      // this host's address the probe was sent to (the source of its reply)
      r = { session: e.session, seq: e.seq, target: ipString(e.icmp_type === 8 ? e.daddr : e.saddr), at: Date.now() };
      open.set(key, r);
    }
    const ts = e.ts.toString();
    if (e.hook === PtHook.PT_RX_ARRIVE && e.icmp_type === 8) r.rxArrive ??= ts;
    else if (e.hook === PtHook.PT_RX_PROTO && e.icmp_type === 8) r.rxProto ??= ts;
    else if (e.hook === PtHook.PT_DEV_QUEUE && e.icmp_type === 0) r.txQueue ??= ts;
    else if (e.hook === PtHook.PT_START_XMIT && e.icmp_type === 0) {
      r.startXmit ??= ts;
      const port = ((e.report_port & 0xff) << 8) | (e.report_port >> 8);
      const { at: _at, ...report } = r;
      const msg = JSON.stringify(report);
      const to = ipString(client);
      // the report crosses the same congested links as the reply: send it again
      // a little later, so one drop does not lose the probe's remote stages
      udp.send(msg, port, to);
      for (const ms of REPORT_RESEND_MS) setTimeout(() => udp.send(msg, port, to), ms).unref();
      open.delete(key);
      reported++;
    }
  });
  // Events are written without wake-ups (an irq_work in every packet's path):
  // collect them every few ms instead; reports leave at most that much later.
  const drain = setInterval(() => rb.poll(), DRAIN_MS);
  // requests whose reply never left (dropped, filtered): forget them after a while
  const sweep = setInterval(() => {
    const old = Date.now() - 10_000;
    for (const [k, r] of open) if (r.at < old) open.delete(k);
  }, 5_000);
  log(`pingtrace server: tracing with ${stageSet.name}${stageSet.note ? ` (${stageSet.note})` : ''}; reporting to each client`);

  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (opts.seconds) setTimeout(stop, opts.seconds * 1000).unref();
  });
  clearInterval(sweep);
  clearInterval(drain);
  udp.close();
  skel.destroy();
  log(`pingtrace server: ${reported} probes reported`);
}
