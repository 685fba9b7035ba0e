// lcc btf minimize's naming rules (the comparison with bpftool is in
// btf-minimize.kernel.test.ts).
import { describe, expect, it } from 'vitest';
import { essentialName } from '../src/btf/minimize.js';

describe('essential names', () => {
  it('strips a ___flavor the way libbpf does', () => {
    const table: [string, string][] = [
      ['task_struct', 'task_struct'], ['task_struct___old', 'task_struct'], ['task_struct___v5_x', 'task_struct'],
      ['a____b', 'a____b'], ['___x', '___x'], ['x___', 'x___'], ['sk_buff___a___b', 'sk_buff___a'],
    ];
    for (const [name, essential] of table) expect(essentialName(name), name).toBe(essential);
  });
});
