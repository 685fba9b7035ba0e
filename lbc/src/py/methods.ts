// Methods of str, bytes and list under their Python names: `x.split()` in a
// tool becomes split(x), which does what str.split does on a str and calls
// the object's own split otherwise (a dict, a BCC table, a class of the tool's).
// dict and set carry their methods themselves (dict.ts).
import { cmp, eq, isInt, isKwargs, splitKw, str, truthy, typeName } from './core.js';
import { AttributeError, IndexError, PyTypeError, UnicodeDecodeError, ValueError } from './exc.js';
import { formatStr } from './format.js';
import { iter, sortList } from './builtins.js';

type Fn = (...a: any[]) => any;

function own(o: unknown, name: string, args: unknown[]): any {
  const f = o !== null && o !== undefined ? (o as Record<string, unknown>)[name] : undefined;
  if (typeof f !== 'function') throw new AttributeError(`'${typeName(o)}' object has no attribute '${name}'`);
  return (f as Fn).apply(o, args);
}

/** A method that has a Python meaning on strings (and bytes, decoded as latin-1 and back) */
function strMethod(name: string, impl: (s: string, ...a: any[]) => unknown, bytesToo = true): Fn {
  return (o: unknown, ...args: unknown[]) => {
    if (typeof o === 'string') return impl(o, ...args);
    if (bytesToo && o instanceof Uint8Array) {
      const r = impl(Buffer.from(o).toString('latin1'), ...args.map((a) => (a instanceof Uint8Array ? Buffer.from(a).toString('latin1') : a)));
      const back = (v: unknown): unknown => (typeof v === 'string' ? Buffer.from(v, 'latin1') : Array.isArray(v) ? v.map(back) : v);
      return back(r);
    }
    return own(o, name, args);
  };
}

const WS = /[ \t\n\r\x0b\x0c]+/;
const chars = (c: unknown): string => (c === null || c === undefined ? ' \t\n\r\x0b\x0c' : String(c));
const stripL = (s: string, c: unknown): string => { const set = chars(c); let i = 0; while (i < s.length && set.includes(s[i]!)) i++; return s.slice(i); };
const stripR = (s: string, c: unknown): string => { const set = chars(c); let i = s.length; while (i > 0 && set.includes(s[i - 1]!)) i--; return s.slice(0, i); };

function pySplit(s: string, sep: unknown = null, maxsplit: unknown = -1): string[] {
  const max = Number(maxsplit);
  if (sep === null || sep === undefined) {
    const out: string[] = [];
    let rest = s.replace(/^[ \t\n\r\x0b\x0c]+/, '');
    while (rest && (max < 0 || out.length < max)) {
      const m = WS.exec(rest);
      if (!m) break;
      out.push(rest.slice(0, m.index));
      rest = rest.slice(m.index + m[0].length);
    }
    if (rest) out.push(max >= 0 && out.length >= max ? rest.replace(/[ \t\n\r\x0b\x0c]+$/, '') : rest);
    return out.filter((x, i, a) => x !== '' || i < a.length - 1);
  }
  const sp = String(sep);
  if (!sp) throw new ValueError('empty separator');
  const parts = s.split(sp);
  return max < 0 || parts.length <= max + 1 ? parts : [...parts.slice(0, max), parts.slice(max).join(sp)];
}

const startsOrEnds = (ends: boolean) => (s: string, prefix: unknown, start?: number, end?: number): boolean => {
  const sub = s.slice(start ?? 0, end ?? s.length);
  const list = Array.isArray(prefix) ? prefix : [prefix];
  return list.some((p) => (ends ? sub.endsWith(String(p)) : sub.startsWith(String(p))));
};

export const split = strMethod('split', (s, ...a) => { const [p, kw] = splitKw(a); return pySplit(s, kw.sep ?? p[0], kw.maxsplit ?? p[1]); });
export const rsplit = strMethod('rsplit', (s, ...a) => {
  const [p, kw] = splitKw(a);
  const sep = kw.sep ?? p[0];
  const max = Number(kw.maxsplit ?? p[1] ?? -1);
  if (max < 0) return pySplit(s, sep);
  const rev = (x: string): string => [...x].reverse().join('');
  return pySplit(rev(s), sep === null || sep === undefined ? sep : rev(String(sep)), max).map(rev).reverse();
});
export const splitlines = strMethod('splitlines', (s, keep?: unknown) => {
  const parts = s.match(/[^\n\r]*(\r\n|\n|\r)|[^\n\r]+$/g) ?? [];
  return truthy(keep) ? parts : parts.map((p) => p.replace(/(\r\n|\n|\r)$/, ''));
});
export const strip = strMethod('strip', (s, c?: unknown) => stripR(stripL(s, c), c));
export const lstrip = strMethod('lstrip', (s, c?: unknown) => stripL(s, c));
export const rstrip = strMethod('rstrip', (s, c?: unknown) => stripR(s, c));
export const startswith = strMethod('startswith', startsOrEnds(false));
export const endswith = strMethod('endswith', startsOrEnds(true));
export const upper = strMethod('upper', (s) => s.toUpperCase());
export const lower = strMethod('lower', (s) => s.toLowerCase());
export const title = strMethod('title', (s) => s.toLowerCase().replace(/(^|[^a-z])([a-z])/g, (_m, a: string, b: string) => a + b.toUpperCase()));
export const capitalize = strMethod('capitalize', (s) => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase());
export const replace = strMethod('replace', (s, a: unknown, b: unknown, count?: unknown) => {
  const n = count === undefined || count === null ? -1 : Number(count);
  if (n < 0) return s.split(String(a)).join(String(b));
  const parts = s.split(String(a));
  return parts.slice(0, n + 1).join(String(b)) + (parts.length > n + 1 ? String(a) + parts.slice(n + 1).join(String(a)) : '');
});
export const find = strMethod('find', (s, sub: unknown, start?: number, end?: number) => {
  const i = s.slice(0, end ?? s.length).indexOf(String(sub), start ?? 0);
  return i;
});
export const rfind = strMethod('rfind', (s, sub: unknown) => s.lastIndexOf(String(sub)));
const fit = (s: string, w: unknown, fill: unknown, how: 'l' | 'r' | 'c'): string => {
  const width = Number(w);
  const f = fill === undefined ? ' ' : String(fill);
  if (s.length >= width) return s;
  const gap = width - s.length;
  if (how === 'l') return s + f.repeat(gap);
  if (how === 'r') return f.repeat(gap) + s;
  // Python's center puts the odd space on the right when the width is odd... and on the left when the string is odd
  const left = Math.floor(gap / 2) + (gap & width & 1);
  return f.repeat(left) + s + f.repeat(gap - left);
};
export const ljust = strMethod('ljust', (s, w: unknown, f?: unknown) => fit(s, w, f, 'l'));
export const rjust = strMethod('rjust', (s, w: unknown, f?: unknown) => fit(s, w, f, 'r'));
export const center = strMethod('center', (s, w: unknown, f?: unknown) => fit(s, w, f, 'c'));
export const zfill = strMethod('zfill', (s, w: unknown) => {
  const sign = /^[-+]/.test(s) ? s[0]! : '';
  return sign + s.slice(sign.length).padStart(Number(w) - sign.length, '0');
});
export const isdigit = strMethod('isdigit', (s) => /^\d+$/.test(s));
export const isnumeric = strMethod('isnumeric', (s) => /^\d+$/.test(s));
export const isdecimal = strMethod('isdecimal', (s) => /^\d+$/.test(s));
export const isalpha = strMethod('isalpha', (s) => /^\p{L}+$/u.test(s));
export const isalnum = strMethod('isalnum', (s) => /^[\p{L}\d]+$/u.test(s));
export const isspace = strMethod('isspace', (s) => /^\s+$/.test(s));
export const islower = strMethod('islower', (s) => /[a-z]/.test(s) && s === s.toLowerCase());
export const isupper = strMethod('isupper', (s) => /[A-Z]/.test(s) && s === s.toUpperCase());
export const partition = strMethod('partition', (s, sep: unknown) => {
  const i = s.indexOf(String(sep));
  return Object.freeze(i < 0 ? [s, '', ''] : [s.slice(0, i), String(sep), s.slice(i + String(sep).length)]);
});
export const rpartition = strMethod('rpartition', (s, sep: unknown) => {
  const i = s.lastIndexOf(String(sep));
  return Object.freeze(i < 0 ? ['', '', s] : [s.slice(0, i), String(sep), s.slice(i + String(sep).length)]);
});
export const expandtabs = strMethod('expandtabs', (s, n: unknown = 8) => {
  let col = 0;
  let out = '';
  for (const c of s) {
    if (c === '\t') { const k = Number(n) - (col % Number(n)); out += ' '.repeat(k); col += k; } else { out += c; col = c === '\n' ? 0 : col + 1; }
  }
  return out;
});
/** sep.join(iterable): every item must be a str */
export const join = (sep: unknown, it: unknown, ...rest: unknown[]): any => {
  if (typeof sep === 'string') {
    const items = Array.from(iter(it));
    items.forEach((v, i) => {
      if (typeof v !== 'string') throw new PyTypeError(`sequence item ${i}: expected str instance, ${typeName(v)} found`);
    });
    return items.join(sep);
  }
  if (sep instanceof Uint8Array) {
    const items = Array.from(iter(it)) as Uint8Array[];
    return Buffer.concat(items.flatMap((v, i) => (i ? [sep, v] : [v])));
  }
  return own(sep, 'join', [it, ...rest]);
};
/** str.format (format() the builtin is another function) */
export const strFormat = (o: unknown, ...args: unknown[]): any => (typeof o === 'string' ? formatStr(o, ...args) : own(o, 'format', args));
export const encode = (o: unknown, ...args: unknown[]): any => (typeof o === 'string' ? Buffer.from(o, /latin|ascii/.test(String(args[0] ?? '')) ? 'latin1' : 'utf8') : own(o, 'encode', args));
/** bytes.decode(encoding='utf-8', errors='strict'); a str (BCC hands some fields as str) is itself */
export const decode = (o: unknown, ...args: unknown[]): any => {
  if (typeof o === 'string') return o;
  if (o instanceof Uint8Array) {
    const [p, kw] = splitKw(args);
    const enc = String(kw.encoding ?? p[0] ?? 'utf-8').toLowerCase();
    const errors = String(kw.errors ?? p[1] ?? 'strict');
    if (/latin|iso-?8859-?1|ascii/.test(enc)) return Buffer.from(o).toString('latin1');
    try {
      return new TextDecoder('utf-8', { fatal: errors === 'strict' }).decode(o);
    } catch {
      throw new UnicodeDecodeError(`'utf-8' codec can't decode bytes`);
    }
  }
  return own(o, 'decode', args);
};

// list methods (and str's count/index)
export const append = (o: unknown, v: unknown): void => (Array.isArray(o) ? void o.push(v) : own(o, 'append', [v]));
export const extend = (o: unknown, it: unknown): void => (Array.isArray(o) ? void o.push(...iter(it)) : own(o, 'extend', [it]));
export const insert = (o: unknown, i: unknown, v: unknown): void => {
  if (!Array.isArray(o)) return own(o, 'insert', [i, v]);
  let n = Number(i);
  if (n < 0) n = Math.max(0, o.length + n);
  o.splice(n, 0, v);
};
export const pop = (o: unknown, ...args: unknown[]): any => {
  if (!Array.isArray(o)) return own(o, 'pop', args);
  if (!o.length) throw new IndexError('pop from empty list');
  let i = args.length ? Number(args[0]) : o.length - 1;
  if (i < 0) i += o.length;
  if (i < 0 || i >= o.length) throw new IndexError('pop index out of range');
  return o.splice(i, 1)[0];
};
export const remove = (o: unknown, v: unknown): void => {
  if (!Array.isArray(o)) return own(o, 'remove', [v]);
  const i = o.findIndex((x) => eq(x, v));
  if (i < 0) throw new ValueError('list.remove(x): x not in list');
  o.splice(i, 1);
};
export const index = (o: unknown, v: unknown, ...args: unknown[]): any => {
  if (typeof o === 'string') {
    const i = o.indexOf(String(v), Number(args[0] ?? 0));
    if (i < 0) throw new ValueError('substring not found');
    return i;
  }
  if (!Array.isArray(o)) return own(o, 'index', [v, ...args]);
  const i = o.findIndex((x) => eq(x, v));
  if (i < 0) throw new ValueError(`${str(v)} is not in list`);
  return i;
};
export const count = (o: unknown, v: unknown): any => {
  if (typeof o === 'string') return String(v) === '' ? o.length + 1 : o.split(String(v)).length - 1;
  if (Array.isArray(o)) return o.filter((x) => eq(x, v)).length;
  return own(o, 'count', [v]);
};
export const sort = (o: unknown, ...args: unknown[]): void => {
  if (!Array.isArray(o)) return own(o, 'sort', args);
  const kw = args.length && isKwargs(args[args.length - 1]) ? (args[args.length - 1] as Record<string, unknown>) : {};
  sortList(o, kw.key, truthy(kw.reverse));
};
export const reverse = (o: unknown): void => (Array.isArray(o) ? void o.reverse() : own(o, 'reverse', []));
// (x.copy(): `copy` is the copy module's name in the runtime)
export const copyOf = (o: unknown): any => (Array.isArray(o) ? [...o] : own(o, 'copy', []));
export const clear = (o: unknown): void => (Array.isArray(o) ? void (o.length = 0) : own(o, 'clear', []));

export { cmp, isInt };
