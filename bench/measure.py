# Run a command and report its wall time, CPU time and peak RSS from wait4(2),
# so every implementation is measured by the same outside observer. A tool
# that prints first_event_ns=<CLOCK_MONOTONIC ns> also gets `to_event`: the
# time from our fork to its first event.
import json, os, sys, time

def run(argv):
    r, w = os.pipe()
    t0_ns = time.monotonic_ns()
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        os.dup2(w, 1)
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    os.close(w)
    out = b''
    while True:
        chunk = os.read(r, 65536)
        if not chunk:
            break
        out += chunk
    os.close(r)
    _, status, ru = os.wait4(pid, 0)
    wall = time.monotonic() - t0
    first = [l for l in out.decode(errors='replace').splitlines() if l.startswith('first_event_ns=')]
    to_event = (int(first[0].split('=')[1]) - t0_ns) / 1e9 if first else None
    return {'wall': wall, 'to_event': to_event, 'cpu': ru.ru_utime + ru.ru_stime, 'rss_kb': ru.ru_maxrss,
            'ok': os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0}

if __name__ == '__main__':
    print(json.dumps(run(sys.argv[1:])))
