// pingtrace's command line, checked before anything is loaded: no root, no
// kernel, no name lookups needed to be told what is wrong (exit 2, one line
// naming the option and the allowed range, no stack trace).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pingtraceCommand } from '../examples/pingtrace/src/main.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const BIN = path.resolve(here, '..', 'examples', 'pingtrace', 'bin', 'pingtrace.js');
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

describe('pingtrace refuses bad numbers as ping does', () => {
  const cases: [string[], RegExp][] = [
    [['127.0.0.1', '--udp', '--port', '70000'], /^pingtrace: --port must be an integer from 1 to 65535, got "70000"$/m],
    [['127.0.0.1', '--tcp', '--port', '70000'], /^pingtrace: --port must be an integer from 1 to 65535, got "70000"$/m],
    [['--server', '--port', '70000'], /^pingtrace: --port must be an integer from 1 to 65535, got "70000"$/m],
    [['--server', '--port', '0'], /^pingtrace: --port must be an integer from 1 to 65535, got "0"$/m],
    [['127.0.0.1', '--udp', '--port', '80.5'], /^pingtrace: --port must be an integer from 1 to 65535, got "80\.5"$/m],
    [['127.0.0.1', '-c', '0'], /^pingtrace: -c must be an integer >= 1, got "0"$/m],
    [['127.0.0.1', '-c', '-1'], /^pingtrace: -c must be an integer >= 1, got "-1"$/m],
    [['127.0.0.1', '-c', '1.5'], /^pingtrace: -c must be an integer >= 1, got "1\.5"$/m],
    [['127.0.0.1', '-s', '100000'], /^pingtrace: -s must be an integer from 16 to 65507, got "100000"$/m],
    [['127.0.0.1', '-s', '15'], /^pingtrace: -s must be an integer from 16 to 65507, got "15"$/m],
    [['127.0.0.1', '-s', '0'], /^pingtrace: -s must be an integer from 16 to 65507, got "0"$/m],
    [['127.0.0.1', '-i', '-1'], /^pingtrace: -i must be a number >= 0\.0001, got "-1"$/m],
    [['127.0.0.1', '-W', ''], /^pingtrace: -W must be a number >= 0\.001, got ""$/m],
    [['127.0.0.1', '--log', '/tmp/x.log', '--log-keep', '-2'], /^pingtrace: --log-keep must be an integer >= 0, got "-2"$/m],
  ];
  for (const [args, message] of cases) {
    it(args.join(' '), () => {
      const r = run(...args);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at |ERR_/);
      expect(r.status).toBe(2);
    });
  }

  it('an unknown option is a usage error pointing at --help, not a stack trace', () => {
    const r = run('127.0.0.1', '--bogus');
    expect(r.stderr).toBe("pingtrace: unknown option '--bogus' (pingtrace --help lists the options)\n");
    expect(r.status).toBe(2);
  });

  it('--help lists every option the parser takes, from the same definition; --version; exit 0', () => {
    const r = run('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: pingtrace TARGET\.\.\. \[options\]/);
    for (const o of pingtraceCommand().options) expect(r.stdout, o.flags).toContain(o.flags);
    expect(r.stdout).toMatch(/Spike hunting[\s\S]*Fleet:[\s\S]*Server:/);
    const version = (JSON.parse(fs.readFileSync(path.resolve(here, '..', 'examples', 'pingtrace', 'package.json'), 'utf8')) as { version: string }).version;
    expect(run('--version')).toMatchObject({ status: 0, stdout: `${version}\n` });
    // --help answers whatever else is on the line, even a bad number
    expect(run('127.0.0.1', '-c', '0', '--help').status).toBe(0);
  });

  it('no target: one line with an example, exit 2', () => {
    const r = run();
    expect(r.stderr).toMatch(/^pingtrace: which host\? e\.g\. pingtrace 10\.0\.0\.2/);
    expect(r.status).toBe(2);
  });
});
