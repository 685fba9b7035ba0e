// Python's three ways to format: `fmt % args` (printf-style), format(v, spec)
// with its mini-language (str.format and f-strings use it), and str.format's
// replacement fields. BCC tools print their columns with these, so a
// converted tool's columns line up only if every flag means what Python means.
import { FloatValue, floatRepr, isInt, isKwargs, isTuple, repr, str, typeName } from './core.js';
import { KeyError, PyTypeError, ValueError } from './exc.js';

const big = (v: number | bigint): bigint => (typeof v === 'bigint' ? v : BigInt(Math.trunc(v)));

function toNumber(v: unknown, conv: string): number | bigint {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  if (v && typeof v === 'object' && typeof (v as { valueOf(): unknown }).valueOf() === 'number') return (v as { valueOf(): number }).valueOf();
  throw new PyTypeError(`%${conv} format: a real number is required, not ${typeName(v)}`);
}

/** %e as C and Python print it: at least two exponent digits */
const expo = (v: number, prec: number): string => v.toExponential(prec).replace(/e([+-])(\d)$/, 'e$10$2');

function fixed(v: number, prec: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
  // toFixed is exact up to 1e21; past that Python still prints every digit
  if (Math.abs(v) >= 1e21) return BigInt(Math.round(v)).toString() + (prec ? `.${'0'.repeat(prec)}` : '');
  return v.toFixed(prec);
}

/** %g: exponential form when the exponent is below -4 or at least the precision; trailing zeros go unless # */
function general(v: number, p: number, alt: boolean): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
  if (p === 0) p = 1;
  const exp = v === 0 ? 0 : Number(v.toExponential(p - 1).split('e')[1]);
  let s = exp < -4 || exp >= p ? expo(v, p - 1) : v.toFixed(Math.max(0, p - 1 - exp));
  if (!alt && s.includes('.')) s = s.replace(/\.?0+(?=e|$)/, '');
  return s;
}

function intText(v: number | bigint, radix: number): string {
  const b = big(v);
  return (b < 0n ? '-' : '') + (b < 0n ? -b : b).toString(radix);
}

function pad(s: string, width: number, left: boolean, zero: boolean): string {
  if (s.length >= width) return s;
  if (left) return s.padEnd(width);
  if (zero) {
    const sign = /^[-+ ]/.test(s) ? s[0]! : '';
    const prefix = /^[-+ ]?0[xXob]/.test(s) ? s.slice(0, sign.length + 2) : sign;
    return prefix + s.slice(prefix.length).padStart(width - prefix.length, '0');
  }
  return s.padStart(width);
}

/** `fmt % args`: flags - 0 + space #, width and precision (or *), %(key)s from a mapping */
export function pyFormat(fmt: string, args: unknown): string {
  const mapping = args && typeof args === 'object' && !Array.isArray(args) && !(args instanceof Uint8Array) && typeof (args as { __getitem__?: unknown }).__getitem__ === 'function' ? (args as { __getitem__(k: string): unknown }) : null;
  const list: readonly unknown[] = isTuple(args) ? args : [args];
  let i = 0;
  const next = (): unknown => {
    if (i >= list.length) throw new PyTypeError('not enough arguments for format string');
    return list[i++];
  };
  const out = fmt.replace(/%(?:\(([^)]*)\))?([-0+ #]*)(\*|\d+)?(?:\.(\*|\d*))?[hlL]?([diouxXeEfFgGcrsa%])?/g, (m, key: string | undefined, flags: string, w?: string, p?: string, conv?: string) => {
    if (!conv) throw new ValueError(`unsupported format character at index ${fmt.indexOf(m) + m.length}`);
    if (conv === '%' && m === '%%') return '%';
    const width = w === '*' ? Number(next()) : w ? Number(w) : 0;
    const prec = p === '*' ? Number(next()) : p !== undefined ? Number(p || 0) : undefined;
    const v = key !== undefined && mapping ? mapping.__getitem__(key) : next();
    const left = flags.includes('-') || width < 0;
    let s: string;
    switch (conv) {
      case 's': s = str(v); if (prec !== undefined) s = s.slice(0, prec); break;
      case 'r': case 'a': s = repr(v); if (prec !== undefined) s = s.slice(0, prec); break;
      case 'd': case 'i': case 'u': {
        const n = toNumber(v, conv);
        s = typeof n === 'bigint' ? n.toString() : big(Math.trunc(n)).toString();
        if (prec !== undefined) s = s.replace(/\d+/, (d) => d.padStart(prec, '0'));
        break;
      }
      case 'f': case 'F': s = fixed(Number(toNumber(v, conv)), prec ?? 6); break;
      case 'e': case 'E': s = expo(Number(toNumber(v, conv)), prec ?? 6); if (conv === 'E') s = s.toUpperCase(); break;
      case 'g': case 'G': s = general(Number(toNumber(v, conv)), prec ?? 6, flags.includes('#')); if (conv === 'G') s = s.toUpperCase(); break;
      case 'x': case 'X': case 'o': {
        const n = toNumber(v, conv);
        if (!isInt(n)) throw new PyTypeError(`%${conv} format: an integer is required, not float`);
        s = intText(n, conv === 'o' ? 8 : 16);
        if (flags.includes('#')) s = s.replace(/^(-?)/, `$1${conv === 'o' ? '0o' : '0x'}`);
        if (conv === 'X') s = s.toUpperCase();
        break;
      }
      case 'c': s = typeof v === 'string' ? v : String.fromCodePoint(Number(toNumber(v, conv))); break;
      default: s = '%';
    }
    if ('diufFeEgGxXo'.includes(conv) && !s.startsWith('-')) {
      if (flags.includes('+')) s = `+${s}`;
      else if (flags.includes(' ')) s = ` ${s}`;
    }
    return pad(s, Math.abs(width), left, flags.includes('0') && 'diufFeEgGxXo'.includes(conv));
  });
  if (!mapping && i < list.length) throw new PyTypeError('not all arguments converted during string formatting');
  return out;
}

/** format(v, spec): [[fill]align][sign][z][#][0][width][,_][.precision][type] */
export function formatValue(v: unknown, spec = ''): string {
  // a float whose value is whole still prints as one (2.0)
  const isFloat = v instanceof FloatValue;
  if (v instanceof FloatValue) v = v.value;
  if (v && typeof v === 'object' && typeof (v as { __format__?: unknown }).__format__ === 'function') return String((v as { __format__(s: string): unknown }).__format__(spec));
  const m = /^(?:(.)?([<>=^]))?([-+ ])?(z)?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/s.exec(spec);
  if (!m) throw new ValueError(`Invalid format specifier '${spec}' for object of type '${typeName(v)}'`);
  const [, fillCh, alignCh, sign, , alt, zero, w, group, p, type] = m;
  const width = w ? Number(w) : 0;
  const prec = p !== undefined ? Number(p) : undefined;
  const isNum = typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean';
  let s: string;
  if (!isNum || (typeof v === 'boolean' && !type)) {
    if (type && type !== 's') throw new ValueError(`Unknown format code '${type}' for object of type '${typeName(v)}'`);
    s = str(v);
    if (prec !== undefined) s = s.slice(0, prec);
  } else {
    const n = typeof v === 'boolean' ? Number(v) : (v as number | bigint);
    const t = type ?? (isInt(n) && !isFloat ? 'd' : prec !== undefined ? 'g' : '');
    switch (t) {
      case 'd': case 'n':
        if (!isInt(n)) throw new ValueError(`Unknown format code 'd' for object of type 'float'`);
        s = intText(n, 10);
        break;
      case 'b': s = intText(n, 2); break;
      case 'o': s = intText(n, 8); break;
      case 'x': s = intText(n, 16); break;
      case 'X': s = intText(n, 16).toUpperCase(); break;
      case 'c': s = String.fromCodePoint(Number(n)); break;
      case 'f': case 'F': s = fixed(Number(n), prec ?? 6); break;
      case 'e': case 'E': s = expo(Number(n), prec ?? 6); if (t === 'E') s = s.toUpperCase(); break;
      case 'g': case 'G': s = general(Number(n), prec ?? 6, Boolean(alt)); if (t === 'G') s = s.toUpperCase(); break;
      case '%': s = `${fixed(Number(n) * 100, prec ?? 6)}%`; break;
      default: s = isInt(n) && !isFloat ? intText(n, 10) : floatRepr(Number(n));
    }
    if (alt && 'box'.includes(t.toLowerCase()) && t !== 'X') s = s.replace(/^(-?)/, `$1${t === 'b' ? '0b' : t === 'o' ? '0o' : '0x'}`);
    if (alt && t === 'X') s = s.replace(/^(-?)/, '$10X');
    if (group) {
      s = s.replace(/^(-?)(\d+)/, (_m2, sg: string, d: string) => sg + d.replace(/\B(?=(\d{3})+$)/g, group));
    }
    if (!s.startsWith('-')) {
      if (sign === '+') s = `+${s}`;
      else if (sign === ' ') s = ` ${s}`;
    }
  }
  const fill = fillCh ?? (zero && !alignCh ? '0' : ' ');
  const align = alignCh ?? (zero ? '=' : isNum ? '>' : '<');
  if (s.length >= width) return s;
  const gap = width - s.length;
  switch (align) {
    case '<': return s + fill.repeat(gap);
    case '>': return fill.repeat(gap) + s;
    case '^': return fill.repeat(Math.floor(gap / 2)) + s + fill.repeat(Math.ceil(gap / 2));
    default: {
      const lead = /^([-+ ]?(?:0[xXob])?)/.exec(s)![1]!;
      return lead + fill.repeat(gap) + s.slice(lead.length);
    }
  }
}

/** One replacement field's value: `{0}`, `{name}`, `{0.attr}`, `{name[key]}`, `!r`/`!s` */
function field(name: string, conv: string | undefined, spec: string, pos: unknown[], kw: Record<string, unknown>, auto: { n: number }): string {
  const m = /^([^.[]*)(.*)$/s.exec(name)!;
  const head = m[1]!;
  let v: unknown = head === '' ? pos[auto.n++] : /^\d+$/.test(head) ? pos[Number(head)] : kw[head];
  if (v === undefined) throw head === '' || /^\d+$/.test(head) ? new IndexError2(`Replacement index ${head || auto.n - 1} out of range for positional args tuple`) : new KeyError(head);
  for (const part of m[2]!.matchAll(/\.(\w+)|\[([^\]]*)\]/g)) {
    if (part[1] !== undefined) v = (v as Record<string, unknown>)[part[1]];
    else {
      const k = /^\d+$/.test(part[2]!) ? Number(part[2]) : part[2]!;
      const g = (v as { __getitem__?: (k: unknown) => unknown }).__getitem__;
      v = typeof g === 'function' ? g.call(v, k) : (v as Record<string | number, unknown>)[k];
    }
  }
  if (conv === 'r' || conv === 'a') v = repr(v);
  else if (conv === 's') v = str(v);
  return formatValue(v, spec);
}
class IndexError2 extends PyTypeError {}

/** str.format(*args, **kwargs) */
export function formatStr(fmt: string, ...args: unknown[]): string {
  const kw = args.length && isKwargs(args[args.length - 1]) ? (args.pop() as Record<string, unknown>) : {};
  return formatFields(fmt, args, kw, { n: 0 });
}

/** The fields of a format string, numbered from `auto` on: a nested spec's fields take the numbers after its field's ('{:>{}}'.format(v, width)) */
function formatFields(fmt: string, args: unknown[], kw: Record<string, unknown>, auto: { n: number }): string {
  let out = '';
  let i = 0;
  while (i < fmt.length) {
    const c = fmt[i]!;
    if (c === '{' && fmt[i + 1] === '{') { out += '{'; i += 2; continue; }
    if (c === '}' && fmt[i + 1] === '}') { out += '}'; i += 2; continue; }
    if (c === '}') throw new ValueError("Single '}' encountered in format string");
    if (c !== '{') { out += c; i++; continue; }
    // a field, whose spec may itself hold {nested} fields
    let depth = 1;
    let j = i + 1;
    while (j < fmt.length && depth) {
      if (fmt[j] === '{') depth++;
      else if (fmt[j] === '}') depth--;
      j++;
    }
    if (depth) throw new ValueError("expected '}' before end of string");
    const body = fmt.slice(i + 1, j - 1);
    const fm = /^([^!:]*)(?:!([rsa]))?(?::(.*))?$/s.exec(body)!;
    // an automatic field takes its number before the fields in its spec do
    const name = fm[1] === '' ? String(auto.n++) : fm[1]!;
    const spec = fm[3] ? formatFields(fm[3], args, kw, auto) : '';
    out += field(name, fm[2], spec, args, kw, auto);
    i = j;
  }
  return out;
}
