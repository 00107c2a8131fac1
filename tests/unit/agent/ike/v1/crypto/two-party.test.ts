/**
 * Both ends of Main Mode + Quick Mode in memory, for every DH group: with
 * injected private keys they derive the same keys, authenticate each other,
 * read each other's encrypted bodies and exchange ESP packets.
 */
import test from 'ava';
import { HASHES, cipherByIkeId, hashByIkeId } from '../../../../../../src/agent/crypto/algorithms.js';
import { decryptBody, encryptBody } from '../../../../../../src/agent/ike/v1/crypto/body.js';
import { prepareCbcKey } from '../../../../../../src/agent/crypto/cipher.js';
import { DH_GROUPS, generateDhKeyPair } from '../../../../../../src/agent/crypto/dh.js';
import { AuthenticationFailedError } from '../../../../../../src/agent/crypto/errors.js';
import { hashI, hashR, quickModeHash3, verifyPhase1Hash } from '../../../../../../src/agent/ike/v1/crypto/hashes.js';
import { phase1Iv, phase2Iv } from '../../../../../../src/agent/ike/v1/crypto/iv.js';
import { PROTO_IPSEC_ESP, ipsecKeys } from '../../../../../../src/agent/ike/v1/crypto/keymat.js';
import { derivePhase1Keys } from '../../../../../../src/agent/ike/v1/crypto/keys.js';
import { ESP_CIPHERS, ESP_INTEGRITY } from '../../../../../../src/agent/esp/algorithms.js';
import { EspInboundSa, EspOutboundSa } from '../../../../../../src/agent/esp/sa.js';

const psk = Buffer.from('abc123');
const ckyI = Buffer.from('1111111111111111', 'hex');
const ckyR = Buffer.from('2222222222222222', 'hex');
const ni = Buffer.alloc(20, 0x4e);
const nr = Buffer.alloc(20, 0x72);
const saiB = Buffer.from('00000001000000010000002c', 'hex');
const idii = Buffer.from('011101f40b0b0b01', 'hex');
const idir = Buffer.from('011101f40b0b0b02', 'hex');

for (const group of DH_GROUPS) {
  for (const [encId, keyLen, hashId] of [
    [1, undefined, 2],
    [5, undefined, 1],
    [7, 256, 4],
  ] as const) {
    const cipher = cipherByIkeId(encId, keyLen);
    const hash = hashByIkeId(hashId);
    test(`group ${group.id}, ${cipher.name}, ${hash.name}: both sides derive, authenticate and talk`, (t) => {
      const i = generateDhKeyPair(group, Buffer.alloc(24, 0x31));
      const r = generateDhKeyPair(group, Buffer.alloc(24, 0x73));
      const gxyI = i.computeShared(r.publicValue);
      const gxyR = r.computeShared(i.publicValue);
      t.deepEqual(gxyI, gxyR);

      const common = { hash, cipher, psk, niB: ni, nrB: nr, ckyI, ckyR };
      const keysI = derivePhase1Keys({ ...common, gxy: gxyI });
      const keysR = derivePhase1Keys({ ...common, gxy: gxyR });
      t.deepEqual(keysI, keysR);
      t.is(keysI.encryptionKey.length, cipher.keySize);

      // Main Mode message 5 (I -> R) and 6 (R -> I) with the chained IV.
      const p1 = { hash, skeyid: keysI.skeyid, gxi: i.publicValue, gxr: r.publicValue, ckyI, ckyR, saiB };
      const key = prepareCbcKey(cipher, keysI.encryptionKey);
      const iv = phase1Iv(hash, cipher, i.publicValue, r.publicValue);
      const msg5 = Buffer.concat([idii, hashI(p1, idii)]);
      const e5 = encryptBody(key, iv, msg5);
      const d5 = decryptBody(key, iv, e5.ciphertext);
      verifyPhase1Hash(hashI({ ...p1, skeyid: keysR.skeyid }, idii), d5.plaintext.subarray(idii.length, msg5.length), 'HASH_I');
      const msg6 = Buffer.concat([idir, hashR(p1, idir)]);
      const e6 = encryptBody(key, d5.nextIv, msg6);
      const d6 = decryptBody(key, e5.nextIv, e6.ciphertext);
      t.deepEqual(d6.plaintext.subarray(0, msg6.length), msg6);

      // A responder configured with another key refuses HASH_I.
      const wrong = derivePhase1Keys({ ...common, psk: Buffer.from('abc124'), gxy: gxyR });
      t.throws(() => verifyPhase1Hash(hashI({ ...p1, skeyid: wrong.skeyid }, idii), hashI(p1, idii)), {
        instanceOf: AuthenticationFailedError,
      });

      // Quick Mode: both sides get the same first IV; each direction keys from its receiver's SPI.
      const mid = 0x5a5a0001;
      t.deepEqual(phase2Iv(hash, cipher, e6.nextIv, mid), phase2Iv(hash, cipher, d6.nextIv, mid));
      t.deepEqual(quickModeHash3(hash, keysI.skeyidA, mid, ni, nr), quickModeHash3(hash, keysR.skeyidA, mid, ni, nr));
      const spiAtI = 0x1000_0001; // chosen by the initiator: protects R -> I
      const spiAtR = 0x2000_0002; // chosen by the responder: protects I -> R
      const espCipher = ESP_CIPHERS.des;
      const espAuth = ESP_INTEGRITY['hmac-md5-96'];
      const km = (skeyidD: Buffer, spi: number) =>
        ipsecKeys({ hash, skeyidD, protocol: PROTO_IPSEC_ESP, spi, niB: ni, nrB: nr }, espCipher.keySize, espAuth.keySize);
      const iToR = km(keysI.skeyidD, spiAtR);
      const rFromI = km(keysR.skeyidD, spiAtR);
      t.deepEqual(iToR, rFromI);
      t.notDeepEqual(iToR, km(keysI.skeyidD, spiAtI));

      const out = new EspOutboundSa({ spi: spiAtR, cipher: 'des', integrity: 'hmac-md5-96', ...iToR });
      const inb = new EspInboundSa({ spi: spiAtR, cipher: 'des', integrity: 'hmac-md5-96', ...rFromI });
      const ping = Buffer.from('4500001c0000000040010000 0d0d0d04 0c0c0c0d'.replace(/ /g, ''), 'hex');
      const e = out.encapsulate(ping, Buffer.alloc(8, 9));
      if (!e.ok) return t.fail();
      t.like(inb.decapsulate(e.packet), { ok: true, inner: ping });
    });
  }
}

test('HASHES registry has the prf output sizes IKE relies on', (t) => {
  t.deepEqual(
    Object.values(HASHES).map((h) => [h.ikeId, h.outputSize]),
    [
      [1, 16],
      [2, 20],
      [4, 32],
      [5, 48],
      [6, 64],
    ],
  );
});
