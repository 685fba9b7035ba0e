/**
 * What lcc knows of the architecture it builds for, as BCC knows its host's: its syscall functions'
 * prefix, and its preprocessor blocks (`#if defined(CONFIG_ARCH_HAS_SYSCALL_WRAPPER) &&
 * !defined(__s390x__)`, opensnoop's kfunc heads), which BCC compiles with the host's macros; lcc builds
 * its object for the host's architecture too, so they are decided here, as BCC decides them. Blocks on
 * anything else are left to the compiler. Lines keep their places (dropped ones are blank).
 */

/** What each architecture's kernel defines (arch/Kconfig's ARCH_HAS_SYSCALL_WRAPPER) and its compiler */
const ARCH_MACROS: Partial<Record<string, Record<string, boolean>>> = {
  x64: { CONFIG_ARCH_HAS_SYSCALL_WRAPPER: true, __x86_64__: true, __aarch64__: false, __s390x__: false, __powerpc64__: false, __riscv: false },
  arm64: { CONFIG_ARCH_HAS_SYSCALL_WRAPPER: true, __x86_64__: false, __aarch64__: true, __s390x__: false, __powerpc64__: false, __riscv: false },
};

/**
 * The kernel's function names for syscalls on each architecture (its syscall wrapper's prefix): a
 * fentry/fexit program names one in its section, as opensnoop's KRETFUNC_PROBE(FNNAME) does with
 * get_syscall_prefix() + "open".
 */
const SYSCALL_PREFIX: Partial<Record<string, string>> = { x64: '__x64_sys_', arm64: '__arm64_sys_', s390x: '__s390x_sys_', riscv64: '__riscv_sys_' };
export function syscallPrefix(arch = process.arch): string | null {
  return SYSCALL_PREFIX[arch] ?? null;
}

/** A condition of only these macros: true or false; null when it names anything else */
export function archCondition(cond: string, macros: Record<string, boolean>): boolean | null {
  const src = cond.replace(/\/\/.*$|\/\*.*?\*\//g, '').trim();
  const toks = src.match(/defined|\w+|&&|\|\||!|\(|\)/g) ?? [];
  if (toks.join('').replace(/\s/g, '') !== src.replace(/\s/g, '')) return null;
  let i = 0;
  const known = (name: string): boolean | null => (name in macros ? macros[name]! : null);
  const primary = (): boolean | null => {
    const t = toks[i++];
    if (t === '!') {
      const v = primary();
      return v === null ? null : !v;
    }
    if (t === '(') {
      const v = or();
      return toks[i++] === ')' ? v : null;
    }
    if (t === 'defined') {
      const paren = toks[i] === '(';
      if (paren) i++;
      const name = toks[i++];
      if (paren && toks[i++] !== ')') return null;
      return name && /^\w+$/.test(name) ? known(name) : null;
    }
    return t && /^\w+$/.test(t) && !/^\d/.test(t) ? known(t) : t === '0' ? false : t === '1' ? true : null;
  };
  const and = (): boolean | null => {
    let v = primary();
    while (toks[i] === '&&') {
      i++;
      const w = primary();
      v = v === null || w === null ? null : v && w;
    }
    return v;
  };
  const or = (): boolean | null => {
    let v = and();
    while (toks[i] === '||') {
      i++;
      const w = and();
      v = v === null || w === null ? null : v || w;
    }
    return v;
  };
  const v = or();
  return i === toks.length ? v : null;
}

export function resolveArchBlocks(text: string, arch = process.arch): { text: string; resolved: number } {
  const macros = ARCH_MACROS[arch];
  if (!macros) return { text, resolved: 0 };
  // each open block: decided (taking its current branch or not, whether one was taken) or left to the compiler
  const frames: ({ decided: true; taking: boolean; taken: boolean } | { decided: false })[] = [];
  let resolved = 0;
  const lines = text.split('\n');
  const live = (): boolean => frames.every((f) => !f.decided || f.taking);
  for (const [i, l] of lines.entries()) {
    const d = /^\s*#\s*(if|ifdef|ifndef|elif|else|endif)\b(.*)$/.exec(l);
    if (!d) {
      if (!live()) lines[i] = '';
      continue;
    }
    const [, kind, rest] = d as unknown as [string, string, string];
    const cond = kind === 'ifdef' ? `defined(${rest.trim()})` : kind === 'ifndef' ? `!defined(${rest.trim()})` : rest;
    if (kind === 'if' || kind === 'ifdef' || kind === 'ifndef') {
      const v = live() ? archCondition(cond, macros) : null;
      frames.push(v === null ? { decided: false } : { decided: true, taking: v, taken: v });
      if (v !== null) {
        resolved++;
        lines[i] = '';
      } else if (!live()) lines[i] = '';
      continue;
    }
    const top = frames[frames.length - 1];
    if (!top) return { text, resolved: 0 }; // unbalanced: the compiler says so
    if (kind === 'endif') frames.pop();
    else if (top.decided) {
      const v = kind === 'else' ? true : archCondition(cond, macros);
      if (v === null) return { text, resolved: 0 }; // a chain decided in part: leave it whole to the compiler
      top.taking = !top.taken && v;
      top.taken ||= top.taking;
    }
    if (top.decided || !live()) lines[i] = '';
  }
  return { text: lines.join('\n'), resolved };
}
