// USDT probes (SystemTap SDT notes, sys/sdt.h) of an ELF file: what BCC's
// USDT class and tplist list, read from the bytes, without libbcc.
import { elfSections } from './elf.js';

/** One argument, as the note spells it (`-4@%eax`, `8@-80(%rbx)`, `4@$5`, `8@sym+8(%rip)`) */
export interface UsdtArg {
  /** bytes; negative: signed */
  size: number;
  constant?: number;
  /** the register, by BCC's name for it (ax, r12, ip) */
  base?: string;
  index?: string;
  scale?: number;
  /** the operand is memory at base + offset (+ index * scale) */
  offset?: number;
  /** sym(%rip): the symbol the offset is from */
  ident?: string;
  /** the note's text, when it is none of the forms above */
  raw?: string;
}

export interface UsdtNote {
  provider: string;
  name: string;
  /** the probe's address, moved as the file's .stapsdt.base was moved (prelink) */
  pc: number;
  semaphore: number;
  args: UsdtArg[];
}

const NT_STAPSDT = 3;

// x86-64 registers by BCC's names: every width of a register is that register
const REGISTERS: Record<string, string> = {};
for (const r of ['ax', 'bx', 'cx', 'dx']) for (const n of [`r${r}`, `e${r}`, r, `${r[0]}l`, `${r[0]}h`]) REGISTERS[n] = r;
for (const r of ['si', 'di', 'bp', 'sp']) for (const n of [`r${r}`, `e${r}`, r, `${r}l`]) REGISTERS[n] = r;
for (let i = 8; i <= 15; i++) for (const n of [`r${i}`, `r${i}d`, `r${i}w`, `r${i}b`]) REGISTERS[n] = `r${i}`;
REGISTERS['rip'] = 'ip';

const reg = (r: string): string => REGISTERS[r.replace(/^%/, '')] ?? r.replace(/^%/, '');

// Number() reads 0x50 but not -0x50
const num = (t: string): number => (t.startsWith('-') ? -Number(t.slice(1)) : Number(t.replace(/^\+/, '')));

/** One `SIZE@OPERAND` of a note's argument string (x86-64's AT&T operands) */
export function parseUsdtArg(text: string): UsdtArg {
  const at = /^(-?\d+)@(.*)$/.exec(text);
  const size = at ? Number(at[1]) : 8;
  const op = at ? at[2]! : text;
  let m: RegExpExecArray | null;
  if ((m = /^\$(-?(?:0x[0-9a-f]+|\d+))$/i.exec(op))) return { size, constant: num(m[1]!) };
  if ((m = /^%(\w+)$/.exec(op))) return { size, base: reg(m[1]!) };
  if ((m = /^([A-Za-z_.$][\w.$]*)?([+-]?(?:0x[0-9a-f]+|\d+))?\((%\w+)?(?:,(%\w+)(?:,(\d+))?)?\)$/i.exec(op)) && (m[3] || m[4])) {
    const [, ident, off, base, index, scale] = m;
    return {
      size, offset: off ? num(off) : 0,
      ...(base ? { base: reg(base) } : {}), ...(index ? { index: reg(index) } : {}), ...(scale ? { scale: Number(scale) } : {}), ...(ident ? { ident } : {}),
    };
  }
  return { size, raw: op };
}

/** The SDT notes of an ELF64 file, in the file's order; [] when it has none. */
export function usdtNotes(elf: Uint8Array, source = 'file'): UsdtNote[] {
  const sections = elfSections(elf, source);
  const notes = sections.find((s) => s.name === '.note.stapsdt');
  if (!notes) return [];
  const baseSec = sections.find((s) => s.name === '.stapsdt.base');
  const dv = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  const dec = new TextDecoder();
  const cstr = (from: number, end: number): [string, number] => {
    let e = from;
    while (e < end && elf[e] !== 0) e++;
    return [dec.decode(elf.subarray(from, e)), e + 1];
  };
  const out: UsdtNote[] = [];
  const end = notes.offset + notes.size;
  for (let o = notes.offset; o + 12 <= end;) {
    const namesz = dv.getUint32(o, true);
    const descsz = dv.getUint32(o + 4, true);
    const type = dv.getUint32(o + 8, true);
    const nameAt = o + 12;
    const descAt = nameAt + ((namesz + 3) & ~3);
    o = descAt + ((descsz + 3) & ~3);
    if (type !== NT_STAPSDT || cstr(nameAt, nameAt + namesz)[0] !== 'stapsdt' || descsz < 24) continue;
    const descEnd = descAt + descsz;
    const pc = Number(dv.getBigUint64(descAt, true));
    const base = Number(dv.getBigUint64(descAt + 8, true));
    const semaphore = Number(dv.getBigUint64(descAt + 16, true));
    const [provider, a] = cstr(descAt + 24, descEnd);
    const [name, b] = cstr(a, descEnd);
    const [argText] = cstr(b, descEnd);
    out.push({
      provider, name, semaphore,
      pc: baseSec && base ? pc + baseSec.addr - base : pc,
      args: argText.trim() ? argText.trim().split(/\s+/).map(parseUsdtArg) : [],
    });
  }
  return out;
}
