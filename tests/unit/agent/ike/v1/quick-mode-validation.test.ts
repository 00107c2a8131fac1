/**
 * Quick Mode refuses what no SA can be made of (issue 11), so the engine and
 * the datapath agree on every installed pair: a reserved SPI (0-255, RFC
 * 4303 2.1) in the peer's proposal is refused with INVALID-SPI (RFC 2408
 * 5.5), a lifetime of 0 seconds or kilobytes makes the transform
 * unacceptable (NO-PROPOSAL-CHOSEN, IOS's "atts not acceptable"), a
 * RESPONDER-LIFETIME of 0 is ignored. Every pair the engine installs is one
 * the ESP layer accepts (esp/validate.ts).
 */
import test, { type ExecutionContext } from 'ava';
import { Buffer } from 'node:buffer';
import { encodeAttributes } from '../../../../../src/codecs/isakmp/attributes.js';
import { IpsecAttr, LifeType, NotifyType, PayloadType, ProtocolId } from '../../../../../src/codecs/isakmp/constants.js';
import type { NotifyPayload, Payload, SaPayload } from '../../../../../src/codecs/isakmp/types.js';
import { EspInboundSa, EspOutboundSa } from '../../../../../src/agent/esp/sa.js';
import type { IpsecSaSpec } from '../../../../../src/agent/ike/types.js';
import { establishedSa, headerOf, notify, quickMode1, quickMode3, readInformational, rewriteQm2 } from '../forge.js';
import { PING_A, twoSites, type Wire } from '../helpers.js';

const B = '11.11.11.2';
const PROXIES_A = {
  local: { idType: 4 as const, address: '13.13.13.0', mask: '255.255.255.0', protocol: 0, port: 0 },
  remote: { idType: 4 as const, address: '12.12.12.0', mask: '255.255.255.0', protocol: 0, port: 0 },
};

function up(seed: number): Wire {
  const wire = twoSites(seed);
  wire.acquire('A', PING_A);
  wire.run(5_000);
  return wire;
}

/** What the datapath does with an install action: both ESP SAs built (throws when refused). */
function datapathInstalls(spec: IpsecSaSpec): void {
  const mk = (d: IpsecSaSpec['inbound']) => ({
    spi: d.spi,
    cipher: spec.cipher,
    integrity: spec.integrity,
    encryptionKey: d.encryptionKey,
    authenticationKey: d.authenticationKey,
  });
  new EspInboundSa(mk(spec.inbound));
  new EspOutboundSa(mk(spec.outbound));
}

/** Every pair either engine installed is one the datapath builds, and the views list exactly those. */
function agree(t: ExecutionContext, wire: Wire): void {
  for (const name of ['A', 'B']) {
    const installs = wire.actions(name, 'install-ipsec').map((a) => a.sa);
    for (const spec of installs) t.notThrows(() => datapathInstalls(spec), `${name} installs only what the datapath accepts`);
    const deleted = new Set(wire.actions(name, 'delete-ipsec').map((d) => d.inboundSpi));
    const live = installs.filter((s) => !deleted.has(s.inbound.spi)).map((s) => s.inbound.spi);
    const listed = wire
      .node(name)
      .engine.ipsecSas(wire.now)
      .flatMap((i) => i.flows.flatMap((f) => f.inbound.map((s) => s.spi)));
    t.deepEqual(listed.sort(), live.sort(), `${name}: show crypto ipsec sa lists what was installed`);
  }
}

/** A forged Quick Mode from A to B (A's keys); QM3 follows when B answers with QM2. Returns B's answers. */
function forgedQuickMode(wire: Wire, spi: number, lifetime?: { seconds: number; kilobytes: number }): Buffer[] {
  const a = establishedSa(wire.node('A').engine, B);
  const set = wire.node('A').engine.snapshot().policy.transformSets[0]!;
  const qm = quickMode1(a, { messageId: 0x51, spi, set, proxies: PROXIES_A, lifetime });
  const b = wire.node('B');
  const answers = b.engine.receive(qm.datagram, wire.now).flatMap((x) => {
    b.log.push({ at: wire.now, action: x });
    return x.kind === 'send' ? [x.payload] : [];
  });
  for (const ans of answers) {
    const qm3 = quickMode3(a, qm, ans, a.remote.port);
    if (qm3) for (const x of b.engine.receive(qm3, wire.now)) b.log.push({ at: wire.now, action: x });
  }
  return answers;
}

for (const spi of [0, 1, 255]) {
  test(`the responder refuses a Quick Mode whose SPI is the reserved ${spi} with INVALID-SPI and installs nothing`, (t) => {
    const wire = up(110 + spi);
    const before = wire.actions('B', 'install-ipsec').length;
    const answers = forgedQuickMode(wire, spi);
    t.is(answers.length, 1, 'one answer: the notify, no QM2');
    const a = establishedSa(wire.node('A').engine, B);
    const n = readInformational(a, answers[0]!, a.remote.port).find((p): p is NotifyPayload => p.type === PayloadType.NOTIFY);
    t.is(n?.notifyType, NotifyType.INVALID_SPI);
    t.like(wire.actions('B', 'fail').at(-1), { phase: 2, notify: NotifyType.INVALID_SPI });
    t.is(wire.actions('B', 'install-ipsec').length, before);
    agree(t, wire);
  });
}

for (const lifetime of [
  { seconds: 0, kilobytes: 4608000 },
  { seconds: 3600, kilobytes: 0 },
]) {
  test(`the responder refuses a lifetime of ${lifetime.seconds} s / ${lifetime.kilobytes} KB (NO-PROPOSAL-CHOSEN)`, (t) => {
    const wire = up(120 + lifetime.seconds);
    const before = wire.actions('B', 'install-ipsec').length;
    const answers = forgedQuickMode(wire, 0x4000, lifetime);
    t.is(answers.length, 1);
    t.like(wire.actions('B', 'fail').at(-1), { phase: 2, notify: NotifyType.NO_PROPOSAL_CHOSEN });
    t.true(wire.lines('B').includes('ISAKMP (0:1): atts not acceptable.'));
    t.is(wire.actions('B', 'install-ipsec').length, before);
    agree(t, wire);
  });
}

test('a sane forged Quick Mode is accepted: the check refuses only what it must', (t) => {
  const wire = up(130);
  const before = wire.actions('B', 'install-ipsec').length;
  forgedQuickMode(wire, 0x4000);
  t.is(wire.actions('B', 'install-ipsec').length, before + 1);
  t.is(wire.actions('B', 'install-ipsec').at(-1)!.sa.outbound.spi, 0x4000);
  agree(t, wire);
});

/** A and B with B's QM2 rewritten by `edit` (as a peer holding the key could). */
function initiatorSees(seed: number, edit: (p: Payload[]) => Payload[]): Wire {
  const wire = twoSites(seed);
  let qm1: Buffer | null = null;
  wire.filter = (p) => {
    const h = headerOf(p.payload, p.to.port);
    if (h.exchangeType !== 32) return [{ packet: p }];
    if (p.sender === 'A' && qm1 === null) qm1 = p.payload;
    else if (p.sender === 'B' && qm1 !== null && headerOf(qm1, p.to.port).messageId === h.messageId) {
      const sa = establishedSa(wire.node('A').engine, B);
      return [{ packet: { ...p, payload: rewriteQm2(sa, qm1, p.payload, p.to.port, edit) } }];
    }
    return [{ packet: p }];
  };
  wire.acquire('A', PING_A);
  wire.run(120_000);
  return wire;
}

const withSpi = (spi: number) => (payloads: Payload[]) =>
  payloads.map((p) => {
    if (p.type !== PayloadType.SA) return p;
    const sa = p as SaPayload;
    const b = Buffer.alloc(4);
    b.writeUInt32BE(spi);
    return { ...sa, proposals: sa.proposals.map((x) => ({ ...x, spi: b })) };
  });

test('the initiator refuses a QM2 whose SPI is reserved (INVALID-SPI): no QM3, neither side installs', (t) => {
  const wire = initiatorSees(140, withSpi(7));
  t.like(wire.actions('A', 'fail')[0], { phase: 2, notify: NotifyType.INVALID_SPI });
  t.is(wire.actions('A', 'install-ipsec').length, 0);
  t.is(wire.actions('B', 'install-ipsec').length, 0, 'B never got QM3');
  agree(t, wire);
});

test('the initiator refuses a QM2 transform with a lifetime of 0 (NO-PROPOSAL-CHOSEN)', (t) => {
  const zero = (payloads: Payload[]) =>
    payloads.map((p) => {
      if (p.type !== PayloadType.SA) return p;
      const sa = p as SaPayload;
      return {
        ...sa,
        proposals: sa.proposals.map((x) => ({
          ...x,
          transforms: x.transforms.map((tr) => ({
            ...tr,
            attributes: tr.attributes.map((a) => (a.type === IpsecAttr.LIFE_DURATION ? { ...a, value: 0 } : a)),
          })),
        })),
      };
    });
  const wire = initiatorSees(141, zero);
  t.like(wire.actions('A', 'fail')[0], { phase: 2, notify: NotifyType.NO_PROPOSAL_CHOSEN });
  t.is(wire.actions('A', 'install-ipsec').length, 0);
  agree(t, wire);
});

test('a RESPONDER-LIFETIME of 0 is ignored: the pair keeps the lifetime offered', (t) => {
  const attrs = encodeAttributes([
    { type: IpsecAttr.LIFE_TYPE, value: LifeType.SECONDS },
    { type: IpsecAttr.LIFE_DURATION, value: 0 },
  ]);
  const wire = initiatorSees(142, (payloads) => {
    const sa = payloads.find((p) => p.type === PayloadType.SA) as SaPayload;
    return [...payloads, notify(NotifyType.RESPONDER_LIFETIME, ProtocolId.ESP, sa.proposals[0]!.spi, attrs)];
  });
  const installed = wire.actions('A', 'install-ipsec');
  t.is(installed.length, 1);
  t.is(installed[0]!.sa.lifetime.seconds, 3600);
  agree(t, wire);
});
