// Start-up benchmark tool: 3 tracepoints; the first event is the tool's own
// getppid(), sent through a ring buffer. Same program in C (bench/c) and BCC (bench/bcc).
#include "lbc.h"

LBC_RINGBUF(events, 64 * 1024);
__u64 execs = 0, exits = 0;
const volatile __u32 self_tgid = 0;

SEC("tracepoint/syscalls/sys_enter_getppid")
int on_getppid(void *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	if (pid == self_tgid)
		lbc_ringbuf_output(events, &pid, sizeof(pid));
	return 0;
}

SEC("tracepoint/sched/sched_process_exec")
int on_exec(void *ctx) { __sync_fetch_and_add(&execs, 1); return 0; }

SEC("tracepoint/sched/sched_process_exit")
int on_exit(void *ctx) { __sync_fetch_and_add(&exits, 1); return 0; }

char LICENSE[] SEC("license") = "GPL";
