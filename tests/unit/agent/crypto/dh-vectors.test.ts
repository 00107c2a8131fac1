/**
 * Diffie-Hellman known answers for MODP groups 1, 2, 5 and 14: public values and
 * shared secrets computed by the OpenSSL command line (tests/fixtures/vectors/dh-modp.json,
 * written by dh-modp.sh there), and the fixture's primes checked against the RFCs'
 * own definition, p = 2^n - 2^(n-64) - 1 + 2^64 * (floor(2^(n-130) * pi) + k).
 */
import test from 'ava';
import { createHash } from 'node:crypto';
import { dhGroupById, generateDhKeyPair } from '../../../../src/agent/crypto/dh.js';
import { hex, loadVectors } from '../../vectors.js';

interface Pair {
  labelA: string;
  privateA: string;
  publicA: string;
  labelB: string;
  privateB: string;
  publicB: string;
  shared: string;
}
interface Group {
  group: number;
  bits: number;
  prime: string;
  pairs: Pair[];
}
const fixture = loadVectors<{ groups: Group[] }>('dh-modp.json');

/** floor(pi * 2^bits), by Machin's formula pi = 16 atan(1/5) - 4 atan(1/239) in fixed point. */
function piTimesPowerOfTwo(bits: number): bigint {
  const guard = 64n;
  const one = 1n << (BigInt(bits) + guard);
  const atanInv = (x: bigint): bigint => {
    let term = one / x;
    let sum = term;
    const x2 = x * x;
    for (let k = 1n; term !== 0n; k++) {
      term /= x2;
      sum += (k % 2n === 1n ? -term : term) / (2n * k + 1n);
    }
    return sum;
  };
  return (16n * atanInv(5n) - 4n * atanInv(239n)) >> guard;
}

/** The constant k of each group: RFC 2409 sections 6.1 and 6.2, RFC 3526 sections 2 and 3. */
const K: Record<number, bigint> = { 1: 149686n, 2: 129093n, 5: 741804n, 14: 124476n };

test('the fixture has groups 1, 2, 5 and 14, each with a pair whose secret has a leading zero byte', (t) => {
  t.deepEqual(
    fixture.groups.map((g) => g.group),
    [1, 2, 5, 14],
  );
  for (const g of fixture.groups) {
    t.is(g.pairs.length, 2);
    t.true(g.pairs[1]!.shared.startsWith('00'), `group ${g.group}: the second pair needs the padding`);
  }
});

for (const g of fixture.groups) {
  test(`group ${g.group}: the fixture's prime is the RFC's 2^${g.bits} - 2^${g.bits - 64} - 1 + 2^64 * (floor(2^${g.bits - 130} pi) + ${K[g.group]})`, (t) => {
    const n = BigInt(g.bits);
    const p = (1n << n) - (1n << (n - 64n)) - 1n + (1n << 64n) * (piTimesPowerOfTwo(g.bits - 130) + K[g.group]!);
    t.is(BigInt('0x' + g.prime), p);
    t.is(dhGroupById(g.group).size * 8, g.bits);
  });

  g.pairs.forEach((pair, i) => {
    test(`group ${g.group} pair ${i + 1}: public values and g^xy are OpenSSL's, byte for byte, left-padded`, (t) => {
      const group = dhGroupById(g.group);
      // the private values are what the fixture says they are
      t.is(createHash('sha256').update(pair.labelA).digest('hex'), pair.privateA);
      t.is(createHash('sha256').update(pair.labelB).digest('hex'), pair.privateB);
      const a = generateDhKeyPair(group, hex(pair.privateA));
      const b = generateDhKeyPair(group, hex(pair.privateB));
      t.is(a.publicValue.toString('hex'), pair.publicA);
      t.is(b.publicValue.toString('hex'), pair.publicB);
      t.is(a.computeShared(hex(pair.publicB)).toString('hex'), pair.shared);
      t.is(b.computeShared(hex(pair.publicA)).toString('hex'), pair.shared);
      t.is(a.computeShared(hex(pair.publicB)).length, group.size);
    });
  });
}
