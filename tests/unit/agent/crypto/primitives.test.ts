/**
 * Known-answer tests for the prf (HMAC) and the CBC ciphers; the algorithm registry.
 */
import test from 'ava';
import { CIPHERS, HASHES, cipherByIkeId, hashByIkeId, type HashName } from '../../../../src/agent/crypto/algorithms.js';
import { cbcDecrypt, cbcEncrypt, desBackend, prepareCbcKey } from '../../../../src/agent/crypto/cipher.js';
import { CryptoLengthError, UnsupportedAlgorithmError } from '../../../../src/agent/crypto/errors.js';
import { prf } from '../../../../src/agent/crypto/prf.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// HMAC vectors: RFC 2202 section 2 (HMAC-MD5) and 3 (HMAC-SHA-1), test cases 1, 2 and 6;
// RFC 4231 section 4.2 and 4.3 (HMAC-SHA-256/384/512), test cases 1 and 2.
// https://www.rfc-editor.org/rfc/rfc2202 , https://www.rfc-editor.org/rfc/rfc4231
const hmacVectors: Array<{ hash: HashName; source: string; key: Buffer; data: Buffer; mac: string }> = [
  { hash: 'md5', source: 'RFC 2202 MD5 #1', key: Buffer.alloc(16, 0x0b), data: Buffer.from('Hi There'), mac: '9294727a3638bb1c13f48ef8158bfc9d' },
  {
    hash: 'md5',
    source: 'RFC 2202 MD5 #2',
    key: Buffer.from('Jefe'),
    data: Buffer.from('what do ya want for nothing?'),
    mac: '750c783e6ab0b503eaa86e310a5db738',
  },
  {
    hash: 'md5',
    source: 'RFC 2202 MD5 #6 (80-byte key, longer than a block)',
    key: Buffer.alloc(80, 0xaa),
    data: Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First'),
    mac: '6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd',
  },
  { hash: 'sha1', source: 'RFC 2202 SHA-1 #1', key: Buffer.alloc(20, 0x0b), data: Buffer.from('Hi There'), mac: 'b617318655057264e28bc0b6fb378c8ef146be00' },
  {
    hash: 'sha1',
    source: 'RFC 2202 SHA-1 #2',
    key: Buffer.from('Jefe'),
    data: Buffer.from('what do ya want for nothing?'),
    mac: 'effcdf6ae5eb2fa2d27416d5f184df9c259a7c79',
  },
  {
    hash: 'sha1',
    source: 'RFC 2202 SHA-1 #6',
    key: Buffer.alloc(80, 0xaa),
    data: Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First'),
    mac: 'aa4ae5e15272d00e95705637ce8a3b55ed402112',
  },
  {
    hash: 'sha256',
    source: 'RFC 4231 #1',
    key: Buffer.alloc(20, 0x0b),
    data: Buffer.from('Hi There'),
    mac: 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
  },
  {
    hash: 'sha256',
    source: 'RFC 4231 #2',
    key: Buffer.from('Jefe'),
    data: Buffer.from('what do ya want for nothing?'),
    mac: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
  },
  {
    hash: 'sha384',
    source: 'RFC 4231 #1',
    key: Buffer.alloc(20, 0x0b),
    data: Buffer.from('Hi There'),
    mac: 'afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6',
  },
  {
    hash: 'sha512',
    source: 'RFC 4231 #1',
    key: Buffer.alloc(20, 0x0b),
    data: Buffer.from('Hi There'),
    mac: '87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854',
  },
];

for (const v of hmacVectors) {
  test(`prf ${v.hash} matches ${v.source}`, (t) => {
    t.is(prf(HASHES[v.hash], v.key, v.data).toString('hex'), v.mac);
  });
}

test('prf over several buffers equals prf over their concatenation', (t) => {
  const parts = [Buffer.from('what do ya '), Buffer.from(''), Buffer.from('want for nothing?')];
  t.is(prf(HASHES.md5, Buffer.from('Jefe'), ...parts).toString('hex'), '750c783e6ab0b503eaa86e310a5db738');
});

// DES-CBC: FIPS 81 appendix C, table C1 ("Now is the time for all "), key 0123456789abcdef,
// IV 1234567890abcdef. https://csrc.nist.gov/publications/detail/fips/81/archive/1980-12-02
const desKey = hex('0123456789abcdef');
const desIv = hex('1234567890abcdef');
const desPlain = Buffer.from('Now is the time for all ');
const desCipher = 'e5c7cdde872bf27c43e934008c389c0f683788499a7c05f6';

test(`DES-CBC matches FIPS 81 with the process backend (${desBackend()})`, (t) => {
  const k = prepareCbcKey(CIPHERS['des-cbc'], desKey);
  t.is(cbcEncrypt(k, desIv, desPlain).toString('hex'), desCipher);
  t.deepEqual(cbcDecrypt(k, desIv, hex(desCipher)), desPlain);
});

test('DES-CBC through the 3DES-EDE emulation (K1=K2=K3) matches FIPS 81', (t) => {
  const k = prepareCbcKey(CIPHERS['des-cbc'], desKey, 'des-ede3-emulation');
  t.is(k.opensslName, 'des-ede3-cbc');
  t.is(cbcEncrypt(k, desIv, desPlain).toString('hex'), desCipher);
  t.deepEqual(cbcDecrypt(k, desIv, hex(desCipher)), desPlain);
});

test('DES-CBC with an unavailable backend names the fix', (t) => {
  const e = t.throws(() => prepareCbcKey(CIPHERS['des-cbc'], desKey, 'unavailable'));
  t.regex(e?.message ?? '', /--openssl-legacy-provider/);
});

// 3DES: NIST SP 800-67 rev. 1 appendix B example (TDEA ECB, keys 0123456789ABCDEF,
// 23456789ABCDEF01, 456789ABCDEF0123, plaintext "The qufck brown fox jump").
// https://csrc.nist.gov/publications/detail/sp/800-67/rev-1/archive/2012-01-23
// CBC with IV 0 and plaintext P'i = Pi xor C(i-1) yields the same ciphertext blocks.
test('3DES-CBC matches the SP 800-67 TDEA example', (t) => {
  const k = prepareCbcKey(CIPHERS['3des-cbc'], hex('0123456789ABCDEF 23456789ABCDEF01 456789ABCDEF0123'));
  const p = Buffer.from('The qufck brown fox jump');
  const c = hex('A826FD8CE53B855F CCE21C8112256FE6 68D5C05DD9B6B900');
  const chained = Buffer.from(p);
  for (let i = 8; i < 24; i++) chained[i] ^= c[i - 8];
  t.deepEqual(cbcEncrypt(k, Buffer.alloc(8), chained), c);
  t.deepEqual(cbcDecrypt(k, Buffer.alloc(8), c), chained);
});

// AES-128-CBC: RFC 3602 section 4, cases 1 and 2. https://www.rfc-editor.org/rfc/rfc3602
// AES-192/256-CBC: NIST SP 800-38A appendix F.2.3 and F.2.5 (first block).
const aesVectors = [
  {
    name: 'aes128-cbc' as const,
    source: 'RFC 3602 case 1',
    key: '06a9214036b8a15b512e03d534120006',
    iv: '3dafba429d9eb430b422da802c9fac41',
    plain: Buffer.from('Single block msg').toString('hex'),
    cipher: 'e353779c1079aeb82708942dbe77181a',
  },
  {
    name: 'aes128-cbc' as const,
    source: 'RFC 3602 case 2',
    key: 'c286696d887c9aa0611bbb3e2025a45a',
    iv: '562e17996d093d28ddb3ba695a2e6f58',
    plain: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f',
    cipher: 'd296cd94c2cccf8a3a863028b5e1dc0a7586602d253cfff91b8266bea6d61ab1',
  },
  {
    name: 'aes192-cbc' as const,
    source: 'SP 800-38A F.2.3',
    key: '8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b',
    iv: '000102030405060708090a0b0c0d0e0f',
    plain: '6bc1bee22e409f96e93d7e117393172a',
    cipher: '4f021db243bc633d7178183a9fa071e8',
  },
  {
    name: 'aes256-cbc' as const,
    source: 'SP 800-38A F.2.5',
    key: '603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4',
    iv: '000102030405060708090a0b0c0d0e0f',
    plain: '6bc1bee22e409f96e93d7e117393172a',
    cipher: 'f58c4c04d6e5f1ba779eabfb5f7bfbd6',
  },
];

for (const v of aesVectors) {
  test(`${v.name} matches ${v.source}`, (t) => {
    const k = prepareCbcKey(CIPHERS[v.name], hex(v.key));
    t.is(cbcEncrypt(k, hex(v.iv), hex(v.plain)).toString('hex'), v.cipher);
    t.is(cbcDecrypt(k, hex(v.iv), hex(v.cipher)).toString('hex'), v.plain);
  });
}

test('CBC refuses wrong key, IV and data lengths with CryptoLengthError', (t) => {
  t.throws(() => prepareCbcKey(CIPHERS['aes128-cbc'], Buffer.alloc(15)), { instanceOf: CryptoLengthError });
  const k = prepareCbcKey(CIPHERS['aes128-cbc'], Buffer.alloc(16));
  t.throws(() => cbcEncrypt(k, Buffer.alloc(8), Buffer.alloc(16)), { instanceOf: CryptoLengthError });
  t.throws(() => cbcEncrypt(k, Buffer.alloc(16), Buffer.alloc(17)), { instanceOf: CryptoLengthError });
  t.throws(() => cbcDecrypt(k, Buffer.alloc(16), Buffer.alloc(15)), { instanceOf: CryptoLengthError });
});

test('prepareCbcKey copies the key so later caller writes do not change it', (t) => {
  const raw = Buffer.alloc(16, 1);
  const k = prepareCbcKey(CIPHERS['aes128-cbc'], raw);
  raw.fill(0);
  t.deepEqual(k.key, Buffer.alloc(16, 1));
});

test('algorithm registry maps IKE attribute values', (t) => {
  t.is(hashByIkeId(1).name, 'md5');
  t.is(hashByIkeId(2).name, 'sha1');
  t.is(hashByIkeId(4).name, 'sha256');
  t.is(hashByIkeId(5).name, 'sha384');
  t.is(hashByIkeId(6).name, 'sha512');
  t.is(cipherByIkeId(1).name, 'des-cbc');
  t.is(cipherByIkeId(5).name, '3des-cbc');
  t.is(cipherByIkeId(7, 128).keySize, 16);
  t.is(cipherByIkeId(7, 192).keySize, 24);
  t.is(cipherByIkeId(7, 256).blockSize, 16);
  t.is(cipherByIkeId(5).ivSize, 8);
  t.throws(() => hashByIkeId(3), { instanceOf: UnsupportedAlgorithmError });
  t.throws(() => cipherByIkeId(7), { instanceOf: UnsupportedAlgorithmError });
  t.throws(() => cipherByIkeId(7, 512), { instanceOf: UnsupportedAlgorithmError });
  t.throws(() => cipherByIkeId(1, 64), { instanceOf: UnsupportedAlgorithmError });
  t.throws(() => cipherByIkeId(3), { instanceOf: UnsupportedAlgorithmError });
});
