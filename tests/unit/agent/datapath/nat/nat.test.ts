/**
 * Inside source NAT on its own: which packets a mapping translates (access
 * list, route map, static), how global addresses and ports are allocated
 * (first free pool address; PAT keeps the port, else the first free one of
 * its group, else the next address), the timeouts IOS uses, the bound on
 * the table, ICMP errors, and that every rewritten packet keeps valid checksums.
 */
import test from 'ava';
import { formatIpv4, parseIpv4 } from '../../../../../src/codecs/net/address.js';
import { Nat, flowOf } from '../../../../../src/agent/datapath/nat/nat.js';
import { natPolicy } from '../../../../../src/agent/datapath/nat/policy.js';
import { NatTable } from '../../../../../src/agent/datapath/nat/table.js';
import { parseConfig } from '../../../../../src/ios/index.js';
import { checksumsValid, icmpError, ping, tcp, udp } from './packets.js';

const BASE = `interface FastEthernet0/0
 ip address 11.11.11.1 255.255.255.0
 ip nat outside
interface FastEthernet0/1
 ip address 10.1.1.1 255.255.255.0
 ip nat inside
interface FastEthernet1/0
 ip address 10.9.9.1 255.255.255.0
access-list 1 permit 10.1.1.0 0.0.0.255
`;

function natFor(extra: string, clock = { now: 1_000_000 }) {
  const config = parseConfig(BASE + extra).config;
  const debug: string[] = [];
  const nat = new Nat({ now: () => clock.now, debug: (l) => debug.push(l), isRouterAddress: (a) => a === parseIpv4('11.11.11.1') });
  nat.setPolicy(natPolicy(config));
  return { nat, debug, clock };
}

const src = (p: Buffer) => `${formatIpv4(p.readUInt32BE(12))}:${flowOf(p).sport}`;
const dst = (p: Buffer) => `${formatIpv4(p.readUInt32BE(16))}:${flowOf(p).dport}`;

test('overload to an interface: the source becomes the interface address, the port is kept, the reply goes back; debug says so', (t) => {
  const { nat, debug } = natFor('ip nat inside source list 1 interface FastEthernet0/0 overload');
  const out = tcp('10.1.1.5', 40000, '198.51.100.7', 80);
  t.is(nat.outbound(out, 'FastEthernet0/0'), 'translated');
  t.is(src(out), '11.11.11.1:40000');
  t.true(checksumsValid(out));
  const back = tcp('198.51.100.7', 80, '11.11.11.1', 40000, 0x12);
  t.is(nat.inbound(back), 'translated');
  t.is(dst(back), '10.1.1.5:40000');
  t.true(checksumsValid(back));
  t.deepEqual(debug, [
    `NAT: s=10.1.1.5->11.11.11.1, d=198.51.100.7 [${out.readUInt16BE(4)}]`,
    `NAT*: s=198.51.100.7, d=11.11.11.1->10.1.1.5 [${back.readUInt16BE(4)}]`,
  ]);
  t.deepEqual([nat.table.counters.misses, nat.table.counters.hits], [1, 1]);
});

test('PAT: a second host with the same port gets the first free port of the group; UDP 500 is never handed out on the router address', (t) => {
  const { nat } = natFor('ip nat inside source list 1 interface FastEthernet0/0 overload');
  const a = udp('10.1.1.5', 5000, '198.51.100.7', 53);
  const b = udp('10.1.1.6', 5000, '198.51.100.7', 53);
  const low = udp('10.1.1.7', 600, '198.51.100.7', 53);
  const lower = udp('10.1.1.8', 600, '198.51.100.7', 53);
  const ike = udp('10.1.1.9', 500, '198.51.100.7', 500);
  for (const p of [a, b, low, lower, ike]) t.is(nat.outbound(p, 'FastEthernet0/0'), 'translated');
  t.deepEqual([a, b, low, lower, ike].map(src), ['11.11.11.1:5000', '11.11.11.1:1024', '11.11.11.1:600', '11.11.11.1:512', '11.11.11.1:1']);
  t.true([a, b, low, lower, ike].every(checksumsValid));
  const reply = udp('198.51.100.7', 53, '11.11.11.1', 1024);
  nat.inbound(reply);
  t.is(dst(reply), '10.1.1.6:5000');
});

test('ICMP echo: the identifier is translated like a port and shown on both outside columns', (t) => {
  const { nat } = natFor('ip nat inside source list 1 interface FastEthernet0/0 overload');
  nat.outbound(ping('10.1.1.5', '198.51.100.7', 9), 'FastEthernet0/0');
  const second = ping('10.1.1.6', '198.51.100.7', 9);
  nat.outbound(second, 'FastEthernet0/0');
  t.is(src(second), '11.11.11.1:1');
  t.true(checksumsValid(second));
  const e = nat.table.entries().find((x) => x.insideLocal === parseIpv4('10.1.1.6'))!;
  t.deepEqual([e.insideLocalPort, e.insideGlobalPort, e.outsidePort, e.outsideGlobalPort], [9, 1, 9, 1]);
  const reply = ping('198.51.100.7', '11.11.11.1', 1, 0);
  t.is(nat.inbound(reply), 'translated');
  t.is(dst(reply), '10.1.1.6:9');
  t.true(checksumsValid(reply));
});

test('a pool without overload: one address per inside host, first free first; when it runs out the packet is dropped and counted', (t) => {
  const { nat, debug } = natFor('ip nat pool public 11.11.11.10 11.11.11.11 netmask 255.255.255.0\nip nat inside source list 1 pool public');
  const hosts = ['10.1.1.5', '10.1.1.6', '10.1.1.7'];
  const verdicts = hosts.map((h) => nat.outbound(udp(h, 1000, '198.51.100.7', 7), 'FastEthernet0/0'));
  t.deepEqual(verdicts, ['translated', 'translated', 'drop']);
  t.deepEqual(
    nat.table.entries().map((e) => [e.kind, formatIpv4(e.insideGlobal), formatIpv4(e.insideLocal)]),
    [
      ['simple', '11.11.11.10', '10.1.1.5'],
      ['simple', '11.11.11.11', '10.1.1.6'],
    ],
  );
  t.deepEqual(debug.slice(-2), [
    'NAT: failed to allocate address for 10.1.1.7, list/map 1',
    'NAT: translation failed (A), dropping packet s=10.1.1.7 d=198.51.100.7',
  ]);
  t.is(nat.table.counters.misses, 3);
  // a second flow of a host that holds an address uses it (a hit, no new entry), any protocol, any port
  const again = tcp('10.1.1.5', 2222, '198.51.100.9', 443);
  t.is(nat.outbound(again, 'FastEthernet0/0'), 'translated');
  t.is(src(again), '11.11.11.10:2222');
  t.is(nat.table.counters.hits, 1);
});

test('pool overload: the port stays on the first address while it is free there, else the next address takes it', (t) => {
  const table = new NatTable();
  const pool = { name: 'p', start: parseIpv4('11.11.11.10'), end: parseIpv4('11.11.11.11'), netmask: 0xffffff00, size: 2 };
  const mapping = natPolicy(
    parseConfig(BASE + 'ip nat pool p 11.11.11.10 11.11.11.11 netmask 255.255.255.0\nip nat inside source list 1 pool p overload').config,
  ).mappings[0]!;
  const globals = [pool.start, pool.end];
  // fill the whole group 1-511 on the first address
  for (let port = 1; port <= 511; port++)
    t.truthy(
      table.allocateExtended({ protocol: 17, local: parseIpv4('10.1.1.5'), localPort: port, outside: 1, outsidePort: 7 }, [pool.start], mapping, 0, null),
    );
  const next = table.allocateExtended({ protocol: 17, local: parseIpv4('10.1.1.6'), localPort: 100, outside: 1, outsidePort: 7 }, globals, mapping, 0, null)!;
  t.deepEqual([formatIpv4(next.insideGlobal), next.insideGlobalPort], ['11.11.11.11', 100]);
  t.is(table.allocatedIn(pool), 2);
});

test('timeouts as IOS sets them: TCP 60 s after the SYN, 24 h once the other side answered, 60 s after FIN or RST; UDP 5 min, DNS and ICMP 1 min', (t) => {
  const { nat, clock } = natFor('ip nat inside source list 1 interface FastEthernet0/0 overload');
  const entry = (local: string, port: number) => nat.table.entries().find((e) => formatIpv4(e.insideLocal) === local && e.insideLocalPort === port)!;
  nat.outbound(tcp('10.1.1.5', 40000, '198.51.100.7', 80), 'FastEthernet0/0');
  t.is(entry('10.1.1.5', 40000).timeout, 60_000);
  nat.inbound(tcp('198.51.100.7', 80, '11.11.11.1', 40000, 0x12));
  t.is(entry('10.1.1.5', 40000).timeout, 86_400_000);
  nat.outbound(tcp('10.1.1.5', 40000, '198.51.100.7', 80, 0x11), 'FastEthernet0/0');
  t.is(entry('10.1.1.5', 40000).timeout, 60_000);
  nat.outbound(udp('10.1.1.5', 4000, '198.51.100.7', 123), 'FastEthernet0/0');
  nat.outbound(udp('10.1.1.5', 4001, '198.51.100.7', 53), 'FastEthernet0/0');
  nat.outbound(ping('10.1.1.5', '198.51.100.7', 3), 'FastEthernet0/0');
  t.deepEqual([entry('10.1.1.5', 4000).timeout, entry('10.1.1.5', 4001).timeout, entry('10.1.1.5', 3).timeout], [300_000, 60_000, 60_000]);
  // idle time counts from the last packet; expiry is counted
  clock.now += 60_000;
  t.is(nat.sweep(clock.now), 3, 'the closed TCP flow, the DNS and the ICMP entries go');
  clock.now += 240_000;
  t.is(nat.sweep(clock.now), 1, 'the UDP entry goes after 5 minutes');
  t.is(nat.table.counters.expired, 4);
  t.is(nat.table.size, 0);
});

test('configured timeouts and never apply; a simple dynamic entry lives 24 h by default', (t) => {
  const { nat, clock } = natFor(
    'ip nat pool p 11.11.11.10 11.11.11.12 netmask 255.255.255.0\nip nat inside source list 1 pool p\nip nat translation timeout never',
  );
  nat.outbound(udp('10.1.1.5', 1, '198.51.100.7', 7), 'FastEthernet0/0');
  clock.now += 10 * 86_400_000;
  t.is(nat.sweep(clock.now), 0);
  const other = natFor('ip nat inside source list 1 interface FastEthernet0/0 overload\nip nat translation udp-timeout 30');
  other.nat.outbound(udp('10.1.1.5', 1000, '198.51.100.7', 7), 'FastEthernet0/0');
  other.clock.now += 30_000;
  t.is(other.nat.sweep(other.clock.now), 1);
});

test('the table is bounded: when full a new translation is refused (and counted), no live one is pushed out', (t) => {
  const table = new NatTable(() => false, 3);
  const mapping = natPolicy(parseConfig(BASE + 'ip nat inside source list 1 interface FastEthernet0/0 overload').config).mappings[0]!;
  const made = [1, 2, 3, 4].map((n) =>
    table.allocateExtended({ protocol: 17, local: n, localPort: 1000, outside: 9, outsidePort: 7 }, [parseIpv4('11.11.11.1')], mapping, 0, null),
  );
  t.deepEqual(
    made.map((e) => e !== null),
    [true, true, true, false],
  );
  t.is(table.counters.tableFull, 1);
  t.is(table.size, 3);
});

test('static NAT: every protocol both ways, listed from the start and kept by clear; a static port mapping translates its port only', (t) => {
  const { nat } = natFor(
    'ip nat inside source static 10.1.1.20 11.11.11.20\nip nat inside source static tcp 10.1.1.21 22 11.11.11.21 2222\nip nat inside source list 1 interface FastEthernet0/0 overload',
  );
  t.deepEqual(
    nat.table.entries().map((e) => [e.kind, e.static, e.protocol]),
    [
      ['simple', true, 0],
      ['extended', true, 6],
    ],
  );
  const inbound = ping('198.51.100.7', '11.11.11.20', 5);
  t.is(nat.inbound(inbound), 'translated');
  t.is(dst(inbound), '10.1.1.20:5');
  const gre = Buffer.from(udp('10.1.1.20', 1, '198.51.100.7', 2));
  t.is(nat.outbound(gre, 'FastEthernet0/0'), 'translated');
  t.is(src(gre), '11.11.11.20:1');
  const ssh = tcp('198.51.100.7', 5555, '11.11.11.21', 2222);
  t.is(nat.inbound(ssh), 'translated');
  t.is(dst(ssh), '10.1.1.21:22');
  const sshBack = tcp('10.1.1.21', 22, '198.51.100.7', 5555, 0x12);
  nat.outbound(sshBack, 'FastEthernet0/0');
  t.is(src(sshBack), '11.11.11.21:2222');
  t.is(nat.inbound(tcp('198.51.100.7', 5555, '11.11.11.21', 23)), 'untranslated', 'another port of that address is not mapped');
  nat.outbound(udp('10.1.1.5', 1000, '198.51.100.7', 7), 'FastEthernet0/0');
  t.is(nat.clear(), 1);
  t.is(nat.table.entries().length, 2);
});

test('a route map decides: a deny entry keeps the flow untranslated, a permit entry translates, match interface looks at the egress', (t) => {
  const { nat } = natFor(`access-list 120 deny ip 10.1.1.0 0.0.0.255 10.2.2.0 0.0.0.255
access-list 120 permit ip 10.1.1.0 0.0.0.255 any
route-map NONAT permit 10
 match ip address 120
 match interface FastEthernet0/0
ip nat inside source route-map NONAT interface FastEthernet0/0 overload
`);
  t.is(nat.outbound(ping('10.1.1.5', '10.2.2.9', 1), 'FastEthernet0/0'), 'untranslated', 'LAN to remote LAN: exempt');
  t.is(nat.outbound(ping('10.1.1.5', '198.51.100.7', 1), 'FastEthernet0/0'), 'translated', 'LAN to anywhere else');
  t.is(nat.outbound(ping('10.1.1.5', '10.9.9.9', 2), 'FastEthernet1/0'), 'untranslated', 'not an outside interface');
});

test('route map semantics: the first entry whose clauses all hold decides; no entry matching means no translation', (t) => {
  const { nat } = natFor(`access-list 130 permit ip host 10.1.1.5 any
access-list 131 permit ip any any
route-map M deny 10
 match ip address 130
route-map M permit 20
 match ip address 131 130
ip nat inside source route-map M interface FastEthernet0/0 overload
`);
  t.is(nat.outbound(ping('10.1.1.5', '198.51.100.7', 1), 'FastEthernet0/0'), 'untranslated');
  t.is(nat.outbound(ping('10.1.1.6', '198.51.100.7', 1), 'FastEthernet0/0'), 'translated');
  const none = natFor(
    'route-map M permit 10\n match ip address 130\naccess-list 130 permit ip host 10.1.1.5 any\nip nat inside source route-map M interface FastEthernet0/0 overload',
  );
  t.is(none.nat.outbound(ping('10.1.1.6', '198.51.100.7', 1), 'FastEthernet0/0'), 'untranslated');
});

test('an undefined access list translates nothing; a packet from inside that no mapping permits goes untranslated', (t) => {
  const { nat } = natFor('ip nat inside source list 77 interface FastEthernet0/0 overload');
  t.is(nat.outbound(ping('10.1.1.5', '198.51.100.7', 1), 'FastEthernet0/0'), 'untranslated');
  t.is(nat.table.counters.misses, 0);
});

test('ICMP errors are translated with the packet they quote, both ways', (t) => {
  const { nat } = natFor('ip nat inside source list 1 interface FastEthernet0/0 overload');
  const out = udp('10.1.1.5', 5000, '198.51.100.7', 33434);
  const second = udp('10.1.1.6', 5000, '198.51.100.7', 33434);
  nat.outbound(out, 'FastEthernet0/0');
  nat.outbound(second, 'FastEthernet0/0');
  const error = icmpError('198.51.100.1', second, 11, 0);
  t.is(nat.inbound(error), 'translated');
  t.is(formatIpv4(error.readUInt32BE(16)), '10.1.1.6');
  t.is(formatIpv4(error.readUInt32BE(28 + 12)), '10.1.1.6', 'the quoted source');
  t.is(error.readUInt16BE(48), 5000, 'the quoted source port');
  t.true(checksumsValid(error));
  // and an error from inside about a packet that came in through a static mapping
  const s = natFor('ip nat inside source static 10.1.1.20 11.11.11.20');
  const came = udp('198.51.100.7', 4000, '11.11.11.20', 9);
  s.nat.inbound(came);
  const refused = icmpError('10.1.1.20', came);
  t.is(s.nat.outbound(refused, 'FastEthernet0/0'), 'translated');
  t.is(formatIpv4(refused.readUInt32BE(12)), '11.11.11.20');
  t.is(formatIpv4(refused.readUInt32BE(28 + 16)), '11.11.11.20');
  t.true(checksumsValid(refused));
});
