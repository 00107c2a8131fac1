/**
 * The warm-up after boot: it completes with the router's own policies, runs
 * in small steps (other work gets turns of the event loop while it runs), and
 * steps aside while a real negotiation is busy.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { policyFromConfig } from '../../../../src/agent/ike/index.js';
import { warmUp } from '../../../../src/agent/router/warmup.js';
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
