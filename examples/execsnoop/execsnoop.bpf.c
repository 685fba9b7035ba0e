// execsnoop: every exec on the machine, from the sched_process_exec tracepoint.
#include "lbc.h"
#include "execsnoop.h"

LBC_RINGBUF(events, 256 * 1024);

const volatile __u32 filter_uid = (__u32)-1; /* -1: everyone */

SEC("tracepoint/sched/sched_process_exec")
int on_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u32 uid = bpf_get_current_uid_gid();
	struct exec_event *e;

	if (filter_uid != (__u32)-1 && uid != filter_uid)
		return 0;
	e = lbc_ringbuf_reserve(events, sizeof(*e));
	if (!e)
		return 0;
	e->ts_ns = bpf_ktime_get_ns();
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->uid = uid;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), (void *)ctx + (ctx->__data_loc_filename & 0xFFFF));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
