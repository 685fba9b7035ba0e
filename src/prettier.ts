// The one place prettier is loaded: generated TypeScript (skeletons, translated
// tools) is printed in its layout.
import { createRequire } from 'node:module';

export const PRINT_WIDTH = 120;

let prettier: typeof import('prettier') | null = null;
export async function formatTs(code: string): Promise<string> {
  // prettier's CommonJS entry: the CLI bundle runs compiled from a code cache
  // (bin/lcc.js), where Node 20 loses import()'s loader
  prettier ??= createRequire(import.meta.url)('prettier') as typeof import('prettier');
  return prettier.format(code, { parser: 'typescript', singleQuote: true, printWidth: PRINT_WIDTH, trailingComma: 'all' });
}
