/**
 * The deadline heap (engine/deadlines.ts) against a plain map: random sets,
 * deletes, peeks and due takes give the same answers, stale entries never
 * surface, and the heap stays within its rebuild bound.
 */
import test from 'ava';
import { DeadlineQueue } from '../../../../../../src/agent/ike/v1/engine/deadlines.js';
import { seededRandom } from '../../helpers.js';

test('random operations give what a plain map of deadlines gives', (t) => {
  const rnd = seededRandom(77);
  const n = (max: number) => rnd(4).readUInt32BE(0) % max;
  const q = new DeadlineQueue<number>();
  const model = new Map<number, number>();
  let now = 0;
  for (let step = 0; step < 20_000; step++) {
    const op = n(10);
    const key = n(300);
    if (op < 5) {
      const at = now + n(1000);
      q.set(key, at);
      model.set(key, at);
    } else if (op < 6) {
      q.set(key, null);
      model.delete(key);
    } else if (op < 7) {
      q.delete(key);
      model.delete(key);
    } else if (op < 9) {
      const min = model.size === 0 ? null : Math.min(...model.values());
      if (q.peek() !== min) return t.fail(`step ${step}: peek ${q.peek()} != ${min}`);
    } else {
      now += n(200);
      const due = [...model].filter(([, at]) => at <= now).sort((a, b) => a[1] - b[1] || a[0] - b[0]);
      const got = q.takeDue(now);
      for (const [k] of due) model.delete(k);
      if (got.length !== due.length || got.some((k) => !due.some(([d]) => d === k))) return t.fail(`step ${step}: due ${got} != ${due.map(([k]) => k)}`);
      const ats = got.map((k) => due.find(([d]) => d === k)![1]);
      if (ats.some((at, i) => i > 0 && at < ats[i - 1]!)) return t.fail(`step ${step}: not earliest first`);
    }
    if (q.size !== model.size) return t.fail(`step ${step}: size ${q.size} != ${model.size}`);
  }
  t.pass();
});

test('a key whose deadline keeps moving leaves at most 2n + 64 heap entries (rebuilt, amortised)', (t) => {
  const q = new DeadlineQueue<number>();
  for (let i = 0; i < 10_000; i++) q.set(i % 3, i);
  // three keys, 10,000 moves: without rebuilds the heap would hold 10,000 entries
  const heap = (q as unknown as { heap: unknown[] }).heap;
  t.true(heap.length <= 2 * 3 + 64, `${heap.length} entries`);
  t.is(q.peek(), 9_997);
  // the last deadlines: key 1 at 9,997, key 2 at 9,998, key 0 at 9,999
  t.deepEqual(q.takeDue(10_000), [1, 2, 0]);
});
