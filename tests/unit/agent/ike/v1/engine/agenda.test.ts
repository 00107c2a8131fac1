/**
 * The agenda: one deadline per key, the earliest read without a scan, what
 * is due taken out in order, a moved or cleared deadline never fires in its
 * old place, stale heap entries do not pile up (the heap is rebuilt within
 * 2n + 64 entries), and random operations against a plain map of deadlines
 * give the same answers.
 */
import test from 'ava';
import { Agenda } from '../../../../../../src/agent/ike/v1/engine/agenda.js';
import { seededRandom } from '../../helpers.js';

test('the earliest deadline; due keys come out earliest first and only once', (t) => {
  const a = new Agenda();
  t.is(a.peek(), null);
  a.set('s1', 50);
  a.set('s2', 10);
  a.set('i7', 30);
  a.set('p3', 90);
  t.is(a.peek(), 10);
  t.deepEqual(a.takeDue(40), ['s2', 'i7']);
  t.deepEqual(a.takeDue(40), []);
  t.is(a.peek(), 50);
  t.is(a.size, 2);
});

test('a moved deadline fires at its new time only; a cleared one never', (t) => {
  const a = new Agenda();
  a.set('s1', 10);
  a.set('s1', 100);
  a.set('s2', 20);
  a.set('s2', null);
  a.set('s3', 30);
  a.delete('s3');
  t.is(a.peek(), 100);
  t.deepEqual(a.takeDue(99), []);
  t.deepEqual(a.takeDue(100), ['s1']);
  // moved earlier and back again: one firing
  a.set('k', 40);
  a.set('k', 20);
  a.set('k', 40);
  t.deepEqual(a.takeDue(1000), ['k']);
  t.is(a.peek(), null);
});

test('many keys moving their deadlines forward: the heap stays bounded by the keys', (t) => {
  const a = new Agenda();
  for (let k = 0; k < 100; k++) a.set(`s${k}`, 1_000 + k);
  for (let round = 1; round <= 1000; round++) for (let k = 0; k < 100; k += 7) a.set(`s${k}`, 1_000 + k + round * 10_000);
  const heap = (a as unknown as { heap: unknown[] }).heap;
  t.true(heap.length <= 2 * a.size + 64, `heap ${heap.length} entries for ${a.size} keys`);
  const due = a.takeDue(Number.MAX_SAFE_INTEGER);
  t.is(due.length, 100);
  t.is(new Set(due).size, 100);
});

test('random operations give what a plain map of deadlines gives', (t) => {
  const rnd = seededRandom(77);
  const n = (max: number) => rnd(4).readUInt32BE(0) % max;
  const a = new Agenda();
  const model = new Map<string, number>();
  let now = 0;
  for (let step = 0; step < 20_000; step++) {
    const op = n(10);
    const key = `k${n(300)}`;
    if (op < 5) {
      const at = now + n(1000);
      a.set(key, at);
      model.set(key, at);
    } else if (op < 6) {
      a.set(key, null);
      model.delete(key);
    } else if (op < 7) {
      a.delete(key);
      model.delete(key);
    } else if (op < 9) {
      const min = model.size === 0 ? null : Math.min(...model.values());
      if (a.peek() !== min) return t.fail(`step ${step}: peek ${a.peek()} != ${min}`);
    } else {
      now += n(200);
      const due = [...model].filter(([, at]) => at <= now);
      const got = a.takeDue(now);
      for (const [k] of due) model.delete(k);
      if (got.length !== due.length || got.some((k) => !due.some(([d]) => d === k))) return t.fail(`step ${step}: due ${got} != ${due.map(([k]) => k)}`);
      const ats = got.map((k) => due.find(([d]) => d === k)![1]);
      if (ats.some((at, i) => i > 0 && at < ats[i - 1]!)) return t.fail(`step ${step}: not earliest first`);
    }
    if (a.size !== model.size) return t.fail(`step ${step}: size ${a.size} != ${model.size}`);
  }
  t.pass();
});

test('a key whose deadline keeps moving leaves at most 2n + 64 heap entries (rebuilt, amortised)', (t) => {
  const a = new Agenda();
  for (let i = 0; i < 10_000; i++) a.set(`k${i % 3}`, i);
  // three keys, 10,000 moves: without rebuilds the heap would hold 10,000 entries
  const heap = (a as unknown as { heap: unknown[] }).heap;
  t.true(heap.length <= 2 * 3 + 64, `${heap.length} entries`);
  t.is(a.peek(), 9_997);
  // the last deadlines: key 1 at 9,997, key 2 at 9,998, key 0 at 9,999
  t.deepEqual(a.takeDue(10_000), ['k1', 'k2', 'k0']);
});
