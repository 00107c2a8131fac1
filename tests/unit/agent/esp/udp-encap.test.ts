/** RFC 3948 classification of UDP/4500 payloads. */
import test from 'ava';
import { ESP_CIPHERS, ESP_INTEGRITY, espCipherByTransformId, espIntegrityByAuthAttribute } from '../../../../src/agent/esp/algorithms.js';
import { EspConfigError } from '../../../../src/agent/esp/errors.js';
import { classifyUdp4500, frameIkeForNatT, natKeepalive } from '../../../../src/agent/esp/udp-encap.js';

test('a single 0xFF byte is a NAT keepalive', (t) => {
  t.deepEqual(classifyUdp4500(natKeepalive()), { kind: 'keepalive' });
  t.deepEqual(natKeepalive(), Buffer.from([0xff]));
});

test('a non-ESP marker introduces IKE, and framing adds it', (t) => {
  const ike = Buffer.alloc(28, 0x42);
  const framed = frameIkeForNatT(ike);
  t.deepEqual(framed.subarray(0, 4), Buffer.alloc(4));
  const c = classifyUdp4500(framed);
  t.is(c.kind, 'ike');
  if (c.kind === 'ike') t.deepEqual(c.message, ike);
});

test('anything else of at least 8 bytes is ESP', (t) => {
  const esp = Buffer.from('0000100000000001aabbccdd', 'hex');
  t.like(classifyUdp4500(esp), { kind: 'esp', packet: esp });
  // First byte zero but not the whole marker: still ESP.
  t.like(classifyUdp4500(Buffer.from('0000000100000001', 'hex')), { kind: 'esp' });
});

test('short or odd payloads are invalid, not thrown', (t) => {
  for (const p of [Buffer.alloc(0), Buffer.from([0x00]), Buffer.from([0xff, 0xff]), Buffer.from([1, 2, 3, 4, 5, 6, 7])]) {
    t.is(classifyUdp4500(p).kind, 'invalid');
  }
  t.is(classifyUdp4500(Buffer.alloc(4)).kind, 'ike');
});

test('ESP transforms resolve from IPsec DOI numbers', (t) => {
  t.is(espCipherByTransformId(2), ESP_CIPHERS.des);
  t.is(espCipherByTransformId(3), ESP_CIPHERS['3des']);
  t.is(espCipherByTransformId(11), ESP_CIPHERS.null);
  t.is(espCipherByTransformId(12, 128), ESP_CIPHERS.aes128);
  t.is(espCipherByTransformId(12, 256), ESP_CIPHERS.aes256);
  t.throws(() => espCipherByTransformId(12), { instanceOf: EspConfigError });
  t.throws(() => espCipherByTransformId(2, 64), { instanceOf: EspConfigError });
  t.throws(() => espCipherByTransformId(99), { instanceOf: EspConfigError });
  t.is(espIntegrityByAuthAttribute(1), ESP_INTEGRITY['hmac-md5-96']);
  t.is(espIntegrityByAuthAttribute(2), ESP_INTEGRITY['hmac-sha1-96']);
  t.is(espIntegrityByAuthAttribute(5), ESP_INTEGRITY['hmac-sha256-128']);
  t.is(espIntegrityByAuthAttribute(undefined), ESP_INTEGRITY.none);
  t.throws(() => espIntegrityByAuthAttribute(0), { instanceOf: EspConfigError });
  t.is(ESP_CIPHERS.des.wiresharkName, 'DES-CBC [RFC2405]');
  t.is(ESP_INTEGRITY['hmac-md5-96'].iosName, 'esp-md5-hmac');
});
