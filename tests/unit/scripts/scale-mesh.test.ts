/** bench:scale's mesh driver: its 10-byte messages (each kind survives the round trip, anything else is ignored) and its formation window. */
import test from 'ava';
import { decode, encode, Formation } from '../../../scripts/lib/scale-mesh.js';

test('every message comes back as it went', (t) => {
  for (const m of [
    { t: 'req', phase: 'form', seq: 0 },
    { t: 'rep', phase: 'sweep', seq: 4_000_000_000 },
    { t: 'done' },
    { t: 'sweep', at: 1_764_662_400_123 },
  ] as const)
    t.deepEqual(decode(encode(m)), m);
});

test('a datagram of another length or an unknown type is not a message', (t) => {
  t.is(decode(Buffer.from('{"t":"req"}')), null);
  t.is(decode(Buffer.alloc(10)), null);
  t.is(decode(Buffer.alloc(9, 1)), null);
});

test('the formation window: at most `inflight` peers asked and unanswered, new ones as answers come, retries after the interval', (t) => {
  const peers = ['a', 'b', 'c', 'd', 'e'];
  const f = new Formation(peers, 2, 1000);
  t.deepEqual(f.due(0), ['a', 'b']);
  t.deepEqual(f.due(500), [], 'nothing new while the window is full and no retry is due');
  t.true(f.answered('a'));
  t.false(f.answered('a'), 'a second answer is not news');
  t.false(f.answered('zz'), 'an address that is no peer is not an answer');
  t.deepEqual(f.due(600), ['c']);
  t.is(f.inFlight, 2);
  t.deepEqual(f.due(1000), ['b'], 'b is asked again a full interval after its last request');
  t.deepEqual(f.due(1599), []);
  t.deepEqual(f.due(1600), ['c']);
  for (const p of ['b', 'c']) f.answered(p);
  t.deepEqual(f.due(1700), ['d', 'e']);
  t.false(f.done);
  f.answered('e');
  f.answered('d');
  t.true(f.done);
  t.deepEqual(f.due(9000), [], 'nothing once every peer answered');
});

test('the next retry: the earliest request still unanswered, an interval after it; none when nobody waits', (t) => {
  const f = new Formation(['a', 'b', 'c'], 2, 1000);
  t.is(f.nextDue(), null);
  f.due(0);
  t.is(f.nextDue(), 1000);
  f.answered('a');
  f.due(300);
  t.is(f.nextDue(), 1000, 'b, asked at 0, is due before c, asked at 300');
  f.due(1000);
  t.is(f.nextDue(), 1300, 'b asked again at 1000: c is next');
  f.answered('b');
  f.answered('c');
  t.is(f.nextDue(), null);
});

test('a peer that answered before its turn (its side made the tunnel) is not asked at all', (t) => {
  const f = new Formation(['a', 'b', 'c'], 1, 1000);
  t.deepEqual(f.due(0), ['a']);
  t.true(f.answered('c'));
  t.true(f.answered('a'));
  t.deepEqual(f.due(10), ['b']);
  t.true(f.answered('b'));
  t.true(f.done);
});

test('a window below one peer is refused', (t) => {
  t.throws(() => new Formation(['a'], 0, 1000), { message: /at least 1/ });
});
