/**
 * RFC 2409 key derivation, IVs, hashes, KEYMAT and NAT-D (src/agent/ike/v1/crypto).
 */
import test from 'ava';
import { createHash, createHmac } from 'node:crypto';
import { CIPHERS, HASHES } from '../../../../../../src/agent/crypto/algorithms.js';
import {
  AuthenticationFailedError,
  CryptoLengthError,
  InvalidHashError,
} from '../../../../../../src/agent/crypto/errors.js';
import {
  hashI,
  hashR,
  informationalHash,
  quickModeHash1,
  quickModeHash2,
  quickModeHash3,
  verifyPhase1Hash,
  verifyPhase2Hash,
} from '../../../../../../src/agent/ike/v1/crypto/hashes.js';
import { phase1Iv, phase2Iv } from '../../../../../../src/agent/ike/v1/crypto/iv.js';
import { PROTO_IPSEC_ESP, ipsecKeys, keymat } from '../../../../../../src/agent/ike/v1/crypto/keymat.js';
import { derivePhase1Keys, phase1EncryptionKey, skeyidChain, skeyidPsk } from '../../../../../../src/agent/ike/v1/crypto/keys.js';
import { NAT_T_RFC3947_VENDOR_ID, natDetectionHash } from '../../../../../../src/agent/ike/v1/crypto/natd.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const hmac = (alg: string, key: Buffer, ...data: Buffer[]): Buffer => {
  const h = createHmac(alg, key);
  for (const d of data) h.update(d);
  return h.digest();
};

// NIST ACVP kdf-components IKEv1, authentication method psk, SHA-1, tcId 100, as
// shipped with libreswan: programs/cavp/test.acvp.ikev1_psk.run (inputs and
// expected values) and programs/cavp/test.acvp.ikev1_psk.json (expected values),
// https://github.com/libreswan/libreswan/tree/main/programs/cavp
const acvp = {
  ckyI: hex('83d374c30b3b5082'),
  ckyR: hex('5afc0da06c728029'),
  ni: hex('b9a2d0e922dc66dd'),
  nr: hex('2130166863b5ddef'),
  gxy: hex('739003ba2c11c982946c65e26acf661fbf8ebb78011a9fead79efa12fe3e71cc'),
  psk: hex('75'),
  skeyid: '62b04d112877e442fc3282fc37c076997718a0b9',
  skeyidD: '369e5aad1bdb5faf6a3d929d500cdc236710a9ab',
  skeyidA: '588e957d8d790d093b3a39f121473473af78e9bb',
  skeyidE: 'cd74b0c048219db81384d3fda8f6cda51e398a2b',
};

test('SKEYID, SKEYID_d, SKEYID_a and SKEYID_e match the ACVP IKEv1 PSK vector (SHA-1, tcId 100)', (t) => {
  const skeyid = skeyidPsk(HASHES.sha1, acvp.psk, acvp.ni, acvp.nr);
  t.is(skeyid.toString('hex'), acvp.skeyid);
  const chain = skeyidChain(HASHES.sha1, skeyid, acvp.gxy, acvp.ckyI, acvp.ckyR);
  t.is(chain.skeyidD.toString('hex'), acvp.skeyidD);
  t.is(chain.skeyidA.toString('hex'), acvp.skeyidA);
  t.is(chain.skeyidE.toString('hex'), acvp.skeyidE);
});

test('derivePhase1Keys gives the ACVP values and truncates SKEYID_e to the DES key', (t) => {
  const k = derivePhase1Keys({
    hash: HASHES.sha1, cipher: CIPHERS['des-cbc'], psk: acvp.psk, niB: acvp.ni, nrB: acvp.nr,
    gxy: acvp.gxy, ckyI: acvp.ckyI, ckyR: acvp.ckyR,
  });
  t.is(k.skeyid.toString('hex'), acvp.skeyid);
  t.is(k.skeyidE.toString('hex'), acvp.skeyidE);
  t.is(k.encryptionKey.toString('hex'), acvp.skeyidE.slice(0, 16));
});

test('the encryption key is expanded per RFC 2409 appendix B when SKEYID_e is too short', (t) => {
  const skeyidE = hex(acvp.skeyidE); // 20 bytes of SHA-1
  // 3DES needs 24 bytes: K1 = prf(SKEYID_e, 0x00), K2 = prf(SKEYID_e, K1), key = (K1 | K2)[0..24].
  const k1 = hmac('sha1', skeyidE, Buffer.from([0]));
  const k2 = hmac('sha1', skeyidE, k1);
  t.deepEqual(phase1EncryptionKey(HASHES.sha1, CIPHERS['3des-cbc'], skeyidE), Buffer.concat([k1, k2]).subarray(0, 24));
  // MD5 (16 bytes) and AES-256 (32 bytes): exactly two blocks.
  const e16 = skeyidE.subarray(0, 16);
  const m1 = hmac('md5', e16, Buffer.from([0]));
  const m2 = hmac('md5', e16, m1);
  t.deepEqual(phase1EncryptionKey(HASHES.md5, CIPHERS['aes256-cbc'], e16), Buffer.concat([m1, m2]));
  // Long enough: plain truncation, no expansion.
  t.deepEqual(phase1EncryptionKey(HASHES.sha256, CIPHERS['aes256-cbc'], Buffer.alloc(32, 7)), Buffer.alloc(32, 7));
  t.deepEqual(phase1EncryptionKey(HASHES.sha1, CIPHERS['aes128-cbc'], skeyidE), skeyidE.subarray(0, 16));
});

test('cookies of the wrong size are refused', (t) => {
  t.throws(() => skeyidChain(HASHES.sha1, Buffer.alloc(20), acvp.gxy, Buffer.alloc(7), acvp.ckyR), { instanceOf: CryptoLengthError });
});

const gxi = Buffer.alloc(96, 0x11);
const gxr = Buffer.alloc(96, 0x22);

test('phase-1 IV is hash(g^xi | g^xr) truncated to the block size', (t) => {
  const full = createHash('sha1').update(gxi).update(gxr).digest();
  t.deepEqual(phase1Iv(HASHES.sha1, CIPHERS['des-cbc'], gxi, gxr), full.subarray(0, 8));
  t.deepEqual(phase1Iv(HASHES.sha1, CIPHERS['aes128-cbc'], gxi, gxr), full.subarray(0, 16));
  t.is(phase1Iv(HASHES.md5, CIPHERS['aes256-cbc'], gxi, gxr).length, 16);
});

test('phase-2 IV is hash(last phase-1 block | M-ID) truncated', (t) => {
  const last = hex('0102030405060708');
  const expected = createHash('md5').update(last).update(hex('deadbeef')).digest().subarray(0, 8);
  t.deepEqual(phase2Iv(HASHES.md5, CIPHERS['3des-cbc'], last, 0xdeadbeef), expected);
  t.deepEqual(phase2Iv(HASHES.md5, CIPHERS['3des-cbc'], last, hex('deadbeef')), expected);
  t.throws(() => phase2Iv(HASHES.md5, CIPHERS['3des-cbc'], Buffer.alloc(16), 1), { instanceOf: CryptoLengthError });
});

const p1 = {
  hash: HASHES.sha1,
  skeyid: hex(acvp.skeyid),
  gxi,
  gxr,
  ckyI: acvp.ckyI,
  ckyR: acvp.ckyR,
  saiB: hex('00000001000000010000002c01010001'),
};
const idii = hex('011101f40b0b0b01');
const idir = hex('011101f40b0b0b02');

test('HASH_I and HASH_R follow RFC 2409 section 5 (responder swaps the values and cookies)', (t) => {
  t.deepEqual(hashI(p1, idii), hmac('sha1', p1.skeyid, gxi, gxr, p1.ckyI, p1.ckyR, p1.saiB, idii));
  t.deepEqual(hashR(p1, idir), hmac('sha1', p1.skeyid, gxr, gxi, p1.ckyR, p1.ckyI, p1.saiB, idir));
  t.notDeepEqual(hashI(p1, idii), hashR(p1, idii));
});

test('a HASH_I computed with another pre-shared key fails (AuthenticationFailedError)', (t) => {
  const good = hashI(p1, idii);
  const other = hashI({ ...p1, skeyid: skeyidPsk(HASHES.sha1, Buffer.from('wrong'), acvp.ni, acvp.nr) }, idii);
  t.notThrows(() => verifyPhase1Hash(good, Buffer.from(good)));
  t.throws(() => verifyPhase1Hash(good, other, 'HASH_I'), { instanceOf: AuthenticationFailedError });
  t.throws(() => verifyPhase1Hash(good, good.subarray(0, 19)), { instanceOf: AuthenticationFailedError });
});

test('Quick Mode HASH(1), HASH(2), HASH(3) and the Informational HASH', (t) => {
  const a = hex(acvp.skeyidA);
  const mid = 0x01020304;
  const midB = hex('01020304');
  const after = Buffer.from('SA|Ni|IDci|IDcr');
  const ni = Buffer.alloc(16, 0xaa);
  const nr = Buffer.alloc(16, 0xbb);
  t.deepEqual(quickModeHash1(HASHES.sha1, a, mid, after), hmac('sha1', a, midB, after));
  t.deepEqual(quickModeHash2(HASHES.sha1, a, mid, ni, after), hmac('sha1', a, midB, ni, after));
  t.deepEqual(quickModeHash3(HASHES.sha1, a, mid, ni, nr), hmac('sha1', a, Buffer.from([0]), midB, ni, nr));
  t.deepEqual(informationalHash(HASHES.sha1, a, mid, after), hmac('sha1', a, midB, after));
  t.throws(() => verifyPhase2Hash(quickModeHash1(HASHES.sha1, a, mid, after), quickModeHash1(HASHES.sha1, a, mid + 1, after)), {
    instanceOf: InvalidHashError,
  });
});

test('KEYMAT without PFS: K1 = prf(SKEYID_d, proto|SPI|Ni|Nr), Kn = prf(SKEYID_d, Kn-1|seed)', (t) => {
  const d = hex(acvp.skeyidD);
  const ni = Buffer.alloc(16, 1);
  const nr = Buffer.alloc(16, 2);
  const seed = [Buffer.from([3]), hex('12345678'), ni, nr];
  const k1 = hmac('sha1', d, ...seed);
  const k2 = hmac('sha1', d, k1, ...seed);
  const k3 = hmac('sha1', d, k2, ...seed);
  const input = { hash: HASHES.sha1, skeyidD: d, protocol: PROTO_IPSEC_ESP, spi: 0x12345678, niB: ni, nrB: nr };
  t.deepEqual(keymat(input, 20), k1);
  t.deepEqual(keymat(input, 48), Buffer.concat([k1, k2, k3]).subarray(0, 48));
  // esp-des esp-md5-hmac: 8-byte DES key, then 16-byte HMAC-MD5 key.
  const keys = ipsecKeys(input, 8, 16);
  t.deepEqual(keys.encryptionKey, k1.subarray(0, 8));
  t.deepEqual(keys.authenticationKey, Buffer.concat([k1, k2]).subarray(8, 24));
  t.is(keymat(input, 0).length, 0);
  t.throws(() => keymat(input, -1), { instanceOf: CryptoLengthError });
});

test('KEYMAT with PFS puts g(qm)^xy first in every block, and each direction uses its own SPI', (t) => {
  const d = hex(acvp.skeyidD);
  const ni = Buffer.alloc(16, 1);
  const nr = Buffer.alloc(16, 2);
  const gqm = Buffer.alloc(128, 9);
  const seed = [gqm, Buffer.from([3]), hex('0000abcd'), ni, nr];
  const k1 = hmac('sha256', d, ...seed);
  const k2 = hmac('sha256', d, k1, ...seed);
  const input = { hash: HASHES.sha256, skeyidD: d, protocol: 3, spi: 0xabcd, niB: ni, nrB: nr, pfsShared: gqm };
  t.deepEqual(keymat(input, 64), Buffer.concat([k1, k2]));
  t.notDeepEqual(keymat({ ...input, spi: 0xabce }, 64), keymat(input, 64));
  t.notDeepEqual(keymat({ ...input, pfsShared: undefined }, 64), keymat(input, 64));
});

test('NAT-D is HASH(CKY-I | CKY-R | IP | port) with the negotiated hash', (t) => {
  const expected = createHash('sha1').update(acvp.ckyI).update(acvp.ckyR).update(hex('0b0b0b01')).update(hex('01f4')).digest();
  t.deepEqual(natDetectionHash(HASHES.sha1, acvp.ckyI, acvp.ckyR, 0x0b0b0b01, 500), expected);
  t.deepEqual(natDetectionHash(HASHES.sha1, acvp.ckyI, acvp.ckyR, hex('0b0b0b01'), 500), expected);
  t.is(natDetectionHash(HASHES.md5, acvp.ckyI, acvp.ckyR, 1, 4500).length, 16);
  t.throws(() => natDetectionHash(HASHES.sha1, acvp.ckyI, acvp.ckyR, Buffer.alloc(16), 500), { instanceOf: CryptoLengthError });
  t.throws(() => natDetectionHash(HASHES.sha1, acvp.ckyI, acvp.ckyR, 1, 70000), { instanceOf: CryptoLengthError });
});

test('the RFC 3947 vendor ID is MD5("RFC 3947")', (t) => {
  t.is(NAT_T_RFC3947_VENDOR_ID.toString('hex'), '4a131c81070358455c5728f20e95452f');
});
