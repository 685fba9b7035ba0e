// pingtrace --server: the kernel answers ICMP echo requests and we echo UDP
// and TCP probes on --port; we time each request's way in and its reply's
// way out, and send those times back to the client over UDP, to the port
// its probe names. Both address families.
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { LbcError } from '@lcc-ebpf/lbc';
import { startTracing, onRecords, connKey, eventAddress, DEFAULT_PORT, HELLO, MAGIC, PtHook, PtRole, REPLY, REQUEST, TAG_SIZE, type PtEvent, type Report } from './probe.js';

const REPORT_RESEND_MS = [80];
const DRAIN_MS = 100;
/** drain ticks with nothing in flight before the drain timer stops */
const IDLE_TICKS = 20;
/** forget unanswered requests every this many ticks */
const SWEEP_TICKS = 50;

export interface ServerOptions {
  /** stop after this many seconds (0: until SIGINT/SIGTERM) */
  seconds?: number;
  /** UDP and TCP probes' port */
  port?: number;
  log?: (line: string) => void;
}

/** A UDP probe's echo: the same bytes, marked as a reply. */
function echo(msg: Buffer): Buffer | null {
  if (msg.length < TAG_SIZE || !msg.subarray(0, 4).equals(MAGIC) || msg[12] !== REQUEST) return null;
  const out = Buffer.from(msg);
  out[12] = REPLY;
  return out;
}

export async function runServer(opts: ServerOptions = {}): Promise<void> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const port = opts.port ?? DEFAULT_PORT;
  const { skel, stageSet } = startTracing(PtRole.PT_SERVER, { session: 0, tgid: process.pid, tcpPort: port });
  // TCP probe connections by the client's end: what each record index carried
  interface ConnRecord { session: number; seq: number; reportPort: number }
  const conns = new Map<string, { records: Map<number, ConnRecord>; next: number; socket: net.Socket }>();
  // handshake probes: the hello that names each (by connection), and the SYN-ACKs still waiting for one
  const hellos = new Map<string, ConnRecord & { at: number }>();
  const reporters = { 4: dgram.createSocket('udp4'), 6: dgram.createSocket('udp6') };
  const open = new Map<string, Report & { at: number }>();
  let reported = 0;

  // UDP and TCP probes are echoed from user space (the kernel answers ICMP itself)
  const udp = { 4: dgram.createSocket('udp4'), 6: dgram.createSocket({ type: 'udp6', ipv6Only: true }) };
  for (const [family, sock] of Object.entries(udp)) {
    sock.on('message', (msg, rinfo) => {
      const out = echo(msg);
      if (out) sock.send(out, rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve, reject) => {
      sock.once('error', (e) => reject(new LbcError(`cannot take UDP probes on port ${port} (IPv${family}): ${e.message}`, { hint: 'is another pingtrace server running? choose another --port (and give clients the same)' })));
      sock.bind(port, family === '6' ? '::' : '0.0.0.0', () => resolve());
    });
  }
  const tcp = net.createServer((conn) => {
    conn.setNoDelay(true);
    const address = (conn.remoteAddress ?? '').replace(/^::ffff:(?=\d+\.)/, ''); // IPv4 on a dual-stack socket
    const key = `${address}/${conn.remotePort}`;
    const state = { records: new Map<number, ConnRecord>(), next: 0, socket: conn };
    conns.set(key, state);
    let pending: Buffer = Buffer.alloc(0);
    conn.on('data', (d: Buffer) => {
      // records of TAG_SIZE bytes, however the stream cuts them
      pending = pending.length ? Buffer.concat([pending, d]) : d;
      const whole = pending.length - (pending.length % TAG_SIZE);
      if (!whole) return;
      const out = Buffer.from(pending.subarray(0, whole));
      for (let o = 0; o < whole; o += TAG_SIZE) {
        const k = state.next++ & 0xffff;
        if (!out.subarray(o, o + 4).equals(MAGIC)) continue;
        if (out[o + 12] === HELLO && out[o + 13] === 1) {
          hellos.set(key, { session: out.readUInt32LE(o + 4), seq: out.readUInt16BE(o + 10), reportPort: out.readUInt16BE(o + 8), at: Date.now() });
          reportHandshake(key);
        } else if (out[o + 12] === REQUEST) {
          out[o + 12] = REPLY;
          state.records.set(k, { session: out.readUInt32LE(o + 4), seq: out.readUInt16BE(o + 10), reportPort: out.readUInt16BE(o + 8) });
          if (state.records.size > 4096) state.records.delete(state.records.keys().next().value!);
        }
      }
      conn.write(out);
      pending = pending.subarray(whole);
    });
    conn.on('close', () => {
      conns.delete(key);
      skel.maps.tcp_conns.delete(connKey(address, conn.remotePort ?? 0));
    });
    conn.on('error', () => conn.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', (e) => reject(new LbcError(`cannot take TCP probes on port ${port}: ${e.message}`, { hint: 'is another pingtrace server running? choose another --port (and give clients the same)' })));
    tcp.listen(port, '::', () => resolve()); // dual-stack: IPv4 clients arrive as ::ffff:a.b.c.d
  });

  const send = (r: Report & { at: number }, family: number, client: string, reportPort: number): void => {
    const { at: _at, ...report } = r;
    const msg = JSON.stringify(report);
    const sock = reporters[family === 6 ? 6 : 4];
    // the report crosses the same congested links as the reply: send it again
    // a little later, so one drop does not lose the probe's remote stages
    sock.send(msg, reportPort, client);
    for (const ms of REPORT_RESEND_MS) setTimeout(() => sock.send(msg, reportPort, client), ms).unref();
    reported++;
  };
  // a handshake's times are complete at its SYN-ACK, its name at the hello: report at the later
  const reportHandshake = (conn: string): void => {
    const r = open.get(`syn/${conn}`);
    const hello = hellos.get(conn);
    if (!r?.startXmit || !hello) return;
    open.delete(`syn/${conn}`);
    hellos.delete(conn);
    const client = conn.slice(0, conn.lastIndexOf('/'));
    send({ ...r, session: hello.session, seq: hello.seq }, client.includes(':') ? 6 : 4, client, hello.reportPort);
  };

  // the drain timer (see tick below), running while probes are in flight
  let drain: NodeJS.Timeout | null = null;
  let idleTicks = 0;
  function awake(): void {
    if (drain) return;
    idleTicks = 0;
    drain = setInterval(tick, DRAIN_MS);
  }
  const rb = onRecords(skel, (e: PtEvent) => {
    awake();
    // requests come from the client, replies go to it
    const client = eventAddress(e.icmp_type === REQUEST ? e.saddr : e.daddr, e.family);
    // TCP segments come as (connection, record index), handshakes as their connection;
    // the records (and the hello) say whose probe each was
    const handshake = (e.flags & 1) !== 0;
    const key = handshake ? `syn/${client}/${e.port}` : e.proto === 6 ? `${client}/tcp/${e.port}/${e.seq}` : `${client}/${e.proto}/${e.session}/${e.seq}`;
    let r = open.get(key);
    if (!r) {
      // this host's address the probe was sent to (the source of its reply)
      r = { session: e.session, seq: e.seq, target: eventAddress(e.icmp_type === REQUEST ? e.daddr : e.saddr, e.family), at: Date.now() };
      open.set(key, r);
    }
    const ts = e.ts.toString();
    if (e.hook === PtHook.PT_RX_ARRIVE && e.icmp_type === REQUEST) r.rxArrive ??= ts;
    else if (e.hook === PtHook.PT_RX_PROTO && e.icmp_type === REQUEST) r.rxProto ??= ts;
    else if (e.hook === PtHook.PT_DEV_QUEUE && e.icmp_type === REPLY) r.txQueue ??= ts;
    else if (e.hook === PtHook.PT_START_XMIT && e.icmp_type === REPLY) {
      r.startXmit ??= ts;
      if (handshake) {
        reportHandshake(`${client}/${e.port}`);
        return;
      }
      let reportPort = ((e.report_port & 0xff) << 8) | (e.report_port >> 8);
      if (e.proto === 6) {
        const rec = conns.get(`${client}/${e.port}`)?.records.get(e.seq);
        open.delete(key);
        if (!rec) return; // not a probe record (the hello), or its connection is gone
        conns.get(`${client}/${e.port}`)!.records.delete(e.seq);
        [r.session, r.seq, reportPort] = [rec.session, rec.seq, rec.reportPort];
      }
      open.delete(key);
      send(r, e.family, client, reportPort);
    }
  });
  // Events are written without wake-ups (an irq_work in every packet's path):
  // collect them every few ms instead; reports leave at most that much later.
  // With nothing in flight for a while the timer stops and the kernel side
  // wakes the ring's reader for the next event (consumer_asleep): an idle
  // agent wakes for nothing.
  let ticks = 0;
  const tick = (): void => {
    const before = rb.received;
    rb.poll();
    // requests whose reply never left (dropped, filtered): forget them after a while
    if (++ticks % SWEEP_TICKS === 0) {
      const old = Date.now() - 10_000;
      for (const [k, r] of open) if (r.at < old) open.delete(k);
      for (const [k, h] of hellos) if (h.at < old) hellos.delete(k);
    }
    idleTicks = rb.received === before && open.size === 0 && hellos.size === 0 ? idleTicks + 1 : 0;
    if (idleTicks < IDLE_TICKS) return;
    clearInterval(drain!);
    drain = null;
    skel.bss.consumer_asleep = 1;
    rb.poll(); // what came before the kernel side saw the flag (written without a wake-up)
  };
  awake();
  log(`pingtrace server: tracing with ${stageSet.name}${stageSet.note ? ` (${stageSet.note})` : ''}; UDP and TCP probes on port ${port}; reporting to each client`);

  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (opts.seconds) setTimeout(stop, opts.seconds * 1000).unref();
  });
  if (drain) clearInterval(drain);
  for (const s of [...Object.values(reporters), ...Object.values(udp)]) s.close();
  // a client's connection keeps the process alive, and its close handler
  // touches the skeleton's maps: end them all, and destroy the skeleton after
  // their handlers ran (listeners run in order: this one is the last)
  tcp.close();
  await Promise.all([...conns.values()].map(({ socket }) => new Promise((resolve) => socket.once('close', resolve).destroy())));
  skel.destroy();
  log(`pingtrace server: ${reported} probes reported`);
}
