/**
 * Short fuzz runs of the IKE targets: the engine behind its datapath with
 * live SAs with two peers, fed unauthenticated datagrams (ike-unauth) and
 * messages forged by a peer that holds the key (ike-peer). Every input is
 * checked: no internal error, bounded work, the victim's SAs and tunnel
 * unchanged; every 64: bounds and engine/datapath agreement.
 */
import test from 'ava';
import { shortRun } from './run.js';

test('ike-unauth: 3 labs x 1,000 unauthenticated datagrams: no live SA changed, every table bounded', (t) => {
  const s = shortRun(t, 'ike-unauth', 21, 1000, [0, 4000, 8000]);
  t.true(s['inputs.flood']! > 50 && s['inputs.replay']! > 50 && s['inputs.mutated']! > 500);
  t.true(s.maxHalfOpen! > 20, 'half-open SAs were made');
});

test('ike-peer: 3 labs x 1,000 forged messages of a peer with the key: A untouched, Deletes of others counted, bounds held', (t) => {
  const s = shortRun(t, 'ike-peer', 22, 1000, [0, 3000, 6000]);
  t.true(s['refused.foreignDeletes']! > 50, 'Deletes naming A were ignored and counted');
  t.true(s.completedQuickModes! > 50, 'forged Quick Modes completed');
  t.true(s['refused.quickModesPerSa']! > 0, 'the Quick Mode bound was reached');
});
