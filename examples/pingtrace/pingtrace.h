/* Shared by pingtrace.bpf.c and its TypeScript side (through lcc gen). */
#ifndef PINGTRACE_H
#define PINGTRACE_H

/* "LCCP" in network byte order: the first payload word of every probe */
#define PT_MAGIC 0x5043434c

/* where in the stack a timestamp was taken */
enum pt_hook {
	PT_DEV_QUEUE = 1,   /* net_dev_queue: handed to the device queue (qdisc) */
	PT_START_XMIT = 2,  /* net_dev_start_xmit: the driver starts sending */
	PT_RX_ARRIVE = 4,   /* netif_rx / GRO entry: the packet arrived */
	PT_RX_PROTO = 5,    /* netif_receive_skb: protocol processing starts */
	PT_WAKEUP = 6,      /* sched_waking of the receiving task */
	PT_ONCPU = 7,       /* sched_switch to the receiving task */
	PT_IP_RCV = 8,      /* kprobe ip_rcv (finer stage set) */
	PT_ICMP_RCV = 9,    /* kprobe icmp_rcv (finer stage set) */
	PT_RAW_DELIVER = 10, /* kprobe raw_local_deliver (finer stage set) */
	PT_USER_SEND = 11,   /* sendto(2) entered with the probe */
	PT_USER_RECV = 12,   /* recvfrom(2) returned the reply to user space */
	PT_SEND_RETURN = 13  /* sendto(2) returned (the reply may already be queued) */
};

enum pt_role { PT_CLIENT = 0, PT_SERVER = 1 };

/* request or reply, whatever the protocol (ICMP's own type numbers for v4) */
#define PT_REQUEST 8
#define PT_REPLY 0

/* The probe's tag in a UDP or TCP payload (ICMP carries seq and type in its
 * own header and the rest of this after it). */
struct pt_tag {
	__u32 magic;   /* PT_MAGIC */
	__u32 session;
	__u16 report_port; /* network order */
	__u16 seq;         /* network order */
	__u8 type;         /* PT_REQUEST or PT_REPLY */
	__u8 pad[3];
};

struct pt_event {
	__u64 ts;       /* bpf_ktime_get_ns: CLOCK_MONOTONIC */
	__u8 saddr[16]; /* network order: IPv4 in the first 4 bytes, or IPv6 */
	__u8 daddr[16];
	__u32 session;  /* from the probe's tag */
	__u32 tid;      /* PT_WAKEUP / PT_ONCPU: the task */
	__u16 seq;      /* host order */
	__u8 hook;      /* enum pt_hook */
	__u8 icmp_type; /* PT_REQUEST or PT_REPLY, for every protocol */
	__u16 cpu;
	__u16 ifindex;
	__u16 report_port; /* UDP port where the client takes server reports, network order */
	__u8 family;    /* 4 or 6 */
	__u8 proto;     /* IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_UDP or IPPROTO_TCP */
	__u16 port;     /* TCP: the client's port of the connection (host order); seq is then the record index */
	__u16 flags;    /* PT_F_* */
};

/* How deep a spike's kernel stack goes: the innermost frames say who ran;
 * 48 reach from a BPF program through an interrupted softirq to the syscall. */
#define PT_STACK_FRAMES 48

/* What the ring buffer carries: the event and, when spike hunting
 * (want_stacks), the kernel stack where it was taken, innermost first. In
 * the record, not in a stack map: a stack id is a hash bucket that a later
 * stack can take over before user space reads it, and then names the wrong
 * code path. */
struct pt_record {
	struct pt_event e;
	__u32 frames; /* valid entries of stack; 0 without want_stacks or when the walk failed */
	__u32 _pad;
	__u64 stack[PT_STACK_FRAMES];
};

/* a TCP handshake probe's SYN or SYN-ACK (seq: the client's probe; on the server, 0 and port set) */
#define PT_F_HANDSHAKE 1

/* A TCP probe connection, by the client's end of it: probes are TAG_SIZE-byte
 * records in each direction, so a segment's sequence number says which
 * record it starts (the payload itself may sit in page fragments, out of a
 * tracepoint's reach). The first data segment each way (the client's hello
 * record, and its echo) sets the base. */
#define PT_TAG_SIZE 16
struct pt_conn_key {
	__u8 addr[16];
	__u16 port; /* host order */
	__u16 _pad;
};
struct pt_conn {
	__u32 session;   /* the client's; 0 on the server, which learns it from the records */
	__u32 base_c2s;  /* TCP sequence number of record 0, client to server */
	__u32 base_s2c;
	__u8 have_c2s;
	__u8 have_s2c;
	__u16 hs_seq;    /* client: the handshake probe's seq, when `handshake` */
	__u8 handshake;
	__u8 _pad[3];
};

/* per CPU: softirq time so far, for the kernel context of a spike */
struct pt_softirq {
	__u64 entered; /* bpf_ktime_get_ns at softirq_entry, 0 outside one */
	__u64 total_ns;
	__u64 net_rx_ns; /* NET_RX_SOFTIRQ only */
};

#endif
