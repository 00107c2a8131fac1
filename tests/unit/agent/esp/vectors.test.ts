/**
 * ESP against published vectors: the RFC 3602 section 4 ESP packets (AES-128-CBC,
 * cases 5-8) and the RFC 2202 / RFC 4868 HMAC test cases truncated to the ICV
 * (tests/fixtures/vectors/esp-*.json). Each runs through every path the router
 * can take: node:crypto with a given IV, node:crypto and the native module
 * (images/router2600/addon/esp.c, compiled here as native.test.ts does) with a
 * random source, both HMAC backends of hmac.ts and the native HMAC.
 */
import test from 'ava';
import { createDecipheriv } from 'node:crypto';
import { EspMac, type EspMacBackend } from '../../../../src/agent/esp/hmac.js';
import { EspInboundSa, EspOutboundSa, type EspSaConfig } from '../../../../src/agent/esp/sa.js';
import { buildNativeEsp } from '../../../../scripts/lib/native-esp.js';
import { hex, loadVectors } from '../../vectors.js';

interface Rfc3602Case {
  case: number;
  mode: string;
  key: string;
  spi: string;
  sequence: number;
  iv: string;
  nextHeader: number;
  padLength: number;
  payload: string;
  esp: string;
}
interface HmacCase {
  source: string;
  key: string;
  data: string;
  mac: string;
  icv: string;
}
type IntegrityName = 'hmac-md5-96' | 'hmac-sha1-96' | 'hmac-sha256-128';

const rfc3602 = loadVectors<{ cases: Rfc3602Case[] }>('esp-aes-cbc-rfc3602.json').cases;
const hmacs = loadVectors<{ algorithms: Record<IntegrityName, { hash: string; icvSize: number; cases: HmacCase[] }> }>('esp-hmac.json').algorithms;
const native = buildNativeEsp();

function saConfig(c: Rfc3602Case, withNative: boolean): EspSaConfig {
  return {
    spi: parseInt(c.spi, 16),
    cipher: 'aes128',
    integrity: 'none',
    encryptionKey: hex(c.key),
    authenticationKey: Buffer.alloc(0),
    ...(withNative ? { native } : {}),
  };
}

/**
 * A random source whose first block makes a fresh SA put `iv` on the wire: the SA
 * sends E_K(R xor S) with chain state S = 0 (a new context), so R = D_K(iv).
 */
function sourceGiving(key: Buffer, iv: Buffer): (n: number) => Buffer {
  const d = createDecipheriv('aes-128-ecb', key, null);
  d.setAutoPadding(false);
  const r = Buffer.concat([d.update(iv), d.final()]);
  let used = false;
  return (n) => {
    if (used || n !== r.length) throw new Error('the vector needs exactly one block');
    used = true;
    return r;
  };
}

test('the fixture holds RFC 3602 cases 5 to 8, two in transport and two in tunnel mode', (t) => {
  t.deepEqual(
    rfc3602.map((c) => `${c.case}:${c.mode}:${c.nextHeader}`),
    ['5:transport:1', '6:transport:1', '7:tunnel:4', '8:tunnel:4'],
  );
});

for (const c of rfc3602) {
  test(`RFC 3602 case ${c.case}: with the case's IV, encapsulate writes the RFC's ESP packet byte for byte`, (t) => {
    const sa = new EspOutboundSa(saConfig(c, false), { nextSequence: c.sequence });
    const e = sa.encapsulate(hex(c.payload), hex(c.iv), c.nextHeader);
    t.true(e.ok);
    if (e.ok) t.is(e.packet.toString('hex'), c.esp);
  });

  for (const withNative of [false, true]) {
    const path = withNative ? 'the native module' : 'node:crypto';
    test(`RFC 3602 case ${c.case}: the router's own path (random source, ${path}) writes the RFC's packet`, (t) => {
      const sa = new EspOutboundSa(saConfig(c, withNative), { nextSequence: c.sequence });
      t.is(sa.nativeCrypto, withNative);
      const e = sa.encapsulate(hex(c.payload), sourceGiving(hex(c.key), hex(c.iv)), c.nextHeader);
      t.true(e.ok);
      if (e.ok) t.is(e.packet.toString('hex'), c.esp);
    });

    test(`RFC 3602 case ${c.case}: ${path} decapsulates the RFC's packet to its payload and next header`, (t) => {
      const sa = new EspInboundSa(saConfig(c, withNative));
      t.is(sa.nativeCrypto, withNative);
      const d = sa.decapsulate(hex(c.esp));
      t.like(d, { ok: true, nextHeader: c.nextHeader, sequence: c.sequence });
      if (d.ok) t.is(d.inner.toString('hex'), c.payload);
    });
  }
}

test('the HMAC fixture covers RFC 2202 cases 1-7 for MD5 and SHA-1 and RFC 4868 AUTH256-1 to 4', (t) => {
  t.is(hmacs['hmac-md5-96'].cases.length, 7);
  t.is(hmacs['hmac-sha1-96'].cases.length, 7);
  t.is(hmacs['hmac-sha256-128'].cases.length, 4);
  // RFC 2202 test case 5 prints the 96-bit truncation itself
  t.is(hmacs['hmac-md5-96'].cases[4]!.icv, '56461ef2342edc00f9bab995');
  t.is(hmacs['hmac-sha1-96'].cases[4]!.icv, '4c1a03424b55e07fe7f27be1');
});

for (const [name, alg] of Object.entries(hmacs) as [IntegrityName, (typeof hmacs)[IntegrityName]][]) {
  for (const v of alg.cases) {
    for (const backend of ['one-shot', 'create-hmac'] as EspMacBackend[]) {
      test(`${name} (${backend}): ${v.source} gives the published ICV, and verify takes it and refuses a changed one`, (t) => {
        const mac = new EspMac(alg.hash, hex(v.key), { backend });
        t.is(mac.backend, backend);
        const data = hex(v.data);
        const into = Buffer.alloc(alg.icvSize);
        mac.sign(data, data.length, into, 0, alg.icvSize);
        t.is(into.toString('hex'), v.icv);
        // the full digest too, so the truncation is the only difference
        const full = Buffer.alloc(v.mac.length / 2);
        mac.sign(data, data.length, full, 0, full.length);
        t.is(full.toString('hex'), v.mac);
        t.true(mac.verify(data, data.length, hex(v.icv)));
        const wrong = hex(v.icv);
        wrong[wrong.length - 1] ^= 1;
        t.false(mac.verify(data, data.length, wrong));
      });
    }

    test(`${name} (native module): ${v.source} gives the published ICV, and open takes it and refuses a changed one`, (t) => {
      const data = hex(v.data);
      const sealer = native.create('null', Buffer.alloc(0), alg.hash, hex(v.key), true);
      const buf = Buffer.concat([data, Buffer.alloc(alg.icvSize)]);
      t.true(native.seal(sealer, buf, 0, 0, data.length, alg.icvSize));
      t.is(buf.subarray(data.length).toString('hex'), v.icv);
      t.is(buf.subarray(0, data.length).toString('hex'), v.data, 'the data is not touched');
      const opener = native.create('null', Buffer.alloc(0), alg.hash, hex(v.key), false);
      t.true(native.open(opener, Buffer.concat([data, hex(v.icv)]), data.length, alg.icvSize, 0, 0));
      const wrong = Buffer.concat([data, hex(v.icv)]);
      wrong[wrong.length - 1] ^= 1;
      t.false(native.open(opener, wrong, data.length, alg.icvSize, 0, 0));
    });
  }
}
