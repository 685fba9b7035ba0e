// The part of pyroute2 BCC's networking tools use: IPRoute().tc(...) to add a
// clsact or ingress qdisc and a cls_bpf filter of a program BCC loaded
// (fd=...), link_lookup(), link("add"/"del"/"set"), and IPDB's interface
// indexes. pyroute2 speaks netlink; this asks iproute2's ip and tc, which say
// the same to the kernel, and hands tc the program through a bpffs pin
// (removed once tc holds it), so a filter without direct-action keeps its
// classid and action exactly as pyroute2 would set them.
import * as fs from 'node:fs';
import * as nodeOs from 'node:os';
import { spawnSync } from 'node:child_process';
import { bpf } from '../ffi.js';
import { ensureBpffs, BPFFS } from '../sysfs.js';
import { ifIndex } from '../program.js';
import { Exception } from '../py/exc.js';
import { splitKw } from '../py/core.js';

export class NetlinkError extends Exception {}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) throw new NetlinkError(`${cmd}: ${r.error.message} (iproute2 is needed for pyroute2's calls)`);
  if (r.status !== 0) throw new NetlinkError(`${cmd} ${args.join(' ')}: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

const ifName = (index: number): string => {
  const name = Object.entries(nodeOs.networkInterfaces()).find(([n]) => ifIndex(n) === index)?.[0];
  if (name) return name;
  // an interface without addresses is not in networkInterfaces(): ip knows it
  const m = new RegExp(`^${index}: ([^:@\\s]+)`, 'm').exec(run('ip', ['-o', 'link', 'show']));
  if (!m) throw new NetlinkError(`no network interface with index ${index}`);
  return m[1]!;
};

/** "ffff:fff2" as tc writes a parent */
const parentArg = (p: unknown): string[] => (p === undefined || p === null ? [] : ['parent', String(p)]);

export class IPRoute {
  link_lookup(...a: unknown[]): number[] {
    const [, kw] = splitKw(a);
    try {
      return [ifIndex(String(kw['ifname']))];
    } catch {
      return [];
    }
  }
  link(...a: unknown[]): void {
    const [pos, kw] = splitKw(a);
    const cmd = String(pos[0]);
    const dev = kw['index'] !== undefined ? ifName(Number(kw['index'])) : String(kw['ifname']);
    if (cmd === 'add') {
      run('ip', ['link', 'add', dev, 'type', String(kw['kind']), ...(kw['peer'] ? ['peer', 'name', String(kw['peer'])] : [])]);
    } else if (cmd === 'del' || cmd === 'delete') {
      run('ip', ['link', 'del', 'dev', dev]);
    } else if (cmd === 'set') {
      run('ip', ['link', 'set', 'dev', dev, ...(kw['state'] ? [String(kw['state'])] : [])]);
    } else throw new NetlinkError(`IPRoute.link("${cmd}"): lcc's pyroute2 knows add, del and set`);
  }
  tc(...a: unknown[]): void {
    const [pos, kw] = splitKw(a);
    const [cmd, kind, index, handle] = pos as [string, string, number, string | undefined];
    const dev = ifName(Number(index));
    if (cmd === 'add' || cmd === 'del') {
      // clsact and ingress sit beside the root; any other qdisc (sfq "1:") is the root one, as pyroute2 adds it
      const where = kind === 'clsact' ? [] : kind === 'ingress' ? ['handle', String(handle ?? 'ffff:')] : ['root', ...(handle ? ['handle', String(handle)] : [])];
      run('tc', ['qdisc', cmd, 'dev', dev, ...where, kind]);
      return;
    }
    if (cmd === 'add-filter' && kind === 'bpf') {
      ensureBpffs();
      const pin = `${BPFFS}/lcc-pyroute2-${process.pid}-${String(kw['name'] ?? 'prog')}`;
      const rc = bpf.obj_pin(Number(kw['fd']), Buffer.from(`${pin}\0`)) as number;
      if (rc < 0) throw new NetlinkError(`pin the program for tc at ${pin}: errno ${-rc}`);
      try {
        run('tc', [
          'filter', 'add', 'dev', dev, ...parentArg(kw['parent']), ...(handle ? ['handle', String(handle).replace(/^.*:/, '')] : []), 'bpf', 'object-pinned', pin,
          ...(kw['classid'] !== undefined ? ['classid', String(kw['classid'])] : []), ...(kw['direct_action'] ? ['da'] : []), ...(kw['action'] ? ['action', String(kw['action'])] : []),
        ]);
      } finally {
        fs.rmSync(pin, { force: true });
      }
      return;
    }
    throw new NetlinkError(`IPRoute.tc("${cmd}", "${kind}"): lcc's pyroute2 knows add and del of a qdisc, and add-filter bpf`);
  }
  close(): void {}
}

/** IPDB(nl=ip): its interfaces by name, each with its index */
export class IPDB {
  readonly interfaces = new Proxy({} as Record<string, { index: number }>, { get: (_t, name) => (typeof name === 'string' ? { index: ifIndex(name) } : undefined) });
  release(): void {}
}

/** pyroute2 as a tool imports it: its classes called as Python calls them */
export const pyroute2 = {
  IPRoute: (..._a: unknown[]): IPRoute => new IPRoute(),
  IPDB: (..._a: unknown[]): IPDB => new IPDB(),
  NetlinkError,
};
