// clang's diagnostics parsed into a table (lcc build itself, run as a user
// runs it, is in build.kernel.test.ts).
import { describe, expect, it } from 'vitest';
import { parseDiagnostics } from '../src/clang/diagnostics.js';

describe('clang diagnostics', () => {
  it('parses file:line:col, severity, message and the excerpt under it', () => {
    const text = [
      'In file included from src/t.bpf.c:2:',
      'src/t.h:3:1: error: unknown type name \'foo\'',
      'foo x;',
      '^',
      'src/t.bpf.c:9:5: warning: unused variable \'y\' [-Wunused-variable]',
      '        int y;',
      '            ^',
      '/usr/include/bpf/bpf_helpers.h:10:2: note: expanded from macro \'SEC\'',
      '1 warning and 1 error generated.',
      '2 errors generated.',
    ].join('\n');
    expect(parseDiagnostics(text)).toEqual([
      { file: 'src/t.h', line: 3, column: 1, severity: 'error', message: "unknown type name 'foo'", context: ['foo x;', '^'] },
      { file: 'src/t.bpf.c', line: 9, column: 5, severity: 'warning', message: "unused variable 'y' [-Wunused-variable]", context: ['        int y;', '            ^'] },
      { file: '/usr/include/bpf/bpf_helpers.h', line: 10, column: 2, severity: 'note', message: "expanded from macro 'SEC'", context: ['1 warning and 1 error generated.'] },
    ]);
  });
});
