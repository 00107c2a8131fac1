/**
 * The agent's check of interface access groups: the first matching line
 * decides and is counted, an undefined list permits, non-initial fragments
 * are read as IOS reads them, a denied packet is answered with ICMP
 * administratively prohibited at most once per 500 ms, and `log` lines log
 * as IOS does (the first packet of a flow at once, a count every 5 minutes).
 */
import test from 'ava';
import { formatIpv4, parseIpv4 } from '../../../../src/codecs/net/address.js';
import { encodeIpv4, IPPROTO_UDP } from '../../../../src/codecs/net/ipv4.js';
import { AclFilter } from '../../../../src/agent/datapath/acl-filter.js';
import { AclLogger, LOG_INTERVAL_MS } from '../../../../src/agent/datapath/acl-log.js';
import { parseConfig } from '../../../../src/ios/index.js';
import { ping, tcp, udp } from './nat/packets.js';

const CONFIG = `interface FastEthernet0/0
 ip address 11.11.11.1 255.255.255.0
 ip access-group 120 in
 ip access-group OUT out
interface FastEthernet0/1
 ip address 10.1.1.1 255.255.255.0
 ip access-group 99 in
access-list 120 permit esp any any
access-list 120 permit udp any any eq isakmp
access-list 120 permit icmp 10.2.2.0 0.0.0.255 10.1.1.0 0.0.0.255 echo log
access-list 120 deny tcp any any eq telnet log
access-list 120 permit tcp any any
ip access-list extended OUT
 deny udp any any eq 9999
 permit ip any any
`;

function filterFor(text = CONFIG, clock = { now: 1_000_000 }) {
  const { config } = parseConfig(text);
  const sent: Buffer[] = [];
  const logs: string[] = [];
  const f = new AclFilter({
    config: () => config,
    sourceFor: () => parseIpv4('11.11.11.1'),
    send: (p) => sent.push(p),
    log: (l) => logs.push(l),
    now: () => clock.now,
  });
  return { f, sent, logs, clock };
}

test('the first matching line decides and is counted; no match is the implicit deny', (t) => {
  const { f } = filterFor();
  t.true(f.permits(ping('10.2.2.9', '10.1.1.5', 1), 'FastEthernet0/0', 'in'));
  t.false(f.permits(tcp('10.2.2.9', 4000, '10.1.1.5', 23), 'FastEthernet0/0', 'in'));
  t.true(f.permits(tcp('10.2.2.9', 4000, '10.1.1.5', 80), 'FastEthernet0/0', 'in'));
  t.false(f.permits(udp('10.2.2.9', 4000, '10.1.1.5', 53), 'FastEthernet0/0', 'in'), 'no line: implicit deny');
  t.true(f.permits(udp('10.1.1.5', 4000, '10.2.2.9', 53), 'FastEthernet0/0', 'out'));
  t.false(f.permits(udp('10.1.1.5', 4000, '10.2.2.9', 9999), 'FastEthernet0/0', 'out'));
  t.deepEqual(Object.fromEntries([...f.counts].map(([k, v]) => [k, Object.fromEntries(v)])), { 120: { 30: 1, 40: 1, 50: 1 }, OUT: { 10: 1, 20: 1 } });
  t.is(f.denied, 3);
});

test('an access group naming a list that is not defined lets everything through; so does an interface without one', (t) => {
  const { f } = filterFor();
  t.true(f.permits(udp('10.1.1.5', 1, '10.2.2.9', 2), 'FastEthernet0/1', 'in'), 'list 99 is not defined');
  t.true(f.permits(udp('10.1.1.5', 1, '10.2.2.9', 2), 'FastEthernet0/1', 'out'));
  t.true(f.permits(udp('10.1.1.5', 1, '10.2.2.9', 2), 'Serial0/0', 'in'));
});

test('a denied packet is answered with ICMP administratively prohibited, at most one per 500 ms, never about an ICMP error', (t) => {
  const { f, sent, clock } = filterFor();
  const denied = tcp('10.2.2.9', 4000, '10.1.1.5', 23);
  f.permits(denied, 'FastEthernet0/0', 'in');
  f.permits(denied, 'FastEthernet0/0', 'in');
  t.is(sent.length, 1);
  const icmp = sent[0]!;
  t.deepEqual([formatIpv4(icmp.readUInt32BE(12)), formatIpv4(icmp.readUInt32BE(16)), icmp[9], icmp[20], icmp[21]], ['11.11.11.1', '10.2.2.9', 1, 3, 13]);
  t.deepEqual(icmp.subarray(28, 48), denied.subarray(0, 20), 'it quotes the denied packet');
  clock.now += 500;
  f.permits(denied, 'FastEthernet0/0', 'in');
  t.is(sent.length, 2);
  clock.now += 1000;
  const unreachable = encodeIpv4({ protocol: 1, source: parseIpv4('10.2.2.9'), destination: parseIpv4('10.1.1.5') }, Buffer.from([3, 3, 0, 0, 0, 0, 0, 0]));
  f.permits(unreachable, 'FastEthernet0/0', 'in');
  t.is(sent.length, 2, 'no error about an error');
});

test('a non-initial fragment: a permit line with ports matches on its addresses, a deny line with ports is skipped', (t) => {
  const { f } = filterFor(`interface FastEthernet0/0
 ip address 11.11.11.1 255.255.255.0
 ip access-group 130 in
access-list 130 deny udp any any eq 9999
access-list 130 permit udp host 10.2.2.9 any eq 53
`);
  const later = encodeIpv4(
    { protocol: IPPROTO_UDP, source: parseIpv4('10.2.2.9'), destination: parseIpv4('10.1.1.5'), fragmentOffset: 185 },
    Buffer.alloc(100),
  );
  t.true(f.permits(later, 'FastEthernet0/0', 'in'));
  t.deepEqual([...f.counts.get('130')!], [[20, 1]]);
  const other = encodeIpv4(
    { protocol: IPPROTO_UDP, source: parseIpv4('10.2.2.8'), destination: parseIpv4('10.1.1.5'), fragmentOffset: 185 },
    Buffer.alloc(100),
  );
  t.false(f.permits(other, 'FastEthernet0/0', 'in'));
});

test('log lines: the first packet of a flow is logged at once in IOS format, the rest counted and logged every five minutes', (t) => {
  const { f, logs, clock } = filterFor();
  for (let i = 0; i < 3; i++) f.permits(tcp('10.2.2.9', 4000, '10.1.1.5', 23), 'FastEthernet0/0', 'in');
  f.permits(ping('10.2.2.9', '10.1.1.5', 1), 'FastEthernet0/0', 'in');
  t.deepEqual(logs, [
    '%SEC-6-IPACCESSLOGP: list 120 denied tcp 10.2.2.9(4000) -> 10.1.1.5(23), 1 packet',
    '%SEC-6-IPACCESSLOGDP: list 120 permitted icmp 10.2.2.9 -> 10.1.1.5 (8/0), 1 packet',
  ]);
  clock.now += LOG_INTERVAL_MS;
  f.logger.flush(clock.now);
  t.is(logs[2], '%SEC-6-IPACCESSLOGP: list 120 denied tcp 10.2.2.9(4000) -> 10.1.1.5(23), 2 packets');
  t.is(logs.length, 3, 'the ICMP flow had nothing more');
  t.is(f.logger.size, 1, 'a flow quiet for a whole interval is forgotten');
  clock.now += LOG_INTERVAL_MS;
  f.logger.flush(clock.now);
  t.is(f.logger.size, 0);
  f.permits(tcp('10.2.2.9', 4000, '10.1.1.5', 23), 'FastEthernet0/0', 'in');
  t.is(logs.length, 4, 'a forgotten flow is logged at once again');
});

test('log message forms: standard lists, other protocols, log-input, and a bounded flow table', (t) => {
  const logs: string[] = [];
  const logger = new AclLogger((l) => logs.push(l), 2);
  const p = { source: parseIpv4('10.2.2.9'), destination: parseIpv4('10.1.1.5') };
  logger.note({ acl: '1', standard: true, action: 'deny', input: null }, { protocol: 6, ...p, sourcePort: 1, destinationPort: 2 }, 0);
  logger.note({ acl: '101', standard: false, action: 'deny', input: null }, { protocol: 47, ...p }, 0);
  logger.note(
    { acl: '101', standard: false, action: 'deny', input: 'FastEthernet0/0 0050.56c0.0001' },
    { protocol: 17, ...p, sourcePort: 5, destinationPort: 53 },
    0,
  );
  t.deepEqual(logs, [
    '%SEC-6-IPACCESSLOGS: list 1 denied 10.2.2.9 1 packet',
    '%SEC-6-IPACCESSLOGNP: list 101 denied 47 10.2.2.9 -> 10.1.1.5, 1 packet',
    '%SEC-6-IPACCESSLOGP: list 101 denied udp 10.2.2.9(5) (FastEthernet0/0 0050.56c0.0001) -> 10.1.1.5(53), 1 packet',
  ]);
  t.is(logger.size, 2, 'at most two flows followed');
});
