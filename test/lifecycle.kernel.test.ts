// Across processes: a pinned map shared with a second process, and nothing
// left attached when a process is killed or told to stop.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BpfMap, BpfObject, codec, ensureBpffs, loadedPrograms } from '../lbc/src/index.js';
import { eventually, fixtureObject, runKernelTests } from './helpers/kernel.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const CHILD = path.join(here, 'helpers', 'child.ts');

function startChild(mode: string, obj: string, pin = ''): Promise<{ child: ChildProcess; pid: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, mode, obj, pin], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve({ child, pid: JSON.parse(out).pid });
    });
    child.on('exit', (code) => reject(new Error(`child exited with ${code} before it was ready`)));
  });
}

const ourPrograms = (): number[] => loadedPrograms().filter((p) => p.name === 'on_exec' || p.name === 'on_sendto').map((p) => p.id);
const exited = (c: ChildProcess): Promise<number | null> => new Promise((r) => (c.exitCode !== null ? r(c.exitCode) : c.on('exit', (code, sig) => r(code ?? (sig ? -1 : null)))));

describe.runIf(runKernelTests)('lifecycle across processes', () => {
  let obj = '';
  const pinDir = `/sys/fs/bpf/lcc-test-${process.pid}`;
  beforeAll(() => {
    obj = fixtureObject('runtime');
  });
  afterAll(() => fs.rmSync(pinDir, { recursive: true, force: true }));

  it('shares a pinned map with a second process', async () => {
    const pin = `${pinDir}/send_count`;
    ensureBpffs(); // before any mkdir: under an unmounted /sys/fs/bpf, node's mkdir spins
    fs.mkdirSync(pinDir);
    const { child } = await startChild('pin', obj, pin);
    try {
      const shared = BpfMap.fromPinned(pin, { key: codec.u32, value: codec.u64 });
      expect(shared.info).toMatchObject({ name: 'send_count', type: 'hash', keySize: 4, valueSize: 8 });
      expect(shared.get(42)).toBe(4242n);
      // an object of ours opened against the same pin path reuses the map, not a copy
      const mine = BpfObject.open(obj).pinMap('send_count', pin).load();
      mine.map('send_count', { key: codec.u32, value: codec.u64 }).set(43, 4343n);
      expect(shared.get(43)).toBe(4343n);
      mine.destroy();
      shared.close();
    } finally {
      child.stdin!.end();
      expect(await exited(child)).toBe(0);
    }
    // the pin outlives both processes
    const again = BpfMap.fromPinned(pin, { key: codec.u32, value: codec.u64 });
    expect(again.get(42)).toBe(4242n);
    again.close();
    fs.rmSync(pin);
  });

  it('exits even with a source still waiting on the poller', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'helpers', 'exit-child.ts')], { stdio: 'inherit' });
    const code = await Promise.race([exited(child), new Promise<string>((r) => setTimeout(() => r('hung'), 10_000))]);
    if (code === 'hung') child.kill('SIGKILL');
    expect(code).toBe(0);
  });

  for (const signal of ['SIGKILL', 'SIGTERM', 'SIGINT'] as const) {
    it(`leaves no program attached after ${signal}`, async () => {
      const before = new Set(ourPrograms());
      const { child } = await startChild('attach', obj);
      const mine = ourPrograms().filter((id) => !before.has(id));
      expect(mine).toHaveLength(2);
      child.kill(signal);
      const code = await exited(child);
      if (signal === 'SIGTERM') expect(code).toBe(143);
      if (signal === 'SIGINT') expect(code).toBe(130);
      expect(await eventually(() => !ourPrograms().some((id) => mine.includes(id)))).toBe(true);
    });
  }
});
