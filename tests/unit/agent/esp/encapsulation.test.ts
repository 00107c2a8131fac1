/**
 * An ESP SA accepts ESP only the way it was negotiated (issue 11): a plain
 * tunnel-mode SA takes IP protocol 50, a UDP-encapsulated one (RFC 3948)
 * takes ESP inside UDP 4500. The other way is dropped before the ICV is
 * checked, counted as a receive error, and leaves the anti-replay window
 * untouched; and the SA parameters the datapath refuses are the ones
 * espSaProblem names (the IKE engine asks the same question).
 */
import test from 'ava';
import { ESP_CIPHERS, ESP_INTEGRITY } from '../../../../src/agent/esp/algorithms.js';
import { EspConfigError } from '../../../../src/agent/esp/errors.js';
import { EspInboundSa, EspOutboundSa, type EspSaConfig } from '../../../../src/agent/esp/sa.js';
import { espSaProblem, validSpi } from '../../../../src/agent/esp/validate.js';
import { innerPacket } from './helpers.js';

const cfg: EspSaConfig = {
  spi: 0x1000,
  cipher: 'aes128',
  integrity: 'hmac-sha1-96',
  encryptionKey: Buffer.alloc(ESP_CIPHERS.aes128.keySize, 1),
  authenticationKey: Buffer.alloc(ESP_INTEGRITY['hmac-sha1-96'].keySize, 2),
};
const iv = Buffer.alloc(16, 3);

for (const negotiated of ['esp', 'udp'] as const) {
  const other = negotiated === 'esp' ? 'udp' : 'esp';
  test(`an SA negotiated as ${negotiated} drops ESP that arrives as ${other}, counts it and keeps its replay window`, (t) => {
    const out = new EspOutboundSa(cfg);
    const inb = new EspInboundSa(cfg, { encapsulation: negotiated });
    const r = out.encapsulate(innerPacket(60), iv);
    if (!r.ok) return t.fail('encapsulate failed');
    const packet = Buffer.from(r.packet);
    const wrong = inb.decapsulate(Buffer.from(packet), other);
    t.like(wrong, { ok: false, reason: 'wrong-encapsulation' });
    t.is(inb.counters.recvErrors, 1);
    t.is(inb.counters.verify, 0, 'refused before the ICV is checked');
    t.is(inb.counters.decaps, 0);
    // the same packet the right way still decrypts: the refused one did not move the window
    const right = inb.decapsulate(Buffer.from(packet), negotiated);
    t.true(right.ok);
    t.is(inb.counters.decaps, 1);
  });
}

test('without an encapsulation the SA is plain ESP: UDP-encapsulated packets are refused', (t) => {
  const inb = new EspInboundSa(cfg);
  t.is(inb.encapsulation, 'esp');
  const r = new EspOutboundSa(cfg).encapsulate(innerPacket(20), iv);
  if (!r.ok) return t.fail('encapsulate failed');
  t.like(inb.decapsulate(r.packet, 'udp'), { ok: false, reason: 'wrong-encapsulation' });
});

test('espSaProblem names exactly what the SA constructors refuse: reserved SPIs 0-255 among them', (t) => {
  const cases: { spi: number; cipher?: EspSaConfig['cipher']; integrity?: EspSaConfig['integrity']; key?: number }[] = [
    { spi: 0 },
    { spi: 1 },
    { spi: 255 },
    { spi: 256 },
    { spi: 0xffffffff },
    { spi: 0x100000000 },
    { spi: 1.5 },
    { spi: 4096, cipher: 'null', integrity: 'none' },
    { spi: 4096, key: 7 },
  ];
  for (const c of cases) {
    const params: EspSaConfig = {
      ...cfg,
      spi: c.spi,
      cipher: c.cipher ?? cfg.cipher,
      integrity: c.integrity ?? cfg.integrity,
      encryptionKey: c.key !== undefined ? Buffer.alloc(c.key) : c.cipher === 'null' ? Buffer.alloc(0) : cfg.encryptionKey,
      authenticationKey: c.integrity === 'none' ? Buffer.alloc(0) : cfg.authenticationKey,
    };
    const problem = espSaProblem(params);
    let thrown: unknown = null;
    try {
      new EspInboundSa(params);
    } catch (e) {
      thrown = e;
    }
    t.is(problem === null, thrown === null, `spi ${c.spi}: validation and constructor agree`);
    if (problem !== null) t.true(thrown instanceof EspConfigError && thrown.message === problem);
  }
  t.deepEqual([0, 1, 255, 256, 0xffffffff].map(validSpi), [false, false, false, true, true]);
});
