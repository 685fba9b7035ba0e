// lcc serve's request checks, without a kernel or clang (the service itself,
// on loopback, is in serve.kernel.test.ts).
import { describe, expect, it } from 'vitest';
import { includes, parseRequest, RequestError } from '../src/serve/protocol.js';

describe('compile service requests (no kernel, no clang)', () => {
  const req = (files: Record<string, string>, main = 'a.bpf.c'): unknown => parseRequest(Buffer.from(JSON.stringify({ main, files })));
  it('refuses includes that leave the request, naming file and line', () => {
    const table: [Record<string, string>, RegExp][] = [
      [{ 'a.bpf.c': '#include "lbc.h"\n#include "/etc/passwd"\n' }, /^a\.bpf\.c:2: #include "\/etc\/passwd": absolute paths are not allowed/],
      [{ 'a.bpf.c': '#include "../secret.h"\n' }, /^a\.bpf\.c:1: #include "\.\.\/secret\.h" escapes the request's files/],
      [{ 'a.bpf.c': '#include "sub/x.h"\n', 'sub/x.h': '#include "../../y.h"\n' }, /^sub\/x\.h:1: .* escapes/],
      [{ 'a.bpf.c': '#define F "/etc/passwd"\n#include F\n' }, /^a\.bpf\.c:2: #include F: computed includes are not accepted/],
      [{ 'a.bpf.c': '#import "/etc/shadow"\n' }, /absolute paths are not allowed/],
      [{ 'a.bpf.c': '#inc\\\nlude "/etc/passwd"\n' }, /^a\.bpf\.c:1: .*absolute paths/],
      [{ 'a.bpf.c': '# include </etc/passwd>\n' }, /absolute paths are not allowed/],
      [{ 'a.bpf.c': '#include <linux/sched.h>\n' }, /provides lbc\.h, vmlinux\.h and <bpf\/\*\.h> only/],
      [{ 'a.bpf.c': '#include "missing.h"\n' }, /not among the request's files/],
      // what the preprocessor sees, not what a line-by-line regex sees
      [{ 'a.bpf.c': '%:include "/etc/passwd"\n' }, /^a\.bpf\.c:1: #include "\/etc\/passwd": absolute paths/],
      [{ 'a.bpf.c': 'char *s = "/*";\n#include "/etc/passwd"\nchar *t = "*/";\n' }, /^a\.bpf\.c:2: #include "\/etc\/passwd": absolute paths/],
      [{ 'a.bpf.c': "char c = '\"';\n#include \"/etc/passwd\"\n" }, /^a\.bpf\.c:2: .*absolute paths/],
      [{ 'a.bpf.c': '/* a\ncomment */ #include "/etc/passwd"\n' }, /^a\.bpf\.c:1: .*absolute paths/],
      [{ 'a.bpf.c': '#include /* hidden\n */ "/etc/passwd"\n' }, /^a\.bpf\.c:1: .*absolute paths/],
      [{ 'a.bpf.c': '#\\\ninclude "/etc/passwd"\n' }, /^a\.bpf\.c:1: .*absolute paths/],
      [{ 'a.bpf.c': '#include "constructor"\n' }, /#include "constructor": not among the request's files/],
      [{ 'a.bpf.c': '#include "__proto__"\n' }, /#include "__proto__": not among the request's files/],
    ];
    for (const [f, re] of table) expect(() => req(f), JSON.stringify(f)).toThrow(re);
    expect(() => req({ 'a.bpf.c': '#include "lbc.h"\n#include <bpf/bpf_helpers.h>\n#include "sub/x.h"\n', 'sub/x.h': '#include "../y.h"\n', 'y.h': '' })).not.toThrow();
  });

  it('refuses bad names and shapes', () => {
    const table: [unknown, RegExp][] = [
      [{ main: '/etc/passwd', files: { '/etc/passwd': '' } }, /not allowed/],
      [{ main: 'a.c', files: { 'a.c': '', '../b.h': '' } }, /file name "\.\.\/b\.h" is not allowed/],
      [{ main: 'b.c', files: { 'a.c': '' } }, /main "b\.c" is not among the files/],
      [{ main: 'a.h', files: { 'a.h': '' } }, /must be a \.c file/],
      [{ main: 'a.c', arch: 'mips', files: { 'a.c': '' } }, /arch "mips" is not supported/],
      [{ main: 'a.c', files: { 'a.c': 7 } }, /content must be a string/],
      [{ main: 'a.c', files: { 'a.c': '', a: '', 'a/b.h': '' } }, /^file a is also a directory of a\/b\.h: a name is a file or a directory, not both$/],
      [{ main: 'toString', files: { 'a.c': '' } }, /main "toString" is not among the files/],
    ];
    for (const [body, re] of table) expect(() => parseRequest(Buffer.from(JSON.stringify(body)))).toThrow(re);
    expect(() => parseRequest(Buffer.from('not json'))).toThrow(RequestError);
  });

  it('reads include directives as the preprocessor does', () => {
    expect(includes('x.c', '/* #include "a.h" */\n// #include "b.h"\n  #  include   "c.h" // tail\n#include_next <d.h>\n')).toEqual([
      { file: 'x.c', line: 3, target: 'c.h', angle: false },
      { file: 'x.c', line: 4, target: 'd.h', angle: true },
    ]);
    // a directive after a spliced line and a multi-line comment keeps its own physical line
    expect(includes('y.c', 'int a = 1 + \\\n 2;\n/* one\ntwo */\n#include "e.h"\n').map((i) => i.line)).toEqual([5]);
  });
});

describe('compile service work directories', () => {
  it('live under one root of this user, and those of a service that died are removed at the next start', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { workRoot } = await import('../src/serve/server.js');
    const root = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lcc-root-')), 'work');
    fs.mkdirSync(path.join(root, '999999999-dead', 'sub'), { recursive: true }); // beyond pid_max: no such process
    fs.mkdirSync(path.join(root, `${process.ppid}-alive`));
    fs.mkdirSync(path.join(root, 'not-ours'));
    expect(workRoot(root)).toBe(root);
    expect(fs.readdirSync(root).sort()).toEqual([`${process.ppid}-alive`, 'not-ours'].sort());
    expect(fs.statSync(root).mode & 0o777).toBe(0o700);
  });
});

describe('compile slots shared between clients', () => {
  it('a freed slot goes to the client served least recently, not to the flooding client\'s next request', async () => {
    const { FairSlots, BusyError } = await import('../src/serve/fair.js');
    const slots = new FairSlots(1, 6);
    const order: string[] = [];
    const releases = new Map<string, () => void>();
    const want = (client: string, label: string): void => {
      void slots.acquire(client).then((release) => {
        order.push(label);
        releases.set(label, release);
      });
    };
    releases.set('flood-first', await slots.acquire('flood'));
    for (let i = 0; i < 5; i++) want('flood', `flood${i}`);
    want('good', 'good');
    expect(slots.waiting).toBe(6);
    await expect(slots.acquire('third')).rejects.toBeInstanceOf(BusyError); // the queue holds 6
    // each release hands the one slot to one waiter
    let holder = 'flood-first';
    for (let i = 0; i < 6; i++) {
      releases.get(holder)!();
      await new Promise((r) => setImmediate(r));
      expect(slots.active).toBe(1);
      holder = order[order.length - 1]!;
    }
    // good arrived after all of flood's, and is served as soon as the first slot frees
    expect(order).toEqual(['good', 'flood0', 'flood1', 'flood2', 'flood3', 'flood4']);
    releases.get(holder)!();
    expect(slots.active).toBe(0);
    expect(slots.waiting).toBe(0);
  });
});

describe('the object cache', () => {
  it('stays under its quota, dropping the least recently used first, and keeps that order across a restart', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { ObjectCache } = await import('../src/serve/cache.js');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lcc-cache-'));
    const c = new ObjectCache(dir, 3000);
    const obj = (n: number): Buffer => Buffer.alloc(1000, n);
    c.put('a', obj(1));
    c.put('b', obj(2));
    c.put('c', obj(3));
    expect(c.get('a')).toEqual(obj(1)); // a is now the most recent
    c.put('d', obj(4)); // over quota: b goes (least recently used)
    expect(c.bytes).toBe(3000);
    expect(c.get('b')).toBeNull();
    expect(fs.readdirSync(dir).sort()).toEqual(['a.o', 'c.o', 'd.o']);
    expect(c.evictions).toBe(1);
    // a restart reads last use from the files: c is oldest now
    const t = Date.now() / 1000;
    fs.utimesSync(path.join(dir, 'c.o'), t - 30, t - 30);
    fs.utimesSync(path.join(dir, 'a.o'), t - 20, t - 20);
    fs.utimesSync(path.join(dir, 'd.o'), t - 10, t - 10);
    const again = new ObjectCache(dir, 2000);
    expect(again.bytes).toBe(2000);
    expect(fs.readdirSync(dir).sort()).toEqual(['a.o', 'd.o']);
  });
});
