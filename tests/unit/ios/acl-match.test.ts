import test from 'ava';
import { aclMatches, entryPrefixes, matchingEntry, parseConfig, type AccessList, type AclRule, type PacketTuple } from '../../../src/ios/index.js';
import { DAPHNE_CFG } from './fixtures.js';

function acl(lines: string[]): AccessList {
  const { config, diagnostics } = parseConfig(lines.join('\n'));
  if (diagnostics.length) throw new Error(JSON.stringify(diagnostics));
  return config.accessLists[0]!;
}

const ICMP = 1;
const TCP = 6;
const UDP = 17;
const ESP = 50;

const EXTENDED = acl([
  'access-list 150 deny tcp any host 10.0.0.1 eq telnet',
  'access-list 150 permit tcp 10.1.0.0 0.0.255.255 any range 1000 2000',
  'access-list 150 permit udp any eq isakmp any eq 500',
  'access-list 150 permit udp any any eq non500-isakmp',
  'access-list 150 permit tcp any any established',
  'access-list 150 permit icmp any any echo-reply',
  'access-list 150 permit icmp any any port-unreachable',
  'access-list 150 permit esp host 11.11.11.1 host 11.11.11.2',
  'access-list 150 deny ip 192.168.0.0 0.0.255.0 any log',
  'access-list 150 permit 47 any any',
  'access-list 150 permit ip 192.168.0.0 0.0.255.255 any',
  'access-list 150 permit tcp any gt 60000 any neq 80',
]);

const CASES: [string, PacketTuple, 'permit' | 'deny', number | null][] = [
  [
    'telnet to the protected host is denied by the first entry',
    { protocol: TCP, source: '1.2.3.4', destination: '10.0.0.1', sourcePort: 40000, destinationPort: 23 },
    'deny',
    10,
  ],
  ['the range includes both ends', { protocol: TCP, source: '10.1.2.3', destination: '8.8.8.8', sourcePort: 5, destinationPort: 2000 }, 'permit', 20],
  ['just outside the range falls through', { protocol: TCP, source: '10.1.2.3', destination: '8.8.8.8', sourcePort: 5, destinationPort: 2001 }, 'deny', null],
  [
    'IKE from 500 to 500 matches the isakmp port name',
    { protocol: UDP, source: '11.11.11.1', destination: '11.11.11.2', sourcePort: 500, destinationPort: 500 },
    'permit',
    30,
  ],
  [
    'IKE from another source port does not match eq isakmp',
    { protocol: UDP, source: '11.11.11.1', destination: '11.11.11.2', sourcePort: 501, destinationPort: 500 },
    'deny',
    null,
  ],
  ['NAT-T matches non500-isakmp', { protocol: UDP, source: '1.1.1.1', destination: '2.2.2.2', sourcePort: 4500, destinationPort: 4500 }, 'permit', 40],
  [
    'established needs ACK or RST',
    { protocol: TCP, source: '1.1.1.1', destination: '2.2.2.2', sourcePort: 80, destinationPort: 1025, tcpEstablished: true },
    'permit',
    50,
  ],
  ['a SYN is not established', { protocol: TCP, source: '1.1.1.1', destination: '2.2.2.2', sourcePort: 80, destinationPort: 1025 }, 'deny', null],
  ['an echo reply matches its ICMP type', { protocol: ICMP, source: '1.1.1.1', destination: '2.2.2.2', icmpType: 0, icmpCode: 0 }, 'permit', 60],
  ['an echo request matches no ICMP entry', { protocol: ICMP, source: '1.1.1.1', destination: '2.2.2.2', icmpType: 8, icmpCode: 0 }, 'deny', null],
  ['port unreachable needs type 3 code 3', { protocol: ICMP, source: '1.1.1.1', destination: '2.2.2.2', icmpType: 3, icmpCode: 3 }, 'permit', 70],
  ['host unreachable is another code', { protocol: ICMP, source: '1.1.1.1', destination: '2.2.2.2', icmpType: 3, icmpCode: 1 }, 'deny', null],
  ['ESP between the gateways', { protocol: ESP, source: '11.11.11.1', destination: '11.11.11.2' }, 'permit', 80],
  ['ESP the other way is not that entry', { protocol: ESP, source: '11.11.11.2', destination: '11.11.11.1' }, 'deny', null],
  [
    'a non-contiguous wildcard ignores the third octet',
    { protocol: UDP, source: '192.168.77.0', destination: '1.1.1.1', sourcePort: 1, destinationPort: 1 },
    'deny',
    90,
  ],
  ['and still checks the fourth', { protocol: UDP, source: '192.168.77.5', destination: '1.1.1.1', sourcePort: 1, destinationPort: 1 }, 'permit', 110],
  ['a protocol given by number (GRE)', { protocol: 47, source: '5.5.5.5', destination: '6.6.6.6' }, 'permit', 100],
  ['gt and neq together', { protocol: TCP, source: '3.3.3.3', destination: '4.4.4.4', sourcePort: 60001, destinationPort: 81 }, 'permit', 120],
  ['gt is strict', { protocol: TCP, source: '3.3.3.3', destination: '4.4.4.4', sourcePort: 60000, destinationPort: 81 }, 'deny', null],
  ['neq excludes its port', { protocol: TCP, source: '3.3.3.3', destination: '4.4.4.4', sourcePort: 60001, destinationPort: 80 }, 'deny', null],
  ['a port condition never matches a packet without ports (fragment)', { protocol: TCP, source: '10.1.2.3', destination: '8.8.8.8' }, 'deny', null],
  ['anything else meets the implicit deny', { protocol: 89, source: '7.7.7.7', destination: '8.8.8.8' }, 'deny', null],
];

for (const [title, pkt, verdict, seq] of CASES) {
  test(`ACL: ${title}`, (t) => {
    t.is(aclMatches(EXTENDED, pkt), verdict);
    t.is(matchingEntry(EXTENDED, pkt)?.seq ?? null, seq);
  });
}

test("the seed's crypto ACL matches LAN-to-LAN traffic only, in one direction", (t) => {
  const acl101 = parseConfig(DAPHNE_CFG).config.accessLists[0]!;
  t.is(aclMatches(acl101, { protocol: ICMP, source: '13.13.13.4', destination: '12.12.12.13', icmpType: 8 }), 'permit');
  t.is(aclMatches(acl101, { protocol: ICMP, source: '12.12.12.13', destination: '13.13.13.4', icmpType: 0 }), 'deny');
  t.is(aclMatches(acl101, { protocol: UDP, source: '11.11.11.1', destination: '11.11.11.2', sourcePort: 500, destinationPort: 500 }), 'deny');
});

test('addresses may also be given as 32-bit numbers', (t) => {
  const acl101 = parseConfig(DAPHNE_CFG).config.accessLists[0]!;
  t.is(aclMatches(acl101, { protocol: 6, source: 0x0d0d0d04, destination: 0x0c0c0c0d, sourcePort: 1, destinationPort: 2 }), 'permit');
});

test('a standard list looks at the source only', (t) => {
  const std = acl(['access-list 10 deny host 10.0.0.1', 'access-list 10 permit 10.0.0.0 0.255.255.255', 'access-list 10 deny any']);
  t.is(aclMatches(std, { protocol: 6, source: '10.0.0.1', destination: '1.1.1.1' }), 'deny');
  t.is(aclMatches(std, { protocol: 17, source: '10.9.9.9', destination: '1.1.1.1' }), 'permit');
  t.is(matchingEntry(std, { protocol: 1, source: '11.0.0.1', destination: '10.0.0.1' })?.seq, 30);
});

test('a list with only remarks is no filter (null), unlike a list whose entries do not match', (t) => {
  const remarks = acl(['access-list 120 remark nothing yet']);
  t.is(aclMatches(remarks, { protocol: 6, source: '1.1.1.1', destination: '2.2.2.2' }), null);
});

test('the matcher sees entries added after its first use', (t) => {
  const list = acl(['access-list 130 permit tcp any any']);
  t.is(aclMatches(list, { protocol: 17, source: '1.1.1.1', destination: '2.2.2.2' }), 'deny');
  const more = acl(['access-list 130 permit tcp any any', 'access-list 130 permit udp any any']);
  list.entries = more.entries;
  t.is(aclMatches(list, { protocol: 17, source: '1.1.1.1', destination: '2.2.2.2' }), 'permit');
});

test('IOS zeroes the address bits under the wildcard and shows host for a zero wildcard', (t) => {
  const list = acl(['access-list 140 permit ip 13.13.13.77 0.0.0.255 12.12.12.13 0.0.0.0']);
  const rule = list.entries[0] as AclRule;
  t.deepEqual(rule.source, { kind: 'wildcard', address: '13.13.13.0', wildcard: '0.0.0.255' });
  t.deepEqual(rule.destination, { kind: 'host', address: '12.12.12.13' });
});

test('entry prefixes are exact for contiguous wildcards and a covering superset otherwise', (t) => {
  const list = acl([
    'access-list 160 permit ip 13.13.13.0 0.0.0.255 12.12.12.0 0.0.0.255',
    'access-list 160 permit ip 192.168.0.1 0.0.255.0 any',
    'access-list 160 permit ip host 1.2.3.4 10.0.0.0 0.255.255.255',
  ]);
  const [a, b, c] = list.entries as AclRule[];
  t.deepEqual(entryPrefixes(a!), {
    source: { prefix: '13.13.13.0', length: 24, exact: true },
    destination: { prefix: '12.12.12.0', length: 24, exact: true },
  });
  t.deepEqual(entryPrefixes(b!), {
    source: { prefix: '192.168.0.0', length: 16, exact: false },
    destination: { prefix: '0.0.0.0', length: 0, exact: true },
  });
  t.deepEqual(entryPrefixes(c!).source, { prefix: '1.2.3.4', length: 32, exact: true });
  t.deepEqual(entryPrefixes(c!).destination, { prefix: '10.0.0.0', length: 8, exact: true });
});
