// Python's ast.literal_eval: the value of a Python literal written as text
// (net_monitor reads '0x7f' with it). Numbers, strings and bytes, True,
// False, None, and tuples, lists, dicts and sets of them; a sign on a number.
import { tuple } from './core.js';
import { PyDict, PySet } from './dict.js';
import { ValueError } from './exc.js';
import { float, int_ } from './builtins.js';

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v' };

export function literal_eval(text: string): unknown {
  let i = 0;
  const fail = (): never => {
    throw new ValueError(`malformed node or string: ${JSON.stringify(text)}`);
  };
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const value = (): unknown => {
    ws();
    const rest = text.slice(i);
    const num = /^[+-]?\s*(?:0[xX][\da-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*)?\.?\d[\d_]*(?:[eE][+-]?\d+)?)/.exec(rest);
    if (num && /\d/.test(num[0])) {
      i += num[0].length;
      const n = num[0].replace(/\s+/g, '');
      return /^[+-]?\d[\d_]*$|^[+-]?0[xXoObB]/.test(n) ? int_(n, /^[+-]?0[xXoObB]/.test(n) ? 0 : 10) : float(n);
    }
    const word = /^(True|False|None)\b/.exec(rest);
    if (word) {
      i += word[0].length;
      return word[1] === 'True' ? true : word[1] === 'False' ? false : null;
    }
    const str = /^([bBrR]{0,2})('''|"""|'|")/.exec(rest);
    if (str) {
      const [prefix, quote] = [str[1]!.toLowerCase(), str[2]!];
      i += str[0].length;
      let out = '';
      while (!text.startsWith(quote, i)) {
        if (i >= text.length) fail();
        const ch = text[i++]!;
        if (ch === '\\' && !prefix.includes('r')) {
          const e = text[i++]!;
          const hex = e === 'x' ? /^[\da-fA-F]{2}/.exec(text.slice(i)) : null;
          if (hex) {
            out += String.fromCharCode(parseInt(hex[0], 16));
            i += 2;
          } else out += ESCAPES[e] ?? `\\${e}`;
        } else out += ch;
      }
      i += quote.length;
      return prefix.includes('b') ? Uint8Array.from(out, (c) => c.charCodeAt(0)) : out;
    }
    const open = rest[0];
    if (open === '(' || open === '[' || open === '{') {
      i++;
      const close = open === '(' ? ')' : open === '[' ? ']' : '}';
      const items: unknown[] = [];
      const pairs: [unknown, unknown][] = [];
      let comma = false;
      for (ws(); text[i] !== close; ws()) {
        const v = value();
        ws();
        if (open === '{' && text[i] === ':') {
          i++;
          pairs.push([v, value()]);
          ws();
        } else items.push(v);
        comma = text[i] === ',';
        if (comma) i++;
        else if (text[i] !== close) fail();
      }
      i++;
      if (open === '(') return items.length === 1 && !comma ? items[0] : tuple(...items);
      if (open === '[') return items;
      if (pairs.length && items.length) fail();
      return items.length ? new PySet(items) : new PyDict(pairs);
    }
    return fail();
  };
  const v = value();
  ws();
  if (i !== text.length) fail();
  return v;
}
