// create-lcc-app through yeoman-test: every template from flags, the same
// answers given as prompts, goldens of what it writes, and refusals of bad
// input. The scaffold's install → build → run is in create-app-e2e.test.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import helpers from 'yeoman-test';
import { fileURLToPath } from 'node:url';
import CreateLccApp, { parseHook } from '../generators/create-lcc-app/src/app.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// the class itself: yeoman would import a path natively, and the source is TypeScript
const GENERATOR = CreateLccApp as never;
const GOLDEN = path.join(here, 'fixtures', 'create-app');
const UPDATE = !!process.env.UPDATE_GOLDEN;

function files(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
}

function golden(variant: string, dir: string): void {
  const want = path.join(GOLDEN, variant);
  if (UPDATE || !fs.existsSync(want)) {
    fs.rmSync(want, { recursive: true, force: true });
    for (const f of files(dir)) {
      fs.mkdirSync(path.dirname(path.join(want, f)), { recursive: true });
      fs.copyFileSync(path.join(dir, f), path.join(want, f));
    }
  }
  expect(files(dir)).toEqual(files(want));
  for (const f of files(want)) {
    expect(fs.readFileSync(path.join(dir, f), 'utf8'), `${variant}/${f} differs: rerun with UPDATE_GOLDEN=1 if intended`).toBe(fs.readFileSync(path.join(want, f), 'utf8'));
  }
}

// a fixed dependency spec keeps the goldens independent of where the checkout lives
const LCC = 'file:../lcc';

const VARIANTS: [string, Record<string, string | boolean>][] = [
  ['events-ringbuf', { template: 'events', yes: true }],
  ['events-perf', { template: 'events', event: 'perf', hook: 'sched:sched_process_fork', yes: true }],
  ['hist', { template: 'hist', yes: true }],
  ['counter', { template: 'counter', hook: 'tp_btf/sched_switch', description: 'context switches per process', yes: true }],
];

describe('create-lcc-app', () => {
  for (const [variant, options] of VARIANTS) {
    it(`scaffolds ${variant} from flags alone`, async () => {
      const r = await helpers.run(GENERATOR).withArguments(['mytool']).withOptions({ ...options, lcc: LCC, skipInstall: true } as never);
      golden(variant, path.join(r.cwd, 'mytool'));
    });
  }

  it('takes template, event kind and hook from prompts', async () => {
    const asked: string[] = [];
    const answers = ['events', 'perf', 'sched:sched_process_fork', 'events tool on sched:sched_process_fork'];
    const r = await helpers.run(GENERATOR).withArguments(['mytool']).withOptions({ lcc: LCC, skipInstall: true } as never)
      .withAnswers({}, { callback: (_answer: unknown, { question }: { question: { message: string } }) => {
        asked.push(question.message);
        return answers[asked.length - 1];
      } });
    expect(asked).toEqual(['What should the tool do?', 'How do events reach user space?', 'Attach to (hook)', 'Description']);
    golden('events-perf', path.join(r.cwd, 'mytool'));
  });

  it('asks the hist template for both hooks', async () => {
    const asked: string[] = [];
    await helpers.run(GENERATOR).withArguments(['mytool']).withOptions({ lcc: LCC, skipInstall: true } as never)
      .withAnswers({}, { callback: (answer: unknown, { question }: { question: { message: string } }) => {
        asked.push(question.message);
        return asked.length === 1 ? 'hist' : answer;
      } });
    expect(asked).toEqual(['What should the tool do?', 'Start timing at (hook)', 'Stop timing at (hook)', 'Description']);
  });

  it('refuses bad names, templates, hooks and a non-empty directory with one clear line', async () => {
    await expect(helpers.run(GENERATOR).withArguments(['My Tool']).withOptions({ yes: true, skipInstall: true } as never)).rejects.toThrow(/cannot name a tool: use lower-case letters/);
    await expect(helpers.run(GENERATOR).withArguments(['t']).withOptions({ yes: true, template: 'nope', skipInstall: true } as never)).rejects.toThrow(/--template nope: use one of events, hist, counter/);
    await expect(helpers.run(GENERATOR).withArguments(['t']).withOptions({ yes: true, hook: 'not a hook', skipInstall: true } as never)).rejects.toThrow(/hook "not a hook" is not a hook lcc can attach/);
    await expect(helpers.run(GENERATOR).withArguments(['t']).withOptions({ yes: true, event: 'pipe', skipInstall: true } as never)).rejects.toThrow(/--event pipe: use ringbuf or perf/);
    await expect(helpers.run(GENERATOR).withOptions({ yes: true, skipInstall: true } as never)).rejects.toThrow(/which project\?/);
    await expect(helpers.run(GENERATOR).withArguments(['t']).withOptions({ yes: true, skipInstall: true } as never)
      .onTargetDirectory((dir) => {
        fs.mkdirSync(path.join(dir, 't'));
        fs.writeFileSync(path.join(dir, 't', 'keep'), 'x');
      })).rejects.toThrow(/t exists/);
  });

  it('reads hooks the way users write them', () => {
    const table: [string, string][] = [
      ['sched/sched_switch', 'tracepoint/sched/sched_switch'],
      ['sched:sched_switch', 'tracepoint/sched/sched_switch'],
      ['tracepoint/net/net_dev_queue', 'tracepoint/net/net_dev_queue'],
      ['tp_btf/sched_wakeup', 'tp_btf/sched_wakeup'],
      ['raw_tp/sys_enter', 'raw_tp/sys_enter'],
      ['kprobe/tcp_sendmsg', 'kprobe/tcp_sendmsg'],
    ];
    for (const [text, section] of table) expect(parseHook(text).section).toBe(section);
  });
});
