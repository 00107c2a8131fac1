/**
 * The benchmark toolkit's interleaving with an outside reference (bench:crypto's
 * `openssl speed`): the reference runs once per repetition, alternately after
 * and before ours, and is summarised like ours; a reference that cannot run
 * gives no figure rather than a partial one.
 */
import test from 'ava';
import { measureInterleavedWith, median, slope } from '../../../scripts/lib/bench.js';

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

test('slope: the least-squares line through readings, flat is 0, too few points give 0', (t) => {
  t.is(
    slope([
      { h: 0, v: 60 },
      { h: 0.5, v: 61 },
      { h: 1, v: 62 },
    ]),
    2,
  );
  t.is(
    slope([
      { h: 0, v: 60 },
      { h: 1, v: 60 },
      { h: 2, v: 60 },
    ]),
    0,
  );
  // noise around a rise of 3 per hour: the fit, not the first and last reading
  t.is(
    Math.round(
      slope([
        { h: 0, v: 10 },
        { h: 1, v: 14 },
        { h: 2, v: 15 },
        { h: 3, v: 19 },
      ]) * 10,
    ) / 10,
    2.8,
  );
  t.is(slope([{ h: 1, v: 5 }]), 0);
  t.is(
    slope([
      { h: 1, v: 5 },
      { h: 1, v: 7 },
    ]),
    0,
  );
});
