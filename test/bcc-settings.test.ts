// What a converted tool sets before load (rodata): BPF() takes the tool's
// values as BCC's C would read them, or refuses them; none becomes a silent 0.
import * as os from 'node:os';
import { describe, expect, it } from 'vitest';
import { BPF } from '../lbc/src/bcc/index.js';

/** A skeleton with these rodata settings that records what BPF() set and stops at load */
function skeleton(rodata: Record<string, unknown>): { open: () => unknown } {
  return {
    open: () => ({
      rodata,
      progs: {},
      obj: { state: 'opened' },
      destroy: () => undefined,
      load: () => {
        throw new Error('loaded');
      },
    }),
  };
}

describe('BPF() settings from the tool', () => {
  it('numbers, hex text (a kernel address drsnoop formats) and lists are set exactly', () => {
    const rodata: Record<string, unknown> = { lcc_pid: 0n, lcc_addr: 0n, lcc_ports: [0n, 0n, 0n], lcc_ports_n: 0n, lcc_none: 5n };
    expect(() => new BPF(skeleton(rodata) as never, { rodata: { lcc_pid: 42, lcc_addr: '0xffffffff81000000', lcc_ports: [80, 443], lcc_none: undefined } })).toThrow('loaded');
    expect(rodata).toEqual({ lcc_pid: 42n, lcc_addr: 0xffffffff81000000n, lcc_ports: [80n, 443n, 0n], lcc_ports_n: 2n, lcc_none: 0n });
  });

  it("text that is no number (a filter's C, 'sport != 80') is refused, naming the setting", () => {
    const rodata: Record<string, unknown> = { lcc_sports_if: 0n, lcc_list: [0n], lcc_list_n: 0n };
    expect(() => new BPF(skeleton(rodata) as never, { rodata: { lcc_sports_if: 'sport != 80' } })).toThrow('lcc_sports_if: "sport != 80" is not a number, and the C reads it as one');
    expect(() => new BPF(skeleton(rodata) as never, { rodata: { lcc_list: ['x'] } })).toThrow('lcc_list: "x" is not a number');
    expect(() => new BPF(skeleton(rodata) as never, { rodata: { lcc_sports_if: Number.NaN } })).toThrow('lcc_sports_if: NaN is not a number');
  });
});

describe('BPF.kernel_before: the #if LINUX_VERSION_CODE tests lcc convert leaves to load time', () => {
  it("compares the running kernel's release as KERNEL_VERSION does, the patch level capped at 255", () => {
    const [a, b, c] = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(os.release())!.slice(1).map((x) => Number(x ?? 0)) as [number, number, number];
    expect(BPF.kernel_before(a, b, c)).toBe(false);
    expect(BPF.kernel_before(a, b + 1, 0)).toBe(true);
    expect(BPF.kernel_before(a, b, Math.min(c, 255) + 1)).toBe(Math.min(c, 255) < 255);
    expect(BPF.kernel_before(a - 1, 255, 999)).toBe(false);
  });
});
