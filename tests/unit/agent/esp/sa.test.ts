/** ESP tunnel-mode SAs (RFC 4303): round trips, wire layout, failures, counters. */
import test from 'ava';
import { createDecipheriv, createHmac } from 'node:crypto';
import { ESP_CIPHERS, ESP_INTEGRITY, type EspCipherName, type EspIntegrityName } from '../../../../src/agent/esp/algorithms.js';
import { EspConfigError } from '../../../../src/agent/esp/errors.js';
import { pooledRandom } from '../../../../src/agent/esp/iv-source.js';
import { EspInboundSa, EspOutboundSa, MAX_SEQUENCE, readEspHeader, type EspSaConfig } from '../../../../src/agent/esp/sa.js';
import { buildRawEsp, innerPacket } from './helpers.js';

const cipherNames: EspCipherName[] = ['des', '3des', 'aes128', 'aes192', 'aes256', 'null'];
const integrityNames: EspIntegrityName[] = ['hmac-md5-96', 'hmac-sha1-96', 'hmac-sha256-128', 'none'];

function config(cipher: EspCipherName, integrity: EspIntegrityName, spi = 0x1234abcd): EspSaConfig {
  const c = ESP_CIPHERS[cipher];
  const i = ESP_INTEGRITY[integrity];
  return {
    spi,
    cipher,
    integrity,
    encryptionKey: Buffer.alloc(c.keySize, 0x11),
    authenticationKey: Buffer.alloc(i.keySize, 0x22),
  };
}

function pair(cipher: EspCipherName, integrity: EspIntegrityName, window?: number) {
  const cfg = config(cipher, integrity);
  return { out: new EspOutboundSa(cfg), inb: new EspInboundSa(cfg, { replayWindow: window }), cfg };
}

/** Deterministic "random" source for IVs. */
function counterRandom(): (n: number) => Buffer {
  let k = 0;
  return (n) => {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = (k++ * 13) & 0xff;
    return b;
  };
}

for (const c of cipherNames) {
  for (const i of integrityNames) {
    if (c === 'null' && i === 'none') continue;
    test(`${c} + ${i}: every inner size 0..1500 round-trips with the right length and alignment`, (t) => {
      const { out, inb } = pair(c, i, 2048);
      const rnd = counterRandom();
      const cipher = ESP_CIPHERS[c];
      let failures = 0;
      for (let n = 0; n <= 1500; n++) {
        const inner = innerPacket(n, n);
        const e = out.encapsulate(inner, rnd);
        if (!e.ok) {
          failures++;
          continue;
        }
        const encLen = e.packet.length - 8 - cipher.ivSize - ESP_INTEGRITY[i].icvSize;
        if (e.packet.length !== out.encapsulatedLength(n) || encLen % cipher.padBlock !== 0 || encLen < n + 2 || encLen >= n + 2 + cipher.padBlock) {
          failures++;
          continue;
        }
        const d = inb.decapsulate(e.packet);
        if (!d.ok || !d.inner.equals(inner) || d.nextHeader !== 4 || d.sequence !== n + 1) failures++;
      }
      t.is(failures, 0);
      t.is(out.counters.encaps, 1501);
      t.is(inb.counters.decaps, 1501);
      t.is(out.counters.bytes, (1500 * 1501) / 2);
      t.is(inb.counters.bytes, (1500 * 1501) / 2);
      t.is(out.counters.encrypt, c === 'null' ? 0 : 1501);
      t.is(inb.counters.decrypt, c === 'null' ? 0 : 1501);
      t.is(out.counters.digest, i === 'none' ? 0 : 1501);
      t.is(inb.counters.verify, i === 'none' ? 0 : 1501);
    });
  }
}

test('the wire layout is SPI | seq | IV | E(payload | 1,2,3.. | padlen | 4) | truncated HMAC', (t) => {
  const cfg = config('des', 'hmac-md5-96', 0xc0ffee01);
  const out = new EspOutboundSa(cfg);
  const iv = Buffer.from('0102030405060708', 'hex');
  const inner = innerPacket(21);
  const e = out.encapsulate(inner, iv);
  if (!e.ok) return t.fail('encapsulate failed');
  const p = e.packet;
  t.is(p.readUInt32BE(0), 0xc0ffee01);
  t.is(p.readUInt32BE(4), 1);
  t.deepEqual(p.subarray(8, 16), iv);
  // 21 + 2 = 23 -> one pad byte to 24.
  t.is(p.length, 8 + 8 + 24 + 12);
  const icv = createHmac('md5', cfg.authenticationKey).update(p.subarray(0, 40)).digest().subarray(0, 12);
  t.deepEqual(p.subarray(40), icv);
  // Independent decryption through 3DES-EDE with K|K|K (equal to DES), so the check does not depend on the backend.
  const d = createDecipheriv('des-ede3-cbc', Buffer.concat([cfg.encryptionKey, cfg.encryptionKey, cfg.encryptionKey]), iv);
  d.setAutoPadding(false);
  const plain = Buffer.concat([d.update(p.subarray(16, 40)), d.final()]);
  t.deepEqual(plain, Buffer.concat([inner, Buffer.from([1, 1, 4])]));
});

test('AES padding runs 1,2,3.. up to the block and the SHA-256 ICV is 16 bytes', (t) => {
  const cfg = config('aes256', 'hmac-sha256-128');
  const out = new EspOutboundSa(cfg);
  const iv = Buffer.alloc(16, 0x77);
  const e = out.encapsulate(Buffer.alloc(0), iv);
  if (!e.ok) return t.fail('encapsulate failed');
  t.is(e.packet.length, 8 + 16 + 16 + 16);
  const d = createDecipheriv('aes-256-cbc', cfg.encryptionKey, iv);
  d.setAutoPadding(false);
  const plain = Buffer.concat([d.update(e.packet.subarray(24, 40)), d.final()]);
  t.deepEqual(plain, Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 14, 4]));
});

test('NULL encryption aligns the trailer to 4 bytes and carries no IV', (t) => {
  const { out, inb } = pair('null', 'hmac-sha1-96');
  const e = out.encapsulate(Buffer.from([9, 9, 9]), Buffer.alloc(0));
  if (!e.ok) return t.fail('encapsulate failed');
  t.is(e.packet.length, 8 + 8 + 12);
  t.deepEqual(e.packet.subarray(8, 16), Buffer.from([9, 9, 9, 1, 2, 3, 3, 4]));
  const d = inb.decapsulate(e.packet);
  t.true(d.ok);
});

test('a packet built independently by node:crypto decapsulates', (t) => {
  const cfg = config('3des', 'hmac-sha1-96');
  const inb = new EspInboundSa(cfg);
  const inner = innerPacket(30);
  const packet = buildRawEsp({
    spi: cfg.spi,
    seq: 7,
    iv: Buffer.alloc(8, 5),
    cipher: 'des-ede3-cbc',
    encKey: cfg.encryptionKey,
    plaintext: Buffer.concat([inner, Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 8, 4])]),
    hmac: { alg: 'sha1', key: cfg.authenticationKey, icvSize: 12 },
  });
  const d = inb.decapsulate(packet);
  t.like(d, { ok: true, nextHeader: 4, sequence: 7 });
  if (d.ok) t.deepEqual(d.inner, inner);
});

test('a next header other than 4 is passed to the caller (e.g. 59, dummy packet)', (t) => {
  const { out, inb } = pair('aes128', 'hmac-sha1-96');
  const e = out.encapsulate(Buffer.alloc(10), Buffer.alloc(16), 59);
  if (!e.ok) return t.fail('encapsulate failed');
  t.like(inb.decapsulate(e.packet), { ok: true, nextHeader: 59 });
});

for (const [name, padding] of [
  ['non-monotonic padding', [1, 2, 4]],
  ['padding that starts at 0', [0, 1, 2]],
] as const) {
  test(`${name} with a valid ICV is refused as bad-padding`, (t) => {
    const cfg = config('3des', 'hmac-md5-96');
    const inb = new EspInboundSa(cfg);
    const packet = buildRawEsp({
      spi: cfg.spi,
      seq: 1,
      iv: Buffer.alloc(8, 1),
      cipher: 'des-ede3-cbc',
      encKey: cfg.encryptionKey,
      plaintext: Buffer.concat([innerPacket(11), Buffer.from(padding), Buffer.from([3, 4])]),
      hmac: { alg: 'md5', key: cfg.authenticationKey, icvSize: 12 },
    });
    t.like(inb.decapsulate(packet), { ok: false, reason: 'bad-padding', sequence: 1 });
    t.is(inb.counters.recvErrors, 1);
    t.is(inb.replay?.highest, 0, 'a badly padded packet does not move the window');
  });
}

test('a pad length longer than the plaintext is refused as bad-padding', (t) => {
  const cfg = config('3des', 'hmac-md5-96');
  const inb = new EspInboundSa(cfg);
  const packet = buildRawEsp({
    spi: cfg.spi,
    seq: 1,
    iv: Buffer.alloc(8, 1),
    cipher: 'des-ede3-cbc',
    encKey: cfg.encryptionKey,
    plaintext: Buffer.from([1, 2, 3, 4, 5, 6, 200, 4]),
    hmac: { alg: 'md5', key: cfg.authenticationKey, icvSize: 12 },
  });
  t.like(inb.decapsulate(packet), { ok: false, reason: 'bad-padding' });
});

test('a corrupted byte anywhere fails authentication and does not move the window', (t) => {
  const { out, inb } = pair('aes128', 'hmac-sha1-96');
  const e = out.encapsulate(innerPacket(100), Buffer.alloc(16, 3));
  if (!e.ok) return t.fail('encapsulate failed');
  let allRefused = true;
  for (let i = 8; i < e.packet.length; i++) {
    const bad = Buffer.from(e.packet);
    bad[i] ^= 0x01;
    const d = inb.decapsulate(bad);
    if (d.ok || d.reason !== 'auth-failed') allRefused = false;
  }
  t.true(allRefused);
  t.is(inb.counters.authFailures, e.packet.length - 8);
  t.is(inb.replay?.highest, 0);
  t.like(inb.decapsulate(e.packet), { ok: true });
});

test('truncated packets are refused without throwing', (t) => {
  const { out, inb } = pair('aes256', 'hmac-sha256-128');
  const e = out.encapsulate(innerPacket(60), Buffer.alloc(16));
  if (!e.ok) return t.fail('encapsulate failed');
  const reasons = new Set<string>();
  for (let n = 0; n < e.packet.length; n++) {
    const d = inb.decapsulate(e.packet.subarray(0, n));
    t.false(d.ok);
    if (!d.ok) reasons.add(d.reason);
  }
  t.deepEqual([...reasons].sort(), ['auth-failed', 'bad-length', 'truncated']);
  t.like(inb.decapsulate(Buffer.alloc(0)), { ok: false, reason: 'truncated' });
});

test('a ciphertext that is not whole blocks is refused as bad-length', (t) => {
  const cfg = config('aes128', 'hmac-sha1-96');
  const inb = new EspInboundSa(cfg);
  const packet = Buffer.concat([Buffer.from([0x12, 0x34, 0xab, 0xcd, 0, 0, 0, 1]), Buffer.alloc(16 + 20 + 12)]);
  t.like(inb.decapsulate(packet), { ok: false, reason: 'bad-length' });
});

test('a packet for another SPI is refused', (t) => {
  const a = new EspOutboundSa(config('des', 'hmac-md5-96', 0x1000));
  const b = new EspInboundSa(config('des', 'hmac-md5-96', 0x2000));
  const e = a.encapsulate(innerPacket(10), Buffer.alloc(8));
  if (!e.ok) return t.fail('encapsulate failed');
  t.like(b.decapsulate(e.packet), { ok: false, reason: 'spi-mismatch' });
  t.deepEqual(readEspHeader(e.packet), { spi: 0x1000, sequence: 1 });
  t.is(readEspHeader(Buffer.alloc(7)), undefined);
});

test('the sequence number is never reused: sending stops after 2^32-1', (t) => {
  const cfg = config('aes128', 'hmac-sha1-96');
  const out = new EspOutboundSa(cfg, { nextSequence: MAX_SEQUENCE - 1 });
  const inb = new EspInboundSa(cfg);
  const a = out.encapsulate(innerPacket(5), Buffer.alloc(16));
  const b = out.encapsulate(innerPacket(5), Buffer.alloc(16));
  t.like(a, { ok: true, sequence: MAX_SEQUENCE - 1 });
  t.like(b, { ok: true, sequence: MAX_SEQUENCE });
  t.true(out.exhausted);
  t.deepEqual(out.encapsulate(innerPacket(5), Buffer.alloc(16)), { ok: false, reason: 'sequence-exhausted' });
  t.is(out.counters.sendErrors, 1);
  t.is(out.counters.encaps, 2);
  if (b.ok) t.like(inb.decapsulate(b.packet), { ok: true, sequence: MAX_SEQUENCE });
});

test('replay through the SA: duplicates are refused, out-of-order within the window accepted', (t) => {
  const { out, inb } = pair('3des', 'hmac-sha1-96');
  const packets = [];
  for (let i = 0; i < 100; i++) {
    const e = out.encapsulate(innerPacket(20, i), Buffer.alloc(8, i));
    if (e.ok) packets.push(e.packet);
  }
  t.like(inb.decapsulate(packets[99]), { ok: true, sequence: 100 });
  t.like(inb.decapsulate(packets[99]), { ok: false, reason: 'replay', replay: 'duplicate' });
  t.like(inb.decapsulate(packets[40]), { ok: true, sequence: 41 });
  t.like(inb.decapsulate(packets[30]), { ok: false, reason: 'replay', replay: 'too-old' });
  t.is(inb.counters.replayFailures, 2);
});

test('a forged packet with a sequence far ahead and a bad ICV does not slide the window', (t) => {
  const { out, inb } = pair('aes128', 'hmac-md5-96');
  const first = out.encapsulate(innerPacket(20), Buffer.alloc(16));
  if (!first.ok) return t.fail();
  t.like(inb.decapsulate(first.packet), { ok: true });
  const forged = Buffer.from(first.packet);
  forged.writeUInt32BE(1_000_000, 4);
  t.like(inb.decapsulate(forged), { ok: false, reason: 'auth-failed' });
  t.is(inb.replay?.highest, 1);
  const second = out.encapsulate(innerPacket(20), Buffer.alloc(16));
  if (second.ok) t.like(inb.decapsulate(second.packet), { ok: true, sequence: 2 });
});

test('replay detection can be turned off', (t) => {
  const { out, inb } = pair('des', 'hmac-md5-96', 0);
  const e = out.encapsulate(innerPacket(20), Buffer.alloc(8));
  if (!e.ok) return t.fail();
  t.is(inb.replay, undefined);
  t.like(inb.decapsulate(e.packet), { ok: true });
  t.like(inb.decapsulate(e.packet), { ok: true });
});

test('bad SA parameters throw EspConfigError', (t) => {
  t.throws(() => new EspOutboundSa({ ...config('des', 'hmac-md5-96'), encryptionKey: Buffer.alloc(7) }), { instanceOf: EspConfigError });
  t.throws(() => new EspOutboundSa({ ...config('des', 'hmac-md5-96'), authenticationKey: Buffer.alloc(20) }), { instanceOf: EspConfigError });
  t.throws(() => new EspOutboundSa({ ...config('null', 'hmac-md5-96'), integrity: 'none', authenticationKey: Buffer.alloc(0) }), {
    instanceOf: EspConfigError,
  });
  t.throws(() => new EspOutboundSa(config('des', 'hmac-md5-96', 0)), { instanceOf: EspConfigError });
  t.throws(() => new EspOutboundSa(config('des', 'hmac-md5-96', 255)), { instanceOf: EspConfigError });
  t.throws(() => new EspOutboundSa(config('des', 'hmac-md5-96'), { nextSequence: 0 }), { instanceOf: EspConfigError });
  t.throws(() => new EspInboundSa(config('des', 'hmac-md5-96'), { replayWindow: 5000 }), { instanceOf: EspConfigError });
  const out = new EspOutboundSa(config('aes128', 'hmac-md5-96'));
  t.throws(() => out.encapsulate(Buffer.alloc(1), Buffer.alloc(8)), { instanceOf: EspConfigError });
});

test('pooledRandom hands out distinct slices and refills from the source', (t) => {
  let calls = 0;
  const src = (n: number): Buffer => {
    calls++;
    return Buffer.alloc(n, calls);
  };
  const r = pooledRandom(src, 32);
  const a = r(16);
  const b = r(16);
  const c = r(16);
  t.deepEqual(a, Buffer.alloc(16, 1));
  t.deepEqual(b, Buffer.alloc(16, 1));
  t.deepEqual(c, Buffer.alloc(16, 2));
  t.is(calls, 2);
  t.is(r(64).length, 64);
});
