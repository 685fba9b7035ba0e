// Every argparse tool of Debian's bpfcc-tools that lcc converts whole answers
// --help, and a wrong option, as the original does under python3: the same
// text, the same exit status. (argparse here is the npm port of Python's; the
// tool's own parser code is translated, not rewritten.) Needs BCC's tools
// installed, and builds each (clang), which is why it is a kernel test.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { convert } from '../src/convert/index.js';
import { runKernelTests } from './helpers/kernel.js';
import { runToEnd } from './helpers/ready.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '..');
// inside the repository, so the converted code's @lcc-ebpf/lbc imports resolve to this package
const OUT = path.join(here, '.out', 'help');
const TSX = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const TOOLS = ['bashreadline', 'biopattern', 'btrfsdist', 'btrfsslower', 'cachestat', 'dbstat', 'dcsnoop', 'drsnoop', 'execsnoop', 'ext4slower', 'fileslower', 'filetop', 'gethostlatency', 'hardirqs', 'killsnoop', 'llcstat', 'nfsdist', 'slabratetop', 'sofdsnoop', 'softirqs', 'solisten', 'statsnoop', 'tcpaccept', 'tcpconnlat', 'tcpdrop', 'tcplife', 'tcprtt', 'tcpstates', 'tcpsynbl', 'tcptop', 'tcptracer', 'vfsstat', 'xfsdist', 'xfsslower', 'zfsdist', 'zfsslower'];
const ENV = { ...process.env, COLUMNS: '80' };

describe.runIf(runKernelTests)('converted tools parse their command line as the originals do', () => {
  beforeAll(async () => {
    fs.rmSync(OUT, { recursive: true, force: true });
    fs.mkdirSync(OUT, { recursive: true });
    for (const tool of TOOLS) {
      // the original, named as the converted tool is named: argparse's usage line wraps by the name's length
      fs.copyFileSync(`/usr/sbin/${tool}-bpfcc`, path.join(OUT, tool));
      fs.copyFileSync(`/usr/sbin/${tool}-bpfcc`, path.join(OUT, `${tool}.py`));
      const r = await convert(path.join(OUT, `${tool}.py`), path.join(OUT, `${tool}-lcc`));
      expect(r.report.filter((x) => !x.converted).map((x) => x.what), `${tool} converts whole`).toEqual([]);
      const b = await runToEnd(process.execPath, ['--import', TSX, path.join(here, 'helpers', 'lcc.ts'), 'build', `${tool}.bpf.c`], { cwd: path.join(OUT, `${tool}-lcc`) });
      expect(b.status, `${tool}: ${b.stderr}`).toBe(0);
    }
  }, 300_000);

  for (const args of [['--help'], ['--no-such-option']]) {
    it(`${args.join(' ')}: the same output and exit status as python3 running the original, for ${TOOLS.length} tools`, async () => {
      for (const tool of TOOLS) {
        const [py, ts] = await Promise.all([
          runToEnd('/usr/bin/python3', [tool, ...args], { cwd: OUT, env: ENV }),
          runToEnd(process.execPath, ['--import', TSX, `${tool}.ts`, ...args], { cwd: path.join(OUT, `${tool}-lcc`), env: ENV }),
        ]);
        expect({ status: ts.status, stdout: ts.stdout, stderr: ts.stderr }, tool).toEqual({ status: py.status, stdout: py.stdout, stderr: py.stderr });
      }
    }, 120_000);
  }
});
