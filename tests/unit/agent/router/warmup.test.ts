/**
 * The warm-up after boot: it completes with the router's own policies, runs
 * in small steps (other work gets turns of the event loop while it runs), and
 * steps aside while a real negotiation is busy.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { policyFromConfig } from '../../../../src/agent/ike/index.js';
import { CONTENDED_PAUSE_MAX_MS, CONTENDED_PAUSE_MIN_MS, cpuShareMonitor, nextContendedPause, warmUp } from '../../../../src/agent/router/warmup.js';
import { parseConfig } from '../../../../src/ios/index.js';
import { root } from '../../../root.js';

const policy = policyFromConfig(parseConfig(readFileSync(join(root, 'topologies', 'daphne-fred', 'daphne.cfg'), 'utf8')).config);

test('the warm-up finishes, and other work runs between its steps', async (t) => {
  let turns = 0;
  let done = false;
  const tick = (): void => {
    turns++;
    if (!done) setImmediate(tick);
  };
  setImmediate(tick);
  await warmUp(policy, { rounds: 1 });
  done = true;
  // one handshake is about a dozen engine steps plus the ESP steps: others ran between them
  t.true(turns >= 10, `other work got ${turns} turns while the warm-up ran`);
});

test('while a real negotiation is busy, the warm-up waits and resumes after it', async (t) => {
  let asked = 0;
  const busyUntil = Date.now() + 100;
  await warmUp(policy, {
    rounds: 1,
    busy: () => {
      asked++;
      return Date.now() < busyUntil;
    },
  });
  t.true(Date.now() >= busyUntil, 'it did not finish while the router was busy');
  t.true(asked > 1);
});

test('a policy with no ISAKMP policy has nothing to warm: it resolves at its first step', async (t) => {
  const empty = policyFromConfig(parseConfig('hostname R\n').config);
  let steps = 0;
  await warmUp(empty, { rounds: 2, busy: () => (steps++, false) });
  t.is(steps, 1);
});

test('while the CPU is contended, the warm-up pauses and resumes after it', async (t) => {
  let looks = 0;
  let resets = 0;
  const started = Date.now();
  await warmUp(policy, {
    rounds: 1,
    // contended at the first three looks: three pauses, 50, 100 and 200 ms
    cpu: { contended: () => ++looks <= 3, reset: () => resets++ },
  });
  t.true(Date.now() - started >= 350 - 5, `it waited ${Date.now() - started} ms`);
  t.true(looks > 3, 'it went on after the contention');
  t.true(resets >= 3, 'the window starts again after each pause');
});

test('contended looks in a row double the pause from 50 ms up to 400 ms', (t) => {
  const pauses = [CONTENDED_PAUSE_MIN_MS];
  for (let i = 0; i < 5; i++) pauses.push(nextContendedPause(pauses.at(-1)!));
  t.deepEqual(pauses, [50, 100, 200, 400, 400, 400]);
  t.is(CONTENDED_PAUSE_MAX_MS, 400);
});

test('the CPU share monitor: contended when the process got less than half a core over at least 40 ms', (t) => {
  let wall = 0;
  let cpu = 0;
  const m = cpuShareMonitor(
    () => wall,
    () => cpu,
  );
  wall = 20;
  cpu = 1;
  t.false(m.contended(), 'too short a window to judge');
  wall = 100;
  cpu = 90;
  t.false(m.contended(), '90% of a core over 100 ms');
  wall = 200;
  cpu = 120;
  t.true(m.contended(), '30% of a core over the next 100 ms');
  wall = 260;
  cpu = 150;
  t.false(m.contended(), '50% is not below half');
});
