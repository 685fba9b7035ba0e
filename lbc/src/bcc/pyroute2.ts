// The part of pyroute2 BCC's networking tools use: IPRoute().tc(...) to add a
// clsact or ingress qdisc and a cls_bpf filter of a program BCC loaded
// (fd=...), link_lookup(), link("add"/"del"/"set"), and IPDB: its interfaces,
// new links (vxlan, gretap, bridge, veth, dummy) with their ports, addresses
// and state, and routes, each change made at commit() or at the end of a
// `with`. pyroute2 speaks netlink; this asks iproute2's ip and tc, which say
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
import { PyDict } from '../py/dict.js';

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

const linkExists = (name: string): boolean => spawnSync('ip', ['link', 'show', 'dev', name], { stdio: 'ignore' }).status === 0;

/** What `ip link add ... type KIND` takes for pyroute2's attributes of that kind (the ones BCC's examples set) */
function kindArgs(kind: string, attrs: Record<string, unknown>): string[] {
  const out: string[] = [];
  const dev = (v: unknown): string => (v instanceof Interface ? v.ifname : typeof v === 'number' ? ifName(v) : String(v));
  const external = Boolean(attrs['vxlan_collect_metadata'] || attrs['vxlan_flowbased'] || attrs['gre_collect_metadata']);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'vxlan_id') {
      // iproute2 takes no VNI beside external (pyroute2 sends 0 with it, which the kernel ignores)
      if (!external) out.push('id', String(v));
    } else if (k === 'vxlan_link') out.push('dev', dev(v));
    else if (k === 'vxlan_port') out.push('dstport', String(v));
    else if (k === 'vxlan_group') out.push('group', String(v));
    else if (k === 'vxlan_learning') out.push(v ? 'learning' : 'nolearning');
    else if (k === 'vxlan_collect_metadata' || k === 'vxlan_flowbased' || k === 'gre_collect_metadata') continue;
    else if (k === 'gre_ikey') out.push('ikey', String(v));
    else if (k === 'gre_okey') out.push('okey', String(v));
    else if (k === 'gre_local') out.push('local', String(v));
    else if (k === 'gre_remote') out.push('remote', String(v));
    else if (k === 'gre_ttl') out.push('ttl', String(v));
    else throw new NetlinkError(`IPDB.create(kind="${kind}", ${k}=...): lcc's pyroute2 knows the vxlan and gre attributes BCC's examples set`);
  }
  return external ? [...out, 'external'] : out;
}

/**
 * An interface of IPDB: changes (up, ports, addresses, a new link) wait for commit(), as pyroute2's
 * transactions do; `with` commits at its end
 */
export class Interface {
  private pending: string[][] = [];
  readonly peer: string | undefined;
  constructor(public ifname: string, private created: { kind: string; peer?: string; attrs: Record<string, unknown> } | null = null) {
    this.peer = created?.peer;
  }
  get index(): number {
    return ifIndex(this.ifname);
  }
  __getitem__(k: unknown): unknown {
    return (this as unknown as Record<string, unknown>)[String(k)];
  }
  up(): this {
    this.pending.push(['link', 'set', 'dev', this.ifname, 'up']);
    return this;
  }
  down(): this {
    this.pending.push(['link', 'set', 'dev', this.ifname, 'down']);
    return this;
  }
  add_port(port: unknown): this {
    const p = port instanceof Interface ? port.ifname : ifName(Number(port));
    this.pending.push(['link', 'set', 'dev', p, 'master', this.ifname]);
    return this;
  }
  add_ip(cidr: unknown, mask?: unknown): this {
    this.pending.push(['addr', 'add', mask === undefined ? String(cidr) : `${String(cidr)}/${String(mask)}`, 'dev', this.ifname]);
    return this;
  }
  remove(): this {
    this.pending.push(['link', 'del', 'dev', this.ifname]);
    return this;
  }
  commit(): this {
    if (this.created) {
      const { kind, peer, attrs } = this.created;
      run('ip', ['link', 'add', this.ifname, 'type', kind, ...(peer ? ['peer', 'name', peer] : []), ...kindArgs(kind, attrs)]);
      this.created = null;
    }
    for (const cmd of this.pending.splice(0)) run('ip', cmd);
    return this;
  }
  __enter__(): this {
    return this;
  }
  __exit__(): boolean {
    this.commit();
    return false;
  }
}

/** IPDB(nl=ip): its interfaces by name, new links (create), routes; each change made at commit() */
export class IPDB {
  readonly nl: IPRoute;
  constructor(nl?: IPRoute) {
    this.nl = nl ?? new IPRoute();
  }
  readonly interfaces = new Proxy({} as Record<string, Interface>, {
    get: (_t, name) => (typeof name !== 'string' ? undefined : name === '__getitem__' ? (n: unknown) => new Interface(String(n)) : name === '__contains__' ? (n: unknown) => linkExists(String(n)) : new Interface(name)),
    has: (_t, name) => typeof name === 'string' && linkExists(name),
  });
  readonly routes = {
    // routes.add({"dst": ..., "oif": ...}): a Python dict, or keywords
    add: (...a: unknown[]) => {
      const [pos, kw] = splitKw(a);
      const d = pos[0];
      const get = (k: string): unknown => (d instanceof PyDict ? d.get(k) : (d as Record<string, unknown> | undefined)?.[k]) ?? kw[k] ?? undefined;
      const args = ['route', 'add', String(get('dst') ?? 'default'), ...(get('gateway') ? ['via', String(get('gateway'))] : []), ...(get('oif') !== undefined && get('oif') !== null ? ['dev', ifName(Number(get('oif')))] : [])];
      return { commit: () => void run('ip', args) };
    },
  };
  create(...a: unknown[]): Interface {
    const [, kw] = splitKw(a);
    const { ifname, kind, peer, ...attrs } = kw as { ifname: string; kind: string; peer?: string } & Record<string, unknown>;
    return new Interface(String(ifname), { kind: String(kind), ...(peer ? { peer: String(peer) } : {}), attrs });
  }
  initdb(): void {}
  release(): void {}
}

/** pyroute2 as a tool imports it: its classes called as Python calls them */
export const pyroute2 = {
  IPRoute: (..._a: unknown[]): IPRoute => new IPRoute(),
  IPDB: (...a: unknown[]): IPDB => {
    const [pos, kw] = splitKw(a);
    const nl = kw['nl'] ?? pos[0];
    return new IPDB(nl instanceof IPRoute ? nl : undefined);
  },
  NetlinkError,
};
