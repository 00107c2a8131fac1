/** ISAKMP message body encryption with CBC IV chaining (RFC 2409 appendix B). */
import test from 'ava';
import { CIPHERS, type CipherName } from '../../../../../../src/agent/crypto/algorithms.js';
import { decryptBody, encryptBody, padToBlock } from '../../../../../../src/agent/ike/v1/crypto/body.js';
import { cbcEncrypt, prepareCbcKey } from '../../../../../../src/agent/crypto/cipher.js';
import { CryptoLengthError } from '../../../../../../src/agent/crypto/errors.js';

const names: CipherName[] = ['des-cbc', '3des-cbc', 'aes128-cbc', 'aes192-cbc', 'aes256-cbc'];

for (const name of names) {
  test(`${name}: bodies round-trip and the next IV is the last ciphertext block`, (t) => {
    const alg = CIPHERS[name];
    const key = prepareCbcKey(alg, Buffer.alloc(alg.keySize, 0x42));
    const iv0 = Buffer.alloc(alg.ivSize, 0x01);
    const bodies = [Buffer.from('first message body'), Buffer.alloc(alg.blockSize * 3, 7), Buffer.from([1])];
    let encIv: Buffer = iv0;
    let decIv: Buffer = iv0;
    for (const body of bodies) {
      const e = encryptBody(key, encIv, body);
      t.is(e.ciphertext.length % alg.blockSize, 0);
      t.deepEqual(e.nextIv, e.ciphertext.subarray(e.ciphertext.length - alg.blockSize));
      const d = decryptBody(key, decIv, e.ciphertext);
      t.deepEqual(d.plaintext.subarray(0, body.length), body);
      t.true(d.plaintext.subarray(body.length).every((b) => b === 0));
      t.deepEqual(d.nextIv, e.nextIv);
      encIv = e.nextIv;
      decIv = d.nextIv;
    }
    t.deepEqual(iv0, Buffer.alloc(alg.ivSize, 0x01), 'the IV passed in is not mutated');
  });
}

test('the next IV does not alias the message buffer', (t) => {
  const alg = CIPHERS['aes128-cbc'];
  const key = prepareCbcKey(alg, Buffer.alloc(16));
  const ct = cbcEncrypt(key, Buffer.alloc(16), Buffer.alloc(32));
  const { nextIv } = decryptBody(key, Buffer.alloc(16), ct);
  const copy = Buffer.from(nextIv);
  ct.fill(0);
  t.deepEqual(nextIv, copy);
});

test('decryptBody refuses partial blocks and empty bodies (CryptoLengthError)', (t) => {
  const alg = CIPHERS['3des-cbc'];
  const key = prepareCbcKey(alg, Buffer.alloc(24, 3));
  t.throws(() => decryptBody(key, Buffer.alloc(8), Buffer.alloc(12)), { instanceOf: CryptoLengthError });
  t.throws(() => decryptBody(key, Buffer.alloc(8), Buffer.alloc(0)), { instanceOf: CryptoLengthError });
});

test('padToBlock pads with zeros only when needed', (t) => {
  t.deepEqual(padToBlock(Buffer.from([1, 2, 3]), 8), Buffer.from([1, 2, 3, 0, 0, 0, 0, 0]));
  const aligned = Buffer.alloc(16, 1);
  t.is(padToBlock(aligned, 8), aligned);
});
