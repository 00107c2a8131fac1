/**
 * The benchmark toolkit's interleaving with an outside reference (bench:crypto's
 * `openssl speed`): the reference runs once per repetition, alternately after
 * and before ours, and is summarised like ours; a reference that cannot run
 * gives no figure rather than a partial one.
 */
import test from 'ava';
import { measureInterleavedWith, median } from '../../../scripts/lib/bench.js';

const opts = { warmupMs: 1, repetitions: 4, repetitionMs: 2 };

test('the reference runs once per repetition, after ours, then before, and so on', async (t) => {
  const order: string[] = [];
  let last = '';
  const ours = () => {
    if (last !== 'ours') order.push('ours');
    last = 'ours';
  };
  const refValues = [10, 30, 20, 40];
  const { measurements, reference } = await measureInterleavedWith([ours], opts, async () => {
    order.push('ref');
    last = 'ref';
    return refValues[order.filter((o) => o === 'ref').length - 1];
  });
  // the warm-up runs ours first
  t.deepEqual(order, ['ours', 'ref', 'ref', 'ours', 'ref', 'ref', 'ours']);
  t.is(measurements.length, 1);
  t.is(measurements[0]!.samples.length, 4);
  t.deepEqual(reference?.samples, [10, 20, 30, 40]);
  t.is(reference?.opsPerSecond, median(refValues));
  t.is(reference?.spread, (40 - 10) / 25);
});

test('a reference that cannot run gives no reference figure', async (t) => {
  let calls = 0;
  const { measurements, reference } = await measureInterleavedWith([() => 1], opts, async () => (++calls === 2 ? undefined : 5));
  t.is(reference, undefined);
  t.is(calls, 2, 'not asked again once it failed');
  t.is(measurements[0]!.samples.length, 4);
});
