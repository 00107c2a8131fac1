/**
 * The router's Diffie-Hellman pool: pairs made ahead of time are handed out
 * once each and the pool refills itself; switched off (fresh, a benchmark
 * control) every exchange gets a pair made on the spot and nothing is kept;
 * idleSince says when the pool last had nothing left to do.
 */
import test from 'ava';
import { dhGroupById } from '../../../../src/agent/crypto/index.js';
import { DhPool } from '../../../../src/agent/router/dh-pool.js';

const G1 = dhGroupById(1);
const G2 = dhGroupById(2);

async function until(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('a primed pool fills every group to its depth, then says since when it is idle', async (t) => {
  const pool = new DhPool(2, 1);
  pool.prime([1, 2]);
  t.is(pool.status().idleSince, null, 'refilling right after prime');
  await until('a full pool', () => pool.status().idleSince !== null);
  const s = pool.status();
  t.deepEqual(s.ready, { '1': 2, '2': 2 });
  t.is(s.mode, 'pooled');
  t.true(s.idleSince! <= Date.now());
});

test('a pooled pair is handed out once; the pool refills and is idle again', async (t) => {
  const pool = new DhPool(2, 1);
  pool.prime([1]);
  await until('a full pool', () => pool.status().idleSince !== null);
  const a = pool.take(G1);
  const b = pool.take(G1);
  t.notDeepEqual(a.publicValue, b.publicValue, 'two different pairs');
  t.is(a.publicValue.length, G1.size);
  t.like(pool.status(), { hits: 2, misses: 0, fresh: 0, idleSince: null, ready: { '1': 0 } });
  const c = pool.take(G1);
  t.like(pool.status(), { hits: 2, misses: 1 }, 'an empty pool makes the pair on the spot');
  t.notDeepEqual(c.publicValue, a.publicValue);
  await until('a refilled pool', () => pool.status().idleSince !== null);
  t.like(pool.status(), { ready: { '1': 2 } });
});

test('fresh: the pool drops its pairs, every exchange gets a new pair, nothing is refilled', async (t) => {
  const pool = new DhPool(2, 1);
  pool.prime([1, 2]);
  await until('a full pool', () => pool.status().idleSince !== null);
  const before = Date.now();
  pool.setMode('fresh');
  t.like(pool.status(), { mode: 'fresh', ready: { '1': 0, '2': 0 } });
  t.true(pool.status().idleSince! >= before, 'idle from the switch on: there is nothing to refill');
  const a = pool.take(G2);
  const b = pool.take(G2);
  t.notDeepEqual(a.publicValue, b.publicValue);
  t.is(a.publicValue.length, G2.size);
  // the pairs work: both sides of an exchange agree on g^xy
  t.deepEqual(a.computeShared(b.publicValue), b.computeShared(a.publicValue));
  t.like(pool.status(), { hits: 0, misses: 0, fresh: 2 });
  await new Promise((r) => setTimeout(r, 30));
  t.like(pool.status(), { ready: { '1': 0, '2': 0 } }, 'still empty: a pool that is off does not refill');
});

test('back to pooled: the pool refills and hands out ready pairs again', async (t) => {
  const pool = new DhPool(1, 1);
  pool.prime([1]);
  pool.setMode('fresh');
  pool.setMode('pooled');
  t.is(pool.status().idleSince, null);
  await until('a full pool', () => pool.status().idleSince !== null);
  pool.take(G1);
  t.like(pool.status(), { mode: 'pooled', hits: 1, fresh: 0 });
});

test('a group first seen in use is kept from then on', async (t) => {
  const pool = new DhPool(1, 1);
  pool.take(G2);
  t.like(pool.status(), { misses: 1 });
  await until('a full pool', () => pool.status().idleSince !== null);
  t.deepEqual(pool.status().ready, { '2': 1 });
});

test('a pool nothing has taken from fills at once, without waiting for the quiet interval', async (t) => {
  // a quiet interval of a minute: a pool that waited for it between pairs would still be empty here
  const pool = new DhPool(3, 60_000);
  pool.prime([1]);
  await until('a full pool', () => pool.status().idleSince !== null);
  t.deepEqual(pool.status().ready, { '1': 3 });
});

test('after a negotiation took a pair, the refill waits for the quiet interval', async (t) => {
  let now = 0;
  const pool = new DhPool(2, 60_000, () => now);
  pool.prime([1]);
  await until('a full pool', () => pool.status().idleSince !== null);
  pool.take(G1);
  now = 1000; // a second later by the pool's clock: still inside the quiet interval
  await new Promise((r) => setTimeout(r, 100));
  t.like(pool.status(), { ready: { '1': 1 }, idleSince: null }, 'not refilled while a negotiation may still run');
});
