/* The event execsnoop.bpf.c sends and main.ts decodes. */
#ifndef EXECSNOOP_H
#define EXECSNOOP_H

struct exec_event {
	__u64 ts_ns;
	__u32 pid;
	__u32 ppid;
	__u32 uid;
	__u32 _pad;
	char comm[16];
	char filename[128];
};

#endif
