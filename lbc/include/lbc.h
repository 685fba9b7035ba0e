/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * lbc.h: the talk's LBC_* map macros over libbpf BTF-defined maps.
 *
 * pyLCC declared maps with the legacy `struct bpf_map_def`, which carries only
 * key/value *sizes*. Declaring them as BTF-defined maps keeps the key and value
 * *types* in the object's BTF, so `lcc gen` and the runtime can decode them.
 */
#ifndef __LBC_H
#define __LBC_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>

/* vmlinux.h carries types but no #defines: the ones tools reach for most */
#ifndef TASK_COMM_LEN
#define TASK_COMM_LEN 16
#endif
#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef AF_INET6
#define AF_INET6 10
#endif
#ifndef ETH_P_IP
#define ETH_P_IP 0x0800
#endif
#ifndef ETH_P_IPV6
#define ETH_P_IPV6 0x86DD
#endif
#ifndef TC_ACT_OK
#define TC_ACT_OK 0
#define TC_ACT_SHOT 2
#endif

/* A kprobe's sixth argument, which BPF_KPROBE reads only from libbpf 1.2 on (BCC reads six): the
 * register the calling convention puts it in */
#if !defined(___bpf_kprobe_args6) && !defined(PT_REGS_PARM6)
#if defined(bpf_target_x86)
#define PT_REGS_PARM6(x) (__PT_REGS_CAST(x)->r9)
#elif defined(bpf_target_arm64)
#define PT_REGS_PARM6(x) (__PT_REGS_CAST(x)->regs[5])
#elif defined(bpf_target_riscv)
#define PT_REGS_PARM6(x) (__PT_REGS_CAST(x)->a5)
#elif defined(bpf_target_s390)
#define PT_REGS_PARM6(x) (__PT_REGS_CAST(x)->gprs[7])
#elif defined(bpf_target_powerpc)
#define PT_REGS_PARM6(x) (__PT_REGS_CAST(x)->gpr[8])
#endif
#endif
#if !defined(___bpf_kprobe_args6) && defined(PT_REGS_PARM6)
#define ___bpf_kprobe_args6(x, args...) ___bpf_kprobe_args5(args), (void *)PT_REGS_PARM6(ctx)
#endif

#ifndef LBC_STACK_DEPTH
#define LBC_STACK_DEPTH 127 /* PERF_MAX_STACK_DEPTH */
#endif

typedef __u64 lbc_stack_t[LBC_STACK_DEPTH];

#define __LBC_KV_MAP(_name, _type, _key, _value, _entries) \
	struct {                                            \
		__uint(type, _type);                        \
		__uint(max_entries, _entries);              \
		__type(key, _key);                          \
		__type(value, _value);                      \
	} _name SEC(".maps")

#define LBC_HASH(name, key, value, entries) \
	__LBC_KV_MAP(name, BPF_MAP_TYPE_HASH, key, value, entries)
#define LBC_LRU_HASH(name, key, value, entries) \
	__LBC_KV_MAP(name, BPF_MAP_TYPE_LRU_HASH, key, value, entries)
#define LBC_PERCPU_HASH(name, key, value, entries) \
	__LBC_KV_MAP(name, BPF_MAP_TYPE_PERCPU_HASH, key, value, entries)
#define LBC_LRU_PERCPU_HASH(name, key, value, entries) \
	__LBC_KV_MAP(name, BPF_MAP_TYPE_LRU_PERCPU_HASH, key, value, entries)
#define LBC_ARRAY(name, key, value, entries) \
	__LBC_KV_MAP(name, BPF_MAP_TYPE_ARRAY, key, value, entries)
/* XDP redirect targets, BCC's BPF_CPUMAP/BPF_DEVMAP/BPF_XSKMAP: 4-byte values (a CPU's queue size, an
 * ifindex, a socket), which every kernel with these maps takes */
#define LBC_CPUMAP(name, entries) __LBC_KV_MAP(name, BPF_MAP_TYPE_CPUMAP, __u32, __u32, entries)
#define LBC_DEVMAP(name, entries) __LBC_KV_MAP(name, BPF_MAP_TYPE_DEVMAP, __u32, __u32, entries)
#define LBC_XSKMAP(name, entries) __LBC_KV_MAP(name, BPF_MAP_TYPE_XSKMAP, __u32, __u32, entries)
/* programs by index for tail calls (BCC's BPF_PROG_ARRAY, its .call()): user space stores each program's fd */
#define LBC_PROG_ARRAY(name, entries) __LBC_KV_MAP(name, BPF_MAP_TYPE_PROG_ARRAY, __u32, __u32, entries)
/* sockets by key for sockops/sk_msg/sk_skb redirects, BCC's BPF_SOCKMAP/BPF_SOCKHASH: the value is the
 * socket (its fd, from user space; the sock_ops context, from a program) */
#define LBC_SOCKMAP(name, entries) __LBC_KV_MAP(name, BPF_MAP_TYPE_SOCKMAP, __u32, __u32, entries)
#define LBC_SOCKHASH(name, key, entries) __LBC_KV_MAP(name, BPF_MAP_TYPE_SOCKHASH, key, __u32, entries)
#define LBC_PERCPU_ARRAY(name, key, value, entries) \
	__LBC_KV_MAP(name, BPF_MAP_TYPE_PERCPU_ARRAY, key, value, entries)

/*
 * Local storage, BCC's BPF_TASK_STORAGE/BPF_INODE_STORAGE/BPF_SK_STORAGE/BPF_CGRP_STORAGE: a value the
 * kernel keeps with each task, inode, socket or cgroup (bpf_*_storage_get). The objects are the entries:
 * no size, and the kernel takes such a map only unpreallocated, its key an int
 */
#define __LBC_STORAGE(_name, _type, _value)           \
	struct {                                      \
		__uint(type, _type);                  \
		__uint(map_flags, BPF_F_NO_PREALLOC); \
		__type(key, int);                     \
		__type(value, _value);                \
	} _name SEC(".maps")
#define LBC_TASK_STORAGE(name, value) __LBC_STORAGE(name, BPF_MAP_TYPE_TASK_STORAGE, value)
#define LBC_INODE_STORAGE(name, value) __LBC_STORAGE(name, BPF_MAP_TYPE_INODE_STORAGE, value)
#define LBC_SK_STORAGE(name, value) __LBC_STORAGE(name, BPF_MAP_TYPE_SK_STORAGE, value)
#define LBC_CGRP_STORAGE(name, value) __LBC_STORAGE(name, BPF_MAP_TYPE_CGRP_STORAGE, value)
/* a cgroup program's storage, BCC's BPF_CGROUP_STORAGE/BPF_PERCPU_CGROUP_STORAGE (bpf_get_local_storage):
 * the kernel keys it by the cgroup and attach type the program runs for */
#define __LBC_CGROUP_STORAGE(_name, _type, _value)            \
	struct {                                              \
		__uint(type, _type);                          \
		__type(key, struct bpf_cgroup_storage_key);   \
		__type(value, _value);                        \
	} _name SEC(".maps")
#define LBC_CGROUP_STORAGE(name, value) __LBC_CGROUP_STORAGE(name, BPF_MAP_TYPE_CGROUP_STORAGE, value)
#define LBC_PERCPU_CGROUP_STORAGE(name, value) __LBC_CGROUP_STORAGE(name, BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE, value)

/* longest-prefix match (BCC's BPF_LPM_TRIE): the key starts with its prefix length in bits; the kernel
 * takes such a map only unpreallocated */
#define LBC_LPM_TRIE(_name, _key, _value, _entries)   \
	struct {                                      \
		__uint(type, BPF_MAP_TYPE_LPM_TRIE);  \
		__uint(map_flags, BPF_F_NO_PREALLOC); \
		__uint(max_entries, _entries);        \
		__type(key, _key);                    \
		__type(value, _value);                \
	} _name SEC(".maps")
/* cgroups by index, BCC's BPF_CGROUP_ARRAY: user space stores a cgroup directory's fd, programs test
 * whether the current task is under it (bpf_current_task_under_cgroup) */
#define LBC_CGROUP_ARRAY(name, entries) __LBC_KV_MAP(name, BPF_MAP_TYPE_CGROUP_ARRAY, __u32, __u32, entries)

/* values without keys, pushed and popped: BCC's BPF_QUEUE (first in, first out) and BPF_STACK (last in,
 * first out; LBC_STACK is a stack trace map) */
#define __LBC_VALUES(_name, _type, _value, _entries) \
	struct {                                     \
		__uint(type, _type);                 \
		__uint(max_entries, _entries);       \
		__type(value, _value);               \
	} _name SEC(".maps")
#define LBC_QUEUE(name, value, entries) __LBC_VALUES(name, BPF_MAP_TYPE_QUEUE, value, entries)
#define LBC_LIFO(name, value, entries) __LBC_VALUES(name, BPF_MAP_TYPE_STACK, value, entries)

/* perf event counters by CPU, BCC's BPF_PERF_ARRAY: user space opens one per CPU and stores its fd
 * (open_perf_event), programs read this CPU's with bpf_perf_event_read(_value) */
#define LBC_PERF_ARRAY(name, entries)                        \
	struct {                                             \
		__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY); \
		__uint(max_entries, entries);                \
		__uint(key_size, sizeof(__u32));             \
		__uint(value_size, sizeof(__u32));           \
	} name SEC(".maps")

/* maps of maps, BCC's BPF_ARRAY_OF_MAPS/BPF_HASH_OF_MAPS: each value a map shaped like `inner` (a map
 * declared before), which user space stores by its fd; a lookup gives a program that map */
#define LBC_ARRAY_OF_MAPS(name, inner, entries)             \
	struct {                                            \
		__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);   \
		__uint(max_entries, entries);               \
		__type(key, __u32);                         \
		__array(values, typeof(inner));             \
	} name SEC(".maps")
#define LBC_HASH_OF_MAPS(_name, _key, _inner, _entries)     \
	struct {                                            \
		__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);    \
		__uint(max_entries, _entries);              \
		__type(key, _key);                          \
		__array(values, typeof(_inner));            \
	} _name SEC(".maps")

/*
 * A perf event array's BTF value is the per-CPU perf fd, not the event, and
 * its page count is a consumer setting: `lcc gen` reads both from this macro.
 * The event type is still referenced here so that it lands in BTF even when
 * the program only ever fills it through a pointer.
 */
#define LBC_PERF_OUTPUT(name, event, pages)                   \
	struct {                                              \
		__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);  \
		__uint(key_size, sizeof(__u32));              \
		__uint(value_size, sizeof(__u32));            \
	} name SEC(".maps");                                  \
	const volatile event *___lbc_perf_event_##name __attribute__((unused))

/*
 * A ring buffer has no lost-sample record of its own: a full ring just makes
 * the reservation fail. lbc_ringbuf_reserve()/lbc_ringbuf_output() count those
 * failures in ___lbc_drops_<name> (.bss), which the runtime reports as `lost`.
 */
#define LBC_RINGBUF(name, bytes)                       \
	struct {                                       \
		__uint(type, BPF_MAP_TYPE_RINGBUF);    \
		__uint(max_entries, bytes);            \
	} name SEC(".maps");                           \
	__u64 ___lbc_drops_##name = 0

#define lbc_ringbuf_reserve(name, size) ({                              \
	void *___p = bpf_ringbuf_reserve(&name, size, 0);               \
	if (!___p)                                                      \
		__sync_fetch_and_add(&___lbc_drops_##name, 1);          \
	___p; })

#define lbc_ringbuf_output(name, data, size) ({                         \
	long ___r = bpf_ringbuf_output(&name, data, size, 0);           \
	if (___r)                                                       \
		__sync_fetch_and_add(&___lbc_drops_##name, 1);          \
	___r; })

/* perf rings report their own losses (PERF_RECORD_LOST); nothing to count here */
#define lbc_perf_submit(ctx, name, data, size) \
	bpf_perf_event_output(ctx, &name, BPF_F_CURRENT_CPU, data, size)
/* BCC's perf_submit_skb: the record, then the packet's first skb_len bytes after it */
#define lbc_perf_submit_skb(skb, skb_len, name, data, size) \
	bpf_perf_event_output(skb, &name, ((__u64)(skb_len) << 32) | BPF_F_CURRENT_CPU, data, size)

/*
 * BCC's map methods for any LBC_* (or BTF-defined) map, typed from the map's
 * own key and value: table.increment(key[, n]) and table.lookup_or_try_init().
 */
#define lbc_map_increment(map, k, n) ({                                          \
	__typeof__(*(map).key) ___k = (k);                                       \
	__typeof__(*(map).value) *___v = bpf_map_lookup_elem(&(map), &___k);     \
	if (___v) {                                                              \
		__sync_fetch_and_add(___v, (n));                                 \
	} else {                                                                 \
		__typeof__(*(map).value) ___init = (n);                          \
		bpf_map_update_elem(&(map), &___k, &___init, BPF_NOEXIST);       \
	}                                                                        \
	0; })

#define lbc_lookup_or_try_init(map, keyp, initp) ({                                   \
	__typeof__((map).value) ___p = bpf_map_lookup_elem(&(map), (keyp));            \
	if (!___p) {                                                                   \
		bpf_map_update_elem(&(map), (keyp), (initp), BPF_NOEXIST);             \
		___p = bpf_map_lookup_elem(&(map), (keyp));                            \
	}                                                                              \
	___p; })

#define LBC_STACK(name, entries) \
	__LBC_KV_MAP(name, BPF_MAP_TYPE_STACK_TRACE, __u32, lbc_stack_t, entries)

/* user stacks as build IDs and file offsets: symbolised on any host that has the same files */
typedef struct bpf_stack_build_id lbc_stack_build_id_t[LBC_STACK_DEPTH];
#define LBC_STACK_BUILDID(name, entries)                   \
	struct {                                            \
		__uint(type, BPF_MAP_TYPE_STACK_TRACE);     \
		__uint(max_entries, entries);               \
		__uint(map_flags, BPF_F_STACK_BUILD_ID);    \
		__type(key, __u32);                         \
		__type(value, lbc_stack_build_id_t);        \
	} name SEC(".maps")

/*
 * Histograms. Slot numbering matches BCC's bpf_log2l(): slot 0 is never
 * used by log2, slot i (i >= 1) counts values in [2^(i-1), 2^i - 1] with 0 in
 * slot 1, so the runtime's printer is byte-for-byte BCC's print_log2_hist.
 */
#define LBC_HIST2_SLOTS 65
#define LBC_HIST10_SLOTS 21

#define LBC_HIST2(name) LBC_ARRAY(name, __u32, __u64, LBC_HIST2_SLOTS)
#define LBC_HIST10(name) LBC_ARRAY(name, __u32, __u64, LBC_HIST10_SLOTS)

static __always_inline __u32 lbc_log2(__u32 v)
{
	__u32 r, shift;

	r = (v > 0xFFFF) << 4; v >>= r;
	shift = (v > 0xFF) << 3; v >>= shift; r |= shift;
	shift = (v > 0xF) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return r;
}

static __always_inline __u32 lbc_log2l(__u64 v)
{
	__u32 hi = v >> 32;

	if (hi)
		return lbc_log2(hi) + 32 + 1;
	return lbc_log2((__u32)v) + 1;
}

static __always_inline __u32 lbc_log10l(__u64 v)
{
	__u32 slot = 0;

	/* bounded loop: at most 20 decimal digits in a u64 */
	for (int i = 0; i < LBC_HIST10_SLOTS - 1 && v; i++) {
		v /= 10;
		slot++;
	}
	return slot;
}

static __always_inline void lbc_hist_add(void *map, __u32 slot, __u64 n)
{
	__u64 *cnt = bpf_map_lookup_elem(map, &slot);

	if (cnt)
		__sync_fetch_and_add(cnt, n);
}

#define lbc_hist2_push(map, value) lbc_hist_add(map, lbc_log2l(value), 1)
#define lbc_hist10_push(map, value) lbc_hist_add(map, lbc_log10l(value), 1)

#endif /* __LBC_H */
