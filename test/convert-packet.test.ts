// BCC's packet cursor (bcc/proto.h) rewritten as loads from the packet: offsets and widths in network
// order, checked against the headers' wire layouts (RFC 791, 793; IEEE 802.3).
import { describe, expect, it } from 'vitest';
import { packetCursor } from '../src/convert/c/packet.js';

const prog = (body: string): string => `int f(struct __sk_buff *skb) {\n\tu8 *cursor = 0;\n${body}\n\treturn 0;\n}\n`;

describe('lcc convert: BCC\'s packet cursor', () => {
  it('reads each field at its byte and bit offset, as wide as the header has it, through the program\'s skb', () => {
    const r = packetCursor(prog([
      '\tstruct ethernet_t *eth = cursor_advance(cursor, sizeof(*eth));',
      '\tstruct ip_t *ip = cursor_advance(cursor, sizeof(*ip));',
      '\tstruct tcp_t *tcp = cursor_advance(cursor, sizeof(*tcp));',
      '\tif (eth->type != 0x0800 || ip->hlen < 5 || ip->df || tcp->flag_syn) return 0;',
      '\treturn ip->src + eth->src + tcp->dst_port;',
    ].join('\n')));
    expect(r.text).toContain('lbc_pkt_read(skb, (unsigned long)eth + 12, 0, 16) != 0x0800');
    // the header length is the low nibble of byte 0; DF is bit 1 of byte 6; SYN bit 6 of byte 13
    expect(r.text).toContain('lbc_pkt_read(skb, (unsigned long)ip + 0, 4, 4) < 5');
    expect(r.text).toContain('lbc_pkt_read(skb, (unsigned long)ip + 6, 1, 1)');
    expect(r.text).toContain('lbc_pkt_read(skb, (unsigned long)tcp + 13, 6, 1)');
    expect(r.text).toContain('lbc_pkt_read(skb, (unsigned long)ip + 12, 0, 32) + lbc_pkt_read(skb, (unsigned long)eth + 6, 0, 48) + lbc_pkt_read(skb, (unsigned long)tcp + 2, 0, 16)');
    // their sizes, for sizeof(*ip): 14, 20 and 20 bytes on the wire
    expect(r.preamble).toEqual(expect.arrayContaining(['struct ethernet_t { unsigned char lcc_bytes[14]; };', 'struct ip_t { unsigned char lcc_bytes[20]; };', 'struct tcp_t { unsigned char lcc_bytes[20]; };']));
    expect(r.notes.every((n) => n.converted)).toBe(true);
  });

  it('leaves a write into the packet, and a field the header has not, for a person, at their place', () => {
    const src = prog('\tstruct ip_t *ip = cursor_advance(cursor, sizeof(*ip));\n\tip->ttl = 1;\n\tif (ip->flags) return 1;');
    const r = packetCursor(src);
    const left = r.notes.filter((n) => !n.converted);
    expect(left.map((n) => n.what)).toEqual(['ip->ttl: a write into the packet', 'ip->flags: no field flags in bcc/proto.h\'s struct ip_t']);
    expect(left.map((n) => src.slice(n.off, n.off + 7))).toEqual(['ip->ttl', 'ip->fla']);
  });

  it('leaves C without a cursor or packet loads as it is, and a name in a comment or string alone', () => {
    const plain = 'int f(struct pt_regs *ctx) { return 0; }\n';
    expect(packetCursor(plain)).toEqual({ text: plain, preamble: [], notes: [] });
    const r = packetCursor(prog('\tstruct udp_t *udp = cursor_advance(cursor, sizeof(*udp));\n\t// udp->dport in a comment\n\treturn udp->dport;'));
    expect(r.text).toContain('// udp->dport in a comment');
    expect(r.text).toContain('return lbc_pkt_read(skb, (unsigned long)udp + 2, 0, 16);');
  });
});
