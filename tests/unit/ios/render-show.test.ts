import test from 'ava';
import {
  applyConfigLines,
  computeRoutes,
  formatLogTimestamp,
  formatUptime,
  interfaceBriefRows,
  parseConfig,
  renderDebugChange,
  renderPing,
  renderShowAccessLists,
  renderShowClock,
  renderShowDebug,
  renderShowIpInterfaceBrief,
  renderShowIpRoute,
  renderShowVersion,
} from '../../../src/ios/index.js';
import { DAPHNE_CFG } from './fixtures.js';

const daphne = () => parseConfig(DAPHNE_CFG).config;

const LEGEND = `Codes: C - connected, S - static, I - IGRP, R - RIP, M - mobile, B - BGP
       D - EIGRP, EX - EIGRP external, O - OSPF, IA - OSPF inter area 
       N1 - OSPF NSSA external type 1, N2 - OSPF NSSA external type 2
       E1 - OSPF external type 1, E2 - OSPF external type 2, E - EGP
       i - IS-IS, L1 - IS-IS level-1, L2 - IS-IS level-2, ia - IS-IS inter area
       * - candidate default, U - per-user static route, o - ODR
       P - periodic downloaded static route
`;

test("Daphne's show ip route", (t) => {
  t.is(
    renderShowIpRoute(computeRoutes(daphne())),
    `${LEGEND}
Gateway of last resort is 11.11.11.2 to network 0.0.0.0

     11.0.0.0/24 is subnetted, 1 subnets
C       11.11.11.0 is directly connected, FastEthernet0/0
     13.0.0.0/24 is subnetted, 1 subnets
C       13.13.13.0 is directly connected, FastEthernet0/1
S*   0.0.0.0/0 [1/0] via 11.11.11.2
`,
  );
});

test('show ip route with classful, variably subnetted, supernet, interface and equal-cost static routes', (t) => {
  const config = applyConfigLines(daphne(), [
    'interface Loopback0',
    ' ip address 172.16.0.1 255.255.0.0',
    'interface Loopback1',
    ' ip address 10.1.1.1 255.255.255.0',
    'interface Loopback2',
    ' ip address 10.2.0.1 255.255.0.0',
    'ip route 192.168.0.0 255.255.0.0 11.11.11.3',
    'ip route 12.12.12.0 255.255.255.0 11.11.11.2',
    'ip route 12.12.12.0 255.255.255.0 11.11.11.4',
    'ip route 10.3.0.0 255.255.0.0 FastEthernet0/1',
    'ip route 10.4.0.0 255.255.0.0 11.11.11.5 200',
  ]).config;
  t.is(
    renderShowIpRoute(computeRoutes(config)),
    `${LEGEND}
Gateway of last resort is 11.11.11.2 to network 0.0.0.0

     10.0.0.0/8 is variably subnetted, 4 subnets, 2 masks
C       10.1.1.0/24 is directly connected, Loopback1
C       10.2.0.0/16 is directly connected, Loopback2
S       10.3.0.0/16 is directly connected, FastEthernet0/1
S       10.4.0.0/16 [200/0] via 11.11.11.5
     11.0.0.0/24 is subnetted, 1 subnets
C       11.11.11.0 is directly connected, FastEthernet0/0
     12.0.0.0/24 is subnetted, 1 subnets
S       12.12.12.0 [1/0] via 11.11.11.2
                   [1/0] via 11.11.11.4
     13.0.0.0/24 is subnetted, 1 subnets
C       13.13.13.0 is directly connected, FastEthernet0/1
C    172.16.0.0/16 is directly connected, Loopback0
S    192.168.0.0/16 [1/0] via 11.11.11.3
S*   0.0.0.0/0 [1/0] via 11.11.11.2
`,
  );
});

test('without a default route the gateway of last resort is not set', (t) => {
  const config = applyConfigLines(daphne(), 'no ip route 0.0.0.0 0.0.0.0 11.11.11.2').config;
  t.true(renderShowIpRoute(computeRoutes(config)).includes('\nGateway of last resort is not set\n\n     11.0.0.0/24'));
});

test("Daphne's show ip interface brief, with a shut and a link-down interface", (t) => {
  const config = applyConfigLines(daphne(), ['interface FastEthernet0/1', ' shutdown', 'interface Serial0/0', ' no ip address']).config;
  t.is(
    renderShowIpInterfaceBrief(interfaceBriefRows(config, { 'Serial0/0': false })),
    'Interface                  IP-Address      OK? Method Status                Protocol\n' +
      'FastEthernet0/0            11.11.11.1      YES NVRAM  up                    up      \n' +
      'FastEthernet0/1            13.13.13.13     YES NVRAM  administratively down down    \n' +
      'Serial0/0                  unassigned      YES NVRAM  down                  down    \n',
  );
});

test("Daphne's show access-lists with and without match counts, without sequence numbers (12.2)", (t) => {
  const acls = daphne().accessLists;
  t.is(renderShowAccessLists(acls), 'Extended IP access list 101\n    permit ip 13.13.13.0 0.0.0.255 12.12.12.0 0.0.0.255\n');
  t.is(renderShowAccessLists(acls, { 101: { 10: 9 } }), 'Extended IP access list 101\n    permit ip 13.13.13.0 0.0.0.255 12.12.12.0 0.0.0.255 (9 matches)\n');
  t.is(renderShowAccessLists(acls, { 101: { 10: 1 } }), 'Extended IP access list 101\n    permit ip 13.13.13.0 0.0.0.255 12.12.12.0 0.0.0.255 (1 match)\n');
});

test('show access-lists prints standard lists, ports and ICMP names as IOS does', (t) => {
  const { config } = parseConfig(
    [
      'access-list 1 permit 10.1.2.3 log',
      'access-list 1 deny 192.168.1.0 0.0.0.255',
      'access-list 1 deny any',
      'ip access-list extended EDGE',
      ' remark not shown',
      ' permit tcp any host 192.168.1.100 eq 21',
      ' permit udp host 11.11.11.2 eq 500 host 11.11.11.1 eq isakmp',
      ' permit tcp any range 80 443 any gt 1023 established',
      ' permit icmp any any 3 4',
      ' deny ip any any log-input',
    ].join('\n'),
  );
  t.is(
    renderShowAccessLists(config.accessLists, { 1: { 30: 2 } }),
    [
      'Standard IP access list 1',
      '    permit 10.1.2.3 log',
      '    deny   192.168.1.0, wildcard bits 0.0.0.255',
      '    deny   any (2 matches)',
      'Extended IP access list EDGE',
      '    permit tcp any host 192.168.1.100 eq ftp',
      '    permit udp host 11.11.11.2 eq isakmp host 11.11.11.1 eq isakmp',
      '    permit tcp any range www 443 any gt 1023 established',
      '    permit icmp any any packet-too-big',
      '    deny ip any any log-input',
      '',
    ].join('\n'),
  );
});

test('ping output as in the seed: first echo lost while TED runs', (t) => {
  t.is(
    renderPing({
      target: '12.12.12.13',
      repeat: 5,
      size: 100,
      timeoutSeconds: 2,
      source: null,
      replies: [{ mark: '.' }, { mark: '!', rttMs: 1 }, { mark: '!', rttMs: 2 }, { mark: '!', rttMs: 4 }, { mark: '!', rttMs: 2 }],
    }),
    'Type escape sequence to abort.\n' +
      'Sending 5, 100-byte ICMP Echos to 12.12.12.13, timeout is 2 seconds:\n' +
      '.!!!!\n' +
      'Success rate is 80 percent (4/5), round-trip min/avg/max = 1/2/4 ms\n',
  );
});

test('ping with a source address, no reply at all, and more than 70 echoes per line', (t) => {
  const replies = Array.from({ length: 75 }, () => ({ mark: '.' as const }));
  t.is(
    renderPing({ target: '12.12.12.13', repeat: 75, size: 1400, timeoutSeconds: 1, source: '13.13.13.13', replies }),
    'Type escape sequence to abort.\n' +
      'Sending 75, 1400-byte ICMP Echos to 12.12.12.13, timeout is 1 seconds:\n' +
      'Packet sent with a source address of 13.13.13.13 \n' +
      `${'.'.repeat(70)}\n.....\n` +
      'Success rate is 0 percent (0/75)\n',
  );
});

test('show debugging lists the crypto debugs in the order of the seed', (t) => {
  t.is(
    renderShowDebug({ isakmp: true, ipsec: true, engine: true, 'ospf-adj': false, nat: false }),
    'Cryptographic Subsystem:\n  Crypto ISAKMP debugging is on\n  Crypto Engine debugging is on\n  Crypto IPSEC debugging is on\n',
  );
  t.is(
    renderShowDebug({ isakmp: false, ipsec: true, engine: false, 'ospf-adj': false, nat: false }),
    'Cryptographic Subsystem:\n  Crypto IPSEC debugging is on\n',
  );
  t.is(renderShowDebug({ isakmp: false, ipsec: false, engine: false, 'ospf-adj': false, nat: false }), '');
  t.is(
    renderShowDebug({ isakmp: true, ipsec: false, engine: false, 'ospf-adj': true, nat: false }),
    'OSPF:\n  OSPF adjacency events debugging is on\nCryptographic Subsystem:\n  Crypto ISAKMP debugging is on\n',
  );
  t.is(renderDebugChange('ospf-adj', true), 'OSPF adjacency events debugging is on\n');
  t.is(renderDebugChange('isakmp', true), 'Crypto ISAKMP debugging is on\n');
  t.is(renderDebugChange('all', false), 'All possible debugging has been turned off\n');
});

test('show version describes a 2621 running 12.2(27) with the configured interfaces and memory split', (t) => {
  const text = renderShowVersion({ config: daphne(), uptimeSeconds: 2 * 3600 + 7 * 60 + 59 });
  const lines = text.split('\n');
  t.is(lines[0], 'Cisco Internetwork Operating System Software ');
  t.is(lines[1], 'IOS (tm) C2600 Software (C2600-JK9S-M), Version 12.2(27), RELEASE SOFTWARE (fc1)');
  t.true(lines.includes('Daphne uptime is 2 hours, 7 minutes'));
  t.true(lines.includes('System image file is "flash:c2600-jk9s-mz.122-27.bin"'));
  t.true(lines.includes('cisco 2621 (MPC860) processor (revision 0x102) with 59392K/6144K bytes of memory.'));
  t.true(lines.includes('2 FastEthernet/IEEE 802.3 interface(s)'));
  t.is(lines.at(-2), 'Configuration register is 0x2102');
});

test('uptime is written from the largest unit down to minutes', (t) => {
  t.is(formatUptime(0), '0 minutes');
  t.is(formatUptime(61), '1 minute');
  t.is(formatUptime(3600), '1 hour, 0 minutes');
  t.is(formatUptime(((14 + 4) * 24 + 16) * 3600 + 4 * 60), '2 weeks, 4 days, 16 hours, 4 minutes');
});

test('show clock and log timestamps use the formats of the seed', (t) => {
  const when = new Date(Date.UTC(1993, 2, 1, 2, 7, 18, 850));
  t.is(renderShowClock(when), '*02:07:18.850 UTC Mon Mar 1 1993\n');
  t.is(renderShowClock(when, { authoritative: true }), '02:07:18.850 UTC Mon Mar 1 1993\n');
  t.is(formatLogTimestamp(when), '*Mar  1 02:07:18.850');
});
