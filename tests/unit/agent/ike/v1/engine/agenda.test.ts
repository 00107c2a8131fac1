/**
 * The agenda: one deadline per key, the earliest read without a scan, what
 * is due taken out in order, a moved or cleared deadline never fires in its
 * old place, and stale heap entries do not pile up.
 */
import test from 'ava';
import { Agenda } from '../../../../../../src/agent/ike/v1/engine/agenda.js';

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
