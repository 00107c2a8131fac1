/** `testbed generate` from the command line: files written where asked, replaced only with --force, errors with exit 2. */
import test from 'ava';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from '../../../../src/orchestrator/docker/engine.js';
import { main } from '../../../../src/orchestrator/cli/main.js';
import { generateTedLab } from '../../../../src/orchestrator/generate/index.js';

/** Docker must not be called: generate writes files only. */
const noDocker = new Proxy({} as Engine, {
  get: () => () => Promise.reject(new Error('Docker must not be called')),
});

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) }, noDocker);
  return { code, stdout, stderr };
}

test('generate writes the topology and one config per router into --output, and says what it wrote', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tb-gen-cli-'));
  try {
    const r = await run(
      'generate',
      '--spokes',
      '5',
      '--shape',
      'core',
      '--per-segment',
      '2',
      '--acl',
      'per-peer',
      '--suite',
      'aes128',
      '--name',
      'five',
      '--output',
      dir,
    );
    t.is(r.code, 0, r.stderr);
    t.deepEqual((await readdir(join(dir, 'five'))).sort(), ['core.cfg', 'spoke1.cfg', 'spoke2.cfg', 'spoke3.cfg', 'spoke4.cfg', 'spoke5.cfg']);
    const expected = generateTedLab({ spokes: 5, shape: 'core', perSegment: 2, acl: 'per-peer', suite: 'aes128', name: 'five', output: dir });
    t.is(await readFile(join(dir, 'five', 'spoke3.cfg'), 'utf8'), expected.files.find((f) => f.path === 'five/spoke3.cfg')!.content);
    const yaml = await readFile(join(dir, 'five.yaml'), 'utf8');
    t.regex(yaml, /^# yaml-language-server: \$schema=\S*schema\/topology\.schema\.json\n/, 'the schema line points at the package schema');
    t.regex(r.stdout, /^wrote \S*five\.yaml and 6 router configs in \S*five\/\n/);
    t.regex(r.stdout, /5 TED spokes behind a plain core router without crypto, 3 WAN segments of up to 2 spokes; 5 hosts/);
    t.regex(r.stdout, /tests: 24 steps, 10 pairs of sites ping each other/);

    // an existing lab is kept unless --force; --force removes the configs of a larger earlier run
    const again = await run('generate', '--spokes', '3', '--shape', 'core', '--name', 'five', '--output', dir);
    t.is(again.code, 2);
    t.regex(again.stderr, /five\.yaml exists already: --force replaces the lab/);
    t.true(existsSync(join(dir, 'five', 'spoke5.cfg')), 'nothing touched');
    const forced = await run('generate', '--spokes', '3', '--shape', 'core', '--name', 'five', '--output', dir, '--force', '--json');
    t.is(forced.code, 0);
    const out = JSON.parse(forced.stdout) as { lab: string; files: string[]; removed: string[]; pairs: number };
    t.is(out.lab, 'five');
    t.is(out.pairs, 3);
    t.deepEqual(
      out.removed.map((f) => f.split('/').pop()),
      ['spoke4.cfg', 'spoke5.cfg'],
    );
    t.deepEqual((await readdir(join(dir, 'five'))).sort(), ['core.cfg', 'spoke1.cfg', 'spoke2.cfg', 'spoke3.cfg']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('generate: bad options exit 2 with what is wrong, and write nothing', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tb-gen-cli-'));
  try {
    const cases: [string[], RegExp][] = [
      [[], /generate needs --spokes N/],
      [['--spokes', 'ten'], /--spokes must be a whole number, not "ten"/],
      [['--spokes', '1'], /the number of spokes must be a whole number from 2 to 1000, not 1/],
      [['--spokes', '4', '--shape', 'ring'], /the shape must be shared or core, not "ring"/],
      [['--spokes', '4', '--per-segment', '2'], /spokes per segment only apply to the core shape/],
      [['--spokes', '4', '--frobnicate'], /Unknown option '--frobnicate'/],
    ];
    for (const [args, message] of cases) {
      const r = await run('generate', ...args, '--output', dir);
      t.is(r.code, 2, args.join(' '));
      t.regex(r.stderr, message);
    }
    t.deepEqual(await readdir(dir), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
