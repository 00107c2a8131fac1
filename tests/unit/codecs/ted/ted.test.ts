/** TED probe and reply (docs/ted.md): the seed's bytes, round trips, matching, and typed errors for "not TED" and "malformed TED". */
import test from 'ava';
import { Buffer } from 'node:buffer';
import { decodePayloadChain } from '../../../../src/codecs/isakmp/chain.js';
import { NotifyType } from '../../../../src/codecs/isakmp/constants.js';
import { IsakmpError } from '../../../../src/codecs/isakmp/errors.js';
import { encodeMessage } from '../../../../src/codecs/isakmp/message.js';
import { stringifyNotifyType } from '../../../../src/codecs/isakmp/names.js';
import type { Payload } from '../../../../src/codecs/isakmp/types.js';
import { TED_IOS_LOG_PAYLOAD_TYPE } from '../../../../src/codecs/ted/constants.js';
import { MalformedTedError, NotTedError } from '../../../../src/codecs/ted/errors.js';
import {
  decodeTed,
  describeTed,
  encodeTedProbe,
  encodeTedReply,
  isTedMessage,
  matchTedReply,
  replyFor,
  type TedProbe,
  type TedProbeInit,
  type TedReply,
  type TedReplyInit,
} from '../../../../src/codecs/ted/messages.js';
import { CISCO_UNITY, SEED_MM1, hex } from '../isakmp/fixtures.js';

const ICKY = hex('a1b2c3d4e5f60718');
const RCKY = hex('0f1e2d3c4b5a6978');

const SEED_PROBE_INIT: TedProbeInit = {
  initiatorCookie: ICKY,
  ikeAddress: '11.11.11.1',
  localProxy: { idType: 4, address: '13.13.13.0', mask: '255.255.255.0' },
  targetHost: '12.12.12.13',
};

/** The probe of docs/ted.md, byte by byte. */
const SEED_PROBE = hex(`
  a1b2c3d4e5f60718 0000000000000000   # CKY-I random, CKY-R zero
  0d 10 f0 00 00000000 00000058       # next VID, v1.0, exchange 240, flags 0, msgid 0, length 88
  05 00 0014 12f5f28c457168a9702d9fe274cc0100   # VID Cisco Unity, next ID
  05 00 000c 01 11 01f4 0b0b0b01      # ID IPV4_ADDR 17/500 11.11.11.1, next ID ("next-payload : 5 ... length : 8")
  ef 00 0010 04 00 0000 0d0d0d00 ffffff00        # ID IPV4_ADDR_SUBNET 13.13.13.0/255.255.255.0, next 239
  00 00 000c 03 01 0000 0c0c0c0d      # TED: V3, probe, target 12.12.12.13
`);

/** The reply of docs/ted.md, byte by byte. */
const SEED_REPLY = hex(`
  a1b2c3d4e5f60718 0f1e2d3c4b5a6978   # CKY-I echoed from the probe, CKY-R the responder's
  0d 10 f0 00 00000000 00000068       # next VID, v1.0, exchange 240, flags 0, msgid 0, length 104
  05 00 0014 12f5f28c457168a9702d9fe274cc0100   # VID Cisco Unity, next ID
  ef 00 000c 01 11 01f4 0b0b0b02      # ID IPV4_ADDR 17/500 11.11.11.2, next 239 ("next-payload : 239")
  05 00 000c 03 02 0000 0c0c0c0d      # TED: V3, reply, target 12.12.12.13, next ID
  05 00 0010 04 00 0000 0d0d0d00 ffffff00        # initiator proxy 13.13.13.0/255.255.255.0 (echo)
  00 00 0010 04 00 0000 0c0c0c00 ffffff00        # responder proxy 12.12.12.0/255.255.255.0
`);

const SEED_RESPONDER = {
  responderCookie: RCKY,
  ikeAddress: '11.11.11.2',
  responderProxy: { idType: 4, address: '12.12.12.0', mask: '255.255.255.0' },
} as const;

test('the seed probe is encoded exactly as docs/ted.md shows', (t) => {
  t.is(encodeTedProbe(SEED_PROBE_INIT).toString('hex'), SEED_PROBE.toString('hex'));
});

test('the seed reply is encoded exactly as docs/ted.md shows', (t) => {
  const probe = decodeTed(SEED_PROBE) as TedProbe;
  t.is(encodeTedReply(replyFor(probe, SEED_RESPONDER)).toString('hex'), SEED_REPLY.toString('hex'));
});

test('the seed probe decodes to the initiator IKE address, its proxy and the target host', (t) => {
  t.deepEqual(decodeTed(SEED_PROBE), {
    kind: 'probe',
    version: 3,
    initiatorCookie: ICKY,
    responderCookie: Buffer.alloc(8),
    ikeAddress: '11.11.11.1',
    ikePort: 500,
    targetHost: '12.12.12.13',
    vendorIds: [CISCO_UNITY],
    localProxy: { idType: 4, address: '13.13.13.0', mask: '255.255.255.0', protocol: 0, port: 0 },
  });
});

test('the seed reply decodes to the responder IKE address and the negotiated proxies', (t) => {
  const reply = decodeTed(SEED_REPLY);
  t.is(reply.kind, 'reply');
  t.is(reply.ikeAddress, '11.11.11.2');
  t.is(
    describeTed(reply),
    'TED reply V3 ICKY a1b2c3d4e5f60718 RCKY 0f1e2d3c4b5a6978 IKE 11.11.11.2:500 proxies 13.13.13.0/255.255.255.0, 12.12.12.0/255.255.255.0 target 12.12.12.13',
  );
});

test('the wire matches the seed debug lines: ID next-payload 5 then 239, ID length 8, total 12, no payload type 16', (t) => {
  const probe = decodePayloadChain(SEED_PROBE[16]!, SEED_PROBE, 28);
  const probeId = probe.offsets[1]!;
  t.is(SEED_PROBE[probeId], 5, 'probe: "ID payload next-payload : 5"');
  t.is(SEED_PROBE.readUInt16BE(probeId + 2), 12, '"Total payload length: 12"');
  t.is(SEED_PROBE.readUInt16BE(probeId + 2) - 4, 8, '"length : 8"');
  t.deepEqual(
    probe.payloads.map((p) => p.type),
    [13, 5, 5, 239],
  );
  const reply = decodePayloadChain(SEED_REPLY[16]!, SEED_REPLY, 28);
  t.is(SEED_REPLY[reply.offsets[1]!], 239, 'reply: "ID payload next-payload : 239"');
  t.deepEqual(
    reply.payloads.map((p) => p.type),
    [13, 5, 239, 5, 5],
  );
  t.false(reply.payloads.some((p) => p.type === TED_IOS_LOG_PAYLOAD_TYPE));
});

const PROBES: ReadonlyArray<readonly [string, TedProbe]> = [
  ['the seed probe', decodeTed(SEED_PROBE) as TedProbe],
  [
    'a probe with a remote proxy, a range, another port and no vendor ID',
    {
      kind: 'probe',
      version: 7,
      initiatorCookie: hex('ffffffffffffffff'),
      responderCookie: Buffer.alloc(8),
      ikeAddress: '192.0.2.1',
      ikePort: 4500,
      targetHost: '198.51.100.7',
      vendorIds: [],
      localProxy: { idType: 7, start: '10.0.0.1', end: '10.0.0.99', protocol: 6, port: 80 },
      remoteProxy: { idType: 1, address: '198.51.100.7', protocol: 0, port: 0 },
    },
  ],
];

for (const [name, probe] of PROBES) {
  test(`probe round trip: ${name}`, (t) => {
    const bytes = encodeTedProbe(probe);
    t.deepEqual(decodeTed(bytes), probe);
    t.true(encodeTedProbe(decodeTed(bytes) as TedProbe).equals(bytes));
  });
}

test('reply round trip: decode(encode(v)) = v and encode(decode(x)) = x', (t) => {
  const reply = decodeTed(SEED_REPLY) as TedReply;
  t.deepEqual(decodeTed(encodeTedReply(reply)), reply);
  t.true(encodeTedReply(reply).equals(SEED_REPLY));
});

test('a reply is matched to its probe by initiator cookie, target host and echoed proxy', (t) => {
  const probe = decodeTed(SEED_PROBE) as TedProbe;
  const reply = decodeTed(SEED_REPLY) as TedReply;
  t.true(matchTedReply(probe, reply));
  t.false(matchTedReply(probe, { ...reply, initiatorCookie: hex('0000000000000001') }));
  t.false(matchTedReply(probe, { ...reply, targetHost: '12.12.12.14' }));
  t.false(matchTedReply(probe, { ...reply, initiatorProxy: { idType: 4, address: '13.13.0.0', mask: '255.255.0.0', protocol: 0, port: 0 } }));
});

test('a responder answers with the smaller of both TED versions', (t) => {
  const probe = { ...(decodeTed(SEED_PROBE) as TedProbe), version: 9 };
  t.is(replyFor(probe, SEED_RESPONDER).version, 3);
});

test('a normal IKE message is classified as not TED', (t) => {
  t.false(isTedMessage(SEED_MM1));
  const err = t.throws(() => decodeTed(SEED_MM1), { instanceOf: NotTedError });
  t.false(err instanceof MalformedTedError);
  t.regex(err?.message ?? '', /exchange type 2/);
  t.true(isTedMessage(SEED_PROBE));
  t.true(isTedMessage(SEED_REPLY));
});

test('short buffers, IKEv2 and NAT-T keepalives are not TED', (t) => {
  const ikev2 = Buffer.from(SEED_PROBE);
  ikev2[17] = 0x20;
  for (const buf of [Buffer.alloc(0), hex('ff'), SEED_PROBE.subarray(0, 27), ikev2]) {
    t.false(isTedMessage(buf));
    t.throws(() => decodeTed(buf), { instanceOf: NotTedError });
  }
});

test('every truncation of a probe past the header is malformed TED (UNEQUAL-PAYLOAD-LENGTHS)', (t) => {
  for (let n = 28; n < SEED_PROBE.length; n++) {
    const err = t.throws(() => decodeTed(SEED_PROBE.subarray(0, n)), { instanceOf: MalformedTedError }, `${n} bytes`);
    t.is(err?.notify, NotifyType.UNEQUAL_PAYLOAD_LENGTHS);
    t.true(err?.cause instanceof IsakmpError);
  }
});

const VID: Payload = { type: 13, data: CISCO_UNITY };
const ENDPOINT: Payload = { type: 5, idType: 1, protocol: 17, port: 500, data: hex('0b0b0b01') };
const PROXY: Payload = { type: 5, idType: 4, protocol: 0, port: 0, data: hex('0d0d0d00ffffff00') };
const TED_PROBE: Payload = { type: 239, raw: hex('030100000c0c0c0d') };
const TED_REPLY: Payload = { type: 239, raw: hex('030200000c0c0c0d') };
const tedMessage = (payloads: Payload[], header: { responderCookie?: Buffer; flags?: number; messageId?: number; initiatorCookie?: Buffer } = {}): Buffer =>
  encodeMessage({ initiatorCookie: ICKY, responderCookie: Buffer.alloc(8), exchangeType: 240, ...header }, payloads);

const MALFORMED: ReadonlyArray<readonly [string, Buffer, number]> = [
  ['no TED payload', tedMessage([VID, ENDPOINT, PROXY]), NotifyType.PAYLOAD_MALFORMED],
  ['two TED payloads', tedMessage([VID, ENDPOINT, PROXY, TED_PROBE, TED_PROBE]), NotifyType.PAYLOAD_MALFORMED],
  ['a 7-byte TED payload', tedMessage([VID, ENDPOINT, PROXY, { type: 239, raw: hex('03010000 0c0c0c') }]), NotifyType.PAYLOAD_MALFORMED],
  ['TED kind 3', tedMessage([VID, ENDPOINT, PROXY, { type: 239, raw: hex('030300000c0c0c0d') }]), NotifyType.PAYLOAD_MALFORMED],
  ['TED version 0', tedMessage([VID, ENDPOINT, PROXY, { type: 239, raw: hex('000100000c0c0c0d') }]), NotifyType.PAYLOAD_MALFORMED],
  ['a Nonce inside', tedMessage([VID, ENDPOINT, PROXY, { type: 10, data: hex('0102') }, TED_PROBE]), NotifyType.INVALID_PAYLOAD_TYPE],
  ['no ID at all', tedMessage([VID, TED_PROBE]), NotifyType.INVALID_ID_INFORMATION],
  ['an endpoint that is a subnet', tedMessage([VID, PROXY, PROXY, TED_PROBE]), NotifyType.INVALID_ID_INFORMATION],
  ['an endpoint over TCP', tedMessage([VID, { ...ENDPOINT, protocol: 6 } as Payload, PROXY, TED_PROBE]), NotifyType.INVALID_ID_INFORMATION],
  ['a probe with one ID', tedMessage([VID, ENDPOINT, TED_PROBE]), NotifyType.INVALID_ID_INFORMATION],
  ['a probe with four IDs', tedMessage([VID, ENDPOINT, PROXY, PROXY, PROXY, TED_PROBE]), NotifyType.INVALID_ID_INFORMATION],
  [
    'a probe whose proxy is an FQDN',
    tedMessage([VID, ENDPOINT, { type: 5, idType: 2, protocol: 0, port: 0, data: Buffer.from('fred') }, TED_PROBE]),
    NotifyType.INVALID_ID_INFORMATION,
  ],
  ['a reply with two IDs', tedMessage([VID, ENDPOINT, TED_REPLY, PROXY], { responderCookie: RCKY }), NotifyType.INVALID_ID_INFORMATION],
  ['a probe with a responder cookie', tedMessage([VID, ENDPOINT, PROXY, TED_PROBE], { responderCookie: RCKY }), NotifyType.INVALID_COOKIE],
  ['a zero initiator cookie', tedMessage([VID, ENDPOINT, PROXY, TED_PROBE], { initiatorCookie: Buffer.alloc(8) }), NotifyType.INVALID_COOKIE],
  ['a message ID', tedMessage([VID, ENDPOINT, PROXY, TED_PROBE], { messageId: 1 }), NotifyType.INVALID_MESSAGE_ID],
  ['the encryption flag', tedMessage([VID, ENDPOINT, PROXY, TED_PROBE], { flags: 1 }), NotifyType.INVALID_FLAGS],
  ['a broken ID payload', Buffer.concat([SEED_PROBE.subarray(0, 50), hex('0003'), SEED_PROBE.subarray(52)]), NotifyType.PAYLOAD_MALFORMED],
];

for (const [name, bytes, notify] of MALFORMED) {
  test(`malformed TED (${name}) is rejected with MalformedTedError ${stringifyNotifyType(notify)}`, (t) => {
    t.true(isTedMessage(bytes));
    const err = t.throws(() => decodeTed(bytes), { instanceOf: MalformedTedError });
    t.is(err?.notify, notify, err?.message);
    t.regex(err?.message ?? '', /^TED: /);
  });
}

test('encoding refuses a zero or short initiator cookie and a bad address', (t) => {
  const zero = t.throws(() => encodeTedProbe({ ...SEED_PROBE_INIT, initiatorCookie: Buffer.alloc(8) }), { instanceOf: IsakmpError });
  t.is(zero?.notify, NotifyType.INVALID_COOKIE);
  t.throws(() => encodeTedProbe({ ...SEED_PROBE_INIT, initiatorCookie: hex('01') }), { instanceOf: IsakmpError });
  const bad: TedReplyInit = { ...replyFor(decodeTed(SEED_PROBE) as TedProbe, SEED_RESPONDER), ikeAddress: '11.11.11' };
  t.is(t.throws(() => encodeTedReply(bad), { instanceOf: IsakmpError })?.notify, NotifyType.INVALID_ID_INFORMATION);
  t.throws(() => encodeTedProbe({ ...SEED_PROBE_INIT, version: 0 }), { instanceOf: IsakmpError });
});

test('every single-byte change of a probe or reply is decoded, not TED, or malformed TED: never an untyped error', (t) => {
  const failures: string[] = [];
  let notTed = 0;
  let malformed = 0;
  for (const source of [SEED_PROBE, SEED_REPLY]) {
    for (let at = 0; at < source.length; at++) {
      for (const value of [0x00, 0x01, 0x05, 0x0d, 0x10, 0x7f, 0xef, 0xf0, 0xff]) {
        const b = Buffer.from(source);
        b[at] = value;
        try {
          decodeTed(b);
          if (!isTedMessage(b)) failures.push(`byte ${at} = ${value}: decoded though isTedMessage is false`);
        } catch (err) {
          if (err instanceof NotTedError && !isTedMessage(b)) notTed++;
          else if (err instanceof MalformedTedError && isTedMessage(b)) malformed++;
          else failures.push(`byte ${at} = ${value}: ${(err as Error)?.name} ${(err as Error)?.message}`);
        }
      }
    }
  }
  t.deepEqual(failures, []);
  t.true(notTed > 0 && malformed > 0);
});
