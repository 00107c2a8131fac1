/**
 * The native ESP module (images/router2600/addon/esp.c) against the
 * node:crypto SAs it replaces in the router: byte-identical packets for the
 * same random blocks, each side reading the other's, the same failures and
 * counters. The module is compiled here with gcc against node-api-headers,
 * as the image does (CI installs gcc; without it these tests fail).
 */
import test from 'ava';
import { ESP_CIPHERS, ESP_INTEGRITY, type EspCipherName, type EspIntegrityName } from '../../../../src/agent/esp/algorithms.js';
import { EspInboundSa, EspOutboundSa, type EspSaConfig, type NativeEsp } from '../../../../src/agent/esp/sa.js';
import { loadNativeEsp } from '../../../../src/agent/io/esp-native.js';
import { buildNativeEsp } from '../../../../scripts/lib/native-esp.js';
import { innerPacket } from './helpers.js';

const native = buildNativeEsp();

const cipherNames: EspCipherName[] = ['des', '3des', 'aes128', 'aes192', 'aes256', 'null'];
const integrityNames: EspIntegrityName[] = ['hmac-md5-96', 'hmac-sha1-96', 'hmac-sha256-128', 'none'];

function config(cipher: EspCipherName, integrity: EspIntegrityName, withNative: boolean): EspSaConfig {
  return {
    spi: 0x5eed1234,
    cipher,
    integrity,
    encryptionKey: Buffer.alloc(ESP_CIPHERS[cipher].keySize, 0x5a),
    authenticationKey: Buffer.alloc(ESP_INTEGRITY[integrity].keySize, 0xa5),
    ...(withNative ? { native } : {}),
  };
}

function counterRandom(): (n: number) => Buffer {
  let k = 0;
  return (n) => {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = (k++ * 29 + 7) & 0xff;
    return b;
  };
}

for (const c of cipherNames) {
  for (const i of integrityNames) {
    if (c === 'null' && i === 'none') continue;
    test(`${c} + ${i}: the native SAs write the same bytes as node:crypto and each reads the other's packets`, (t) => {
      const nOut = new EspOutboundSa(config(c, i, true));
      const jOut = new EspOutboundSa(config(c, i, false));
      const nIn = new EspInboundSa(config(c, i, true), { replayWindow: 4096 });
      const jIn = new EspInboundSa(config(c, i, false), { replayWindow: 4096 });
      t.true(nOut.nativeCrypto && nIn.nativeCrypto, 'the native module runs this transform');
      t.false(jOut.nativeCrypto);
      const rn = counterRandom();
      const rj = counterRandom();
      let mismatches = 0;
      for (let n = 0; n <= 1500; n += 37) {
        const inner = innerPacket(n, n);
        const a = nOut.encapsulate(inner, rn, 4, 28);
        const b = jOut.encapsulate(inner, rj, 4, 28);
        if (!a.ok || !b.ok || !a.packet.equals(b.packet) || a.framed.length !== b.framed.length) {
          mismatches++;
          continue;
        }
        // native reads node:crypto's packet, node:crypto reads native's (copies: native decrypts in place)
        const x = nIn.decapsulate(Buffer.from(b.packet));
        const y = jIn.decapsulate(Buffer.from(a.packet));
        if (!x.ok || !y.ok || !x.inner.equals(inner) || !y.inner.equals(inner) || x.nextHeader !== 4) mismatches++;
      }
      t.is(mismatches, 0);
      t.deepEqual(nOut.counters, jOut.counters, 'outbound counters');
      t.deepEqual(nIn.counters, jIn.counters, 'inbound counters');
    });
  }
}

test('a flipped bit fails the ICV natively: auth-failed, the packet left as it was, and the window still takes the real one', (t) => {
  const out = new EspOutboundSa(config('aes128', 'hmac-sha1-96', true));
  const inb = new EspInboundSa(config('aes128', 'hmac-sha1-96', true));
  const e = out.encapsulate(innerPacket(200), counterRandom());
  t.true(e.ok);
  if (!e.ok) return;
  const bad = Buffer.from(e.packet);
  bad[40] ^= 0x01;
  const before = Buffer.from(bad);
  const r = inb.decapsulate(bad);
  t.false(r.ok);
  t.is(r.ok ? '' : r.reason, 'auth-failed');
  t.true(bad.equals(before), 'nothing decrypted in place when the ICV is wrong');
  t.is(inb.counters.authFailures, 1);
  const good = inb.decapsulate(Buffer.from(e.packet));
  t.true(good.ok && good.inner.equals(innerPacket(200)));
  const again = inb.decapsulate(Buffer.from(e.packet));
  t.is(again.ok ? '' : again.reason, 'replay');
});

test('an algorithm the module refuses falls back to node:crypto, and so does a module that throws', (t) => {
  const refusing: NativeEsp = {
    create: () => {
      throw new Error('no');
    },
    seal: () => false,
    open: () => false,
  };
  const sa = new EspOutboundSa({ ...config('3des', 'hmac-md5-96', false), native: refusing });
  t.false(sa.nativeCrypto);
  const inb = new EspInboundSa(config('3des', 'hmac-md5-96', false));
  const e = sa.encapsulate(innerPacket(64), counterRandom());
  t.true(e.ok && inb.decapsulate(e.packet).ok);
  t.throws(() => native.create('rc4', Buffer.alloc(16), 'sha1', Buffer.alloc(20), true), { message: /unknown cipher/ });
  t.throws(() => native.create('aes-128-cbc', Buffer.alloc(15), 'sha1', Buffer.alloc(20), true), { message: /wrong key length/ });
});

test('the module checks its ranges: nothing outside the buffer is read or written', (t) => {
  const sa = native.create('aes-128-cbc', Buffer.alloc(16), 'sha1', Buffer.alloc(20), true);
  const buf = Buffer.alloc(64);
  t.throws(() => native.seal(sa, buf, 8, 80, 80, 12), { message: /outside the buffer/ });
  t.throws(() => native.open(sa, buf, 60, 12, 8, 56), { message: /outside the buffer/ });
  t.false(native.seal(sa, buf, 8, 20, 40, 12), 'a length that is not a whole number of blocks is refused');
  t.throws(() => native.seal({} as unknown, buf, 8, 24, 40, 12), { message: /bad arguments/ });
});

test('the agent loads the module only where it is: a missing file means node:crypto, with the reason', (t) => {
  const r = loadNativeEsp('/nonexistent/esp.node');
  t.is(r.esp, undefined);
  t.regex(r.problem ?? '', /missing/);
});
