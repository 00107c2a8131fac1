/**
 * Clean stops: `testbed up` and `testbed test` (the built CLI, spawned)
 * interrupted at each stage with SIGINT or SIGTERM remove everything
 * themselves; killed with SIGKILL, `testbed down` afterwards removes
 * everything. "Everything" is checked by the lab's labels and its iptables
 * comment (helpers.ts leftovers): containers (nodes, captures, impairment
 * helpers), networks, transit rules.
 */
import { spawn } from 'node:child_process';
import test, { type ExecutionContext } from 'ava';
import { labName, leftovers, root, seedTopology } from './helpers.js';

const BIN = `${root}bin/testbed.js`;

/** When to send the signal: after some time, or when stderr (or stdout) shows a line of this stage. */
type Point = { afterMs: number } | { marker: RegExp; name: string };

const UP_POINTS: Point[] = [
  { afterMs: 500 },
  { afterMs: 1000 },
  { marker: /creating 3 networks/, name: 'networks in flight' },
  { marker: /allowing transit traffic/, name: 'transit rules' },
  { marker: /creating 4 nodes/, name: 'containers in flight' },
  { marker: /starting 4 nodes/, name: 'readiness' },
  { marker: /capturing 3 links/, name: 'captures starting' },
];

const TEST_POINTS: Point[] = [
  { marker: /creating 3 networks/, name: 'networks in flight' },
  { marker: /starting 4 nodes/, name: 'readiness' },
  { marker: /(PASS|FAIL|DONE) {2}\S/, name: 'first step done' },
];

const describe = (p: Point) => ('afterMs' in p ? `${p.afterMs} ms` : p.name);

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  sent: boolean;
  output: string;
}

function run(args: string[], point: Point, signal: NodeJS.Signals): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let sent = false;
    const send = () => {
      if (sent || child.exitCode !== null) return;
      sent = true;
      child.kill(signal);
    };
    const onText = (b: Buffer) => {
      output += b.toString();
      if ('marker' in point && point.marker.test(output)) send();
    };
    child.stdout.on('data', onText);
    child.stderr.on('data', onText);
    if ('afterMs' in point) setTimeout(send, point.afterMs);
    child.on('exit', (code, sig) => resolve({ code, signal: sig, sent, output }));
  });
}

function cli(args: string[]): Promise<number | null> {
  return new Promise((resolve) => spawn(process.execPath, [BIN, ...args], { cwd: root, stdio: 'ignore' }).on('exit', (code) => resolve(code)));
}

async function interrupted(t: ExecutionContext, command: 'up' | 'test', points: Point[], signal: NodeJS.Signals): Promise<void> {
  for (const point of points) {
    const lab = labName(`cs-${command}`);
    const args =
      command === 'up'
        ? ['up', seedTopology, '--name', lab, '--capture', '--artifacts', `/tmp/testbed-cs/${lab}`]
        : ['test', seedTopology, '--name', lab, '--artifacts', `/tmp/testbed-cs/${lab}`];
    const r = await run(args, point, signal);
    const where = `${command} ${signal} at ${describe(point)}`;
    t.true(r.sent, `${where}: the command ended before the signal: ${r.output}`);
    if (signal === 'SIGKILL') {
      t.is(r.signal, 'SIGKILL', where);
      t.is(await cli(['down', lab]), 0, `${where}: down`);
    } else {
      // either the command's handler ran (exit 130), or the signal came while Node was still loading the CLI, before anything was created
      const early = r.signal === signal && !/\[\d/.test(r.output);
      t.true(r.code === 130 || early, `${where}: exit ${r.code} (${r.signal}); output:\n${r.output}`);
      if (!early) t.regex(r.output, /interrupted: removing what was created/, where);
    }
    t.deepEqual(await leftovers(lab), { containers: 0, networks: 0, rules: 0 }, `${where}: left behind\n${r.output}`);
    if (signal !== 'SIGKILL') await cli(['down', lab]); // only if the assertion above failed: leave nothing for the next test
  }
}

test.serial('up: SIGINT at every stage removes everything by itself', (t) => interrupted(t, 'up', UP_POINTS, 'SIGINT'));
test.serial('up: SIGTERM at every stage removes everything by itself', (t) => interrupted(t, 'up', UP_POINTS, 'SIGTERM'));
test.serial('up: SIGKILL at every stage, then down, leaves nothing', (t) => interrupted(t, 'up', UP_POINTS, 'SIGKILL'));
test.serial('test: SIGINT, SIGTERM while the lab comes up and while steps run remove everything by themselves', async (t) => {
  await interrupted(t, 'test', TEST_POINTS, 'SIGINT');
  await interrupted(t, 'test', TEST_POINTS, 'SIGTERM');
});
test.serial('test: SIGKILL at any stage, then down, leaves nothing', (t) => interrupted(t, 'test', TEST_POINTS, 'SIGKILL'));
