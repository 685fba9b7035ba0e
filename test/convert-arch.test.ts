// #if blocks on the architecture, decided as BCC decides them on its host; the rest left to the compiler
import { describe, expect, it } from 'vitest';
import { archCondition, resolveArchBlocks } from '../src/convert/c/arch.js';

const X64 = { CONFIG_ARCH_HAS_SYSCALL_WRAPPER: true, __x86_64__: true, __s390x__: false };

describe('lcc convert: #if on the architecture', () => {
  it('evaluates defined(), !, && and || over the architecture\'s macros; anything else is not its to decide', () => {
    expect(archCondition('defined(CONFIG_ARCH_HAS_SYSCALL_WRAPPER) && !defined(__s390x__)', X64)).toBe(true);
    expect(archCondition('defined __s390x__ || (defined(__x86_64__) && !defined(CONFIG_ARCH_HAS_SYSCALL_WRAPPER))', X64)).toBe(false);
    expect(archCondition('defined(CONFIG_ARCH_HAS_SYSCALL_WRAPPER) && defined(FULLPATH)', X64)).toBeNull();
    expect(archCondition('LINUX_VERSION_CODE < KERNEL_VERSION(5, 10, 0)', X64)).toBeNull();
  });

  it('keeps the branch taken and blanks the others, line for line; a block on anything else stays whole, even inside one decided', () => {
    const text = [
      '#if defined(CONFIG_ARCH_HAS_SYSCALL_WRAPPER) && !defined(__s390x__)', 'a();', '#ifdef FULLPATH', 'b();', '#endif',
      '#elif defined(__s390x__)', 'c();', '#else', 'd();', '#endif', 'e();',
    ].join('\n');
    const r = resolveArchBlocks(text, 'x64');
    expect(r.resolved).toBe(1);
    expect(r.text.split('\n')).toEqual(['', 'a();', '#ifdef FULLPATH', 'b();', '#endif', '', '', '', '', '', 'e();']);
    // another architecture: the other branch
    expect(resolveArchBlocks(text, 'arm64').text.split('\n')).toEqual(['', 'a();', '#ifdef FULLPATH', 'b();', '#endif', '', '', '', '', '', 'e();']);
    const other = '#ifdef FULLPATH\nx();\n#else\ny();\n#endif\n';
    expect(resolveArchBlocks(other, 'x64')).toEqual({ text: other, resolved: 0 });
    // a chain only partly the architecture's is left whole to the compiler
    const mixed = '#ifdef __x86_64__\na();\n#elif defined(FULLPATH)\nb();\n#endif\n';
    expect(resolveArchBlocks(mixed, 'x64')).toEqual({ text: mixed, resolved: 0 });
  });
});
