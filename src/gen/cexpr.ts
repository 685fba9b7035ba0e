// C integer constant expressions: `256 * 1024`, `1 << 20`, `(MAX + 1) / 2`,
// `sizeof(struct event)`, `(__u32)-1`, hex/octal/suffixed literals. Values are
// bigint so 64-bit constants stay exact.

export interface ExprEnv {
  /** an object-like #define or an enum constant */
  lookup(name: string): bigint | undefined;
  /** sizeof a type written in C */
  sizeof(type: string): bigint;
  /** width and signedness of a cast's type, or undefined when not an integer type */
  castType?(type: string): { bits: number; signed: boolean } | undefined;
}

export class ExprError extends Error {}

/** Deeper than any expression a person writes, shallow enough for the stack. */
const MAX_NESTING = 256;

type Tok = { t: 'num'; v: bigint } | { t: 'id'; v: string } | { t: 'op'; v: string } | { t: 'str'; v: string };

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const rest = src.slice(i);
    let m: RegExpExecArray | null;
    if ((m = /^\s+/.exec(rest))) { i += m[0].length; continue; }
    if ((m = /^(0[xX][0-9a-fA-F]+|0[bB][01]+|[0-9]+)([uUlL]*)/.exec(rest))) {
      const lit = m[1]!;
      const v = /^0[0-7]+$/.test(lit) ? BigInt(`0o${lit.slice(1)}`) : BigInt(lit);
      out.push({ t: 'num', v });
      i += m[0].length;
      continue;
    }
    if ((m = /^'(\\.|[^\\'])'/.exec(rest))) {
      const c = m[1]!;
      const esc: Record<string, number> = { '\\n': 10, '\\t': 9, '\\0': 0, '\\\\': 92, "\\'": 39 };
      out.push({ t: 'num', v: BigInt(esc[c] ?? c.charCodeAt(c.length - 1)) });
      i += m[0].length;
      continue;
    }
    if ((m = /^"(\\.|[^\\"])*"/.exec(rest))) { out.push({ t: 'str', v: m[0] }); i += m[0].length; continue; }
    if ((m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest))) { out.push({ t: 'id', v: m[0] }); i += m[0].length; continue; }
    if ((m = /^(<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%()<>&|^~!?:,])/.exec(rest))) { out.push({ t: 'op', v: m[0] }); i += m[0].length; continue; }
    throw new ExprError(`unexpected "${rest[0]}" in "${src}"`);
  }
  return out;
}

const TYPE_WORDS = new Set(['struct', 'union', 'enum', 'unsigned', 'signed', 'int', 'char', 'short', 'long', 'const', 'volatile', 'void', '_Bool', 'bool']);

const BINARY: Record<string, number> = {
  '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<': 7, '>': 7, '<=': 7, '>=': 7,
  '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
};

export function evaluate(src: string, env: ExprEnv, depth = 0): bigint {
  if (depth > 32) throw new ExprError(`macro expansion too deep in "${src}"`);
  const toks = tokenize(src);
  let p = 0;
  const peek = (): Tok | undefined => toks[p];
  const isOp = (v: string): boolean => peek()?.t === 'op' && peek()!.v === v;
  const expect = (v: string): void => {
    if (!isOp(v)) throw new ExprError(`expected "${v}" in "${src}"`);
    p++;
  };
  // text of a parenthesised type name starting at p (after '(')
  const typeText = (): string | null => {
    const start = p;
    const t = toks[p];
    if (!t || t.t !== 'id') return null;
    // a #define or enum constant is a value, whatever else it could name; ask about types last
    const looksType = TYPE_WORDS.has(t.v) || (env.lookup(t.v) === undefined && env.castType?.(t.v) !== undefined);
    if (!looksType) return null;
    const words: string[] = [];
    while (p < toks.length && !(toks[p]!.t === 'op' && toks[p]!.v === ')')) {
      const k = toks[p]!;
      words.push(String(k.v));
      p++;
    }
    if (p >= toks.length) {
      p = start;
      return null;
    }
    return words.join(' ').replace(/ \*/g, '*').replace(/\[ /g, '[').replace(/ \]/g, ']');
  };

  // parentheses and prefix operators recurse: their depth is the input's to choose
  let nesting = 0;
  const unary = (): bigint => {
    if (++nesting > MAX_NESTING) throw new ExprError(`nested too deeply (more than ${MAX_NESTING} levels of parentheses or prefix operators)`);
    try {
      return unaryAt();
    } finally {
      nesting--;
    }
  };
  const unaryAt = (): bigint => {
    const t = peek();
    if (!t) throw new ExprError(`unexpected end of "${src}"`);
    if (t.t === 'op') {
      if (t.v === '(') {
        p++;
        const save = p;
        const ty = typeText();
        if (ty !== null && isOp(')')) {
          p++;
          const cast = env.castType?.(ty);
          const v = unary();
          if (!cast) return v;
          return cast.signed ? BigInt.asIntN(cast.bits, v) : BigInt.asUintN(cast.bits, v);
        }
        p = save;
        const v = ternary();
        expect(')');
        return v;
      }
      p++;
      const v = unary();
      switch (t.v) {
        case '-': return -v;
        case '+': return v;
        case '~': return ~v;
        case '!': return v === 0n ? 1n : 0n;
      }
      throw new ExprError(`unexpected "${t.v}" in "${src}"`);
    }
    if (t.t === 'num') {
      p++;
      return t.v;
    }
    if (t.t === 'id') {
      p++;
      if (t.v === 'sizeof') {
        expect('(');
        const ty = typeText();
        if (ty === null) throw new ExprError(`sizeof needs a type in "${src}"`);
        expect(')');
        return env.sizeof(ty);
      }
      const v = env.lookup(t.v);
      if (v === undefined) throw new ExprError(`unknown name ${t.v} in "${src}" (not a #define or enum constant here)`);
      return v;
    }
    throw new ExprError(`unexpected string in "${src}"`);
  };

  const binary = (min: number): bigint => {
    let lhs = unary();
    for (;;) {
      const t = peek();
      const prec = t?.t === 'op' ? BINARY[t.v] : undefined;
      if (prec === undefined || prec < min) return lhs;
      p++;
      const rhs = binary(prec + 1);
      lhs = apply(t!.v as string, lhs, rhs, src);
    }
  };

  const ternary = (): bigint => {
    const c = binary(1);
    if (!isOp('?')) return c;
    p++;
    const a = ternary();
    expect(':');
    const b = ternary();
    return c !== 0n ? a : b;
  };

  const v = ternary();
  if (p !== toks.length) throw new ExprError(`cannot read "${src}" as a constant expression`);
  return v;
}

function apply(op: string, a: bigint, b: bigint, src: string): bigint {
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': if (b === 0n) throw new ExprError(`division by zero in "${src}"`); return a / b;
    case '%': if (b === 0n) throw new ExprError(`division by zero in "${src}"`); return a % b;
    case '<<': return a << b;
    case '>>': return a >> b;
    case '&': return a & b;
    case '|': return a | b;
    case '^': return a ^ b;
    case '==': return a === b ? 1n : 0n;
    case '!=': return a !== b ? 1n : 0n;
    case '<': return a < b ? 1n : 0n;
    case '>': return a > b ? 1n : 0n;
    case '<=': return a <= b ? 1n : 0n;
    case '>=': return a >= b ? 1n : 0n;
    case '&&': return a !== 0n && b !== 0n ? 1n : 0n;
    case '||': return a !== 0n || b !== 0n ? 1n : 0n;
  }
  throw new ExprError(`unknown operator ${op}`);
}
