/** Diffie-Hellman groups 1, 2, 5, 14: agreement, padding, injected private keys, bad peers. */
import test from 'ava';
import { getDiffieHellman } from 'node:crypto';
import { DH_GROUPS, dhGroupById, generateDhKeyPair, leftPad, primeOf } from '../../../../src/agent/crypto/dh.js';
import { InvalidDhPublicValueError, UnsupportedAlgorithmError } from '../../../../src/agent/crypto/errors.js';

const sizes: Record<number, number> = { 1: 96, 2: 128, 5: 192, 14: 256 };

for (const group of DH_GROUPS) {
  test(`group ${group.id}: two parties with injected private keys derive the same padded g^xy`, (t) => {
    t.is(group.size, sizes[group.id]);
    const a = generateDhKeyPair(group, Buffer.alloc(32, 0x5a));
    const b = generateDhKeyPair(group, Buffer.alloc(32, 0xa5));
    t.is(a.publicValue.length, group.size);
    t.is(b.publicValue.length, group.size);
    const ab = a.computeShared(b.publicValue);
    const ba = b.computeShared(a.publicValue);
    t.is(ab.length, group.size);
    t.deepEqual(ab, ba);
    // Deterministic: the same private key gives the same public value.
    t.deepEqual(generateDhKeyPair(group, Buffer.alloc(32, 0x5a)).publicValue, a.publicValue);
  });

  test(`group ${group.id}: the prime written out in the source is OpenSSL's for the same group`, (t) => {
    // node:crypto's named groups come from OpenSSL's own tables (RFC 2409, RFC 3526), not from this code
    t.deepEqual(primeOf(group), getDiffieHellman(group.nodeName).getPrime());
    t.is(primeOf(group).length, group.size);
  });

  test(`group ${group.id}: random key pairs agree`, (t) => {
    const a = generateDhKeyPair(group);
    const b = generateDhKeyPair(group);
    t.deepEqual(a.computeShared(b.publicValue), b.computeShared(a.publicValue));
  });

  test(`group ${group.id}: private key 1 gives g = 2, left-padded`, (t) => {
    const expected = Buffer.alloc(group.size);
    expected[group.size - 1] = 2;
    t.deepEqual(generateDhKeyPair(group, Buffer.from([1])).publicValue, expected);
  });
}

test('group 1 is the 768-bit Oakley group (RFC 2409 section 6.1)', (t) => {
  const g1 = dhGroupById(1);
  t.is(g1.nodeName, 'modp1');
  t.is(g1.size * 8, 768);
  const mine = generateDhKeyPair(g1, Buffer.from([1]));
  // p - 1 is out of range; the prime starts with 64 one bits: FFFFFFFF FFFFFFFF C90FDAA2 ...
  const pMinus1 = Buffer.alloc(96, 0xff);
  t.throws(() => mine.computeShared(pMinus1), { instanceOf: InvalidDhPublicValueError });
});

test('a shared secret with leading zero bytes is still group-sized', (t) => {
  // Peer public value 2 with our private key 1 gives g^xy = 2: 95 zero bytes and 0x02.
  const g = dhGroupById(1);
  const mine = generateDhKeyPair(g, Buffer.from([1]));
  const two = leftPad(Buffer.from([2]), 96);
  const shared = mine.computeShared(two);
  t.is(shared.length, 96);
  t.is(shared[95], 2);
  t.true(shared.subarray(0, 95).every((b) => b === 0));
});

test('peer public values of the wrong size or out of range are refused (InvalidDhPublicValueError)', (t) => {
  const g = dhGroupById(2);
  const mine = generateDhKeyPair(g);
  t.throws(() => mine.computeShared(Buffer.alloc(127, 1)), { instanceOf: InvalidDhPublicValueError });
  t.throws(() => mine.computeShared(Buffer.alloc(128)), { instanceOf: InvalidDhPublicValueError });
  t.throws(() => mine.computeShared(leftPad(Buffer.from([1]), 128)), { instanceOf: InvalidDhPublicValueError });
  t.throws(() => mine.computeShared(Buffer.alloc(128, 0xff)), { instanceOf: InvalidDhPublicValueError });
  t.throws(() => generateDhKeyPair(g, Buffer.alloc(4)), { instanceOf: InvalidDhPublicValueError });
});

test('unknown groups are refused', (t) => {
  t.throws(() => dhGroupById(15), { instanceOf: UnsupportedAlgorithmError });
  t.throws(() => dhGroupById(0), { instanceOf: UnsupportedAlgorithmError });
});

test('leftPad pads short values and leaves full ones alone', (t) => {
  t.deepEqual(leftPad(Buffer.from([1, 2]), 4), Buffer.from([0, 0, 1, 2]));
  const full = Buffer.from([1, 2, 3, 4]);
  t.is(leftPad(full, 4), full);
});
