// Maps: BCC's BPF_* declarations → lbc.h's LBC_* ones with BCC's defaults made explicit, and its map
// methods (lookup, perf_submit, ringbuf_*, get_stackid, call, ...) → the libbpf helpers; a perf buffer's
// record type is what its perf_submit() sends.
import type { Conversion } from './conversion.js';
import { scalar } from './reads.js';
import { callArgs } from '../../cscan.js';
import { keepLines } from './text.js';

const MAP_DEFAULTS: Record<string, { macro: string; kind: string }> = {
  BPF_HASH: { macro: 'LBC_HASH', kind: 'hash' }, BPF_LRU_HASH: { macro: 'LBC_LRU_HASH', kind: 'lru_hash' },
  BPF_PERCPU_HASH: { macro: 'LBC_PERCPU_HASH', kind: 'percpu_hash' }, BPF_ARRAY: { macro: 'LBC_ARRAY', kind: 'array' },
  BPF_PERCPU_ARRAY: { macro: 'LBC_PERCPU_ARRAY', kind: 'percpu_array' }, BPF_HISTOGRAM: { macro: 'LBC_ARRAY', kind: 'histogram' },
};

/** BCC's local storage maps → lbc.h's: a value kept with each kernel object */
const STORAGE: Record<string, string> = {
  BPF_TASK_STORAGE: 'LBC_TASK_STORAGE', BPF_INODE_STORAGE: 'LBC_INODE_STORAGE', BPF_SK_STORAGE: 'LBC_SK_STORAGE',
  BPF_CGROUP_STORAGE: 'LBC_CGROUP_STORAGE', BPF_PERCPU_CGROUP_STORAGE: 'LBC_PERCPU_CGROUP_STORAGE',
};

const TABLE_KINDS: Record<string, string> = {
  hash: 'BPF_HASH', array: 'BPF_ARRAY', percpu_array: 'BPF_PERCPU_ARRAY', percpu_hash: 'BPF_PERCPU_HASH', lru_hash: 'BPF_LRU_HASH', histogram: 'BPF_HISTOGRAM',
};

/** BPF_* map declarations and map methods → lbc.h and libbpf */
export function rewriteMaps(cx: Conversion): void {
  const { report, maps, tool, pyLine, fail } = cx;
  cx.text = cx.text.replace(/^[ \t]*(BPF_\w+)\s*(?=\()/gm, (m, macro: string, off: number) => `\u0000MAP${macro}\u0000${pyLine(off)}\u0000`);
  // declarations a replacement put on one line (a map per option, all declared): the ones after a ';'
  cx.text = cx.text.replace(/(;[ \t]*)(BPF_\w+)\s*(?=\()/g, (m, lead: string, macro: string, off: number) =>
    MAP_DEFAULTS[macro] || macro === 'BPF_TABLE' ? `${lead}\u0000MAP${macro}\u0000${pyLine(off)}\u0000` : m);
  // maps of maps named before their inner map: declared after it
  const afterInner = new Map<string, { out: string; line: number }[]>();
  for (;;) {
    const i = cx.text.indexOf('\u0000MAP');
    if (i < 0) break;
    const m = /^\u0000MAP(\w+)\u0000(-?\d+)\u0000/.exec(cx.text.slice(i))!;
    const line = Number(m[2]);
    const open = i + m[0].length;
    const parsed = callArgs(cx.text, open);
    if (!parsed) {
      fail(line, `${m[1]}(...) is not closed`, 'check the macro call');
      cx.text = cx.text.slice(0, i) + cx.text.slice(open);
      continue;
    }
    let end = parsed.end;
    if (cx.text[end] === ';') end++;
    let macro = m[1]!;
    let a = parsed.args;
    if (macro === 'BPF_TABLE') {
      // the kind may be a macro the tool defines (-DMAPTYPE="percpu_array")
      const named = a[0]?.trim() ?? '';
      const def = tool.defines.find((d) => d.name === named && !d.arg)?.value ?? tool.cflags.map((f) => new RegExp(`^-D${named}=(.*)$`).exec(f)?.[1]).find((v) => v !== undefined);
      const kind = (def ?? named).replace(/"/g, '');
      macro = TABLE_KINDS[kind] ?? '';
      if (!macro) {
        fail(line, `BPF_TABLE("${kind}", ...)`, `lcc convert knows table kinds ${Object.keys(TABLE_KINDS).join(', ')}`);
        cx.text = cx.text.slice(0, i) + keepLines(cx.text.slice(i, end)) + cx.text.slice(end);
        continue;
      }
      // BPF_TABLE(kind, key, leaf, name, size) → the macro's own order
      a = macro === 'BPF_ARRAY' || macro === 'BPF_PERCPU_ARRAY' ? [a[3]!, a[2]!, a[4]!] : [a[3]!, a[1]!, a[2]!, a[4]!];
    }
    let out = '';
    const mapName = a[0] ?? '';
    if (MAP_DEFAULTS[macro]) {
      const d = MAP_DEFAULTS[macro]!;
      let key: string;
      let value: string;
      let size: string;
      if (macro === 'BPF_ARRAY' || macro === 'BPF_PERCPU_ARRAY') {
        key = '__u32';
        value = a[1] || '__u64';
        size = a[2] || '10240';
      } else if (macro === 'BPF_HISTOGRAM') {
        key = a[1] || 'int';
        value = '__u64';
        size = a[2] || '64';
      } else {
        key = a[1] || '__u64';
        value = a[2] || '__u64';
        size = a[3] || '10240';
      }
      let lbc = d.macro;
      if (macro === 'BPF_HISTOGRAM' && scalar(key)) key = '__u32';
      else if (macro === 'BPF_HISTOGRAM') lbc = 'LBC_HASH';
      out = `${lbc}(${mapName}, ${key}, ${value}, ${size});`;
      maps.push({ name: mapName, macro: lbc, key, value, kind: d.kind });
      report.push({ line, what: `${m[1]}(${a.join(', ')}) → ${out} (BCC's defaults made explicit)`, converted: true });
    } else if (macro === 'BPF_PERF_OUTPUT') {
      out = `LBC_PERF_OUTPUT(${mapName}, \u0000EVENT${mapName}\u0000, 64);`;
      maps.push({ name: mapName, macro: 'LBC_PERF_OUTPUT', key: null, value: null, kind: 'perf' });
      report.push({ line, what: `BPF_PERF_OUTPUT(${mapName}) → LBC_PERF_OUTPUT with the event type its perf_submit() sends`, converted: true });
    } else if (macro === 'BPF_RINGBUF_OUTPUT') {
      out = `LBC_RINGBUF(${mapName}, (${a[1] || '8'}) * 4096);`;
      maps.push({ name: mapName, macro: 'LBC_RINGBUF', key: null, value: null, kind: 'ring' });
      report.push({ line, what: `BPF_RINGBUF_OUTPUT(${mapName}, ${a[1]}) → ${out}`, converted: true });
    } else if (macro === 'BPF_CPUMAP' || macro === 'BPF_DEVMAP' || macro === 'BPF_XSKMAP') {
      // XDP's redirect targets: a CPU's queue size, a device's ifindex, an AF_XDP socket, by index
      const lbc = macro.replace(/^BPF_/, 'LBC_');
      out = `${lbc}(${mapName}, ${a[1] || '64'});`;
      maps.push({ name: mapName, macro: lbc, key: '__u32', value: '__u32', kind: 'array' });
      report.push({ line, what: `${macro}(${a.join(', ')}) → ${out}`, converted: true });
    } else if (macro === 'BPF_PROG_ARRAY') {
      out = `LBC_PROG_ARRAY(${mapName}, ${a[1] || '10240'});`;
      maps.push({ name: mapName, macro: 'LBC_PROG_ARRAY', key: '__u32', value: '__u32', kind: 'array' });
      report.push({ line, what: `BPF_PROG_ARRAY(${a.join(', ')}) → ${out}`, converted: true });
    } else if (macro === 'BPF_SOCKMAP' || macro === 'BPF_SOCKHASH') {
      // sockets by index or key, for sockops/sk_msg/sk_skb redirects (BCC's defaults: u32 keys, 10240 of them)
      const hash = macro === 'BPF_SOCKHASH';
      const key = hash ? a[1] || '__u32' : '__u32';
      const size = (hash ? a[2] : a[1]) || '10240';
      out = hash ? `LBC_SOCKHASH(${mapName}, ${key}, ${size});` : `LBC_SOCKMAP(${mapName}, ${size});`;
      maps.push({ name: mapName, macro: hash ? 'LBC_SOCKHASH' : 'LBC_SOCKMAP', key, value: '__u32', kind: hash ? 'hash' : 'array' });
      report.push({ line, what: `${macro}(${a.join(', ')}) → ${out}`, converted: true });
    } else if (STORAGE[macro]) {
      // a value per task, inode, socket or cgroup: the kernel object is the key
      const lbc = STORAGE[macro]!;
      out = `${lbc}(${mapName}, ${a[1]});`;
      maps.push({ name: mapName, macro: lbc, key: null, value: a[1]!, kind: 'storage' });
      report.push({ line, what: `${macro}(${a.join(', ')}) → ${out}`, converted: true });
    } else if (macro === 'BPF_QUEUE' || macro === 'BPF_STACK') {
      // values pushed and popped: first in first out, or last in first out
      const lbc = macro === 'BPF_QUEUE' ? 'LBC_QUEUE' : 'LBC_LIFO';
      out = `${lbc}(${mapName}, ${a[1]}, ${a[2]});`;
      maps.push({ name: mapName, macro: lbc, key: null, value: a[1]!, kind: 'queue' });
      // (BCC's optional fourth argument, the map's flags: lbc.h's queue has none)
      if (a[3] && a[3].trim() !== '0') fail(line, `${macro}(${a.join(', ')}): a queue or stack with map flags (${a[3].trim()})`, 'declare it with struct { __uint(type, BPF_MAP_TYPE_QUEUE); __uint(map_flags, ...); ... } by hand');
      else report.push({ line, what: `${macro}(${a.join(', ')}) → ${out}`, converted: true });
    } else if (macro === 'BPF_LPM_TRIE') {
      // BCC's defaults: u64 keys and values, 10240 entries
      out = `LBC_LPM_TRIE(${mapName}, ${a[1] || 'u64'}, ${a[2] || 'u64'}, ${a[3] || '10240'});`;
      maps.push({ name: mapName, macro: 'LBC_LPM_TRIE', key: a[1] || 'u64', value: a[2] || 'u64', kind: 'hash' });
      report.push({ line, what: `BPF_LPM_TRIE(${a.join(', ')}) → ${out} (BCC's defaults made explicit)`, converted: true });
    } else if (macro === 'BPF_CGROUP_ARRAY') {
      out = `LBC_CGROUP_ARRAY(${mapName}, ${a[1]});`;
      maps.push({ name: mapName, macro: 'LBC_CGROUP_ARRAY', key: '__u32', value: '__u32', kind: 'array' });
      report.push({ line, what: `BPF_CGROUP_ARRAY(${a.join(', ')}) → ${out}`, converted: true });
    } else if (macro === 'BPF_PERF_ARRAY') {
      out = `LBC_PERF_ARRAY(${mapName}, ${a[1]});`;
      maps.push({ name: mapName, macro: 'LBC_PERF_ARRAY', key: '__u32', value: '__u32', kind: 'perf_array' });
      report.push({ line, what: `BPF_PERF_ARRAY(${a.join(', ')}) → ${out} (user space stores a counter per CPU: open_perf_event)`, converted: true });
    } else if (macro === 'BPF_ARRAY_OF_MAPS' || macro === 'BPF_HASH_OF_MAPS') {
      // the inner map by name (a string in BCC), the outer's values maps shaped like it
      const hash = macro === 'BPF_HASH_OF_MAPS';
      const [key, innerArg, size] = hash ? (a.length === 2 ? ['int', a[1], '10240'] : [a[1]!, a[2], a[3] || '10240']) : ['__u32', a[1], a[2]];
      const inner = (innerArg ?? '').replace(/^"|"$/g, '');
      out = hash ? `LBC_HASH_OF_MAPS(${mapName}, ${key}, ${inner}, ${size});` : `LBC_ARRAY_OF_MAPS(${mapName}, ${inner}, ${size});`;
      maps.push({ name: mapName, macro: hash ? 'LBC_HASH_OF_MAPS' : 'LBC_ARRAY_OF_MAPS', key, value: '__u32', kind: 'maps' });
      report.push({ line, what: `${macro}(${a.join(', ')}) → ${out} (each value a map like ${inner}, stored by its fd)`, converted: true });
      // (C names the inner map's type: declared after it, where BCC's string named one declared later)
      if (!maps.some((x) => x.name === inner)) {
        afterInner.set(inner, [...(afterInner.get(inner) ?? []), { out, line }]);
        out = '';
      }
    } else if (macro === 'BPF_STACK_TRACE' || macro === 'BPF_STACK_TRACE_BUILDID') {
      const lbc = macro === 'BPF_STACK_TRACE' ? 'LBC_STACK' : 'LBC_STACK_BUILDID';
      out = `${lbc}(${mapName}, ${a[1] || '1024'});`;
      maps.push({ name: mapName, macro: lbc, key: '__u32', value: null, kind: 'stack' });
      report.push({ line, what: `${macro} → ${out}`, converted: true });
    } else {
      fail(line, `${m[1]}(...)`, 'lcc convert does not know this map macro; declare the map with an LBC_* macro from lbc.h');
    }
    const outers = afterInner.get(mapName) ?? [];
    afterInner.delete(mapName);
    out = [out, ...outers.map((o) => o.out)].filter(Boolean).join(' ');
    cx.text = cx.text.slice(0, i) + out + keepLines(cx.text.slice(i, end)) + cx.text.slice(end);
  }
  for (const [inner, outers] of afterInner) for (const o of outers) fail(o.line, `a map of maps whose values are like ${inner}, which the BPF text does not declare`, `declare ${inner} (the inner map) in the BPF text`);
  const mapNames = new Set(maps.map((m) => m.name));

  // map methods
  const locals = (fnText: string): Map<string, string> => {
    const out = new Map<string, string>();
    // declarations, and parameters (sofdsnoop submits its `struct val_t *val` parameter)
    for (const d of fnText.matchAll(/\b(struct\s+\w+|\w+)\s+(\*?)\s*(\w+)\s*(?:=|;|\[|,|\))/g)) {
      if (!/^(return|else|case|goto|sizeof|struct)$/.test(d[1]!)) out.set(d[3]!, `${d[1]}${d[2] ? ' *' : ''}`);
    }
    return out;
  };
  const declaredBefore = (at: number, v: string): string | undefined => locals(cx.text.slice(0, at)).get(v);
  cx.text = cx.text.replace(/\b(\w+)\.(lookup_or_try_init|lookup_or_init|lookup|update|insert|delete|increment|atomic_increment|perf_submit|ringbuf_output|ringbuf_reserve|ringbuf_submit|ringbuf_discard|get_stackid|redirect_map|perf_submit_skb|sock_map_update|sock_hash_update|msg_redirect_map|msg_redirect_hash|sk_redirect_map|sk_redirect_hash|call|push|pop|peek|perf_read|perf_counter_value|task_storage_get|task_storage_delete|inode_storage_get|inode_storage_delete|sk_storage_get|sk_storage_delete|get_local_storage|check_current_task)\s*\(/g, (m, map: string, method: string, off: number) => {
    if (!mapNames.has(map)) return m;
    return `\u0000CALL${map}\u0000${method}\u0000${pyLine(off)}\u0000(`;
  });
  for (;;) {
    const i = cx.text.indexOf('\u0000CALL');
    if (i < 0) break;
    const m = /^\u0000CALL(\w+)\u0000(\w+)\u0000(-?\d+)\u0000/.exec(cx.text.slice(i))!;
    const [, map, method] = m as unknown as [string, string, string];
    const line = Number(m[3]);
    const parsed = callArgs(cx.text, i + m[0].length);
    if (!parsed) {
      fail(line, `${map}.${method}(...) is not closed`, 'check the parentheses of the call');
      cx.text = cx.text.slice(0, i) + `${map}.${method}` + cx.text.slice(i + m[0].length);
      continue;
    }
    // (a compound literal's commas, &(struct host){a, b}, would split a macro's arguments: parenthesised)
    const a = parsed.args.map((x) => (/[{}]/.test(x) ? `(${x.trim()})` : x));
    // the record a buffer's map sends, for user space's table.event(data): the type of the variable whose
    // address (or, for perf_submit, which pointer) the call passes, by the declaration nearest before the
    // call: the one of its function (tcpconnect has a `void *data` in another function than the
    // `struct dns_data_t *data` it submits)
    const declaredAt = (arg: string | undefined, pointer = false): string | undefined => {
      const v = /^&\s*(\w+)$/.exec(arg ?? '')?.[1] ?? (pointer ? /^(\w+)$/.exec(arg ?? '')?.[1] : undefined);
      return v ? declaredBefore(i, v) : undefined;
    };
    const sends = (type: string | undefined): void => {
      const info = maps.find((x) => x.name === map)!;
      if (type && !info.event) info.event = type.replace(/\s*\*$/, '');
    };
    let out: string;
    switch (method) {
      case 'lookup': out = `bpf_map_lookup_elem(&${map}, ${a[0]})`; break;
      case 'update': out = `bpf_map_update_elem(&${map}, ${a[0]}, ${a[1]}, BPF_ANY)`; break;
      case 'insert': out = `bpf_map_update_elem(&${map}, ${a[0]}, ${a[1]}, BPF_NOEXIST)`; break;
      case 'delete': out = `bpf_map_delete_elem(&${map}, ${a[0]})`; break;
      case 'increment': case 'atomic_increment': out = `lbc_map_increment(${map}, ${a[0]}, ${a[1] ?? '1'})`; break;
      case 'lookup_or_try_init': case 'lookup_or_init': out = `lbc_lookup_or_try_init(${map}, ${a[0]}, ${a[1]})`; break;
      case 'perf_submit':
        out = `lbc_perf_submit(${a[0]}, ${map}, ${a[1]}, ${a[2]})`;
        sends(declaredAt(a[1], true));
        break;
      case 'perf_submit_skb':
        // perf_submit_skb(skb, skb->len, &rec, sizeof(rec)): the packet follows the record
        out = `lbc_perf_submit_skb(${a[0]}, ${a[1]}, ${map}, ${a[2]}, ${a[3]})`;
        sends(declaredAt(a[2]));
        break;
      case 'ringbuf_output':
        out = `lbc_ringbuf_output(${map}, ${a[0]}, ${a[1]})`;
        sends(declaredAt(a[0]));
        break;
      case 'ringbuf_reserve':
        out = `lbc_ringbuf_reserve(${map}, ${a[0]})`;
        // ...or what is reserved: sizeof(struct event_t)
        sends(/^sizeof\s*\(\s*((?:struct\s+)?\w+)\s*\)$/.exec(a[0] ?? '')?.[1]);
        break;
      case 'ringbuf_submit': out = `bpf_ringbuf_submit(${a[0]}, ${a[1] ?? '0'})`; break;
      case 'ringbuf_discard': out = `bpf_ringbuf_discard(${a[0]}, ${a[1] ?? '0'})`; break;
      case 'get_stackid': out = `bpf_get_stackid(${a[0]}, &${map}, ${a[1] ?? '0'})`; break;
      case 'redirect_map': out = `bpf_redirect_map(&${map}, ${a[0]}, ${a[1] ?? '0'})`; break;
      // map.sock_hash_update(ctx, &key, flags), map.msg_redirect_hash(msg, &key, flags), ...: the helper of
      // that name with the map after the context, as BCC rewrites them
      // prog_array.call(ctx, index): the tail call (it returns only when the slot is empty)
      case 'call': out = `bpf_tail_call(${a[0]}, &${map}, ${a[1]})`; break;
      // queue and stack maps: push(&v, flags), pop(&v), peek(&v)
      case 'push': out = `bpf_map_push_elem(&${map}, ${a[0]}, ${a[1] ?? '0'})`; break;
      case 'pop': out = `bpf_map_pop_elem(&${map}, ${a[0]})`; break;
      case 'peek': out = `bpf_map_peek_elem(&${map}, ${a[0]})`; break;
      // a perf counter of this CPU's (BPF_PERF_ARRAY): its count, or count, enabled and running times
      case 'perf_read': out = `bpf_perf_event_read(&${map}, ${a[0]})`; break;
      case 'perf_counter_value': out = `bpf_perf_event_read_value(&${map}, ${a.join(', ')})`; break;
      // local storage: the helper of the map's kind, the map first (x.task_storage_get(task, &init, flags))
      case 'task_storage_get': case 'inode_storage_get': case 'sk_storage_get':
      case 'task_storage_delete': case 'inode_storage_delete': case 'sk_storage_delete':
        out = `bpf_${method}(&${map}, ${a.join(', ')})`;
        break;
      case 'get_local_storage': out = `bpf_get_local_storage(&${map}, ${a[0] ?? '0'})`; break;
      // a cgroup array's: whether the current task is under the cgroup at that index
      case 'check_current_task': out = `bpf_current_task_under_cgroup(&${map}, ${a[0]})`; break;
      case 'sock_map_update': case 'sock_hash_update': case 'msg_redirect_map': case 'msg_redirect_hash': case 'sk_redirect_map': case 'sk_redirect_hash':
        out = `bpf_${method}(${a[0]}, &${map}, ${a.slice(1).join(', ')})`;
        break;
      default: out = `${map}.${method}(${a.join(', ')})`;
    }
    report.push({ line, what: `${map}.${method}(...) → ${out.replace(/\(.*$/s, '(...)')}`, converted: true });
    cx.text = cx.text.slice(0, i) + out + keepLines(cx.text.slice(i, parsed.end)) + cx.text.slice(parsed.end);
  }
  for (const mp of maps.filter((x) => x.kind === 'perf')) {
    if (mp.event) cx.text = cx.text.split(`\u0000EVENT${mp.name}\u0000`).join(mp.event);
    else if (!new RegExp(`\\blbc_perf_submit(?:_skb)?\\([^;]*?,\\s*${mp.name}\\s*,`).test(cx.text)) {
      // declared and never written (net_monitor's skb_events): no record to know, the map alone
      cx.text = cx.text.split(`\u0000EVENT${mp.name}\u0000`).join('char');
      report.push({ line: tool.pieces[0]!.line, what: `BPF_PERF_OUTPUT(${mp.name}) is never submitted to → declared, with no record`, converted: true });
    } else {
      fail(tool.pieces[0]!.line, `BPF_PERF_OUTPUT(${mp.name}): no perf_submit() of a variable whose type lcc can see`, 'submit a local struct variable: events.perf_submit(ctx, &data, sizeof(data))');
      cx.text = cx.text.split(`\u0000EVENT${mp.name}\u0000`).join('char');
    }
  }
}

