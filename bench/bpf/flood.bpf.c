// Throughput benchmark: each BPF_PROG_TEST_RUN of flood_rb / flood_pb emits
// BATCH 64-byte events, as fast as the kernel can. A plain bounded loop, not
// bpf_loop: BCC cannot pass callbacks, and all three producers must be equal.
#include "lbc.h"

#define BATCH 4096

struct event {
	__u64 seq;
	__u64 payload[7];
};

LBC_RINGBUF(rb, 4 << 20);
LBC_PERF_OUTPUT(pb, struct event, 64);
__u64 perf_drops = 0;

SEC("raw_tp")
int flood_rb(void *ctx)
{
	struct event e = {};
	__u64 fails = 0;

	/* branch-free body: a failure branch per iteration would multiply verifier states */
#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < BATCH; i++) {
		e.seq = i;
		fails += (__u64)bpf_ringbuf_output(&rb, &e, sizeof(e), 0) >> 63;
	}
	if (fails)
		__sync_fetch_and_add(&___lbc_drops_rb, fails);
	return 0;
}

SEC("raw_tp")
int flood_pb(void *ctx)
{
	struct event e = {};
	__u64 fails = 0;

#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < BATCH; i++) {
		e.seq = i;
		fails += (__u64)bpf_perf_event_output(ctx, &pb, BPF_F_CURRENT_CPU, &e, sizeof(e)) >> 63;
	}
	if (fails)
		__sync_fetch_and_add(&perf_drops, fails);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
