// Python's `%` string formatting, for tools ported from BCC: their output
// lines are `print("%-16s %-6d %6.2f" % (...))`, and a port should print the
// same columns. Supports flags (-, 0, +, space), width, precision and the
// conversions s r d i u f F e g x X o c %.

export function pyFormat(fmt: string, args: readonly unknown[] | unknown): string {
  const list = Array.isArray(args) ? args : [args];
  let i = 0;
  return fmt.replace(/%([-0+ #]*)(\*|\d+)?(?:\.(\*|\d+))?([sdiufFeEgGxXocr%])/g, (_m, flags: string, w?: string, p?: string, conv?: string) => {
    if (conv === '%') return '%';
    const width = w === '*' ? Number(list[i++]) : w ? Number(w) : 0;
    const prec = p === '*' ? Number(list[i++]) : p !== undefined ? Number(p) : undefined;
    const v = list[i++];
    let s: string;
    const num = (): number => (typeof v === 'bigint' ? Number(v) : Number(v));
    switch (conv) {
      case 's': case 'r': s = typeof v === 'string' ? v : String(v); if (prec !== undefined) s = s.slice(0, prec); break;
      case 'd': case 'i': case 'u': s = typeof v === 'bigint' ? v.toString() : Math.trunc(num()).toString(); break;
      case 'f': case 'F': s = num().toFixed(prec ?? 6); break;
      case 'e': case 'E': s = num().toExponential(prec ?? 6).replace(/e([+-])(\d)$/, 'e$10$2'); if (conv === 'E') s = s.toUpperCase(); break;
      case 'g': case 'G': s = String(Number(num().toPrecision(prec || 6))); break;
      case 'x': case 'X': s = (typeof v === 'bigint' ? v : BigInt(Math.trunc(num()))).toString(16); if (flags.includes('#')) s = `0x${s}`; if (conv === 'X') s = s.toUpperCase(); break;
      case 'o': s = (typeof v === 'bigint' ? v : BigInt(Math.trunc(num()))).toString(8); break;
      case 'c': s = typeof v === 'string' ? v : String.fromCharCode(num()); break;
      default: s = String(v);
    }
    if (/[dfFeEgGiu]/.test(conv!) && !s.startsWith('-')) {
      if (flags.includes('+')) s = `+${s}`;
      else if (flags.includes(' ')) s = ` ${s}`;
    }
    if (s.length >= width) return s;
    if (flags.includes('-')) return s.padEnd(width);
    if (flags.includes('0') && /[dfFeEgGiuxXo]/.test(conv!)) {
      const sign = /^[-+ ]/.test(s) ? s[0]! : '';
      return sign + s.slice(sign.length).padStart(width - sign.length, '0');
    }
    return s.padStart(width);
  });
}
