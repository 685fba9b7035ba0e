/**
 * BCC's packet cursor in socket filter and tc programs: `cursor_advance()`
 * and reads through the headers of bcc/proto.h (`ip->hlen`), which BCC's
 * compiler turns into loads from the packet. Here the same loads are written
 * in the C: each field read at its byte and bit offset in network order,
 * through LLVM's legacy packet load intrinsics (ld_abs), as BCC's own are.
 */
import { codeOnly } from '../../cscan.js';

/**
 * bcc/proto.h's headers as BCC reads them: packed, fields in order, each its
 * width in bits, read from the most significant bit of its first byte.
 */
const HEADERS: Record<string, [string, number][]> = {
  ethernet_t: [['dst', 48], ['src', 48], ['type', 16]],
  dot1q_t: [['pri', 3], ['cfi', 1], ['vlanid', 12], ['type', 16]],
  arp_t: [['htype', 16], ['ptype', 16], ['hlen', 8], ['plen', 8], ['oper', 16], ['sha', 48], ['spa', 32], ['tha', 48], ['tpa', 32]],
  ip_t: [['ver', 4], ['hlen', 4], ['tos', 8], ['tlen', 16], ['identification', 16], ['ffo_unused', 1], ['df', 1], ['mf', 1], ['foffset', 13],
    ['ttl', 8], ['nextp', 8], ['hchecksum', 16], ['src', 32], ['dst', 32]],
  icmp_t: [['type', 8], ['code', 8], ['checksum', 16]],
  ip6_t: [['ver', 4], ['priority', 8], ['flow_label', 20], ['payload_len', 16], ['next_header', 8], ['hop_limit', 8],
    ['src_hi', 64], ['src_lo', 64], ['dst_hi', 64], ['dst_lo', 64]],
  icmp6_t: [['type', 8], ['code', 8], ['checksum', 16]],
  udp_t: [['sport', 16], ['dport', 16], ['length', 16], ['crc', 16]],
  tcp_t: [['src_port', 16], ['dst_port', 16], ['seq_num', 32], ['ack_num', 32], ['offset', 4], ['reserved', 4],
    ['flag_cwr', 1], ['flag_ece', 1], ['flag_urg', 1], ['flag_ack', 1], ['flag_psh', 1], ['flag_rst', 1], ['flag_syn', 1], ['flag_fin', 1],
    ['rcv_wnd', 16], ['cksum', 16], ['urg_ptr', 16]],
  vxlan_t: [['rsv1', 4], ['iflag', 1], ['rsv2', 3], ['rsv3', 24], ['key', 24], ['rsv4', 8]],
};

export interface PacketNote { off: number; what: string; converted: boolean; action?: string }
export interface PacketResult { text: string; preamble: string[]; notes: PacketNote[] }

const LOADS = [
  '/* packet loads as BCC has them: LLVM\'s legacy packet load intrinsics (ld_abs), socket filters and tc only */',
  'unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");',
  'unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");',
  'unsigned long long load_word(void *skb, unsigned long long off) asm("llvm.bpf.load.word");',
];

const READ = [
  '/* a field of a packet header: bits [bofs, bofs + bits) from byte off, in network order */',
  'static __always_inline __u64 lbc_pkt_read(void *skb, __u64 off, __u32 bofs, __u32 bits)',
  '{',
  '\t__u64 mask = bits >= 64 ? ~0ULL : (1ULL << bits) - 1;',
  '\tif (bofs + bits <= 8)',
  '\t\treturn (load_byte(skb, off) >> (8 - bofs - bits)) & mask;',
  '\tif (bofs + bits <= 16)',
  '\t\treturn (load_half(skb, off) >> (16 - bofs - bits)) & mask;',
  '\tif (bofs + bits <= 32)',
  '\t\treturn (load_word(skb, off) >> (32 - bofs - bits)) & mask;',
  '\treturn ((((__u64)load_word(skb, off) << 32) | load_word(skb, off + 4)) >> (64 - bofs - bits)) & mask;',
  '}',
];

/** Where each field of a header starts (byte, bit within it) and how wide it is */
function fieldOf(header: string, field: string): { byte: number; bit: number; bits: number } | null {
  let at = 0;
  for (const [name, bits] of HEADERS[header] ?? []) {
    if (name === field) return { byte: Math.floor(at / 8), bit: at % 8, bits };
    at += bits;
  }
  return null;
}

function headerSize(header: string): number {
  return (HEADERS[header] ?? []).reduce((n, [, bits]) => n + bits, 0) / 8;
}

/** The function around `off` in code-only text: its first parameter's name (the skb) and its body's extent */
function enclosingFunction(code: string, off: number): { ctx: string; start: number; end: number } | null {
  const heads = [...code.slice(0, off).matchAll(/\b\w+\s*\(\s*struct\s+__sk_buff\s*\*\s*(\w+)[^)]*\)\s*\{/g)];
  const head = heads.at(-1);
  if (!head) return null;
  const start = head.index! + head[0].length - 1;
  let depth = 0;
  for (let i = start; i < code.length; i++) {
    if (code[i] === '{') depth++;
    else if (code[i] === '}' && --depth === 0) return i > off ? { ctx: head[1]!, start, end: i + 1 } : null;
  }
  return null;
}

export function packetCursor(text: string): PacketResult {
  const notes: PacketNote[] = [];
  const code = codeOnly(text);
  const cursor = /\bcursor_advance\s*\(/.test(code);
  const loads = /\bload_(?:byte|half|word)\s*\(/.test(code);
  if (!cursor && !loads) return { text, preamble: [], notes };
  const edits: { start: number; end: number; text: string }[] = [];
  const used = new Set<string>();
  for (const d of code.matchAll(/\bstruct\s+(\w+)\s*\*\s*(\w+)\s*=\s*cursor_advance\s*\(/g)) {
    const [, header, v] = d;
    if (!HEADERS[header!]) continue;
    used.add(header!);
    const fn = enclosingFunction(code, d.index!);
    if (!fn) {
      notes.push({ off: d.index!, what: `struct ${header} *${v} = cursor_advance(...) outside a function taking struct __sk_buff *`, converted: false, action: 'read the packet in a socket filter or tc program' });
      continue;
    }
    const body = code.slice(fn.start, fn.end);
    for (const u of body.matchAll(new RegExp(`\\b${v}\\s*->\\s*(\\w+)`, 'g'))) {
      const at = fn.start + u.index!;
      const f = fieldOf(header!, u[1]!);
      // a write (ip->ttl = ...) is a store into the packet, which BCC does with bpf_skb_store_bytes
      const write = /^\s*(?:[-+*/%&|^]|<<|>>)?=(?!=)/.test(code.slice(at + u[0].length));
      if (!f || write) {
        notes.push({ off: at, what: `${u[0]}: ${f ? 'a write into the packet' : `no field ${u[1]} in bcc/proto.h's struct ${header}`}`, converted: false, action: f ? 'write it with bpf_skb_store_bytes()' : 'check the field name' });
        continue;
      }
      edits.push({ start: at, end: at + u[0].length, text: `lbc_pkt_read(${fn.ctx}, (unsigned long)${v} + ${f.byte}, ${f.bit}, ${f.bits})` });
    }
  }
  let out = text;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  if (edits.length) notes.push({ off: edits.at(-1)!.start, what: `${edits.length} read${edits.length > 1 ? 's' : ''} through bcc/proto.h headers (${[...used].join(', ')}) → lbc_pkt_read(): loads from the packet at the cursor's offset, as BCC's compiler makes them`, converted: true });
  const preamble = [
    ...LOADS,
    ...(cursor ? ['/* BCC\'s packet cursor: a header pointer is its offset into the packet */', '#define cursor_advance(_cursor, _len) ({ void *_tmp = _cursor; _cursor += _len; _tmp; })'] : []),
    // only their sizes: every field is read through lbc_pkt_read()
    ...[...used].map((h) => `struct ${h} { unsigned char lcc_bytes[${headerSize(h)}]; };`),
    ...(edits.length ? READ : []),
  ];
  return { text: out, preamble, notes };
}
