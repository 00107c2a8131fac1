/**
 * bench:loss's DPD scenario counts what it claims: on a WAN that loses
 * everything after the tunnel formed, periodic DPD declares the peer dead
 * (five R-U-THEREs unanswered); on a clean WAN every R-U-THERE is answered
 * and nobody is declared dead; with traffic coming back, on-demand DPD never
 * has to ask.
 */
import test from 'ava';
import { simulateDpd } from '../../../scripts/lib/loss-sim.js';
import { root } from '../../root.js';

const periodic = 'crypto isakmp keepalive 10 2 periodic';

test('everything lost after the tunnel formed: periodic DPD declares the peer dead on both routers', (t) => {
  const r = simulateDpd(root, { loss: 1, seed: 1, keepalive: periodic, traffic: false, durationMs: 60_000 });
  t.is(r.declaredDead, 2);
  t.is(r.acksReceived, 0);
  t.true(r.ruThereSent >= 10, `${r.ruThereSent} R-U-THERE: five on each side`);
});

test('a clean WAN: every R-U-THERE answered, nobody declared dead', (t) => {
  const r = simulateDpd(root, { loss: 0, seed: 2, keepalive: periodic, traffic: false, durationMs: 120_000 });
  t.is(r.declaredDead, 0);
  t.true(r.ruThereSent > 5);
  t.is(r.acksReceived, r.ruThereSent);
});

test('on demand with the ping coming back: no R-U-THERE at all', (t) => {
  const r = simulateDpd(root, { loss: 0, seed: 3, keepalive: 'crypto isakmp keepalive 10 2', traffic: true, durationMs: 120_000 });
  t.deepEqual(r, { declaredDead: 0, ruThereSent: 0, acksReceived: 0 });
});

test('on demand with the ping going out and nothing coming back: the sending router asks, and declares the peer dead', (t) => {
  const r = simulateDpd(root, { loss: 1, seed: 4, keepalive: 'crypto isakmp keepalive 10 2', traffic: true, durationMs: 60_000 });
  t.true(r.declaredDead >= 1);
  t.true(r.ruThereSent >= 5);
});
