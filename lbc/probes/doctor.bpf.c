// `lcc doctor` loads and attaches each of these on its own to learn which
// program kinds really work on this kernel (probing, not guessing).
#include "lbc.h"

__u64 hits = 0;

SEC("tracepoint/syscalls/sys_enter_getpid")
int probe_tracepoint(void *ctx) { __sync_fetch_and_add(&hits, 1); return 0; }

SEC("raw_tp/sys_enter")
int probe_raw_tracepoint(void *ctx) { return 0; }

SEC("tp_btf/sched_switch")
int probe_tp_btf(__u64 *ctx) { return 0; }

SEC("kprobe/do_nanosleep")
int probe_kprobe(struct pt_regs *ctx) { return 0; }

SEC("kretprobe/do_nanosleep")
int probe_kretprobe(struct pt_regs *ctx) { return 0; }

SEC("fentry/do_nanosleep")
int probe_fentry(__u64 *ctx) { return 0; }

SEC("fexit/do_nanosleep")
int probe_fexit(__u64 *ctx) { return 0; }

SEC("uprobe")
int probe_uprobe(struct pt_regs *ctx) { return 0; }

SEC("perf_event")
int probe_perf_event(void *ctx) { return 0; }

SEC("xdp")
int probe_xdp(struct xdp_md *ctx) { return XDP_PASS; }

SEC("tc")
int probe_tc(struct __sk_buff *skb) { return 0; /* TC_ACT_OK */ }

SEC("socket")
int probe_socket(struct __sk_buff *skb) { return skb->len; }

LBC_RINGBUF(rb, 4096);

char LICENSE[] SEC("license") = "GPL";
