# Run a command on a pseudo-terminal and answer its questions: for each
# (prompt, keys) pair, wait until the output shows the prompt, then type the
# keys. Waits for what the program prints, never for time (the deadline only
# turns a hang into a failure). Prints the exit status on the last line.
#   python3 pty-answer.py '<json: [[prompt, keys], ...]>' CMD ARGS...
import fcntl, json, os, pty, select, struct, sys, termios, time

pairs = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
# a terminal of 100 columns: with none, prompts wrap after every character
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', 30, 100, 0, 0))
seen = b''
deadline = time.time() + 60

def read_some():
    global seen
    r, _, _ = select.select([fd], [], [], max(0, deadline - time.time()))
    if not r:
        raise SystemExit('pty-answer: timed out; output so far:\n' + seen.decode(errors='replace'))
    try:
        data = os.read(fd, 4096)
    except OSError:
        data = b''
    if not data:
        return False
    seen += data
    return True

at = 0
for prompt, keys in pairs:
    while prompt.encode() not in seen[at:]:
        if not read_some():
            raise SystemExit('pty-answer: ended before asking ' + repr(prompt) + '; output:\n' + seen.decode(errors='replace'))
    at = seen.index(prompt.encode(), at) + len(prompt)
    os.write(fd, keys.encode())
while read_some():
    pass
_, status = os.waitpid(pid, 0)
sys.stdout.write(seen.decode(errors='replace'))
sys.stdout.write('\nexit %d\n' % os.waitstatus_to_exitcode(status))
