/** bench:scale's mesh driver speaks 10-byte messages: each kind survives the round trip, anything else is ignored. */
import test from 'ava';
import { decode, encode } from '../../../scripts/lib/scale-mesh.js';

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
