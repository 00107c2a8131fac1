/**
 * The SAs' long-lived CBC contexts and precomputed HMAC (src/agent/esp/sa.ts,
 * hmac.ts): OpenSSL behaviour they rely on, out-of-order and interleaved
 * decryption, what goes on the wire as the IV, tampering, and differential
 * checks against independent per-packet node:crypto references on generated
 * data (the published known answers, RFC 3602 / 2202 / 4868, are in vectors.test.ts).
 */
import test from 'ava';
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { createCbcDecryptor, createCbcEncryptor, desBackend, prepareCbcKey, type DesBackend } from '../../../../src/agent/crypto/cipher.js';
import { ESP_CIPHERS, ESP_INTEGRITY, type EspCipherName, type EspIntegrityName } from '../../../../src/agent/esp/algorithms.js';
import { EspMac } from '../../../../src/agent/esp/hmac.js';
import { pooledRandom } from '../../../../src/agent/esp/iv-source.js';
import { EspInboundSa, EspOutboundSa, type EspSaConfig } from '../../../../src/agent/esp/sa.js';
import { innerPacket } from './helpers.js';

/** Every CBC cipher, DES once per backend it can run on in this process. */
const CBC_VARIANTS: readonly { label: string; cipher: EspCipherName; desBackend?: DesBackend }[] = [
  ...[...new Set<DesBackend>([desBackend(), 'des-ede3-emulation'])].map((b) => ({ label: `des (${b})`, cipher: 'des' as const, desBackend: b })),
  { label: '3des', cipher: '3des' },
  { label: 'aes128', cipher: 'aes128' },
  { label: 'aes192', cipher: 'aes192' },
  { label: 'aes256', cipher: 'aes256' },
];
const INTEGRITIES: readonly EspIntegrityName[] = ['hmac-md5-96', 'hmac-sha1-96', 'hmac-sha256-128'];

function config(cipher: EspCipherName, integrity: EspIntegrityName, seed: number, extra: Partial<EspSaConfig> = {}): EspSaConfig {
  const fill = (n: number, base: number) => Buffer.from(Array.from({ length: n }, (_, i) => (base + i * 11 + seed * 37) & 0xff));
  return {
    spi: 0x4000_0000 + seed,
    cipher,
    integrity,
    encryptionKey: fill(ESP_CIPHERS[cipher].keySize, 0x31),
    authenticationKey: fill(ESP_INTEGRITY[integrity].keySize, 0x75),
    ...extra,
  };
}

/** An independent decryption: a fresh node:crypto context per packet, DES through 3DES-EDE with K|K|K. */
function referenceCipher(cipher: EspCipherName, key: Buffer): { name: string; key: Buffer } {
  return cipher === 'des' ? { name: 'des-ede3-cbc', key: Buffer.concat([key, key, key]) } : { name: ESP_CIPHERS[cipher].cbc!.opensslName, key };
}

function referenceDecrypt(cfg: EspSaConfig, packet: Buffer): { plain: Buffer; icvOk: boolean } {
  const c = ESP_CIPHERS[cfg.cipher as EspCipherName];
  const i = ESP_INTEGRITY[cfg.integrity as EspIntegrityName];
  const icvAt = packet.length - i.icvSize;
  const icv = createHmac(i.nodeName, cfg.authenticationKey).update(packet.subarray(0, icvAt)).digest().subarray(0, i.icvSize);
  const ref = referenceCipher(cfg.cipher as EspCipherName, cfg.encryptionKey);
  const d = createDecipheriv(ref.name, ref.key, packet.subarray(8, 8 + c.ivSize));
  d.setAutoPadding(false);
  const plain = Buffer.concat([d.update(packet.subarray(8 + c.ivSize, icvAt)), d.final()]);
  return { plain, icvOk: icv.equals(packet.subarray(icvAt)) };
}

/** The ESP trailer RFC 4303 puts after an inner packet of `n` bytes. */
function trailer(n: number, block: number, nextHeader = 4): Buffer {
  const pad = (block - ((n + 2) % block)) % block;
  return Buffer.from([...Array.from({ length: pad }, (_, k) => k + 1), pad, nextHeader]);
}

/** A deterministic permutation of 0..n-1. */
function shuffled(n: number, seed: number): number[] {
  const a = Array.from({ length: n }, (_, k) => k);
  let x = seed * 2654435761 + 1;
  for (let k = n - 1; k > 0; k--) {
    x = (x * 1103515245 + 12345) >>> 0;
    const j = x % (k + 1);
    [a[k], a[j]] = [a[j]!, a[k]!];
  }
  return a;
}

const random = pooledRandom((n) => randomBytes(n));

for (const v of CBC_VARIANTS) {
  const alg = ESP_CIPHERS[v.cipher].cbc!;

  test(`${v.label}: with padding off, OpenSSL returns every complete block from update at once`, (t) => {
    const k = prepareCbcKey(alg, randomBytes(alg.keySize), v.desBackend);
    const enc = createCbcEncryptor(k, Buffer.alloc(alg.ivSize));
    const dec = createCbcDecryptor(k, Buffer.alloc(alg.ivSize));
    const sizes: number[] = [];
    for (const blocks of [1, 2, 3, 1, 88, 1, 5]) {
      const ct = enc.update(randomBytes(blocks * alg.blockSize));
      const pt = dec.update(ct);
      sizes.push(ct.length, pt.length);
    }
    t.deepEqual(
      sizes,
      [1, 1, 2, 2, 3, 3, 1, 1, 88, 88, 1, 1, 5, 5].map((b) => b * alg.blockSize),
    );
  });

  test(`${v.label}: packets decrypt out of order and interleaved between two SAs with long-lived contexts`, (t) => {
    const cfgA = config(v.cipher, 'hmac-sha1-96', 1, { desBackend: v.desBackend });
    const cfgB = config(v.cipher, 'hmac-md5-96', 2, { desBackend: v.desBackend });
    const [outA, outB] = [new EspOutboundSa(cfgA), new EspOutboundSa(cfgB)];
    const [inA, inB] = [new EspInboundSa(cfgA, { replayWindow: 256 }), new EspInboundSa(cfgB, { replayWindow: 256 })];
    const sent: { sa: 'A' | 'B'; inner: Buffer; packet: Buffer }[] = [];
    for (let k = 0; k < 60; k++) {
      const sa = k % 3 === 0 ? 'B' : 'A';
      const inner = innerPacket(1 + ((k * 53) % 300), k);
      const e = (sa === 'A' ? outA : outB).encapsulate(inner, random);
      if (!e.ok) return t.fail('encapsulate failed');
      sent.push({ sa, inner, packet: e.packet });
    }
    let wrong = 0;
    for (const k of shuffled(sent.length, 7)) {
      const s = sent[k]!;
      const d = (s.sa === 'A' ? inA : inB).decapsulate(s.packet);
      if (!d.ok || !d.inner.equals(s.inner)) wrong++;
    }
    t.is(wrong, 0);
    t.is(inA.counters.decaps + inB.counters.decaps, 60);
    // Newest first, then one from the other SA, then the oldest.
    const more = [outA.encapsulate(innerPacket(40, 1), random), outB.encapsulate(innerPacket(41, 2), random), outA.encapsulate(innerPacket(42, 3), random)];
    if (!more.every((e) => e.ok)) return t.fail();
    const [a1, b1, a2] = more.map((e) => (e.ok ? e.packet : Buffer.alloc(0)));
    t.like(inA.decapsulate(a2!), { ok: true, inner: innerPacket(42, 3) });
    t.like(inB.decapsulate(b1!), { ok: true, inner: innerPacket(41, 2) });
    t.like(inA.decapsulate(a1!), { ok: true, inner: innerPacket(40, 1) });
  });

  test(`${v.label}: the IV on the wire is E_K(R xor previous last block), fresh per packet, never the previous packet's last block nor R`, (t) => {
    const cfg = config(v.cipher, 'hmac-sha1-96', 3, { desBackend: v.desBackend });
    const out = new EspOutboundSa(cfg);
    const drawn: Buffer[] = [];
    const source = (n: number): Buffer => {
      const r = randomBytes(n);
      drawn.push(Buffer.from(r));
      return r;
    };
    // An independent single-block encryption E_K (ECB), DES through 3DES-EDE with K|K|K.
    const ref = referenceCipher(v.cipher, cfg.encryptionKey);
    const ecb = createCipheriv(ref.name.replace('-cbc', '-ecb'), ref.key, null);
    ecb.setAutoPadding(false);
    const bs = alg.blockSize;
    let previousLast = Buffer.alloc(bs); // the SA's chain starts from zeros
    const ivs = new Set<string>();
    let asExpected = 0;
    let isPreviousLast = 0;
    let isR = 0;
    const n = 200;
    for (let k = 0; k < n; k++) {
      const e = out.encapsulate(innerPacket(k % 97, k), source);
      if (!e.ok) return t.fail();
      const iv = e.packet.subarray(8, 8 + bs);
      const r = drawn[k]!;
      const x = Buffer.alloc(bs);
      for (let j = 0; j < bs; j++) x[j] = r[j]! ^ previousLast[j]!;
      if (iv.equals(ecb.update(x))) asExpected++;
      if (iv.equals(previousLast)) isPreviousLast++;
      if (iv.equals(r)) isR++;
      ivs.add(iv.toString('hex'));
      const icvAt = e.packet.length - 12;
      previousLast = Buffer.from(e.packet.subarray(icvAt - bs, icvAt));
    }
    t.is(drawn.length, n, 'one block of randomness per packet');
    t.is(asExpected, n);
    t.is(isPreviousLast, 0);
    t.is(isR, 0);
    t.is(ivs.size, n);
  });

  test(`${v.label}: a tampered IV or ciphertext block is refused by the ICV and leaves the SA working`, (t) => {
    const cfg = config(v.cipher, 'hmac-sha256-128', 4, { desBackend: v.desBackend });
    const out = new EspOutboundSa(cfg);
    const inb = new EspInboundSa(cfg);
    const e = out.encapsulate(innerPacket(100), random);
    if (!e.ok) return t.fail();
    const bs = alg.blockSize;
    const refused: string[] = [];
    for (const at of [8, 8 + bs - 1, 8 + bs, 8 + 2 * bs + 3, e.packet.length - 16 - 1]) {
      const bad = Buffer.from(e.packet);
      bad[at] ^= 0x80;
      const d = inb.decapsulate(bad);
      if (!d.ok) refused.push(d.reason);
    }
    t.deepEqual(refused, ['auth-failed', 'auth-failed', 'auth-failed', 'auth-failed', 'auth-failed']);
    t.is(inb.counters.authFailures, 5);
    t.is(inb.counters.decrypt, 0);
    t.like(inb.decapsulate(e.packet), { ok: true, inner: innerPacket(100) });
  });

  test(`${v.label}: without integrity, garbage in between does not disturb the next packet's decryption`, (t) => {
    const cfg = config(v.cipher, 'none', 5, { desBackend: v.desBackend });
    const out = new EspOutboundSa(cfg);
    const inb = new EspInboundSa(cfg);
    const a = out.encapsulate(innerPacket(77, 1), random);
    const b = out.encapsulate(innerPacket(78, 2), random);
    if (!a.ok || !b.ok) return t.fail();
    const bad = Buffer.from(a.packet);
    bad[8 + alg.blockSize + 1] ^= 0x01; // a ciphertext block: decrypts to garbage, no ICV to stop it
    const d = inb.decapsulate(bad);
    t.false(d.ok && d.inner.equals(innerPacket(77, 1)));
    t.like(inb.decapsulate(b.packet), { ok: true, inner: innerPacket(78, 2) });
    t.like(inb.decapsulate(a.packet), { ok: true, inner: innerPacket(77, 1) });
  });

  for (const integrity of INTEGRITIES) {
    test(`${v.label} + ${integrity}: differential check: encapsulated packets decrypt with a fresh per-packet createDecipheriv and verify with createHmac`, (t) => {
      const cfg = config(v.cipher, integrity, 6, { desBackend: v.desBackend });
      const out = new EspOutboundSa(cfg);
      let wrong = 0;
      for (let n = 0; n < 300; n += 7) {
        const inner = innerPacket(n, n);
        const e = out.encapsulate(inner, random, n % 2 === 0 ? 4 : 59, 28);
        if (!e.ok) return t.fail();
        const { plain, icvOk } = referenceDecrypt(cfg, e.packet);
        if (!icvOk || !plain.equals(Buffer.concat([inner, trailer(n, alg.blockSize, n % 2 === 0 ? 4 : 59)]))) wrong++;
        if (e.framed.length !== e.packet.length + 28 || e.framed.buffer !== e.packet.buffer || e.framed.byteOffset + 28 !== e.packet.byteOffset) wrong++;
      }
      t.is(wrong, 0);
    });
  }
}

test('a Buffer IV is still used verbatim and does not disturb the long-lived chain', (t) => {
  const cfg = config('aes128', 'hmac-sha1-96', 8);
  const out = new EspOutboundSa(cfg);
  const inb = new EspInboundSa(cfg);
  const fixed = Buffer.alloc(16, 0x42);
  const packets: Buffer[] = [];
  for (let k = 0; k < 6; k++) {
    const e = out.encapsulate(innerPacket(30, k), k % 2 === 0 ? random : fixed);
    if (!e.ok) return t.fail();
    if (k % 2 === 1) t.deepEqual(e.packet.subarray(8, 24), fixed);
    t.true(referenceDecrypt(cfg, e.packet).plain.subarray(0, 30).equals(innerPacket(30, k)));
    packets.push(e.packet);
  }
  for (const [k, p] of packets.entries()) t.like(inb.decapsulate(p), { ok: true, inner: innerPacket(30, k) });
});

test('the createHmac fallback SA interoperates with the one-shot SA', (t) => {
  for (const integrity of INTEGRITIES) {
    const a = config('aes256', integrity, 9, { macBackend: 'create-hmac' });
    const b = config('aes256', integrity, 9);
    const e = new EspOutboundSa(a).encapsulate(innerPacket(500), random);
    if (!e.ok) return t.fail();
    t.like(new EspInboundSa(b).decapsulate(e.packet), { ok: true, inner: innerPacket(500) });
    const f = new EspOutboundSa(b).encapsulate(innerPacket(501), random);
    if (!f.ok) return t.fail();
    t.like(new EspInboundSa(a).decapsulate(f.packet), { ok: true, inner: innerPacket(501) });
  }
});

for (const hash of ['md5', 'sha1', 'sha256', 'sha384', 'sha512']) {
  test(`EspMac ${hash}: both backends equal createHmac for short, block-sized and long keys and messages across the scratch size`, (t) => {
    let wrong = 0;
    for (const keyLength of [1, 16, 20, 32, 64, 65, 128, 129, 200]) {
      const key = randomBytes(keyLength);
      const macs = [new EspMac(hash, key), new EspMac(hash, key, { backend: 'create-hmac' })];
      for (const n of [0, 1, 55, 64, 1400, 2047, 2048, 2049, 5000, 70000, 3]) {
        const data = randomBytes(n);
        const want = createHmac(hash, key).update(data).digest();
        for (const m of macs) {
          const got = Buffer.alloc(want.length + 4, 0xee);
          m.sign(data, n, got, 2, want.length);
          if (!got.subarray(2, 2 + want.length).equals(want) || got[0] !== 0xee || got[want.length + 2] !== 0xee) wrong++;
          const shortOut = Buffer.alloc(12);
          m.sign(data, n, shortOut, 0, 12);
          if (!shortOut.equals(want.subarray(0, 12))) wrong++;
          if (!m.verify(data, n, want.subarray(0, 12)) || !m.verify(data, n, want)) wrong++;
          // A prefix of a longer buffer: only `length` bytes count.
          const longer = Buffer.concat([data, Buffer.from([1, 2, 3])]);
          if (!m.verify(longer, n, want.subarray(0, 12))) wrong++;
          const bad = Buffer.from(want.subarray(0, 12));
          bad[11] ^= 1;
          if (m.verify(data, n, bad)) wrong++;
        }
      }
    }
    t.is(wrong, 0);
  });
}

test('EspMac uses the one-shot backend where node:crypto has hash() (Node >= 20.12)', (t) => {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const hasHash = major > 21 || (major === 21 && minor >= 7) || (major === 20 && minor >= 12);
  t.is(new EspMac('sha1', Buffer.alloc(20)).backend, hasHash ? 'one-shot' : 'create-hmac');
  t.is(new EspMac('sha1', Buffer.alloc(20), { backend: 'create-hmac' }).backend, 'create-hmac');
});
