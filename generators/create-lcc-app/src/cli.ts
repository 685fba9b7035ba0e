// npx create-lcc-app NAME [--template events|hist|counter] [--event ringbuf|perf]
//   [--hook CAT/NAME] [--end-hook CAT/NAME] [--description TEXT] [--lcc SPEC] [--yes] [--install]
// Runs the yeoman generator in app.ts; a bad answer prints one line, not a stack.
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import { createEnv } from 'yeoman-environment';

export const GENERATOR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'app.js');

export async function main(argv: string[]): Promise<number> {
  const env = createEnv();
  env.register(GENERATOR, { namespace: 'lcc:app' });
  const install = argv.includes('--install');
  try {
    await env.run(['lcc:app', ...argv.filter((a) => a !== '--install')], { skipInstall: !install });
    return 0;
  } catch (e) {
    process.stderr.write(`create-lcc-app: ${(e as Error).message}\n`);
    return 1;
  }
}
