/**
 * The seed lab checked by parts other than the agent. tshark decrypts the live IKE
 * (ikev1_decryption_table: Wireshark derives every IV itself from the KE payloads and
 * message IDs) and the ESP of the WAN with the keys the routers export, and the test
 * compares what Wireshark's dissectors read with values it computes on its own: the Quick
 * Mode IDs from the crypto ACLs in the configs' text, esp.icv_good on every ESP packet,
 * and the TED probe and reply field by field from docs/ted.md's layout (and byte for byte
 * against its examples, which are this very lab). A Quick Mode ID bug on both routers, or
 * keys both sides derive wrongly alike, would not pass here.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { analyzePcap, Lab } from '../../src/orchestrator/index.js';
import type { TsharkPacket } from '../../src/orchestrator/capture/tshark.js';
import { labName, leftovers, root, seedTopology } from './helpers.js';
import { cryptoAcl, cryptoMapAddress, ipHex, markdownHexDump } from './independent.js';
import { firstPings, repliedSeqs } from './tunnel.js';

const config = (name: string) => readFileSync(`${root}topologies/daphne-fred/${name}.cfg`, 'utf8');
const TED_DOC = `${root}docs/ted.md`;

// docs/ted.md: exchange type 240, TED payload type 239 (version 3, kind 1 probe / 2 reply),
// Cisco Unity vendor ID first, the sender's IKE endpoint as an IPV4_ADDR ID over UDP 500
const TED_EXCHANGE = '240';
const TED_PAYLOAD = '239';
const TED_VERSION = '03';
const CISCO_UNITY = '12f5f28c457168a9702d9fe274cc0100';
const ID_IPV4_ADDR = '1';
const ID_IPV4_ADDR_SUBNET = '4';

const FIELDS = [
  'ip.src',
  'ip.dst',
  'udp.srcport',
  'udp.dstport',
  'udp.payload',
  'isakmp.ispi',
  'isakmp.rspi',
  'isakmp.exchangetype',
  'isakmp.flags',
  'isakmp.messageid',
  'isakmp.length',
  'isakmp.typepayload',
  'isakmp.nextpayload',
  'isakmp.vid_bytes',
  'isakmp.datapayload',
  'isakmp.id.type',
  'isakmp.id.protoid',
  'isakmp.id.port',
  'isakmp.id.data.ipv4_addr',
  'isakmp.id.data.ipv4_subnet',
  'esp.spi',
  'esp.icv_good',
  'esp.icv_bad',
  'icmp.type',
];

const f = (p: TsharkPacket, name: string): readonly string[] => p.fields[name] ?? [];
const one = (p: TsharkPacket, name: string): string | undefined => f(p, name)[0];
/** The fields of `p` that `expected` names, all of their occurrences, to compare whole. */
const pick = (p: TsharkPacket, expected: Record<string, string[]>) => Object.fromEntries(Object.keys(expected).map((k) => [k, [...f(p, k)]]));

test('seed, read by Wireshark: decrypted Quick Mode IDs are the crypto ACLs, every ESP ICV is good, the TED probe and reply are docs/ted.md', async (t) => {
  const name = labName('seed-wire');
  {
    await using lab = await Lab.up(seedTopology, { name, capture: true });
    await firstPings(t, lab, 'd1', '12.12.12.13', ['daphne', 'fred']);
    t.deepEqual(repliedSeqs(await lab.sh('a1', 'ping -c 3 -W 2 13.13.13.4')), [1, 2, 3], 'and pings the other way');

    const keys = await lab.keys();
    t.true((keys.ikev1 ?? []).length >= 1 && (keys.esp ?? []).length >= 2, 'the routers exported IKE and ESP keys');
    const analysis = await analyzePcap(lab.pcapPath('wan'), FIELDS, { keys });
    const packets = analysis.packets;
    t.deepEqual(analysis.malformed, [], 'no malformed packets');

    // what the configs say, read from their text
    const daphneText = config('daphne');
    const fredText = config('fred');
    const [daphneAcl, ...moreD] = cryptoAcl(daphneText);
    const [fredAcl, ...moreF] = cryptoAcl(fredText);
    t.is(moreD.length + moreF.length, 0, 'one permit line each');
    const daphneIke = cryptoMapAddress(daphneText);
    const fredIke = cryptoMapAddress(fredText);

    // IKE: Wireshark decrypted every encrypted message (a wrong key or IV leaves only "Encrypted Data")
    const ike = packets.filter((p) => f(p, 'isakmp.exchangetype').length > 0);
    const encrypted = ike.filter((p) => one(p, 'isakmp.flags') === '0x01');
    t.is(encrypted.filter((p) => one(p, 'isakmp.exchangetype') === '2').length, 2, 'Main Mode messages 5 and 6');
    t.deepEqual(
      encrypted.filter((p) => one(p, 'isakmp.exchangetype') === '2').map((p) => f(p, 'isakmp.id.data.ipv4_addr')),
      [[daphneIke], [fredIke]],
      "Main Mode IDs: each router's crypto-map address",
    );
    for (const p of encrypted) t.true(f(p, 'isakmp.typepayload').length > 0, `frame ${p.number} decrypted to payloads`);

    // Quick Mode: IDci and IDcr of messages 1 and 2 are the ACL's source and destination
    const qm = encrypted.filter((p) => one(p, 'isakmp.exchangetype') === '32');
    t.is(qm.length, 3, 'three Quick Mode messages');
    const ids = (p: TsharkPacket) => ({
      type: f(p, 'isakmp.id.type'),
      protocol: f(p, 'isakmp.id.protoid'),
      port: f(p, 'isakmp.id.port'),
      address: f(p, 'isakmp.id.data.ipv4_addr'),
      mask: f(p, 'isakmp.id.data.ipv4_subnet'),
    });
    const expected = {
      type: [ID_IPV4_ADDR_SUBNET, ID_IPV4_ADDR_SUBNET],
      protocol: [String(daphneAcl!.protocol), String(daphneAcl!.protocol)],
      port: ['0', '0'],
      address: [daphneAcl!.source.address, daphneAcl!.destination.address],
      mask: [daphneAcl!.source.mask, daphneAcl!.destination.mask],
    };
    t.is(one(qm[0]!, 'ip.src'), daphneIke, 'Daphne (whose host sent first) starts Quick Mode');
    t.deepEqual(ids(qm[0]!), expected, "Quick Mode message 1: IDci and IDcr are Daphne's access-list 101");
    t.deepEqual(ids(qm[1]!), expected, 'message 2 echoes them');
    t.deepEqual([fredAcl!.destination, fredAcl!.source], [daphneAcl!.source, daphneAcl!.destination], "and they are fred's ACL, mirrored");
    t.deepEqual(f(qm[2]!, 'isakmp.typepayload'), ['8'], 'message 3 is HASH(3) alone');

    // ESP: every packet authenticates under the exported keys and holds a ping between the LANs
    const esp = packets.filter((p) => f(p, 'esp.spi').length > 0);
    t.true(esp.length >= 12, `ESP crossed the WAN (${esp.length} packets)`);
    t.deepEqual(
      esp.filter((p) => one(p, 'esp.icv_good') !== '1' || one(p, 'esp.icv_bad') !== '0').map((p) => p.number),
      [],
      'esp.icv_good on every ESP packet',
    );
    t.deepEqual(
      esp.filter((p) => f(p, 'icmp.type').length === 0).map((p) => p.number),
      [],
      'every ESP packet decrypts to an ICMP packet',
    );

    // TED probe, from docs/ted.md: VID, ID (Daphne's IKE address), ID (local proxy), TED (version 3, kind 1, target)
    const ted = ike.filter((p) => one(p, 'isakmp.exchangetype') === TED_EXCHANGE);
    t.is(ted.length, 2, 'one probe, one reply');
    const [probe, reply] = ted as [TsharkPacket, TsharkPacket];
    const probeExpected = {
      'ip.src': ['13.13.13.4'],
      'ip.dst': ['12.12.12.13'],
      'udp.srcport': ['500'],
      'udp.dstport': ['500'],
      'isakmp.rspi': ['0000000000000000'],
      'isakmp.flags': ['0x00'],
      'isakmp.messageid': ['0x00000000'],
      'isakmp.length': ['88'],
      'isakmp.typepayload': ['13', '5', '5', TED_PAYLOAD],
      'isakmp.vid_bytes': [CISCO_UNITY],
      'isakmp.id.type': [ID_IPV4_ADDR, ID_IPV4_ADDR_SUBNET],
      'isakmp.id.protoid': ['17', '0'],
      'isakmp.id.port': ['500', '0'],
      'isakmp.id.data.ipv4_addr': [daphneIke, daphneAcl!.source.address],
      'isakmp.id.data.ipv4_subnet': [daphneAcl!.source.mask],
      'isakmp.datapayload': [`${TED_VERSION}010000${ipHex('12.12.12.13')}`],
    };
    t.deepEqual(pick(probe, probeExpected), probeExpected);
    t.not(one(probe, 'isakmp.ispi'), '0000000000000000', 'the probe has an initiator cookie');

    // TED reply: VID, ID (fred's IKE address), TED (kind 2, target echoed), ID (probe's proxy), ID (fred's proxy)
    const replyExpected = {
      'ip.src': [fredIke],
      'ip.dst': [daphneIke],
      'udp.srcport': ['500'],
      'udp.dstport': ['500'],
      'isakmp.ispi': [one(probe, 'isakmp.ispi')!],
      'isakmp.flags': ['0x00'],
      'isakmp.messageid': ['0x00000000'],
      'isakmp.length': ['104'],
      'isakmp.typepayload': ['13', '5', TED_PAYLOAD, '5', '5'],
      'isakmp.vid_bytes': [CISCO_UNITY],
      'isakmp.id.type': [ID_IPV4_ADDR, ID_IPV4_ADDR_SUBNET, ID_IPV4_ADDR_SUBNET],
      'isakmp.id.protoid': ['17', '0', '0'],
      'isakmp.id.port': ['500', '0', '0'],
      'isakmp.id.data.ipv4_addr': [fredIke, daphneAcl!.source.address, fredAcl!.source.address],
      'isakmp.id.data.ipv4_subnet': [daphneAcl!.source.mask, fredAcl!.source.mask],
      'isakmp.datapayload': [`${TED_VERSION}020000${ipHex('12.12.12.13')}`],
    };
    t.deepEqual(pick(reply, replyExpected), replyExpected);
    t.not(one(reply, 'isakmp.rspi'), '0000000000000000', 'the reply has a responder cookie');

    // and byte for byte docs/ted.md's examples (written for this lab), but for the cookies
    const probeBytes = Buffer.from(one(probe, 'udp.payload')!.replace(/:/g, ''), 'hex');
    const replyBytes = Buffer.from(one(reply, 'udp.payload')!.replace(/:/g, ''), 'hex');
    t.is(probeBytes.subarray(8).toString('hex'), markdownHexDump(TED_DOC, 'Probe, byte by byte').subarray(8).toString('hex'));
    t.is(replyBytes.subarray(16).toString('hex'), markdownHexDump(TED_DOC, 'Reply, byte by byte').subarray(16).toString('hex'));
  }
  t.deepEqual(await leftovers(name), { containers: 0, networks: 0, rules: 0 });
});
