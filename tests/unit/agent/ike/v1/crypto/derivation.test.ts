/**
 * RFC 2409 key derivation, IVs, hashes, KEYMAT and NAT-D: the NIST ACVP vector, and the
 * behaviour around the values (lengths, argument forms, verification, refusals). The
 * values themselves are checked against strongSwan in strongswan-vectors.test.ts; nothing
 * here computes an expected value the way the code does.
 */
import test from 'ava';
import { CIPHERS, HASHES } from '../../../../../../src/agent/crypto/algorithms.js';
import { AuthenticationFailedError, CryptoLengthError, InvalidHashError } from '../../../../../../src/agent/crypto/errors.js';
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
    hash: HASHES.sha1,
    cipher: CIPHERS['des-cbc'],
    psk: acvp.psk,
    niB: acvp.ni,
    nrB: acvp.nr,
    gxy: acvp.gxy,
    ckyI: acvp.ckyI,
    ckyR: acvp.ckyR,
  });
  t.is(k.skeyid.toString('hex'), acvp.skeyid);
  t.is(k.skeyidE.toString('hex'), acvp.skeyidE);
  t.is(k.encryptionKey.toString('hex'), acvp.skeyidE.slice(0, 16));
});

test('SKEYID_e long enough for the key is cut to the key size, not expanded (expansion: strongswan-vectors.test.ts)', (t) => {
  const skeyidE = hex(acvp.skeyidE); // 20 bytes of SHA-1
  t.deepEqual(phase1EncryptionKey(HASHES.sha256, CIPHERS['aes256-cbc'], Buffer.alloc(32, 7)), Buffer.alloc(32, 7));
  t.deepEqual(phase1EncryptionKey(HASHES.sha1, CIPHERS['aes128-cbc'], skeyidE), skeyidE.subarray(0, 16));
  t.is(phase1EncryptionKey(HASHES.md5, CIPHERS['aes256-cbc'], skeyidE.subarray(0, 16)).length, 32);
  t.is(phase1EncryptionKey(HASHES.sha1, CIPHERS['3des-cbc'], skeyidE).length, 24);
});

test('cookies of the wrong size are refused', (t) => {
  t.throws(() => skeyidChain(HASHES.sha1, Buffer.alloc(20), acvp.gxy, Buffer.alloc(7), acvp.ckyR), { instanceOf: CryptoLengthError });
});

const gxi = Buffer.alloc(96, 0x11);
const gxr = Buffer.alloc(96, 0x22);

test('IVs are one cipher block; a message ID as a number or as 4 bytes is the same (values: strongswan-vectors.test.ts)', (t) => {
  t.is(phase1Iv(HASHES.sha1, CIPHERS['des-cbc'], gxi, gxr).length, 8);
  t.is(phase1Iv(HASHES.sha1, CIPHERS['aes128-cbc'], gxi, gxr).length, 16);
  t.is(phase1Iv(HASHES.md5, CIPHERS['aes256-cbc'], gxi, gxr).length, 16);
  const last = hex('0102030405060708');
  t.deepEqual(phase2Iv(HASHES.md5, CIPHERS['3des-cbc'], last, 0xdeadbeef), phase2Iv(HASHES.md5, CIPHERS['3des-cbc'], last, hex('deadbeef')));
  t.notDeepEqual(phase2Iv(HASHES.md5, CIPHERS['3des-cbc'], last, 1), phase2Iv(HASHES.md5, CIPHERS['3des-cbc'], last, 2));
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

test('HASH_I and HASH_R differ for the same ID (values: strongswan-vectors.test.ts)', (t) => {
  t.notDeepEqual(hashI(p1, idii), hashR(p1, idii));
  t.throws(() => hashI({ ...p1, ckyI: Buffer.alloc(4) }, idii), { instanceOf: CryptoLengthError });
});

test('a HASH_I computed with another pre-shared key fails (AuthenticationFailedError)', (t) => {
  const good = hashI(p1, idii);
  const other = hashI({ ...p1, skeyid: skeyidPsk(HASHES.sha1, Buffer.from('wrong'), acvp.ni, acvp.nr) }, idii);
  t.notThrows(() => verifyPhase1Hash(good, Buffer.from(good)));
  t.throws(() => verifyPhase1Hash(good, other, 'HASH_I'), { instanceOf: AuthenticationFailedError });
  t.throws(() => verifyPhase1Hash(good, good.subarray(0, 19)), { instanceOf: AuthenticationFailedError });
});

test('a Quick Mode HASH for another message ID fails with INVALID-HASH-INFORMATION (values: strongswan-vectors.test.ts)', (t) => {
  const a = hex(acvp.skeyidA);
  const after = Buffer.from('SA|Ni|IDci|IDcr');
  t.deepEqual(quickModeHash1(HASHES.sha1, a, 0x01020304, after), quickModeHash1(HASHES.sha1, a, hex('01020304'), after));
  t.deepEqual(informationalHash(HASHES.sha1, a, 7, after), quickModeHash1(HASHES.sha1, a, 7, after), 'both are prf(SKEYID_a, M-ID | rest)');
  t.notDeepEqual(quickModeHash2(HASHES.sha1, a, 7, Buffer.alloc(16, 1), after), quickModeHash2(HASHES.sha1, a, 7, Buffer.alloc(16, 2), after));
  t.notDeepEqual(
    quickModeHash3(HASHES.sha1, a, 7, Buffer.alloc(16, 1), Buffer.alloc(16, 2)),
    quickModeHash3(HASHES.sha1, a, 7, Buffer.alloc(16, 2), Buffer.alloc(16, 1)),
  );
  t.throws(() => verifyPhase2Hash(quickModeHash1(HASHES.sha1, a, 1, after), quickModeHash1(HASHES.sha1, a, 2, after)), {
    instanceOf: InvalidHashError,
  });
});

test('KEYMAT: lengths, the split into encryption and authentication key, one key per SPI, PFS changes it (values: strongswan-vectors.test.ts)', (t) => {
  const input = {
    hash: HASHES.sha1,
    skeyidD: hex(acvp.skeyidD),
    protocol: PROTO_IPSEC_ESP,
    spi: 0x12345678,
    niB: Buffer.alloc(16, 1),
    nrB: Buffer.alloc(16, 2),
  };
  t.is(keymat(input, 0).length, 0);
  t.is(keymat(input, 48).length, 48);
  t.deepEqual(keymat(input, 48).subarray(0, 20), keymat(input, 20), 'longer KEYMAT extends the shorter one');
  t.deepEqual(keymat({ ...input, spi: hex('12345678') }, 24), keymat(input, 24));
  // esp-des esp-md5-hmac: 8-byte DES key, then 16-byte HMAC-MD5 key
  const keys = ipsecKeys(input, 8, 16);
  t.deepEqual(Buffer.concat([keys.encryptionKey, keys.authenticationKey]), keymat(input, 24));
  t.notDeepEqual(keymat({ ...input, spi: 0x12345679 }, 24), keymat(input, 24));
  t.notDeepEqual(keymat({ ...input, pfsShared: Buffer.alloc(128, 9) }, 24), keymat(input, 24));
  t.throws(() => keymat(input, -1), { instanceOf: CryptoLengthError });
});

test('NAT-D takes the address as a number or 4 bytes, is as long as the hash, refuses IPv6 and bad ports (values: strongswan-vectors.test.ts)', (t) => {
  t.deepEqual(natDetectionHash(HASHES.sha1, acvp.ckyI, acvp.ckyR, 0x0b0b0b01, 500), natDetectionHash(HASHES.sha1, acvp.ckyI, acvp.ckyR, hex('0b0b0b01'), 500));
  t.is(natDetectionHash(HASHES.md5, acvp.ckyI, acvp.ckyR, 1, 4500).length, 16);
  t.notDeepEqual(natDetectionHash(HASHES.sha1, acvp.ckyI, acvp.ckyR, 1, 500), natDetectionHash(HASHES.sha1, acvp.ckyI, acvp.ckyR, 1, 4500));
  t.throws(() => natDetectionHash(HASHES.sha1, acvp.ckyI, acvp.ckyR, Buffer.alloc(16), 500), { instanceOf: CryptoLengthError });
  t.throws(() => natDetectionHash(HASHES.sha1, acvp.ckyI, acvp.ckyR, 1, 70000), { instanceOf: CryptoLengthError });
});

test('the RFC 3947 vendor ID is MD5("RFC 3947")', (t) => {
  t.is(NAT_T_RFC3947_VENDOR_ID.toString('hex'), '4a131c81070358455c5728f20e95452f');
});
