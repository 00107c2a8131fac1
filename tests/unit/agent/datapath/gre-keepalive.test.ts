/** The GRE keepalive state machine (gre-keepalive.ts): when keepalives go out, when the line protocol goes down and comes back. */
import test from 'ava';
import { GreKeepalive } from '../../../../src/agent/datapath/gre-keepalive.js';

test('10 s / 3 retries: one keepalive per period; down when the fourth is due with three unanswered', (t) => {
  const k = new GreKeepalive({ period: 10, retries: 3 }, 0);
  t.is(k.deadline(), 0, 'the first goes out at once');
  const steps = [0, 5_000, 10_000, 20_000, 29_999, 30_000].map((at) => [at, k.tick(at)] as const);
  t.deepEqual(
    steps.map(([at, s]) => [at, s.send, s.wentDown]),
    [
      [0, true, false],
      [5_000, false, false],
      [10_000, true, false],
      [20_000, true, false],
      [29_999, false, false],
      [30_000, true, true],
    ],
  );
  t.true(k.down);
  t.deepEqual(k.tick(40_000), { send: true, wentDown: false }, 'keepalives go on while down; it goes down once');
  t.is(k.outstanding, 4, 'the count stops at retries + 1');
  k.tick(50_000);
  t.is(k.outstanding, 4);
});

test('an answer resets the count; while down it brings the line protocol back up', (t) => {
  const k = new GreKeepalive({ period: 5, retries: 2 }, 0);
  k.tick(0);
  k.tick(5_000);
  t.false(k.answered(), 'up already: no change');
  t.is(k.outstanding, 0);
  for (const at of [10_000, 15_000]) t.false(k.tick(at).wentDown);
  t.true(k.tick(20_000).wentDown);
  t.true(k.answered(), 'back up');
  t.false(k.down);
});

test('reconfigure: a shorter period brings the next keepalive closer; the count stays', (t) => {
  const k = new GreKeepalive({ period: 30, retries: 3 }, 0);
  k.tick(0);
  t.is(k.deadline(), 30_000);
  k.reconfigure({ period: 5, retries: 3 }, 1_000);
  t.is(k.deadline(), 6_000);
  t.is(k.outstanding, 1);
});
