/**
 * GRE tunnels through the datapath, in the gre-ipsec lab in memory
 * (gre-lab.ts): plain GRE between loopbacks, GRE over IPsec (only ESP on the
 * WAN, the proxies gre host to host), keys, checksums, keepalives, clear GRE
 * where ESP was expected, the 12.2 rule that the tunnel carries the crypto
 * map too, fragmentation after encryption, malformed GRE.
 */
import test from 'ava';
import { decodeGre, GRE_PROTOCOL_IPV4, IPPROTO_GRE } from '../../../../src/codecs/net/gre.js';
import { encodeIcmpEcho, ICMP_ECHO_REQUEST } from '../../../../src/codecs/net/icmp.js';
import { encodeIpv4, IPPROTO_ESP, IPPROTO_ICMP } from '../../../../src/codecs/net/ipv4.js';
import { formatIpv4, parseIpv4 } from '../../../../src/codecs/net/address.js';
import { peekIpv4 } from '../../../../src/agent/datapath/packet.js';
import { renderShowCryptoIpsecSa } from '../../../../src/agent/router/show-crypto.js';
import { GreLab, labConfig } from './gre-lab.js';

function echo(seq: number, size = 56, df = false, src = '10.1.1.10', dst = '10.2.2.10'): Buffer {
  const icmp = encodeIcmpEcho({ type: ICMP_ECHO_REQUEST, identifier: 9, sequence: seq, data: Buffer.alloc(size, seq) });
  return encodeIpv4({ protocol: IPPROTO_ICMP, source: parseIpv4(src), destination: parseIpv4(dst), ttl: 64, dontFragment: df }, icmp);
}

/** Both configs without their crypto map lines: plain GRE. */
const plain = (): [string, string] => [labConfig('hq'), labConfig('branch')].map((t) => t.replace(/^ crypto map gre-map\n/gm, '')) as [string, string];
const atBranchLan = (lab: GreLab) => lab.delivered.filter((d) => d.at === 'branch LAN').map((d) => d.packet);

test("plain GRE: the host's packet crosses the WAN as GRE from loopback to loopback and arrives two hops on", (t) => {
  const lab = new GreLab(plain());
  lab.send(0, echo(1));
  const [arrived] = atBranchLan(lab);
  t.truthy(arrived);
  t.is(arrived![8], 62, 'TTL 64 less two router hops: into the tunnel at hq, out of it at branch');
  t.deepEqual(arrived!.subarray(20), echo(1).subarray(20));
  const gre = lab.wan.filter((p) => p[9] === IPPROTO_GRE);
  t.is(gre.length, 1);
  const outer = peekIpv4(gre[0]!)!;
  t.deepEqual([formatIpv4(outer.source), formatIpv4(outer.destination), outer.dontFragment], ['10.0.0.1', '10.0.0.2', false]);
  const g = decodeGre(gre[0]!.subarray(20));
  t.deepEqual(g.header, { protocol: GRE_PROTOCOL_IPV4, checksum: false, key: null, sequence: null });
  t.is(formatIpv4(peekIpv4(g.payload)!.source), '10.1.1.10');
  const [hq, branch] = lab.routers as [NonNullable<(typeof lab.routers)[0]>, NonNullable<(typeof lab.routers)[1]>];
  t.like(hq.gre.countersOf('Tunnel0'), { outPackets: 1, outBytes: 84 });
  t.like(branch.gre.countersOf('Tunnel0'), { inPackets: 1, inBytes: 84 });
});

test('GRE over IPsec: the first GRE packet starts IKE from the loopback and is dropped; then only ESP crosses, proxies gre host to host', (t) => {
  const lab = new GreLab();
  const [hq, branch] = lab.routers as [NonNullable<(typeof lab.routers)[0]>, NonNullable<(typeof lab.routers)[1]>];
  lab.send(0, echo(1));
  t.deepEqual(atBranchLan(lab), [], 'the packet that started the negotiation is dropped');
  t.is(hq.dp.counters.noSaDrops, 1);
  const ike = lab.wan.filter((p) => p[9] === 17);
  t.true(ike.length >= 9, 'Main Mode and Quick Mode crossed');
  t.deepEqual(
    [...new Set(ike.map((p) => formatIpv4(peekIpv4(p)!.source)))].sort(),
    ['10.0.0.1', '10.0.0.2'],
    'IKE from the loopbacks (crypto map local-address)',
  );
  const spec = hq.dp.saPairs[0]!.spec;
  t.deepEqual(
    [spec.local.ip, spec.remote.ip, spec.proxies.local, spec.proxies.remote],
    ['10.0.0.1', '10.0.0.2', { idType: 1, address: '10.0.0.1', protocol: 47, port: 0 }, { idType: 1, address: '10.0.0.2', protocol: 47, port: 0 }],
  );
  lab.wan.length = 0;
  for (let seq = 2; seq <= 4; seq++) lab.send(0, echo(seq));
  t.is(atBranchLan(lab).length, 3);
  t.true(lab.wan.length > 0 && lab.wan.every((p) => p[9] === IPPROTO_ESP), 'nothing but ESP on the WAN');
  t.true(
    lab.wan.every((p) => formatIpv4(peekIpv4(p)!.source) === '10.0.0.1'),
    'ESP from the loopback',
  );
  t.is(hq.dp.saPairs[0]!.outbound.counters.encaps, 3);
  t.is(branch.dp.saPairs[0]!.inbound.counters.decaps, 3);
});

test("tunnel key: a GRE packet without the key (or with another) is no tunnel's; with the same key it is carried", (t) => {
  const [hq, branch] = plain();
  const keyed = new GreLab([hq, branch.replace(' tunnel source Loopback0', ' tunnel key 1000\n tunnel source Loopback0')]);
  keyed.send(0, echo(1));
  t.deepEqual(atBranchLan(keyed), []);
  t.is(keyed.routers[1]!.gre.counters.noTunnel, 1);
  const both = new GreLab([hq, branch].map((c) => c.replace(' tunnel source Loopback0', ' tunnel key 1000\n tunnel source Loopback0')) as [string, string]);
  both.send(0, echo(1));
  t.is(atBranchLan(both).length, 1);
  t.is(decodeGre(both.wan.find((p) => p[9] === IPPROTO_GRE)!.subarray(20)).header.key, 1000);
});

test('tunnel checksum: sent with the C bit; a packet whose checksum fails is an input error (CRC), not delivered', (t) => {
  const lab = new GreLab(plain().map((c) => c.replace(' tunnel source Loopback0', ' tunnel checksum\n tunnel source Loopback0')) as [string, string]);
  lab.send(0, echo(1));
  const gre = lab.wan.find((p) => p[9] === IPPROTO_GRE)!;
  t.true(decodeGre(gre.subarray(20)).checksumValid === true);
  const bad = Buffer.from(gre);
  bad[bad.length - 1] ^= 0xff;
  const branch = lab.routers[1]!;
  branch.dp.handle(bad);
  t.like(branch.gre.countersOf('Tunnel0'), { inPackets: 1, inErrors: 1, crc: 1 });
  t.is(atBranchLan(lab).length, 1);
});

test('keepalives: answered through the far end, which needs none of its own; unanswered three times, the line protocol goes down, and comes back', (t) => {
  const [hq, branch] = plain();
  const lab = new GreLab([hq, branch.replace(' keepalive 10 3\n', '')]);
  const r = lab.routers[0]!;
  lab.tick(0);
  t.like(r.gre.countersOf('Tunnel0'), { keepalivesSent: 1, keepalivesAnswered: 1 });
  const ka = lab.wan.filter((p) => p[9] === IPPROTO_GRE);
  const inner = decodeGre(ka[0]!.subarray(20)).payload;
  t.deepEqual(
    [formatIpv4(peekIpv4(inner)!.source), formatIpv4(peekIpv4(inner)!.destination), inner[9]],
    ['10.0.0.2', '10.0.0.1', IPPROTO_GRE],
    'the keepalive: GRE from the far end back to us inside',
  );
  t.is(decodeGre(inner.subarray(20)).header.protocol, 0, 'with protocol type 0');
  t.is(decodeGre(ka[1]!.subarray(20)).header.protocol, 0, 'branch routed it back as it was');

  lab.wanUp = false;
  for (let i = 0; i < 3; i++) lab.tick(10_000);
  t.deepEqual(r.keepalive, [], 'three unanswered: not yet');
  t.true(r.routes.some((x) => x.paths.some((p) => p.outInterface === 'Tunnel0')));
  lab.tick(10_000);
  t.deepEqual(r.keepalive, [['Tunnel0', true]], 'the fourth is due with three unanswered: down, 30 s after the last answer');
  t.false(
    r.routes.some((x) => x.paths.some((p) => p.outInterface === 'Tunnel0')),
    'the routes through the tunnel are gone',
  );
  lab.send(0, echo(1));
  t.deepEqual(atBranchLan(lab), [], 'nothing crosses a tunnel that is down');

  lab.wanUp = true;
  lab.tick(10_000);
  t.deepEqual(
    r.keepalive,
    [
      ['Tunnel0', true],
      ['Tunnel0', false],
    ],
    'the next answer brings it back up',
  );
  lab.send(0, echo(2));
  t.is(atBranchLan(lab).length, 1);
});

test('clear GRE where the crypto map expects ESP is dropped with %CRYPTO-4-RECVD_PKT_NOT_IPSEC', (t) => {
  const [hqPlain] = plain();
  const lab = new GreLab([hqPlain, labConfig('branch')]);
  lab.send(0, echo(1));
  const branch = lab.routers[1]!;
  t.deepEqual(atBranchLan(lab), []);
  t.is(branch.dp.counters.clearTextDrops, 1);
  t.regex(
    branch.logs.join('\n'),
    /%CRYPTO-4-RECVD_PKT_NOT_IPSEC: Rec'd packet not an IPSEC packet\. \(ip\) vrf\/dest_addr= \(none\)\/10\.0\.0\.2, src_addr= 10\.0\.0\.1, prot= 47/,
  );
  t.like(branch.gre.countersOf('Tunnel0'), { inPackets: 0 });
});

test("12.2 mainline: with the crypto map on the physical interface only, the tunnel's GRE leaves in clear", (t) => {
  const lab = new GreLab([labConfig('hq').replace(/( tunnel destination 10\.0\.0\.2\n) crypto map gre-map\n/, '$1'), labConfig('branch')]);
  lab.send(0, echo(1));
  t.is(lab.routers[0]!.dp.counters.noSaDrops, 0, 'no negotiation');
  t.true(
    lab.wan.some((p) => p[9] === IPPROTO_GRE),
    'GRE in clear on the WAN',
  );
  t.is(lab.routers[1]!.dp.counters.clearTextDrops, 1, 'and the far end, whose map wants ESP, drops it');
});

test('a full-size packet: GRE of 1500 bytes, ESP too big for the WAN, fragmented after encryption and reassembled before decryption', (t) => {
  const lab = new GreLab();
  lab.send(0, echo(1));
  lab.wan.length = 0;
  lab.send(0, echo(2, 1476 - 28));
  const esp = lab.wan.filter((p) => p[9] === IPPROTO_ESP);
  t.is(esp.length, 2, 'one ESP packet in two fragments');
  t.true(esp.every((p) => p.length <= 1500));
  t.is(lab.routers[0]!.dp.counters.fragmented, 1);
  const [arrived] = atBranchLan(lab);
  t.is(arrived?.length, 1476);
  t.is(lab.routers[1]!.dp.reassembly.reassembled, 1);
});

test('malformed GRE for the router is counted by reason and never throws', (t) => {
  const lab = new GreLab(plain());
  const branch = lab.routers[1]!;
  const gre = (payload: Buffer) => encodeIpv4({ protocol: IPPROTO_GRE, source: parseIpv4('10.0.0.1'), destination: parseIpv4('10.0.0.2'), ttl: 254 }, payload);
  for (const bad of ['', '0000 08', '0001 0800', '4000 0800 0000 0000', '8000 0800 00'])
    t.notThrows(() => branch.dp.handle(gre(Buffer.from(bad.replace(/ /g, ''), 'hex'))));
  t.deepEqual(branch.gre.counters.malformed, { truncated: 3, 'bad-version': 1, 'rfc1701-flags': 1 });
  t.notThrows(() => branch.dp.handle(gre(Buffer.from('00000800deadbeef', 'hex'))));
  t.like(branch.gre.countersOf('Tunnel0'), { inErrors: 1 }, 'an inner packet that is not IPv4');
  t.deepEqual(atBranchLan(lab), []);
});

test("keepalives on both ends: after an outage that took both down, each reflects the other's and both come back", (t) => {
  const lab = new GreLab(plain());
  const [hq, branch] = lab.routers as [NonNullable<(typeof lab.routers)[0]>, NonNullable<(typeof lab.routers)[1]>];
  lab.tick(0);
  lab.wanUp = false;
  for (let i = 0; i < 4; i++) lab.tick(10_000);
  t.deepEqual([hq.keepalive, branch.keepalive], [[['Tunnel0', true]], [['Tunnel0', true]]]);
  lab.wanUp = true;
  lab.tick(10_000);
  t.deepEqual(
    [hq.keepalive.at(-1), branch.keepalive.at(-1)],
    [
      ['Tunnel0', false],
      ['Tunnel0', false],
    ],
  );
});

test('a far end whose tunnel is shut down reflects nothing: the keepalives go unanswered', (t) => {
  const [hq, branch] = plain();
  const lab = new GreLab([hq, branch.replace(' tunnel destination 10.0.0.1\n', ' tunnel destination 10.0.0.1\n shutdown\n')]);
  for (let i = 0; i < 4; i++) lab.tick(i === 0 ? 0 : 10_000);
  t.deepEqual(lab.routers[0]!.keepalive, [['Tunnel0', true]]);
  t.like(lab.routers[1]!.gre.countersOf('Tunnel0'), { inDrops: 4 });
});

test("boot: both ends' first keepalives start IKE at once; the negotiations settle and traffic and keepalives cross", (t) => {
  const lab = new GreLab();
  const [hq, branch] = lab.routers as [NonNullable<(typeof lab.routers)[0]>, NonNullable<(typeof lab.routers)[1]>];
  lab.tick(0);
  t.is(hq.dp.counters.noSaDrops + branch.dp.counters.noSaDrops, 2, 'each first keepalive waits for an SA and is dropped');
  lab.tick(10_000);
  t.like(hq.gre.countersOf('Tunnel0'), { keepalivesSent: 2, keepalivesAnswered: 1 });
  t.like(branch.gre.countersOf('Tunnel0'), { keepalivesSent: 2, keepalivesAnswered: 1 });
  lab.send(0, echo(1));
  t.is(atBranchLan(lab).length, 1);
  t.deepEqual([hq.keepalive, branch.keepalive], [[], []]);
  // local-address: the SAs are the map's, shared by Tunnel0 and FastEthernet0/0, and each lists them
  const text = renderShowCryptoIpsecSa(
    branch.engine.ipsecSas(lab.now),
    (spi) => branch.dp.countersOf(spi),
    () => 1500,
  );
  const sections = text.split(/^interface: /m).slice(1);
  t.deepEqual(
    sections.map((x) => x.split('\n')[0]),
    ['Tunnel0', 'FastEthernet0/0'],
  );
  for (const x of sections) {
    t.regex(x, /Crypto map tag: gre-map, local addr\. 10\.0\.0\.2/);
    t.regex(x, /local {2}ident \(addr\/mask\/prot\/port\): \(10\.0\.0\.2\/255\.255\.255\.255\/47\/0\)/);
  }
});
