import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { Btf, BtfKind } from '../lbc/src/pure.js';

describe('BTF reader', () => {
  it('reads the running kernel\'s BTF', () => {
    const btf = Btf.parse(fs.readFileSync('/sys/kernel/btf/vmlinux'), 'vmlinux');
    expect(btf.count).toBeGreaterThan(10_000);
    const task = btf.find('task_struct', BtfKind.Struct)[0]!;
    expect(task.members!.some((m) => m.name === 'pid')).toBe(true);
    const u32 = btf.find('u32')[0]!;
    expect(btf.sizeof(u32.id)).toBe(4);
    const in6 = btf.find('in6_addr', BtfKind.Struct)[0]!;
    expect(btf.sizeof(in6.id)).toBe(16);
  });

  it('rejects what is not BTF', () => {
    expect(() => Btf.parse(new Uint8Array(32), 'junk')).toThrow(/junk: bad magic/);
    expect(() => Btf.parse(new Uint8Array(4), 'short')).toThrow(/too short/);
  });
});
