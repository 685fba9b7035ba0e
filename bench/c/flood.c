// Throughput, C side: a pthread runs flood_* through BPF_PROG_TEST_RUN back to
// back while the main thread consumes with libbpf's ring_buffer / perf_buffer.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <linux/perf_event.h>
#include "flood.skel.h"

static volatile int stop;
static unsigned long long received, lost, sum;
static double deadline;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *produce(void *arg)
{
	int fd = *(int *)arg;
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	while (now() < deadline)
		bpf_prog_test_run_opts(fd, &opts);
	stop = 1;
	return NULL;
}

static int on_rb(void *ctx, void *data, size_t size) { received++; sum += *(unsigned int *)data; return 0; }
/* perf_buffer__new_raw: our own attr (for wakeup_events), records parsed here */
struct sample { struct perf_event_header h; __u32 size; unsigned char data[]; };
struct lost_rec { struct perf_event_header h; __u64 id; __u64 lost; };

static enum bpf_perf_event_ret on_pb(void *ctx, int cpu, struct perf_event_header *h)
{
	if (h->type == PERF_RECORD_SAMPLE) {
		received++;
		sum += *(unsigned int *)((struct sample *)h)->data;
	} else if (h->type == PERF_RECORD_LOST) {
		lost += ((struct lost_rec *)h)->lost;
	}
	return LIBBPF_PERF_EVENT_CONT;
}

int main(int argc, char **argv)
{
	const char *kind = argc > 1 ? argv[1] : "rb";
	double seconds = argc > 2 ? atof(argv[2]) : 3;
	int wakeup = argc > 3 ? atoi(argv[3]) : 1;
	int rb_mode = strcmp(kind, "rb") == 0;
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE, .config = PERF_COUNT_SW_BPF_OUTPUT, .size = sizeof(attr),
		.sample_type = PERF_SAMPLE_RAW, .sample_period = 1, .wakeup_events = wakeup,
	};
	struct flood_bpf *skel = flood_bpf__open_and_load();
	struct ring_buffer *rb = NULL;
	struct perf_buffer *pb = NULL;
	pthread_t t;
	int fd;

	if (!skel) return 1;
	if (rb_mode) rb = ring_buffer__new(bpf_map__fd(skel->maps.rb), on_rb, NULL, NULL);
	else pb = perf_buffer__new_raw(bpf_map__fd(skel->maps.pb), 256, &attr, on_pb, NULL, NULL);
	if (!rb && !pb) return 1;
	fd = bpf_program__fd(rb_mode ? skel->progs.flood_rb : skel->progs.flood_pb);
	double start = now();
	deadline = start + seconds;
	pthread_create(&t, NULL, produce, &fd);
	while (!stop) {
		if (rb) ring_buffer__poll(rb, 100); else perf_buffer__poll(pb, 100);
	}
	pthread_join(t, NULL);
	for (;;) { /* drain what is left */
		unsigned long long before = received;
		if (rb) ring_buffer__poll(rb, 50);
		else { perf_buffer__poll(pb, 50); perf_buffer__consume(pb); }
		if (received == before) break;
	}
	double elapsed = now() - start;
	if (rb_mode) lost = skel->bss->___lbc_drops_rb;
	else lost += skel->bss->perf_drops;
	printf("{\"impl\":\"c\",\"kind\":\"%s\",\"wakeup\":%d,\"received\":%llu,\"lost\":%llu,\"seconds\":%.3f,\"rate\":%.1f,\"check\":%s}\n",
	       kind, wakeup, received, lost, elapsed, received / elapsed, sum ? "true" : "false");
	ring_buffer__free(rb);
	perf_buffer__free(pb);
	flood_bpf__destroy(skel);
	return 0;
}
