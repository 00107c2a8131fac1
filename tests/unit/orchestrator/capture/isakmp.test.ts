/**
 * Wireshark agrees with our ISAKMP: a TED probe and reply, then Main Mode
 * (6 messages) and Quick Mode (3 messages) between 11.11.11.1 and
 * 11.11.11.2, built with the project's codec and crypto, and one ESP echo in
 * each direction with the keys Quick Mode produced. tshark 4.0 must find
 * nothing to complain about, decrypt Main Mode 5-6 and Quick Mode 1-3 with
 * the ikev1_decryption_table, and read the ESP packets with the esp_sa table
 * built from KEYMAT.
 */
import test, { type ExecutionContext } from 'ava';
import { Buffer } from 'node:buffer';
import { findPayload, PayloadType, type Payload } from '../../../../src/codecs/isakmp/index.js';
import { encodeTedProbe, encodeTedReply } from '../../../../src/codecs/ted/index.js';
import { EspOutboundSa } from '../../../../src/agent/esp/index.js';
import { encodeIcmpEcho, encodeIpv4, IPPROTO_ICMP, ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST, parseIpv4 } from '../../../../src/codecs/net/index.js';
import {
  analyzePcap,
  fieldValues,
  packetByNumber,
  tsharkVersion,
  type TsharkAnalysis,
  type TsharkPacket,
} from '../../../../src/orchestrator/capture/tshark.js';
import type { WiresharkKeys } from '../../../../src/orchestrator/capture/wireshark.js';
import { AES_SUITE, SEED_SUITE, playMainAndQuickMode, type IkeSuite, type PlayedExchange } from './ike-exchange.js';
import { espPacket, frameOf, pickFields, summarize, tempDir, udpPacket, writePcap } from './helpers.js';

const FIELDS = [
  'ip.src',
  'ip.dst',
  'udp.srcport',
  'udp.dstport',
  'isakmp.ispi',
  'isakmp.rspi',
  'isakmp.exchangetype',
  'isakmp.flags',
  'isakmp.messageid',
  'isakmp.typepayload',
  'isakmp.vid_string',
  'isakmp.datapayload',
  'isakmp.id.type',
  'isakmp.id.protoid',
  'isakmp.id.port',
  'isakmp.id.data.ipv4_addr',
  'isakmp.id.data.ipv4_subnet',
  'isakmp.hash',
  'isakmp.nonce',
  'isakmp.spi',
  'isakmp.prop.protoid',
  'isakmp.trans.id',
  'esp.spi',
  'esp.icv_good',
  'esp.contained_data',
  'icmp.type',
];

const TED_COOKIE = Buffer.from('a1b2c3d4e5f60718', 'hex');
const SUBNET_13 = { idType: 4, address: '13.13.13.0', mask: '255.255.255.0' } as const;
const SUBNET_12 = { idType: 4, address: '12.12.12.0', mask: '255.255.255.0' } as const;

/** The ICMP echo (request from D1, or reply from A1) that travels through the tunnel. */
function innerEcho(type: typeof ICMP_ECHO_REQUEST | typeof ICMP_ECHO_REPLY): Buffer {
  const [src, dst] = type === ICMP_ECHO_REQUEST ? ['13.13.13.4', '12.12.12.13'] : ['12.12.12.13', '13.13.13.4'];
  const icmp = encodeIcmpEcho({ type, identifier: 0x0b0b, sequence: 1, data: Buffer.from('testbed ping through the TED tunnel') });
  return encodeIpv4({ protocol: IPPROTO_ICMP, source: parseIpv4(src), destination: parseIpv4(dst), identification: 7 }, icmp);
}

interface Capture {
  readonly exchange: PlayedExchange;
  readonly frames: Buffer[];
  readonly keys: WiresharkKeys;
  readonly request: Buffer;
  readonly reply: Buffer;
}

/** Frames: 1 TED probe, 2 TED reply, 3-8 MM1-MM6, 9-11 QM1-QM3, 12 ESP echo request, 13 ESP echo reply. */
function capture(suite: IkeSuite): Capture {
  const x = playMainAndQuickMode({ suite });
  const probe = encodeTedProbe({ initiatorCookie: TED_COOKIE, ikeAddress: x.initiatorAddress, localProxy: SUBNET_13, targetHost: '12.12.12.13' });
  const reply = encodeTedReply({
    initiatorCookie: TED_COOKIE,
    responderCookie: Buffer.from('0f1e2d3c4b5a6978', 'hex'),
    ikeAddress: x.responderAddress,
    targetHost: '12.12.12.13',
    initiatorProxy: SUBNET_13,
    responderProxy: SUBNET_12,
  });
  const frames = [frameOf(udpPacket('13.13.13.4', '12.12.12.13', probe)), frameOf(udpPacket(x.responderAddress, x.initiatorAddress, reply))];
  for (const m of x.messages) {
    const [src, dst] = m.from === 'initiator' ? [x.initiatorAddress, x.responderAddress] : [x.responderAddress, x.initiatorAddress];
    frames.push(frameOf(udpPacket(src, dst, m.wire)));
  }
  const request = innerEcho(ICMP_ECHO_REQUEST);
  const echoReply = innerEcho(ICMP_ECHO_REPLY);
  for (const [sa, inner] of [
    [x.initiatorToResponder, request],
    [x.responderToInitiator, echoReply],
  ] as const) {
    const e = new EspOutboundSa(sa).encapsulate(inner, (n) => Buffer.alloc(n, 0xa5));
    if (!e.ok) throw new Error(`ESP encapsulation failed: ${e.reason}`);
    frames.push(frameOf(espPacket(sa.source, sa.destination, e.packet)));
  }
  return {
    exchange: x,
    frames,
    request,
    reply: echoReply,
    keys: {
      ikev1: [{ initiatorCookie: x.initiatorCookie, encryptionKey: x.keys.encryptionKey }],
      esp: [x.initiatorToResponder, x.responderToInitiator],
    },
  };
}

function payloadOf<T extends number>(x: PlayedExchange, name: string, type: T) {
  const m = x.messages.find((msg) => msg.name === name);
  if (!m) throw new Error(`no message ${name}`);
  const p = findPayload(m.payloads as Payload[], type);
  if (!p) throw new Error(`${name} has no payload of type ${type}`);
  return p;
}

const hex = (b: Buffer): string => b.toString('hex');

/** Every named field must have exactly these occurrences (absent = []). */
function expectFields(t: ExecutionContext, packet: TsharkPacket, expected: Record<string, readonly string[]>, message?: string): void {
  t.deepEqual(pickFields(packet, expected), expected, message ?? summarize([packet]));
}
const spiHex = (spi: number): string => spi.toString(16).padStart(8, '0');

test('tshark 4 or later is installed (CI installs it: these tests fail, never skip, without it)', async (t) => {
  const version = await tsharkVersion();
  t.regex(version, /^TShark \(Wireshark\) (4|[5-9])\.\d+/);
});

for (const suite of [SEED_SUITE, AES_SUITE]) {
  let analysis: Promise<{ cap: Capture; withKeys: TsharkAnalysis; withoutKeys: TsharkAnalysis }> | undefined;
  const analyse = () =>
    (analysis ??= (async () => {
      const cap = capture(suite);
      await using dir = await tempDir();
      const pcap = await writePcap(dir, 'ted-ike-esp.pcap', cap.frames);
      const [withKeys, withoutKeys] = await Promise.all([analyzePcap(pcap, FIELDS, { keys: cap.keys }), analyzePcap(pcap, FIELDS)]);
      return { cap, withKeys, withoutKeys };
    })());

  test(`${suite.name}: tshark reports no expert info and no malformed packet for TED, Main Mode, Quick Mode and ESP`, async (t) => {
    const { withKeys, withoutKeys } = await analyse();
    t.is(withKeys.packets.length, 13);
    // tshark 4.0 has nothing to say about any of these frames: not even a note
    // for the private exchange type 240 or the private payload type 239.
    t.deepEqual(withKeys.expert, [], summarize(withKeys.packets));
    t.deepEqual(withKeys.malformed, []);
    t.deepEqual(withoutKeys.expert, []);
    t.deepEqual(withoutKeys.malformed, []);
  });

  test(`${suite.name}: the TED probe and reply dissect as ISAKMP exchange 240 with their ID and private (239) payloads`, async (t) => {
    const { withKeys } = await analyse();
    const probe = packetByNumber(withKeys, 1);
    expectFields(t, probe, {
      'ip.src': ['13.13.13.4'],
      'ip.dst': ['12.12.12.13'],
      'udp.srcport': ['500'],
      'udp.dstport': ['500'],
      'isakmp.ispi': [hex(TED_COOKIE)],
      'isakmp.rspi': ['0000000000000000'],
      'isakmp.exchangetype': ['240'],
      'isakmp.typepayload': ['13', '5', '5', '239'],
      'isakmp.vid_string': ['CISCO-UNITY'],
      'isakmp.id.type': ['1', '4'],
      'isakmp.id.protoid': ['17', '0'],
      'isakmp.id.port': ['500', '0'],
      // Wireshark shows a subnet's address as ipv4_addr and its mask as ipv4_subnet.
      'isakmp.id.data.ipv4_addr': ['11.11.11.1', '13.13.13.0'],
      'isakmp.id.data.ipv4_subnet': ['255.255.255.0'],
      'isakmp.datapayload': ['030100000c0c0c0d'],
    });
    const reply = packetByNumber(withKeys, 2);
    expectFields(t, reply, {
      'ip.src': ['11.11.11.2'],
      'ip.dst': ['11.11.11.1'],
      'isakmp.ispi': [hex(TED_COOKIE)],
      'isakmp.rspi': ['0f1e2d3c4b5a6978'],
      'isakmp.exchangetype': ['240'],
      'isakmp.typepayload': ['13', '5', '239', '5', '5'],
      'isakmp.id.data.ipv4_addr': ['11.11.11.2', '13.13.13.0', '12.12.12.0'],
      'isakmp.id.data.ipv4_subnet': ['255.255.255.0', '255.255.255.0'],
      'isakmp.datapayload': ['030200000c0c0c0d'],
    });
  });

  test(`${suite.name}: Main Mode 1-4 dissect in clear with our SA, KE and nonces`, async (t) => {
    const { cap, withKeys } = await analyse();
    const x = cap.exchange;
    for (const [frame, name, payloads] of [
      [3, 'MM1', ['1', '2', '3']],
      [4, 'MM2', ['1', '2', '3']],
      [5, 'MM3', ['4', '10']],
      [6, 'MM4', ['4', '10']],
    ] as const) {
      const p = packetByNumber(withKeys, frame);
      expectFields(
        t,
        p,
        { 'isakmp.exchangetype': ['2'], 'isakmp.flags': ['0x00'], 'isakmp.typepayload': [...payloads], 'isakmp.ispi': [hex(x.initiatorCookie)] },
        name,
      );
    }
    t.deepEqual(fieldValues(packetByNumber(withKeys, 5), 'isakmp.nonce'), [hex(payloadOf(x, 'MM3', PayloadType.NONCE).data)]);
    t.deepEqual(fieldValues(packetByNumber(withKeys, 6), 'isakmp.nonce'), [hex(payloadOf(x, 'MM4', PayloadType.NONCE).data)]);
  });

  test(`${suite.name}: with the ikev1_decryption_table tshark decrypts Main Mode 5 and 6 (ID 11.11.11.x and HASH)`, async (t) => {
    const { cap, withKeys, withoutKeys } = await analyse();
    const x = cap.exchange;
    for (const [frame, name, address] of [
      [7, 'MM5', '11.11.11.1'],
      [8, 'MM6', '11.11.11.2'],
    ] as const) {
      const p = packetByNumber(withKeys, frame);
      expectFields(
        t,
        p,
        {
          'isakmp.exchangetype': ['2'],
          'isakmp.flags': ['0x01'],
          'isakmp.typepayload': ['5', '8'],
          'isakmp.id.type': ['1'],
          'isakmp.id.protoid': ['17'],
          'isakmp.id.port': ['500'],
          'isakmp.id.data.ipv4_addr': [address],
          'isakmp.hash': [hex(payloadOf(x, name, PayloadType.HASH).data)],
        },
        `${name}: ${summarize([p])}`,
      );
      // Control: without the key the same frame shows no payload at all.
      t.deepEqual(fieldValues(packetByNumber(withoutKeys, frame), 'isakmp.typepayload'), [], name);
    }
  });

  test(`${suite.name}: with the ikev1_decryption_table tshark decrypts Quick Mode 1-3 (HASH, SA, Nonce, IDs 13.13.13.0/24 and 12.12.12.0/24)`, async (t) => {
    const { cap, withKeys, withoutKeys } = await analyse();
    const x = cap.exchange;
    const common = {
      'isakmp.exchangetype': ['32'],
      'isakmp.flags': ['0x01'],
      'isakmp.messageid': [`0x${spiHex(x.quickModeMessageId)}`],
    };
    const proposal = {
      'isakmp.typepayload': ['8', '1', '2', '3', '10', '5', '5'],
      'isakmp.prop.protoid': ['3'],
      'isakmp.id.type': ['4', '4'],
      'isakmp.id.protoid': ['0', '0'],
      'isakmp.id.port': ['0', '0'],
      'isakmp.id.data.ipv4_addr': ['13.13.13.0', '12.12.12.0'],
      'isakmp.id.data.ipv4_subnet': ['255.255.255.0', '255.255.255.0'],
    };
    const qm1 = packetByNumber(withKeys, 9);
    expectFields(
      t,
      qm1,
      {
        ...common,
        ...proposal,
        'isakmp.hash': [hex(payloadOf(x, 'QM1', PayloadType.HASH).data)],
        'isakmp.spi': [spiHex(x.responderToInitiator.spi)],
        'isakmp.nonce': [hex(payloadOf(x, 'QM1', PayloadType.NONCE).data)],
      },
      summarize([qm1]),
    );
    const qm2 = packetByNumber(withKeys, 10);
    expectFields(
      t,
      qm2,
      {
        ...common,
        ...proposal,
        'isakmp.hash': [hex(payloadOf(x, 'QM2', PayloadType.HASH).data)],
        'isakmp.spi': [spiHex(x.initiatorToResponder.spi)],
        'isakmp.nonce': [hex(payloadOf(x, 'QM2', PayloadType.NONCE).data)],
      },
      summarize([qm2]),
    );
    const qm3 = packetByNumber(withKeys, 11);
    expectFields(t, qm3, { ...common, 'isakmp.typepayload': ['8'], 'isakmp.hash': [hex(payloadOf(x, 'QM3', PayloadType.HASH).data)] }, summarize([qm3]));
    for (const frame of [9, 10, 11]) t.deepEqual(fieldValues(packetByNumber(withoutKeys, frame), 'isakmp.typepayload'), [], `frame ${frame} without keys`);
  });

  test(`${suite.name}: the esp_sa table built from Quick Mode's KEYMAT decrypts the tunnelled echo in both directions`, async (t) => {
    const { cap, withKeys, withoutKeys } = await analyse();
    const x = cap.exchange;
    expectFields(t, packetByNumber(withKeys, 12), {
      'ip.src': ['11.11.11.1', '13.13.13.4'],
      'esp.spi': [`0x${spiHex(x.initiatorToResponder.spi)}`],
      'esp.icv_good': ['1'],
      'esp.contained_data': [hex(cap.request)],
      'icmp.type': ['8'],
    });
    expectFields(t, packetByNumber(withKeys, 13), {
      'ip.src': ['11.11.11.2', '12.12.12.13'],
      'esp.spi': [`0x${spiHex(x.responderToInitiator.spi)}`],
      'esp.icv_good': ['1'],
      'esp.contained_data': [hex(cap.reply)],
      'icmp.type': ['0'],
    });
    t.deepEqual(fieldValues(packetByNumber(withoutKeys, 12), 'esp.contained_data'), []);
  });
}

test('negative control: a wrong phase-1 key in the ikev1_decryption_table shows neither the identities nor the hashes', async (t) => {
  const cap = capture(SEED_SUITE);
  const wrong = Buffer.from(cap.exchange.keys.encryptionKey);
  wrong[0] ^= 0xf0; // not only the DES parity bit
  await using dir = await tempDir();
  const pcap = await writePcap(dir, 'wrong-ike-key.pcap', cap.frames);
  const a = await analyzePcap(pcap, FIELDS, { keys: { ikev1: [{ initiatorCookie: cap.exchange.initiatorCookie, encryptionKey: wrong }] } });
  for (const frame of [7, 8, 9, 10, 11]) {
    const p = packetByNumber(a, frame);
    t.false(
      fieldValues(p, 'isakmp.id.data.ipv4_addr').some((v) => v.startsWith('11.11.11.') || v === '13.13.13.0'),
      `frame ${frame}: ${summarize([p])}`,
    );
    t.deepEqual(
      fieldValues(p, 'isakmp.hash').filter((h) => cap.exchange.messages.some((m) => m.payloads.some((q) => q.type === PayloadType.HASH && hex(q.data) === h))),
      [],
    );
  }
});
