/**
 * `testbed image ls` and `testbed image prune` against the real Docker:
 * images made for the test on top of the current lab image stand for the
 * ones older builds leave behind. Note: prune removes every old testbed image
 * on the machine, as it would for the user.
 */
import test from 'ava';
import { execa } from 'execa';
import { currentImages, ensureLabImage } from '../../src/orchestrator/image/build.js';
import type { LabImage, PruneResult } from '../../src/orchestrator/image/prune.js';
import { silentProgress } from '../../src/orchestrator/progress.js';
import { engine, root } from './helpers.js';

const testbed = (...argv: string[]) => execa('node', [`${root}bin/testbed.js`, ...argv], { cwd: root, reject: false });
const suffix = `${process.pid.toString(36)}${Math.random().toString(36).slice(2, 6)}`;

async function derived(from: string, tag: string): Promise<void> {
  await execa('docker', ['build', '-q', '-t', tag, '-'], { input: `FROM ${from}\nLABEL testbed.test=${tag}\n` });
}

test('image ls tells current from old and in use; prune removes the old ones and keeps what is current or used', async (t) => {
  const current = await ensureLabImage(engine, { progress: silentProgress });
  const { base } = await currentImages(engine);
  t.truthy(base);
  const old = `testbed/router2600:zzold${suffix}`;
  const held = `testbed/router2600:zzheld${suffix}`;
  const alias = `testbed/router2600:zzalias${suffix}`;
  const holder = `tb-imagetest-${suffix}`;
  try {
    await derived(current, old);
    // an image on the base (not on the current router image, which would then be in use too)
    await derived(base!, held);
    await execa('docker', ['tag', current, alias]);
    await execa('docker', ['create', '--name', holder, held, 'true']);

    const ls = await testbed('image', 'ls', '--json');
    t.is(ls.exitCode, 0, ls.stderr);
    const images = (JSON.parse(ls.stdout) as { images: LabImage[] }).images;
    const state = (tag: string) => images.find((i) => i.tag === tag);
    t.like(state(current), { role: 'router', current: true, usedBy: [] });
    t.like(state(old), { role: 'router', current: false, usedBy: [] });
    t.deepEqual(state(held)?.usedBy, [holder]);
    t.like(state(base!), { role: 'base', current: true, usedBy: [holder] });
    const text = await testbed('image', 'ls');
    t.regex(text.stdout, new RegExp(`^${old.replace(/[/]/g, '\\/')}\\s+router\\s+\\d+ MB\\s+\\S+\\s+old$`, 'm'));

    const prune = await testbed('image', 'prune', '--json');
    t.is(prune.exitCode, 0, prune.stderr);
    const result = JSON.parse(prune.stdout) as PruneResult;
    const removed = result.removed.map((i) => i.tag);
    t.true(removed.includes(old));
    t.true(removed.includes(alias), 'a second name of the current image goes as a name');
    t.false(removed.includes(current));
    t.deepEqual(
      result.kept
        .filter((k) => [current, held].includes(k.image.tag))
        .map((k) => [k.image.tag, k.why])
        .sort(),
      [
        [current, 'current'],
        [held, `used by ${holder}`],
      ].sort(),
    );
    t.true(await engine.imageExists(current));
    t.true(await engine.imageExists(held));
    t.false(await engine.imageExists(old));
    t.false(await engine.imageExists(alias));

    const again = await testbed('image', 'prune');
    t.is(again.exitCode, 0);
    t.regex(again.stdout, /^no lab image to remove$/m);
    t.regex(again.stdout, new RegExp(`^kept ${held.replace(/[/]/g, '\\/')}: used by ${holder}$`, 'm'));
  } finally {
    await execa('docker', ['rm', '-f', holder], { reject: false });
    for (const tag of [old, held, alias]) await execa('docker', ['rmi', '-f', tag], { reject: false });
  }
});

test('image commands refuse what they do not take', async (t) => {
  for (const [argv, message] of [
    [['image'], /image needs "build", "ls" or "prune"/],
    [['image', 'rm'], /image needs "build", "ls" or "prune"/],
    [['image', 'ls', '--all'], /--all belongs to image prune/],
    [['image', 'prune', 'x'], /image prune takes no arguments, got "x"/],
  ] as const) {
    const r = await testbed(...argv);
    t.is(r.exitCode, 2, argv.join(' '));
    t.regex(r.stderr, message);
  }
});
