/** RFC 4303 section 3.4.3 anti-replay window. */
import test from 'ava';
import { EspConfigError } from '../../../../src/agent/esp/errors.js';
import { ReplayWindow } from '../../../../src/agent/esp/replay.js';

function accept(w: ReplayWindow, seq: number): string {
  const v = w.check(seq);
  if (v === 'ok') w.mark(seq);
  return v;
}

test('in-order packets are accepted and the highest sequence follows', (t) => {
  const w = new ReplayWindow();
  t.is(w.size, 64);
  for (let s = 1; s <= 200; s++) t.is(accept(w, s), 'ok');
  t.is(w.highest, 200);
});

test('sequence number 0 is never valid', (t) => {
  t.is(new ReplayWindow().check(0), 'zero');
});

test('out-of-order within the window is accepted once; duplicates are refused', (t) => {
  const w = new ReplayWindow(64);
  t.is(accept(w, 10), 'ok');
  t.is(accept(w, 5), 'ok');
  t.is(accept(w, 7), 'ok');
  t.is(accept(w, 5), 'duplicate');
  t.is(accept(w, 10), 'duplicate');
  t.is(accept(w, 6), 'ok');
  t.is(w.highest, 10);
});

test('packets older than the window are refused as too old; the window edge is exact', (t) => {
  const w = new ReplayWindow(64);
  t.is(accept(w, 100), 'ok');
  t.is(w.check(37), 'ok'); // 100 - 37 = 63: last slot inside
  t.is(w.check(36), 'too-old'); // 100 - 36 = 64: outside
  t.is(accept(w, 37), 'ok');
  t.is(accept(w, 37), 'duplicate');
});

test('the window slides: a jump clears old marks, a big jump clears everything', (t) => {
  const w = new ReplayWindow(64);
  for (let s = 1; s <= 64; s++) accept(w, s);
  t.is(accept(w, 70), 'ok');
  t.is(w.check(65), 'ok', 'slots for 65..69 were cleared while sliding');
  t.is(w.check(64), 'duplicate');
  t.is(w.check(6), 'too-old');
  t.is(w.check(7), 'duplicate');
  t.is(accept(w, 10_000), 'ok');
  t.is(w.check(9_999), 'ok');
  t.is(w.check(9_937), 'ok');
  t.is(w.check(9_936), 'too-old');
  t.is(w.check(10_000), 'duplicate');
});

test('check alone never changes the window (mark is separate)', (t) => {
  const w = new ReplayWindow(64);
  t.is(w.check(5000), 'ok');
  t.is(w.highest, 0);
  t.is(w.check(1), 'ok');
});

for (const size of [1, 32, 33, 64, 100, 1024]) {
  test(`window of ${size}: agrees with a slow reference model on a scrambled sequence`, (t) => {
    const w = new ReplayWindow(size);
    const seen = new Set<number>();
    let top = 0;
    let x = 12345;
    let mismatches = 0;
    for (let i = 0; i < 5000; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const seq = Math.max(1, top + ((x >> 8) % (size * 3)) - size * 2 + 4);
      const expected = seq > top ? 'ok' : top - seq >= size ? 'too-old' : seen.has(seq) ? 'duplicate' : 'ok';
      const got = w.check(seq);
      if (got !== expected) mismatches++;
      if (got === 'ok' && x % 5 !== 0) {
        // ~20% of accepted-looking packets "fail the ICV" and are never marked.
        w.mark(seq);
        seen.add(seq);
        top = Math.max(top, seq);
      }
    }
    t.is(mismatches, 0);
  });
}

test('window sizes outside 1..4096 are refused', (t) => {
  t.throws(() => new ReplayWindow(0), { instanceOf: EspConfigError });
  t.throws(() => new ReplayWindow(4097), { instanceOf: EspConfigError });
  t.throws(() => new ReplayWindow(1.5), { instanceOf: EspConfigError });
});
