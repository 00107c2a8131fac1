/**
 * bench:scale's mesh pacing: each host's order of peers (at every slot of a
 * round the hosts send to different peers, never all to one) and the length
 * of a sweep round (the whole lab's rate bounded).
 */
import test from 'ava';
import { MAX_RATE, percentiles, rotated, sweepRoundMs, unmatchedSpis } from '../../../scripts/lib/scale-mesh-run.js';

test('each host starts after itself and wraps round: at every slot the targets are all different', (t) => {
  const hosts = ['h1', 'h2', 'h3', 'h4', 'h5'];
  t.deepEqual(rotated(hosts, 'h1'), ['h2', 'h3', 'h4', 'h5']);
  t.deepEqual(rotated(hosts, 'h4'), ['h5', 'h1', 'h2', 'h3']);
  t.deepEqual(rotated(hosts, 'h5'), ['h1', 'h2', 'h3', 'h4']);
  for (let slot = 0; slot < hosts.length - 1; slot++) {
    const targets = hosts.map((h) => rotated(hosts, h)[slot]);
    t.is(new Set(targets).size, hosts.length, `slot ${slot}: ${targets.join(' ')}`);
    t.true(
      targets.every((x, i) => x !== hosts[i]),
      'nobody sends to itself',
    );
  }
});

test('a sweep round lasts at least 1 s and keeps the lab under the rate: 100 hosts at 2,000/s take 4.95 s', (t) => {
  t.is(sweepRoundMs(20, 2000), 1000);
  t.is(sweepRoundMs(50, 2000), 1225);
  t.is(sweepRoundMs(100, 2000), 4950);
  t.is(sweepRoundMs(2, 2000), 1000);
  // the default rate: 19.8 s a round at 100 spokes
  t.is(sweepRoundMs(100, MAX_RATE), 19800);
});

test('the SPI check names the flows whose outbound SPI the peer router holds no inbound SA for', (t) => {
  const a = { local: '11.0.0.1', peer: '11.0.0.2', outboundSpi: 0x100, inboundSpis: [0x200] };
  const b = { local: '11.0.0.2', peer: '11.0.0.1', outboundSpi: 0x200, inboundSpis: [0x100, 0x300] };
  t.deepEqual(unmatchedSpis([[a], [b]]), [], 'each side holds what the other sends with');
  // after a race A kept sending on 0x300's partner while B dropped the pair A uses
  const b2 = { ...b, inboundSpis: [0x300] };
  t.deepEqual(unmatchedSpis([[a], [b2]]), [{ from: '11.0.0.1', to: '11.0.0.2', spi: 0x100 }]);
  // no SA yet, or a peer that is no router here: not judged
  t.deepEqual(unmatchedSpis([[{ ...a, outboundSpi: 0 }], [b]]), []);
  t.deepEqual(unmatchedSpis([[{ ...a, peer: '11.0.0.9' }]]), []);
});

test('percentiles of the sweep answers: median, 99th and most; none without answers', (t) => {
  t.is(percentiles([]), null);
  t.deepEqual(percentiles([5]), { p50: 5, p99: 5, max: 5 });
  const xs = Array.from({ length: 100 }, (_, i) => 100 - i);
  t.deepEqual(percentiles(xs), { p50: 51, p99: 100, max: 100 });
});
