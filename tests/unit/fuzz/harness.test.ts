/**
 * The fuzz harness itself (fuzz/lib): the same seed and index make the same
 * input; the runner finds a planted defect, names the input, and `replay`
 * reproduces it, alone or only after the inputs that built a stateful
 * instance's state; reproducer JSON keeps Buffers.
 */
import test from 'ava';
import { Buffer } from 'node:buffer';
import { mutateBytes } from '../../../fuzz/lib/bytes.js';
import { mutateMessage, walkChain, chainBytes } from '../../../fuzz/lib/isakmp.js';
import { Rng } from '../../../fuzz/lib/prng.js';
import { replay, runTarget } from '../../../fuzz/lib/runner.js';
import { decodeInput, encodeInput, ensure, type Instance, type Target } from '../../../fuzz/lib/target.js';
import { mutateText, vocabulary } from '../../../fuzz/lib/text.js';
import { typed } from '../../../fuzz/lib/typed.js';
import { isakmpTarget } from '../../../fuzz/targets/isakmp.js';
import { ikeCorpus } from '../../../fuzz/corpus/ike.js';

test('the generator: the same seed gives the same numbers, another seed others, input i does not depend on input i-1', (t) => {
  const a = Rng.forInput(7, 1000);
  const b = Rng.forInput(7, 1000);
  const xs = Array.from({ length: 50 }, () => a.u32());
  t.deepEqual(
    Array.from({ length: 50 }, () => b.u32()),
    xs,
  );
  t.notDeepEqual(
    Array.from({ length: 50 }, () => Rng.forInput(7, 1001).u32()),
    xs,
  );
  t.notDeepEqual(
    Array.from({ length: 50 }, () => Rng.forInput(8, 1000).u32()),
    xs,
  );
  const r = new Rng(3);
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < 4000; i++) counts[r.int(4)]!++;
  for (const c of counts) t.true(c > 850 && c < 1150, `int(4) is about uniform: ${counts.join(' ')}`);
});

test('mutations are deterministic and leave their input alone', (t) => {
  const corpus = ikeCorpus();
  const base = corpus.messages[0]!;
  const copy = Buffer.from(base);
  const once = Array.from({ length: 200 }, (_, i) => mutateMessage(Rng.forInput(1, i), base, []).toString('hex'));
  const again = Array.from({ length: 200 }, (_, i) => mutateMessage(Rng.forInput(1, i), base, []).toString('hex'));
  t.deepEqual(again, once);
  t.true(base.equals(copy));
  t.true(new Set(once).size > 150, 'they differ from each other');
  t.true(mutateBytes(new Rng(2), base).length >= 0);
  const v = vocabulary(['hostname a\ninterface FastEthernet0/0\n ip address 1.1.1.1 255.0.0.0']);
  t.is(mutateText(new Rng(5), 'hostname a\nend', v), mutateText(new Rng(5), 'hostname a\nend', v));
});

test('the lenient chain walk gives back the bytes it walked', (t) => {
  for (const m of ikeCorpus().messages.filter((x) => (x[19]! & 1) === 0)) {
    const c = walkChain(m[16]!, m.subarray(28));
    t.true(chainBytes(c, true).bytes.equals(m.subarray(28)));
  }
});

test('the same seed, start and count make the same inputs (a stateless target)', (t) => {
  const one = isakmpTarget.create(Rng.forInstance(9, 0));
  const two = isakmpTarget.create(Rng.forInstance(9, 0));
  for (const i of [0, 1, 500, 12345]) {
    t.deepEqual(encodeInput(two.generate(Rng.forInput(9, i), i)), encodeInput(one.generate(Rng.forInput(9, i), i)));
  }
});

/** A decoder with a planted defect: a RangeError (untyped) when byte 3 is 0xee and byte 5 is 0x01. */
function plantedDecoder(b: Buffer): number {
  if (b.length < 8) throw new TypeError('short');
  if (b[3] === 0xee && b[5] === 0x01) return b.readUInt32BE(b.length); // RangeError from Buffer
  return b[0]!;
}

const planted: Target<Buffer> = {
  name: 'planted',
  summary: 'a decoder with a planted defect',
  epoch: Infinity,
  checkEvery: 1000,
  create: () => ({
    generate: (rng: Rng) => Buffer.from([1, 2, 3, rng.chance(0.2) ? 0xee : 4, 5, rng.int(4), 7, 8]),
    run: (b: Buffer) => {
      typed('plantedDecoder', () => plantedDecoder(b), TypeError);
    },
    check: () => {},
    stats: () => ({}),
  }),
};

test('the runner finds a planted defect, names the input, and replay reproduces it on a fresh instance', (t) => {
  const r = runTarget(planted, { seed: 4, count: 400 });
  t.is(r.inputs, 400);
  t.true(r.failureCount > 5 && r.failureCount < 60, `${r.failureCount} failures`);
  const f = r.failures[0]!;
  t.is(f.invariant, 'typed-errors');
  t.regex(f.message, /RangeError/);
  const input = f.input as Buffer;
  t.is(input[3], 0xee);
  t.is(input[5], 1);
  const back = decodeInput(JSON.parse(JSON.stringify(encodeInput(f))) as unknown) as typeof f;
  t.true(Buffer.isBuffer(back.input) && (back.input as Buffer).equals(input), 'the reproducer keeps the bytes');
  const again = replay(planted, back);
  t.true(again.alone);
  t.is(again.invariant, 'typed-errors');
});

/** A stateful target whose defect needs the state earlier inputs built: it breaks when the 5th "arm" input comes. */
const stateful: Target<string> = {
  name: 'stateful',
  summary: 'a counter that breaks at five',
  epoch: 50,
  checkEvery: 10,
  create: (): Instance<string> => {
    let armed = 0;
    return {
      generate: (rng: Rng) => (rng.chance(0.3) ? 'arm' : 'noop'),
      run: (x: string) => {
        if (x === 'arm') armed++;
        ensure(armed < 5, 'bounded', () => `armed ${armed} times`);
      },
      check: () => {},
      stats: () => ({ maxArmed: armed }),
    };
  },
};

test('a failure that needs earlier inputs is reproduced in sequence, not alone; every instance starts fresh', (t) => {
  const r = runTarget(stateful, { seed: 2, count: 300 });
  t.true(r.failureCount > 0);
  t.true(r.stats.maxArmed! <= 5, 'a broken instance is replaced');
  const f = r.failures[0]!;
  t.is(f.input, 'arm');
  const again = replay(stateful, f);
  t.false(again.alone);
  t.true(again.inSequence);
  t.is(again.invariant, 'bounded');
});
