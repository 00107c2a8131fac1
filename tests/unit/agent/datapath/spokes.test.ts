/**
 * Three TED spokes with supernet crypto ACLs (the ted-spokes fixture) in
 * memory: the kernel's steering plan and the agent together, as issue 9
 * reported them broken. Traffic to a spoke's own router stays with the
 * kernel, every pair of sites finds its peer by TED and then talks ESP,
 * and the agent's exact check honours deny lines the kernel cannot express.
 */
import test from 'ava';
import { peekIpv4 } from '../../../../src/agent/datapath/packet.js';
import { encodeIcmpEcho, ICMP_ECHO_REQUEST } from '../../../../src/codecs/net/icmp.js';
import { encodeIpv4, IPPROTO_ESP, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP } from '../../../../src/codecs/net/ipv4.js';
import { formatIpv4, parseIpv4 } from '../../../../src/ios/index.js';
import { MiniLab, spokeConfig } from './mini-lab.js';

function echo(src: string, dst: string, seq: number): Buffer {
  const icmp = encodeIcmpEcho({ type: ICMP_ECHO_REQUEST, identifier: 9, sequence: seq, data: Buffer.alloc(32, seq) });
  return encodeIpv4({ protocol: IPPROTO_ICMP, source: parseIpv4(src), destination: parseIpv4(dst), ttl: 64 }, icmp);
}

function tcp(src: string, dst: string, dport: number): Buffer {
  const seg = Buffer.alloc(20);
  seg.writeUInt16BE(40000, 0);
  seg.writeUInt16BE(dport, 2);
  seg[12] = 0x50;
  return encodeIpv4({ protocol: IPPROTO_TCP, source: parseIpv4(src), destination: parseIpv4(dst), ttl: 64 }, seg);
}

const hosts = ['10.1.1.10', '10.2.2.10', '10.3.3.10'];
const deliveredTo = (lab: MiniLab, dst: string, src?: string) =>
  lab.delivered.filter((d) => formatIpv4(peekIpv4(d.packet)!.destination) === dst && (src === undefined || formatIpv4(peekIpv4(d.packet)!.source) === src));

test('a host reaches its own router without the agent, whatever the supernet ACL says', (t) => {
  const lab = new MiniLab();
  lab.send(1, echo('10.1.1.10', '10.1.1.1', 1));
  t.deepEqual(lab.spokes[0]!.verdicts, ['local']);
  t.deepEqual(
    deliveredTo(lab, '10.1.1.1').map((d) => d.at),
    ['spoke1'],
  );
  t.is(lab.spokes[0]!.acquires, 0);
  t.is(lab.wan.length, 0, 'nothing crossed the WAN');
});

test('every pair of sites: the first packet starts TED and is dropped, then ESP carries both directions', (t) => {
  const lab = new MiniLab();
  for (const [a, b] of [
    [1, 2],
    [1, 3],
    [2, 3],
  ] as const) {
    const from = hosts[a - 1]!;
    const to = hosts[b - 1]!;
    lab.send(a, echo(from, to, 1));
    t.is(deliveredTo(lab, to, from).length, 0, `${from} -> ${to}: the trigger is dropped`);
    const probe = lab.wan.find((p) => p[9] === IPPROTO_UDP && formatIpv4(p.readUInt32BE(12)) === from && formatIpv4(p.readUInt32BE(16)) === to);
    t.truthy(probe, `a TED probe from ${from} to ${to} crossed the transit router`);

    const before = lab.wan.length;
    lab.send(a, echo(from, to, 2));
    t.is(deliveredTo(lab, to, from).length, 1, `${from} -> ${to} arrives`);
    const crossed = lab.wan.slice(before);
    t.deepEqual(
      crossed.map((p) => p[9]),
      [IPPROTO_ESP],
      'as ESP only',
    );
    t.is(formatIpv4(crossed[0]!.readUInt32BE(12)), `192.168.${a}.2`);
    t.is(formatIpv4(crossed[0]!.readUInt32BE(16)), `192.168.${b}.2`);
    lab.send(b, echo(to, from, 3));
    t.is(deliveredTo(lab, from, to).length, 1, `${to} -> ${from} arrives (the responder's SA)`);
  }
  const range = (r: readonly [number, number]) => `${formatIpv4(r[0])}-${formatIpv4(r[1])}`;
  const idents = lab.spokes[0]!.dp.saPairs.map((p) => `${range(p.localRange)} ${range(p.remoteRange)}`).sort();
  t.deepEqual(
    idents,
    ['10.1.1.0-10.1.1.255 10.2.2.0-10.2.2.255', '10.1.1.0-10.1.1.255 10.3.3.0-10.3.3.255'],
    'spoke1: one SA pair per site, proxies narrowed to the site by TED',
  );
  for (const s of lab.spokes) t.is(s.dp.saPairs.length, 2, `${s.name} has an SA pair with each other spoke`);
});

test('a deny line the kernel cannot express (ports) is honoured by the agent: forwarded in clear, no negotiation', (t) => {
  const text = spokeConfig(1).replace(
    'access-list 110 permit',
    'access-list 110 deny   tcp 10.1.1.0 0.0.0.255 10.2.2.0 0.0.0.255 eq www\naccess-list 110 permit',
  );
  const lab = new MiniLab([text, spokeConfig(2), spokeConfig(3)]);
  lab.send(1, tcp('10.1.1.10', '10.2.2.10', 80));
  t.deepEqual(lab.spokes[0]!.verdicts, ['agent'], 'the kernel hands it to the agent (a superset)');
  t.is(lab.spokes[0]!.acquires, 0, 'the agent starts nothing');
  t.is(lab.spokes[0]!.dp.counters.forwarded, 1);
  t.deepEqual(
    lab.wan.map((p) => [p[9], p[8]]),
    [[IPPROTO_TCP, 63]],
    'it crossed in clear, one hop down',
  );
  lab.send(1, tcp('10.1.1.10', '10.2.2.10', 443));
  t.is(lab.spokes[0]!.acquires, 1, 'other ports are protected');
});

test('clear text from another site where ESP was expected is dropped; from a denied site it goes through', (t) => {
  const text = spokeConfig(1).replace(
    'access-list 110 permit',
    'access-list 110 deny   tcp 10.1.1.0 0.0.0.255 10.2.2.0 0.0.0.255 eq www\naccess-list 110 permit',
  );
  const lab = new MiniLab([text, spokeConfig(2), spokeConfig(3)]);
  const s1 = lab.spokes[0]!;
  // as if spoke2 had no crypto: h2's packets arrive at spoke1's WAN in clear
  const clear = echo('10.2.2.10', '10.1.1.10', 1);
  lab.arrive(1, 'FastEthernet0/0', clear);
  t.deepEqual(s1.verdicts, ['drop']);
  t.is(s1.dp.counters.clearTextDrops, 1);
  t.is(deliveredTo(lab, '10.1.1.10').length, 0);
  // web from 10.2.2.0/24 matches the mirror of the deny line: the kernel's rule is wider, the agent lets it through
  const web = Buffer.from(tcp('10.2.2.10', '10.1.1.10', 40000));
  web.writeUInt16BE(80, 20); // source port www, as the mirror of "eq www"
  web.writeUInt16BE(40000, 22);
  lab.arrive(1, 'FastEthernet0/0', web);
  t.deepEqual(s1.verdicts, ['drop', 'drop']);
  t.is(s1.dp.counters.clearTextDrops, 1, 'not counted as a drop');
  const arrived = deliveredTo(lab, '10.1.1.10');
  t.is(arrived.length, 1);
  t.is(arrived[0]!.packet[8], 63, 'one hop down, as if routed directly');
});

test('the agent never diverts a packet for the router itself, should one reach it', (t) => {
  const lab = new MiniLab();
  const s3 = lab.spokes[2]!;
  s3.dp.handle(echo('10.3.3.10', '10.3.3.1', 1));
  t.is(s3.acquires, 0);
  t.is(s3.dp.counters.forwarded, 1);
});
