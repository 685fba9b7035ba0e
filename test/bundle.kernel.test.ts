// A deployed lcc app is often one CommonJS bundle (esbuild --format=cjs, koffi
// kept as a package): the runtime must load there as it does as ES modules.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '..');

describe('the runtime bundled as CommonJS', () => {
  it('loads libbpf through koffi and calls it', () => {
    const dir = fs.mkdtempSync(path.join(here, '.out', 'bundle-'));
    const entry = path.join(dir, 'app.ts');
    fs.writeFileSync(entry, [
      `import { BpfObject, numPossibleCpus } from ${JSON.stringify(path.join(ROOT, 'lbc', 'src', 'index.ts'))};`,
      'console.log(typeof BpfObject.open, numPossibleCpus());',
      '',
    ].join('\n'));
    const out = path.join(dir, 'app.cjs');
    execFileSync(path.join(ROOT, 'node_modules', '.bin', 'esbuild'), [entry, '--bundle', '--platform=node', '--format=cjs', '--target=node20', '--external:koffi', `--outfile=${out}`, '--log-level=error']);
    const printed = execFileSync(process.execPath, [out], { encoding: 'utf8', cwd: ROOT }).trim();
    expect(printed).toMatch(/^function [1-9]\d*$/);
  });
});
