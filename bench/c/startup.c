// Start-up, C side: the same object through a bpftool skeleton.
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "startup.skel.h"

#include <time.h>

static int got;
static int on_event(void *ctx, void *data, size_t size)
{
	struct timespec ts;

	if (!got) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		printf("first_event_ns=%lld\n", ts.tv_sec * 1000000000LL + ts.tv_nsec);
		fflush(stdout);
	}
	got = 1;
	return 0;
}

int main(void)
{
	struct startup_bpf *skel = startup_bpf__open();
	struct ring_buffer *rb;

	if (!skel) return 1;
	skel->rodata->self_tgid = getpid();
	if (startup_bpf__load(skel) || startup_bpf__attach(skel)) return 1;
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, NULL, NULL);
	if (!rb) return 1;
	getppid();
	for (int i = 0; i < 50 && !got; i++) ring_buffer__poll(rb, 100);
	ring_buffer__free(rb);
	startup_bpf__destroy(skel);
	return got ? 0 : 1;
}
