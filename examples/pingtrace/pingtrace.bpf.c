// pingtrace: a timestamp at every stage a tagged ICMP probe passes, on the
// client (its request out, the reply in, the task wake-up) and on the server
// (the request in, the reply out). Tracepoints only, so it runs where
// kprobes do not; the kprobe programs add finer stages where they attach.
#include "lbc.h"
#include "pingtrace.h"

/* a #define in the kernel's uapi headers, so not in vmlinux.h's enums */
#ifndef IPPROTO_ICMPV6
#define IPPROTO_ICMPV6 58
#endif

/* ~4,500 records of 456 bytes (with room for a stack): the client drains at
 * every reply, the server every few milliseconds */
LBC_RINGBUF(events, 1 << 21);

/* one per CPU: the probe whose reply this CPU's softirq is delivering now */
struct pending_rx {
	__u64 ts;
	__u32 session;
	__u16 seq;
	__u16 valid;
	/* TCP: seq is a record index on the connection with this client port */
	__u16 port;
	__u8 proto;
	__u8 _pad[5];
};
LBC_PERCPU_ARRAY(pending, __u32, struct pending_rx, 1);
/* tasks woken for a probe, until they run */
LBC_HASH(waking, __u32, struct pending_rx, 256);
/* client threads that wait for or read the probe socket: tid -> user buffer of their recvfrom */
LBC_HASH(receivers, __u32, __u64, 64);
/* woken receivers now on CPU, until they are back in user space */
LBC_HASH(running, __u32, struct pending_rx, 64);
/* threads inside sendto(2) with a probe */
LBC_HASH(sending, __u32, struct pending_rx, 64);
/* A reply delivered while its reader was runnable but off CPU (preempted):
 * no wake-up follows, and the next switch to a reader ends its wait. */
LBC_ARRAY(unclaimed, __u32, struct pending_rx, 1);

const volatile __u32 role = PT_CLIENT;
const volatile __u32 netns_ino = 0;   /* only this network namespace's packets */
const volatile __u32 session = 0;     /* client: its own probes only; server: 0 = any */
const volatile __u32 target_tgid = 0; /* client: the process that receives replies */
/* Both ends write without wake-ups (BPF_RB_NO_WAKEUP): a wake-up is an irq_work
 * (~2 us) charged to the packet's path, and on the client it would wake the
 * very threads whose scheduling it times. The client drains when its reply is
 * in; the server every few milliseconds. */
const volatile __u64 rb_flags = 0;
/* The server's consumer sleeps (no drain timer) while no probe is in flight:
 * the first event after it set this wakes it, once, and clears it. */
__u32 consumer_asleep = 0;
/* spike hunting: a kernel stack with every event (a stack walk costs ~1 us) */
const volatile __u32 want_stacks = 0;
__u64 waking_count = 0;

LBC_PERCPU_ARRAY(softirq_time, __u32, struct pt_softirq, 1);

/* ICMP and ICMPv6 echo: their header, then the tag's magic, session and port */
struct icmp_probe {
	__u8 type;
	__u8 code;
	__u16 csum;
	__u16 id;
	__u16 seq;
	__u32 magic;
	__u32 session;
	__u16 report_port;
};

LBC_LRU_HASH(tcp_conns, struct pt_conn_key, struct pt_conn, 4096);
/* server: the port where it takes TCP probes */
const volatile __u16 tcp_port = 0;

/* The client's own protocol, for reading its user buffers (sendto/recvfrom) */
const volatile __u8 probe_proto = IPPROTO_ICMP;
const volatile __u8 probe_family = 4;

/* How many bytes of an ICMP or UDP transport header hold a probe's tag: the
 * ICMP header and the tag after it, or the UDP header and the tag after it. */
#define PT_L4_HEAD 24

/* The tag in `l4` (a copy of the transport header's first PT_L4_HEAD bytes) into e; 0 if it is one of ours. */
static __always_inline int parse_l4(const unsigned char *l4, __u8 proto, struct pt_event *e)
{
	if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6) {
		const struct icmp_probe *ph = (const void *)l4;

		if (ph->magic != PT_MAGIC)
			return -1;
		if (ph->type == 8 || ph->type == 128)
			e->icmp_type = PT_REQUEST;
		else if (ph->type == 0 || ph->type == 129)
			e->icmp_type = PT_REPLY;
		else
			return -1;
		e->seq = bpf_ntohs(ph->seq);
		e->session = ph->session;
		e->report_port = ph->report_port;
		return 0;
	}
	if (proto == IPPROTO_UDP) {
		const struct pt_tag *tag = (const void *)(l4 + 8);

		if (tag->magic != PT_MAGIC)
			return -1;
		if (tag->type != PT_REQUEST && tag->type != PT_REPLY)
			return -1;
		e->icmp_type = tag->type;
		e->seq = bpf_ntohs(tag->seq);
		e->session = tag->session;
		e->report_port = tag->report_port;
		return 0;
	}
	return -1;
}

/* tcp_conns' key for this segment: the client's end of the connection. The
 * client itself registers only ports (a handshake probe's source address is
 * not chosen until connect), so on its side the address stays zero. */
static __always_inline void conn_key(struct pt_conn_key *key, struct pt_event *e, bool c2s, struct tcphdr *th)
{
	if (role == PT_SERVER)
		__builtin_memcpy(key->addr, c2s ? e->saddr : e->daddr, 16);
	key->port = bpf_ntohs(c2s ? th->source : th->dest);
}

/* A handshake probe's SYN (client to server) or SYN-ACK (back). The client
 * registered its end with the probe's seq before connecting; the server
 * learns the connection here and the probe's seq and session from its hello. */
static __always_inline int parse_syn(struct tcphdr *th, bool tx, struct pt_event *e)
{
	struct pt_conn_key key = {};
	struct pt_conn *conn;
	bool c2s = !th->ack;

	if (c2s != ((role == PT_CLIENT) == tx))
		return -1;
	conn_key(&key, e, c2s, th);
	if (role == PT_SERVER) {
		struct pt_conn fresh = { .handshake = 1 };

		if (bpf_ntohs(c2s ? th->dest : th->source) != tcp_port)
			return -1;
		if (c2s)
			bpf_map_update_elem(&tcp_conns, &key, &fresh, BPF_ANY); /* a new connection on a reused port */
		e->seq = 0;
		e->port = key.port;
	} else {
		conn = bpf_map_lookup_elem(&tcp_conns, &key);
		if (!conn || !conn->handshake)
			return -1;
		e->seq = conn->hs_seq;
		e->session = conn->session;
		e->port = 0; /* seq is the probe's own */
	}
	e->icmp_type = c2s ? PT_REQUEST : PT_REPLY;
	e->flags = PT_F_HANDSHAKE;
	return 0;
}

/* A data segment of a probe connection: which record it starts, and which way. */
static __always_inline int parse_tcp(unsigned char *l4, __u32 l4len, bool tx, struct pt_event *e, __u16 *records)
{
	struct tcphdr th;
	struct pt_conn_key key = {};
	struct pt_conn *conn;
	__u32 hlen, seq, *base;
	__u8 *have;
	bool c2s;

	if (bpf_probe_read_kernel(&th, sizeof(th), l4))
		return -1;
	hlen = th.doff * 4;
	if (hlen < 20 || th.rst)
		return -1;
	if (th.syn)
		return parse_syn(&th, tx, e);
	if (l4len <= hlen)
		return -1; /* a bare ACK carries no record */
	c2s = (role == PT_CLIENT) == tx;
	conn_key(&key, e, c2s, &th);
	if (role == PT_SERVER && bpf_ntohs(c2s ? th.dest : th.source) != tcp_port)
		return -1;
	conn = bpf_map_lookup_elem(&tcp_conns, &key);
	if (!conn) {
		/* the client registers its connections; the server learns them from the first record in */
		struct pt_conn fresh = {};

		if (role == PT_CLIENT || !c2s)
			return -1;
		bpf_map_update_elem(&tcp_conns, &key, &fresh, BPF_NOEXIST);
		conn = bpf_map_lookup_elem(&tcp_conns, &key);
		if (!conn)
			return -1;
	}
	seq = bpf_ntohl(th.seq);
	base = c2s ? &conn->base_c2s : &conn->base_s2c;
	have = c2s ? &conn->have_c2s : &conn->have_s2c;
	if (!*have) {
		*base = seq;
		*have = 1;
	}
	/* records are whole: a segment that starts mid-record is a retransmission's tail */
	if ((seq - *base) % PT_TAG_SIZE)
		return -1;
	e->seq = (seq - *base) / PT_TAG_SIZE;
	/* a segment may carry several records (TCP coalesces what waited in the socket) */
	*records = (l4len - hlen) / PT_TAG_SIZE;
	e->session = conn->session;
	e->icmp_type = c2s ? PT_REQUEST : PT_REPLY;
	e->port = key.port;
	return 0;
}

/* The probe in this packet, if it is one; `records`: how many (a TCP segment may hold several).
 * `btf`: skb came from a tp_btf argument (a pointer the verifier knows), not a kprobe. */
static __always_inline int parse(struct sk_buff *skb, bool btf, bool tx, struct pt_event *e, __u16 *records)
{
	unsigned char *l3, *l4;
	__u8 version, proto;
	__u32 l4len;

	struct net_device *dev;

	/* tp_btf hands us the kernel's own pointer, read with plain loads instead
	 * of a helper call each (every packet in the namespace comes this way); a
	 * kprobe's argument is a number that must be read through the helper */
	if (btf) {
		dev = skb->dev;
		if (dev->nd_net.net->ns.inum != netns_ino)
			return -1;
		l3 = tx ? skb->head + skb->network_header : skb->data;
	} else {
		dev = BPF_CORE_READ(skb, dev);
		if (BPF_CORE_READ(dev, nd_net.net, ns.inum) != netns_ino)
			return -1;
		l3 = tx ? BPF_CORE_READ(skb, head) + BPF_CORE_READ(skb, network_header) : BPF_CORE_READ(skb, data);
	}
	/* One read for the IP header and the transport header's first bytes,
	 * where an ICMP or UDP probe's tag is: every packet in the namespace
	 * comes this far, and a helper call costs more than the bytes. (Past the
	 * end of a short packet it reads the skb's own buffer, never used.) */
	union {
		__u8 version;
		struct {
			struct iphdr ip;
			unsigned char l4[PT_L4_HEAD];
		} v4;
		struct {
			struct ipv6hdr ip;
			unsigned char l4[PT_L4_HEAD];
		} v6;
	} h;
	unsigned char options[PT_L4_HEAD];
	const unsigned char *head;

	if (bpf_probe_read_kernel(&h, sizeof(h), l3))
		return -1;
	version = h.version >> 4;
	if (version == 4) {
		proto = h.v4.ip.protocol;
		l4 = l3 + h.v4.ip.ihl * 4;
		l4len = bpf_ntohs(h.v4.ip.tot_len) - h.v4.ip.ihl * 4;
		__builtin_memcpy(e->saddr, &h.v4.ip.saddr, 4);
		__builtin_memcpy(e->daddr, &h.v4.ip.daddr, 4);
		head = h.v4.l4;
		/* IP options (the probes carry none) move the transport header */
		if (h.v4.ip.ihl != 5) {
			if (bpf_probe_read_kernel(options, sizeof(options), l4))
				return -1;
			head = options;
		}
	} else if (version == 6) {
		/* no extension headers: the probes carry none */
		proto = h.v6.ip.nexthdr;
		l4 = l3 + sizeof(h.v6.ip);
		l4len = bpf_ntohs(h.v6.ip.payload_len);
		__builtin_memcpy(e->saddr, &h.v6.ip.saddr, 16);
		__builtin_memcpy(e->daddr, &h.v6.ip.daddr, 16);
		head = h.v6.l4;
	} else {
		return -1;
	}
	if (proto == IPPROTO_TCP) {
		if (parse_tcp(l4, l4len, tx, e, records))
			return -1;
	} else if (parse_l4(head, proto, e)) {
		return -1;
	}
	/* the client follows its requests out and replies in; the server the reverse */
	if ((role == PT_CLIENT) != ((e->icmp_type == PT_REQUEST) == tx))
		return -1;
	if (session && e->session != session)
		return -1;
	e->family = version;
	e->proto = proto;
	e->ifindex = btf ? dev->ifindex : BPF_CORE_READ(dev, ifindex);
	return 0;
}

/* Stamp and write an event: now, on this CPU, at this hook. */
static __always_inline void emit(void *ctx, struct pt_event *e, __u8 hook)
{
	struct pt_record *r;
	long n = 0;

	e->ts = bpf_ktime_get_ns();
	e->hook = hook;
	e->cpu = bpf_get_smp_processor_id();
	r = lbc_ringbuf_reserve(events, sizeof(*r));
	if (!r)
		return;
	r->e = *e;
	if (want_stacks)
		n = bpf_get_stack(ctx, r->stack, sizeof(r->stack), 0);
	r->frames = n > 0 ? n / sizeof(__u64) : 0;
	if (consumer_asleep && __sync_lock_test_and_set(&consumer_asleep, 0)) {
		bpf_ringbuf_submit(r, BPF_RB_FORCE_WAKEUP);
		return;
	}
	bpf_ringbuf_submit(r, rb_flags);
}

/* An event for a probe we already follow (its seq and session kept in a map). */
static __always_inline void emit_for(void *ctx, const struct pending_rx *p, __u32 tid, __u8 icmp_type, __u8 hook)
{
	struct pt_event e = {};

	e.seq = p->seq;
	e.port = p->port;
	e.proto = p->proto;
	e.session = p->session;
	e.tid = tid;
	e.icmp_type = icmp_type;
	emit(ctx, &e, hook);
}

/* Client: how many of its probes are out, set by user space around each (a
 * .bss write, no syscall). Its packet, scheduler and softirq programs are
 * attached only while one is out (probe.ts's ProbeGate), unless probes come
 * too fast to attach around each: then, between probes, they return at once
 * (a neighbour's packet costs them one read instead of a parse). */
__u32 armed = 0;
/* CLOCK_MONOTONIC ns when `armed` last went from 0 to 1 */
__u64 armed_since = 0;
/* packets the client's programs looked at (armed): the rest were waved through */
__u64 armed_packets = 0;
/* calls into the client's packet programs: only while they are attached,
 * around its probes (probe.ts's ProbeGate) */
__u64 packet_calls = 0;

static __always_inline void stamp(void *ctx, struct sk_buff *skb, bool btf, bool tx, __u8 hook)
{
	struct pt_event e = {};

	__u16 records = 1;

	if (role == PT_CLIENT) {
		__sync_fetch_and_add(&packet_calls, 1);
		if (!armed)
			return;
		__sync_fetch_and_add(&armed_packets, 1);
	}

	if (parse(skb, btf, tx, &e, &records))
		return;
	emit(ctx, &e, hook);
	/* every other record of a TCP segment: the same moment, the next index */
	for (int i = 1; i < 8 && i < records; i++) {
		e.seq++;
		emit(ctx, &e, hook);
	}
	if (hook == PT_RX_PROTO && role == PT_CLIENT) {
		/* the wake-up that follows on this CPU belongs to this probe */
		__u32 zero = 0;
		struct pending_rx *p = bpf_map_lookup_elem(&pending, &zero);

		if (p) {
			p->ts = e.ts;
			p->session = e.session;
			p->seq = e.seq;
			p->port = e.port;
			p->proto = e.proto;
			p->valid = 1;
		}
		p = bpf_map_lookup_elem(&unclaimed, &zero);
		if (p) {
			*p = (struct pending_rx){ .ts = e.ts, .session = e.session, .seq = e.seq, .valid = 1, .port = e.port, .proto = e.proto };
			__sync_fetch_and_add(&waking_count, 1);
		}
	}
}

SEC("tp_btf/net_dev_queue")
int BPF_PROG(tp_dev_queue, struct sk_buff *skb)
{
	stamp(ctx, skb, true, true, PT_DEV_QUEUE);
	return 0;
}

SEC("tp_btf/net_dev_start_xmit")
int BPF_PROG(tp_start_xmit, struct sk_buff *skb)
{
	stamp(ctx, skb, true, true, PT_START_XMIT);
	return 0;
}

SEC("tp_btf/netif_rx")
int BPF_PROG(tp_netif_rx, struct sk_buff *skb)
{
	stamp(ctx, skb, true, false, PT_RX_ARRIVE);
	return 0;
}

SEC("tp_btf/napi_gro_receive_entry")
int BPF_PROG(tp_gro_entry, struct sk_buff *skb)
{
	stamp(ctx, skb, true, false, PT_RX_ARRIVE);
	return 0;
}

SEC("tp_btf/netif_receive_skb")
int BPF_PROG(tp_receive_skb, struct sk_buff *skb)
{
	stamp(ctx, skb, true, false, PT_RX_PROTO);
	return 0;
}

/* A wake-up (or a switch) took care of the delivered reply: nothing is left unclaimed. */
static __always_inline void disclaim(void)
{
	__u32 zero = 0;
	struct pending_rx *u = bpf_map_lookup_elem(&unclaimed, &zero);

	if (u && u->valid) {
		u->valid = 0;
		__sync_fetch_and_sub(&waking_count, 1);
	}
}

/* Every wake-up on the machine, in the waker's context (sched_wakeup may fire on the
 * target CPU instead): one per-CPU array read when no probe is pending. */
SEC("raw_tp/sched_waking")
int rtp_wakeup(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *p = (struct task_struct *)ctx->args[0];
	struct pending_rx *pend;
	__u32 zero = 0, tid;

	pend = bpf_map_lookup_elem(&pending, &zero);
	if (!pend || !pend->valid)
		return 0;
	/* the socket's wake-up follows the packet within its softirq: anything later is not ours */
	if (bpf_ktime_get_ns() - pend->ts > 200000) {
		pend->valid = 0;
		return 0;
	}
	/* only the thread that reads the probe socket: not the ring buffer's consumer, not a timer */
	tid = BPF_CORE_READ(p, pid);
	if (!bpf_map_lookup_elem(&receivers, &tid))
		return 0;
	pend->valid = 0;
	disclaim();
	emit_for(ctx, pend, tid, 0, PT_WAKEUP);
	bpf_map_update_elem(&waking, &tid, pend, BPF_ANY);
	__sync_fetch_and_add(&waking_count, 1);
	return 0;
}

/* Called for every context switch: one global read when no probe is waking. */
SEC("raw_tp/sched_switch")
int rtp_switch(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *next = (struct task_struct *)ctx->args[2];
	struct pending_rx *w;
	__u32 tid;

	if (!waking_count)
		return 0;
	tid = BPF_CORE_READ(next, pid);
	w = bpf_map_lookup_elem(&waking, &tid);
	if (!w) {
		/* a reader that was preempted when its reply came: on CPU again now */
		__u32 zero = 0;
		struct pending_rx *u = bpf_map_lookup_elem(&unclaimed, &zero);

		if (!u || !u->valid || BPF_CORE_READ(next, tgid) != target_tgid || !bpf_map_lookup_elem(&receivers, &tid))
			return 0;
		emit_for(ctx, u, tid, 0, PT_ONCPU);
		bpf_map_update_elem(&running, &tid, u, BPF_ANY);
		disclaim();
		return 0;
	}
	emit_for(ctx, w, tid, 0, PT_ONCPU);
	bpf_map_update_elem(&running, &tid, w, BPF_ANY);
	bpf_map_delete_elem(&waking, &tid);
	__sync_fetch_and_sub(&waking_count, 1);
	return 0;
}

/* The user-space ends, timed where the kernel sees them (as ping's C would be):
 * the probe entering sendto(2), and the reply leaving recvfrom(2). */
static __always_inline bool own_probe(const void *buf, __u8 type, struct pt_event *e)
{
	if (probe_proto == IPPROTO_ICMP || probe_proto == IPPROTO_ICMPV6) {
		struct icmp_probe ph;
		__u8 want = type == PT_REQUEST ? (probe_family == 6 ? 128 : 8) : (probe_family == 6 ? 129 : 0);

		if (bpf_probe_read_user(&ph, sizeof(ph), buf) || ph.magic != PT_MAGIC || ph.type != want || ph.session != session)
			return false;
		e->seq = bpf_ntohs(ph.seq);
		e->session = ph.session;
	} else {
		struct pt_tag tag;

		if (bpf_probe_read_user(&tag, sizeof(tag), buf) || tag.magic != PT_MAGIC || tag.type != type || tag.session != session)
			return false;
		e->seq = bpf_ntohs(tag.seq);
		e->session = tag.session;
	}
	e->icmp_type = type;
	e->family = probe_family;
	e->proto = probe_proto;
	return true;
}

SEC("tracepoint/syscalls/sys_enter_sendto")
int tp_sendto(struct trace_event_raw_sys_enter *ctx)
{
	struct pt_event e = {};

	if ((bpf_get_current_pid_tgid() >> 32) != target_tgid || !own_probe((void *)ctx->args[1], PT_REQUEST, &e))
		return 0;
	e.tid = (__u32)bpf_get_current_pid_tgid();
	emit(ctx, &e, PT_USER_SEND);
	struct pending_rx s = { .ts = e.ts, .session = e.session, .seq = e.seq, .valid = 1 };
	bpf_map_update_elem(&sending, &e.tid, &s, BPF_ANY);
	return 0;
}

/* sendto(2) or connect(2) returning to a thread that sent a probe */
static __always_inline int send_returned(void *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct pending_rx *s;

	if ((id >> 32) != target_tgid)
		return 0;
	s = bpf_map_lookup_elem(&sending, &tid);
	if (!s)
		return 0;
	emit_for(ctx, s, tid, PT_REQUEST, PT_SEND_RETURN);
	bpf_map_delete_elem(&sending, &tid);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_sendto")
int tp_sendto_exit(struct trace_event_raw_sys_exit *ctx) { return send_returned(ctx); }

/* TCP handshake probes: connect(2) is the user's send; user space names the
 * probe in .bss just before the call (a connect's arguments do not carry it). */
__u32 connecting_seq = 0;
__u32 connecting = 0;

SEC("tracepoint/syscalls/sys_enter_connect")
int tp_connect(struct trace_event_raw_sys_enter *ctx)
{
	struct pt_event e = {};

	if ((bpf_get_current_pid_tgid() >> 32) != target_tgid || !connecting)
		return 0;
	e.tid = (__u32)bpf_get_current_pid_tgid();
	e.seq = connecting_seq;
	e.session = session;
	e.icmp_type = PT_REQUEST;
	e.proto = IPPROTO_TCP;
	e.flags = PT_F_HANDSHAKE;
	emit(ctx, &e, PT_USER_SEND);
	struct pending_rx s = { .ts = e.ts, .session = e.session, .seq = e.seq, .valid = 1 };
	bpf_map_update_elem(&sending, &e.tid, &s, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_connect")
int tp_connect_exit(struct trace_event_raw_sys_exit *ctx) { return send_returned(ctx); }

SEC("tracepoint/syscalls/sys_enter_recvfrom")
int tp_recv_enter(struct trace_event_raw_sys_enter *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	__u64 buf = ctx->args[1];

	if ((id >> 32) == target_tgid)
		bpf_map_update_elem(&receivers, &tid, &buf, BPF_ANY);
	return 0;
}

/* the runtime's poller thread sleeps in epoll_wait for the socket */
static __always_inline void waiter(void)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	__u64 none = 0;

	if ((id >> 32) == target_tgid && !bpf_map_lookup_elem(&receivers, &tid))
		bpf_map_update_elem(&receivers, &tid, &none, BPF_ANY);
}

SEC("tracepoint/syscalls/sys_enter_epoll_wait")
int tp_epoll_wait(void *ctx) { waiter(); return 0; }

SEC("tracepoint/syscalls/sys_enter_epoll_pwait")
int tp_epoll_pwait(void *ctx) { waiter(); return 0; }

/* the sender waits for its reply in poll(2), as ping waits in recvmsg */
SEC("tracepoint/syscalls/sys_enter_poll")
int tp_poll(void *ctx) { waiter(); return 0; }

/* A woken waiter back in user space with the socket ready: user space has the reply. */
static __always_inline void waiter_back(void *ctx, long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct pending_rx *r;

	if ((id >> 32) != target_tgid)
		return;
	r = bpf_map_lookup_elem(&running, &tid);
	if (!r)
		return;
	if (ret > 0)
		emit_for(ctx, r, tid, PT_REPLY, PT_USER_RECV);
	bpf_map_delete_elem(&running, &tid);
}

SEC("tracepoint/syscalls/sys_exit_epoll_wait")
int tp_epoll_wait_exit(struct trace_event_raw_sys_exit *ctx) { waiter_back(ctx, ctx->ret); return 0; }

SEC("tracepoint/syscalls/sys_exit_epoll_pwait")
int tp_epoll_pwait_exit(struct trace_event_raw_sys_exit *ctx) { waiter_back(ctx, ctx->ret); return 0; }

SEC("tracepoint/syscalls/sys_exit_poll")
int tp_poll_exit(struct trace_event_raw_sys_exit *ctx) { waiter_back(ctx, ctx->ret); return 0; }

SEC("tracepoint/syscalls/sys_exit_recvfrom")
int tp_recv_exit(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct pt_event e = {};
	struct iphdr iph;
	__u64 *buf;
	__u32 hlen;

	if ((id >> 32) != target_tgid || ctx->ret <= 0)
		return 0;
	buf = bpf_map_lookup_elem(&receivers, &tid);
	if (!buf || !*buf)
		return 0;
	/* a raw IPv4 socket hands over the IP header too; ICMPv6, UDP and TCP only their payload */
	hlen = 0;
	if (probe_proto == IPPROTO_ICMP) {
		if (bpf_probe_read_user(&iph, sizeof(iph), (void *)*buf))
			return 0;
		hlen = iph.ihl * 4;
	}
	if (!own_probe((void *)*buf + hlen, PT_REPLY, &e))
		return 0;
	e.tid = tid;
	emit(ctx, &e, PT_USER_RECV);
	return 0;
}

/* Softirq time per CPU, for the kernel context of a spike (attached only when
 * hunting spikes: they fire for every softirq on the machine). */
SEC("raw_tp/softirq_entry")
int rtp_softirq_entry(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 zero = 0;
	struct pt_softirq *s;

	/* a softirq that began before the probe went out is not counted: its span is the probe's */
	if (!armed)
		return 0;
	s = bpf_map_lookup_elem(&softirq_time, &zero);
	if (s)
		s->entered = bpf_ktime_get_ns();
	return 0;
}

SEC("raw_tp/softirq_exit")
int rtp_softirq_exit(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 zero = 0;
	struct pt_softirq *s;
	__u64 d;

	if (!armed)
		return 0;
	s = bpf_map_lookup_elem(&softirq_time, &zero);
	/* an entry from before this arming (its exit came while disarmed) is stale */
	if (!s || s->entered < armed_since)
		return 0;
	d = bpf_ktime_get_ns() - s->entered;
	s->entered = 0;
	s->total_ns += d;
	if (ctx->args[0] == NET_RX_SOFTIRQ)
		s->net_rx_ns += d;
	return 0;
}

/* The finer stage set: attached only where the kernel has kprobes. */
SEC("kprobe/ip_rcv")
int BPF_KPROBE(kp_ip_rcv, struct sk_buff *skb)
{
	stamp(ctx, skb, false, false, PT_IP_RCV);
	return 0;
}

SEC("kprobe/icmp_rcv")
int BPF_KPROBE(kp_icmp_rcv, struct sk_buff *skb)
{
	stamp(ctx, skb, false, false, PT_ICMP_RCV);
	return 0;
}

SEC("kprobe/raw_local_deliver")
int BPF_KPROBE(kp_raw_deliver, struct sk_buff *skb)
{
	stamp(ctx, skb, false, false, PT_RAW_DELIVER);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
