/**
 * NAT and crypto in IOS's order, in memory (nat-lab.ts): the kernel hands
 * the branch's inside-to-outside traffic to the agent, which translates
 * first and checks the crypto map against the translated packet.
 *
 * - With the classic exemption (the NAT route map denies LAN to HQ LAN),
 *   internet traffic is translated and VPN traffic is encrypted untranslated.
 * - Without it ("NAT breaks my VPN"), VPN traffic leaves translated and in
 *   clear: the crypto ACL, written for 10.1.1.0/24, no longer matches.
 * - A crypto ACL written for the translated address: translated, then encrypted.
 */
import test from 'ava';
import { formatIpv4 } from '../../../../src/codecs/net/address.js';
import { IPPROTO_ESP } from '../../../../src/codecs/net/ipv4.js';
import { kernelVerdict } from './kernel-sim.js';
import { branchConfig, EXEMPTION, hqConfig, NatLab, NO_EXEMPTION } from './nat-lab.js';
import { ping, udp } from './nat/packets.js';

const src = (p: Buffer) => formatIpv4(p.readUInt32BE(12));
const dst = (p: Buffer) => formatIpv4(p.readUInt32BE(16));

test('exemption: internet traffic leaves translated in clear; LAN to HQ LAN is negotiated, then crosses as ESP with its own addresses', (t) => {
  const lab = new NatLab(branchConfig(EXEMPTION), hqConfig());
  const b = lab.routers.branch;

  lab.arrive('branch', 'FastEthernet0/1', ping('10.1.1.5', '198.51.100.7', 77));
  const out = lab.at('internet');
  t.is(out.length, 1);
  t.deepEqual([src(out[0]!), dst(out[0]!)], ['11.11.11.1', '198.51.100.7'], 'the internet sees the WAN address');
  t.is(b.nat.table.entries().length, 1);
  // the reply comes back to the WAN address and is translated back to the host
  const reply = ping('198.51.100.7', '11.11.11.1', b.nat.table.entries()[0]!.insideGlobalPort, 0);
  lab.arrive('branch', 'FastEthernet0/0', reply);
  t.deepEqual(lab.at('branch LAN').map(dst), ['10.1.1.5']);

  // VPN: the first packet starts IKE (and is dropped, as IOS drops it); the next crosses as ESP
  lab.arrive('branch', 'FastEthernet0/1', ping('10.1.1.5', '10.2.2.9', 78));
  t.is(b.dp.saPairs.length, 1, 'IPsec SAs for 10.1.1.0/24 <-> 10.2.2.0/24');
  lab.seen.length = 0;
  lab.arrive('branch', 'FastEthernet0/1', ping('10.1.1.5', '10.2.2.9', 78));
  const wan = lab.at('wan');
  t.true(wan.length > 0 && wan.every((p) => p[9] === IPPROTO_ESP), 'only ESP between the routers');
  const inner = lab.at('hq LAN');
  t.deepEqual(
    inner.map((p) => [src(p), dst(p)]),
    [['10.1.1.5', '10.2.2.9']],
    'HQ decrypts the untranslated packet',
  );
  t.is(b.nat.table.entries().length, 1, 'no translation for the VPN flow');
  t.deepEqual(lab.at('internet'), []);
});

test('NAT breaks the VPN: without the deny line the LAN-to-LAN packet is translated first, the crypto ACL misses it, it leaves in clear', (t) => {
  const lab = new NatLab(branchConfig(NO_EXEMPTION), hqConfig());
  const b = lab.routers.branch;
  lab.arrive('branch', 'FastEthernet0/1', udp('10.1.1.5', 4000, '10.2.2.9', 7));
  const wan = lab.at('wan');
  t.is(wan.length, 1);
  t.deepEqual([src(wan[0]!), dst(wan[0]!), wan[0]![9]], ['11.11.11.1', '10.2.2.9', 17], 'translated, and in clear');
  t.is(b.dp.saPairs.length, 0);
  t.is(b.dp.counters.noSaDrops, 0, 'nothing asked IKE to negotiate');
  t.deepEqual(b.debug, [`NAT: s=10.1.1.5->11.11.11.1, d=10.2.2.9 [${wan[0]!.readUInt16BE(4)}]`]);
  // HQ takes it (its crypto ACL is about 10.1.1.0/24, not the branch's WAN address) and the host sees the WAN address
  t.deepEqual(lab.at('hq LAN').map(src), ['11.11.11.1']);
  // the reply comes back in clear to the WAN address and is translated back
  lab.arrive('hq', 'FastEthernet0/1', udp('10.2.2.9', 7, '11.11.11.1', 4000));
  t.deepEqual(
    lab.at('branch LAN').map((p) => [src(p), dst(p)]),
    [['10.2.2.9', '10.1.1.5']],
  );
  t.false(
    lab.seen.some((s) => s.packet[9] === IPPROTO_ESP),
    'never any ESP',
  );
});

test('a crypto ACL written for the translated address: the packet is translated, then encrypted; the reply is decrypted, then translated back', (t) => {
  const lab = new NatLab(
    branchConfig(NO_EXEMPTION, 'access-list 110 permit ip host 11.11.11.1 10.2.2.0 0.0.0.255'),
    hqConfig('access-list 110 permit ip 10.2.2.0 0.0.0.255 host 11.11.11.1'),
  );
  const b = lab.routers.branch;
  lab.arrive('branch', 'FastEthernet0/1', ping('10.1.1.5', '10.2.2.9', 5));
  t.is(b.dp.saPairs.length, 1, 'the translated packet asked for SAs');
  lab.seen.length = 0;
  lab.arrive('branch', 'FastEthernet0/1', ping('10.1.1.5', '10.2.2.9', 5));
  t.true(lab.at('wan').every((p) => p[9] === IPPROTO_ESP));
  const atHq = lab.at('hq LAN');
  t.deepEqual(
    atHq.map((p) => [src(p), dst(p)]),
    [['11.11.11.1', '10.2.2.9']],
    'HQ sees the translated source inside the ESP',
  );
  // the echo reply, encrypted by HQ, decrypted by the branch, then translated back to the host
  const id = b.nat.table.entries()[0]!.insideGlobalPort;
  lab.seen.length = 0;
  lab.arrive('hq', 'FastEthernet0/1', ping('10.2.2.9', '11.11.11.1', id, 0));
  t.true(lab.at('wan').every((p) => p[9] === IPPROTO_ESP));
  t.deepEqual(
    lab.at('branch LAN').map((p) => [src(p), dst(p)]),
    [['10.2.2.9', '10.1.1.5']],
  );
});

test('clear text from HQ LAN to the translated address, which the crypto map protects, is dropped before NAT, as IOS drops it', (t) => {
  const lab = new NatLab(
    branchConfig(NO_EXEMPTION, 'access-list 110 permit ip host 11.11.11.1 10.2.2.0 0.0.0.255'),
    hqConfig('access-list 110 permit ip 10.2.2.0 0.0.0.255 host 11.11.11.1'),
  );
  lab.arrive('branch', 'FastEthernet0/0', udp('10.2.2.9', 7, '11.11.11.1', 4000));
  t.deepEqual(lab.at('branch LAN'), []);
  t.is(lab.routers.branch.dp.counters.clearTextDrops, 1);
  t.regex(
    lab.routers.branch.logs.join('\n'),
    /%CRYPTO-4-RECVD_PKT_NOT_IPSEC: Rec'd packet not an IPSEC packet\. \(ip\) vrf\/dest_addr= \(none\)\/11\.11\.11\.1, src_addr= 10\.2\.2\.9, prot= 17/,
  );
});

test('the router itself stays reachable on the address it overloads, and ARP for it still meets the local table', (t) => {
  const lab = new NatLab(branchConfig(EXEMPTION), hqConfig());
  lab.arrive('branch', 'FastEthernet0/0', ping('198.51.100.7', '11.11.11.1', 3));
  t.deepEqual(lab.at('branch').map(dst), ['11.11.11.1'], 'delivered to the router');
  lab.arrive('branch', 'FastEthernet0/0', udp('11.11.11.2', 500, '11.11.11.1', 500));
  t.is(lab.routers.branch.nat.table.counters.hits + lab.routers.branch.nat.table.counters.misses, 0, 'IKE to the router is not NAT');
  const b = lab.routers.branch;
  // the kernel's route check for an ARP request: protocol 0, sender to target, by the interface it came in
  t.is(kernelVerdict(b.plan, { iif: 'FastEthernet0/0', source: '11.11.11.254', destination: '11.11.11.1', protocol: 0 }, b), 'local');
  t.is(kernelVerdict(b.plan, { iif: 'FastEthernet0/1', source: '10.1.1.5', destination: '10.1.1.1', protocol: 0 }, b), 'local');
  t.is(
    kernelVerdict(b.plan, { iif: 'FastEthernet0/1', source: '10.1.1.5', destination: '11.11.11.1', protocol: 1 }, b),
    'local',
    'a ping from inside to the WAN address is not translated',
  );
  t.not(kernelVerdict(b.plan, { iif: 'FastEthernet0/1', source: '10.1.1.5', destination: '11.11.11.255', protocol: 17 }, b), 'nat', 'nor a broadcast');
  t.is(
    kernelVerdict(b.plan, { iif: 'FastEthernet0/1', source: '10.1.1.5', destination: '11.11.11.2', protocol: 50 }, b),
    'nat',
    "an inside host's own ESP is translated too",
  );
});

test('IOS 12.2 checks the inbound access group again on the decrypted packet: an ACL that permits only ESP and IKE drops the inner traffic', (t) => {
  const acl = (inner: string) =>
    hqConfig(undefined, '\n ip access-group 150 in') + `access-list 150 permit esp any any\naccess-list 150 permit udp any any eq isakmp\n${inner}`;
  const lab = new NatLab(branchConfig(EXEMPTION), acl(''));
  lab.arrive('branch', 'FastEthernet0/1', ping('10.1.1.5', '10.2.2.9', 1));
  lab.arrive('branch', 'FastEthernet0/1', ping('10.1.1.5', '10.2.2.9', 1));
  t.true(
    lab.at('wan').some((p) => p[9] === IPPROTO_ESP),
    'the ESP crossed',
  );
  t.deepEqual(lab.at('hq LAN'), [], 'the decrypted packet met the implicit deny');
  t.is(lab.routers.hq.acl.denied, 1);
  // the unreachable goes back from the address of the interface towards the sender, which the crypto ACL does not name: in clear
  t.deepEqual(
    lab.at('branch LAN').map((p) => [src(p), dst(p), p[20], p[21]]),
    [['11.11.11.2', '10.1.1.5', 3, 13]],
  );

  const allowed = new NatLab(branchConfig(EXEMPTION), acl('access-list 150 permit icmp 10.1.1.0 0.0.0.255 10.2.2.0 0.0.0.255\n'));
  allowed.arrive('branch', 'FastEthernet0/1', ping('10.1.1.5', '10.2.2.9', 1));
  allowed.arrive('branch', 'FastEthernet0/1', ping('10.1.1.5', '10.2.2.9', 1));
  t.deepEqual(allowed.at('hq LAN').map(src), ['10.1.1.5']);
  t.deepEqual([...allowed.routers.hq.acl.counts.get('150')!], [[30, 1]]);
});

test('the outbound access group is checked on the clear packet before encryption: a denied packet never becomes ESP', (t) => {
  const branch =
    branchConfig(EXEMPTION).replace(' crypto map vpn\n', ' ip access-group 160 out\n crypto map vpn\n') +
    'access-list 160 deny icmp 10.1.1.0 0.0.0.255 10.2.2.0 0.0.0.255\naccess-list 160 permit ip any any\n';
  const lab = new NatLab(branch, hqConfig());
  lab.arrive('branch', 'FastEthernet0/1', udp('10.1.1.5', 4000, '10.2.2.9', 7));
  lab.arrive('branch', 'FastEthernet0/1', udp('10.1.1.5', 4000, '10.2.2.9', 7));
  t.deepEqual(lab.at('hq LAN').map(src), ['10.1.1.5'], 'UDP passes, encrypted');
  lab.seen.length = 0;
  lab.arrive('branch', 'FastEthernet0/1', ping('10.1.1.5', '10.2.2.9', 2));
  t.deepEqual(lab.at('wan'), [], 'nothing left the branch');
  t.deepEqual(
    lab.at('branch LAN').map((p) => [dst(p), p[20], p[21]]),
    [['10.1.1.5', 3, 13]],
  );
  // the packet that started IKE was dropped at the crypto map check, before the access group saw it (IOS's order)
  t.deepEqual([...lab.routers.branch.acl.counts.get('160')!].sort(), [
    [10, 1],
    [20, 1],
  ]);
});
