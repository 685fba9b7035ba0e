# Throughput, BCC side: the same flood programs in BCC's dialect; a Python
# thread drives BPF_PROG_TEST_RUN through the bpf(2) syscall, the main thread
# consumes with BCC's ring buffer / perf buffer API.
import ctypes as ct, json, sys, threading, time
from bcc import BPF

kind = sys.argv[1] if len(sys.argv) > 1 else 'rb'
seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
wakeup = int(sys.argv[3]) if len(sys.argv) > 3 else 1

text = r'''
#define BATCH 4096
struct event { u64 seq; u64 payload[7]; };
BPF_RINGBUF_OUTPUT(rb, 1024);
BPF_PERF_OUTPUT(pb);
BPF_ARRAY(drops, u64, 1);
int flood_rb(struct bpf_raw_tracepoint_args *ctx) {
    struct event e = {};
    u64 fails = 0;
#pragma clang loop unroll(disable)
    for (u32 i = 0; i < BATCH; i++) {
        e.seq = i;
        fails += (u64)rb.ringbuf_output(&e, sizeof(e), 0) >> 63;
    }
    if (fails) drops.atomic_increment(0, fails);
    return 0;
}
int flood_pb(struct bpf_raw_tracepoint_args *ctx) {
    struct event e = {};
    u64 fails = 0;
#pragma clang loop unroll(disable)
    for (u32 i = 0; i < BATCH; i++) {
        e.seq = i;
        fails += (u64)pb.perf_submit(ctx, &e, sizeof(e)) >> 63;
    }
    if (fails) drops.atomic_increment(0, fails);
    return 0;
}
'''

b = BPF(text=text)
fn = b.load_func('flood_' + kind, BPF.RAW_TRACEPOINT)

libc = ct.CDLL(None, use_errno=True)
SYS_bpf, BPF_PROG_TEST_RUN = 321, 10
attr = (ct.c_uint8 * 80)()
ct.c_uint32.from_buffer(attr, 0).value = fn.fd

state = {'received': 0, 'lost': 0, 'sum': 0, 'stop': False}

def on_event(ctx, data, size):
    state['received'] += 1
    state['sum'] += ct.cast(data, ct.POINTER(ct.c_uint32)).contents.value

def on_lost(n):
    state['lost'] += n

start = time.monotonic()
deadline = start + seconds

def produce():
    while time.monotonic() < deadline:
        libc.syscall(SYS_bpf, BPF_PROG_TEST_RUN, attr, 80)
    state['stop'] = True

if kind == 'rb':
    b['rb'].open_ring_buffer(on_event)
    poll = b.ring_buffer_poll
else:
    b['pb'].open_perf_buffer(on_event, page_cnt=256, lost_cb=on_lost, wakeup_events=wakeup)
    poll = b.perf_buffer_poll

t = threading.Thread(target=produce)
t.start()
while not state['stop']:
    poll(100)
t.join()
while True:
    before = state['received']
    poll(50)
    if kind == 'pb':
        b.perf_buffer_consume()  # below the wake-up watermark nothing wakes us
    if state['received'] == before:
        break
elapsed = time.monotonic() - start
lost = state['lost'] + b['drops'][0].value
print(json.dumps({'impl': 'bcc', 'kind': kind, 'wakeup': wakeup, 'received': state['received'], 'lost': lost,
                  'seconds': elapsed, 'rate': state['received'] / elapsed, 'check': state['sum'] > 0}))
