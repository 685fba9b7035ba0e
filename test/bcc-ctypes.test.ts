// BCC tools describe their perf records with ctypes: Structure and Union
// subclasses (mountsnoop's Event holds a DataUnion). The runtime's layout
// must be Python's own, to the byte: compared here with python3's ctypes.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import * as ct from '../lbc/src/bcc/ctypes.js';

describe('ctypes layouts, as python3 lays them out', () => {
  it('a Union inside a Structure: size, offsets and the decoded fields', () => {
    class Enter extends ct.Structure {
      static override _fields_ = [['ns', ct.c_uint], ['comm', ct.c_char.__mul__(16)], ['flags', ct.c_ulong]] as const;
    }
    class Data extends ct.Union {
      static override _fields_ = [['enter', Enter], ['str', ct.c_char.__mul__(40)], ['retval', ct.c_int]] as const;
    }
    class Event extends ct.Structure {
      static override _fields_ = [['type', ct.c_int], ['pid', ct.c_int], ['u', Data]] as const;
    }
    const py = spawnSync('python3', ['-c', [
      'import ctypes as ct',
      'class Enter(ct.Structure): _fields_ = [("ns", ct.c_uint), ("comm", ct.c_char * 16), ("flags", ct.c_ulong)]',
      'class Data(ct.Union): _fields_ = [("enter", Enter), ("str", ct.c_char * 40), ("retval", ct.c_int)]',
      'class Event(ct.Structure): _fields_ = [("type", ct.c_int), ("pid", ct.c_int), ("u", Data)]',
      'print(ct.sizeof(Enter), ct.sizeof(Data), ct.sizeof(Event), Event.u.offset, Data.retval.offset, Data.str.offset)',
    ].join('\n')], { encoding: 'utf8' });
    expect(py.status, py.stderr).toBe(0);
    const [enter, data, event, uOff] = py.stdout.trim().split(' ').map(Number);
    expect([ct.sizeof(Enter), ct.sizeof(Data), ct.sizeof(Event)]).toEqual([enter, data, event]);
    // a record as the kernel wrote it: type 5, pid 7, the union holding retval -2
    const b = Buffer.alloc(event!);
    b.writeInt32LE(5, 0);
    b.writeInt32LE(7, 4);
    b.writeInt32LE(-2, uOff!);
    const e = ct.cast(b, ct.POINTER(Event)).contents as Record<string, any>;
    expect([e.type, e.pid, e.u.retval]).toEqual([5, 7, -2]);
  });
});

describe('bcc.tcp', () => {
  it('names TCP states and header flags as BCC\'s tools print them', async () => {
    const { tcp } = await import('../lbc/src/bcc/tcp.js');
    expect([1, 2, 7, 10, 12].map((s) => tcp.tcpstate.get(s))).toEqual(['ESTABLISHED', 'SYN_SENT', 'CLOSE', 'LISTEN', 'NEW_SYN_RECV']);
    expect([tcp.flags2str(0x12), tcp.flags2str(0x04), tcp.flags2str(0x19), tcp.flags2str(0)]).toEqual(['SYN|ACK', 'RST', 'FIN|PSH|ACK', '']);
  });
});
