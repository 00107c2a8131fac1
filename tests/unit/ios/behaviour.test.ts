/**
 * Every command that changes behaviour on the wire or at the console is
 * emulated or warned, never accepted silently: a table of such commands, each
 * typed in its mode, with the class it must get.
 */
import test from 'ava';
import { parseConfig, type LineClass } from '../../../src/ios/index.js';

/** Lines that put the parser in a mode before the line under test. */
const CONTEXT: Record<string, string[]> = {
  global: [],
  interface: ['interface FastEthernet0/0', ' ip address 10.0.0.1 255.255.255.0'],
  'crypto-map': ['access-list 101 permit ip 10.0.0.0 0.0.0.255 10.1.0.0 0.0.0.255', 'crypto map vpn 10 ipsec-isakmp', ' set peer 10.0.0.2'],
  'transform-set': ['crypto ipsec transform-set ts esp-3des esp-sha-hmac'],
  'isakmp-policy': ['crypto isakmp policy 10', ' authentication pre-share'],
};

type Expect = 'emulated' | 'not-emulated';
const BEHAVIOURAL: [mode: string, line: string, expect: Expect][] = [
  // the lines of the issue: each was accepted without a word
  ['global', 'interface Tunnel0', 'not-emulated'],
  ['global', 'ip nat outside source static 192.0.2.9 10.0.0.9', 'not-emulated'],
  ['global', 'ip nat inside destination list 1 pool servers', 'not-emulated'],
  ['global', 'ip nat service sip udp port 5060', 'not-emulated'],
  ['global', 'ip nat pool servers 10.0.0.5 10.0.0.6 netmask 255.255.255.0 type rotary', 'not-emulated'],
  ['global', 'ip nat inside source list 1 interface Dialer1 overload', 'not-emulated'],
  ['global', 'ip nat inside source static tcp 10.0.0.5 22 interface Dialer1 2222', 'not-emulated'],
  ['global', 'router ospf 1', 'not-emulated'],
  ['global', 'router eigrp 100', 'not-emulated'],
  ['global', 'router rip', 'not-emulated'],
  ['global', 'router bgp 65000', 'not-emulated'],
  ['global', 'interface FastEthernet0/0.10', 'not-emulated'],
  ['interface', ' encapsulation dot1Q 10', 'not-emulated'],
  ['interface', ' ip mtu 1400', 'not-emulated'],
  ['interface', ' ip tcp adjust-mss 1360', 'not-emulated'],
  ['global', 'crypto isakmp identity hostname', 'emulated'],
  ['global', 'no crypto ipsec nat-transparency udp-encaps', 'emulated'],
  ['global', 'crypto ipsec df-bit clear', 'emulated'],
  ['global', 'crypto ipsec df-bit set', 'emulated'],
  ['global', 'crypto ipsec df-bit copy', 'emulated'],
  ['global', 'ip domain-name example.com', 'emulated'],
  // (crypto isakmp invalid-spi-recovery is 12.3(2)T: refused, support-table.test.ts)
  ['crypto-map', ' reverse-route', 'not-emulated'],
  // more behaviour the emulator does not have
  ['global', 'crypto isakmp identity dn', 'not-emulated'],
  ['global', 'crypto map vpn 20 ipsec-manual', 'not-emulated'],
  ['global', 'crypto ipsec transform-set ah-set ah-sha-hmac esp-des', 'not-emulated'],
  ['transform-set', ' mode transport', 'not-emulated'],
  ['isakmp-policy', ' authentication rsa-sig', 'not-emulated'],
  ['isakmp-policy', ' authentication rsa-encr', 'not-emulated'],
  ['crypto-map', ' set security-association level per-host', 'not-emulated'],
  ['global', 'ip route 10.9.0.0 255.255.0.0 Null0', 'not-emulated'],
  ['global', 'ip route 10.9.0.0 255.255.0.0 Tunnel0', 'not-emulated'],
  ['global', 'interface Dialer1', 'not-emulated'],
  ['global', 'interface Virtual-Template1', 'not-emulated'],
  ['global', 'snmp-server community public RO', 'not-emulated'],
  ['global', 'snmp-server host 10.0.0.9 public', 'not-emulated'],
  ['global', 'ntp server 10.0.0.9', 'not-emulated'],
  ['global', 'ntp master 3', 'not-emulated'],
  ['global', 'logging 10.0.0.9', 'not-emulated'],
  ['global', 'no logging console', 'not-emulated'],
  ['global', 'cdp run', 'not-emulated'],
  ['global', 'ip dhcp pool LAN', 'not-emulated'],
  ['global', 'ip multicast-routing', 'not-emulated'],
  ['global', 'ip source-route', 'not-emulated'],
  ['global', 'ip domain-lookup', 'not-emulated'],
  ['global', 'ip name-server 10.0.0.9', 'not-emulated'],
  ['global', 'ip wccp web-cache', 'not-emulated'],
  ['global', 'ip forward-protocol udp 1234', 'not-emulated'],
  ['global', 'no ip classless', 'not-emulated'],
  ['global', 'no ip routing', 'not-emulated'],
  ['global', 'service timestamps log uptime', 'not-emulated'],
  ['global', 'service password-encryption', 'not-emulated'],
  ['global', 'clock timezone CET 1', 'not-emulated'],
  ['global', 'alias exec s show ip interface brief', 'not-emulated'],
  ['global', 'vpdn enable', 'not-emulated'],
  ['global', 'config-register 0x2142', 'not-emulated'],
  ['interface', ' encapsulation ppp', 'not-emulated'],
  ['interface', ' encapsulation frame-relay', 'not-emulated'],
  ['interface', ' frame-relay map ip 10.0.0.2 102 broadcast', 'not-emulated'],
  ['interface', ' ppp authentication chap', 'not-emulated'],
  ['interface', ' standby 1 ip 10.0.0.254', 'not-emulated'],
  ['interface', ' ip helper-address 10.0.0.9', 'not-emulated'],
  ['interface', ' ip policy route-map PBR', 'not-emulated'],
  ['interface', ' ip pim sparse-mode', 'not-emulated'],
  ['interface', ' ip inspect FW in', 'not-emulated'],
  ['interface', ' ip audit IDS in', 'not-emulated'],
  ['interface', ' service-policy output QOS', 'not-emulated'],
  ['interface', ' fair-queue', 'not-emulated'],
  ['interface', ' hold-queue 100 out', 'not-emulated'],
  ['interface', ' keepalive 10', 'not-emulated'],
  ['interface', ' bandwidth 512', 'not-emulated'],
  ['interface', ' delay 100', 'not-emulated'],
  ['interface', ' ip proxy-arp', 'not-emulated'],
  ['interface', ' ip redirects', 'not-emulated'],
  ['interface', ' no ip unreachables', 'not-emulated'],
  ['interface', ' ip directed-broadcast', 'not-emulated'],
  ['interface', ' ip address dhcp', 'not-emulated'],
  ['interface', ' ip unnumbered Loopback0', 'not-emulated'],
  ['interface', ' ip accounting output-packets', 'not-emulated'],
  ['interface', ' cdp enable', 'not-emulated'],
  ['interface', ' no logging event link-status', 'not-emulated'],
  ['interface', ' load-interval 30', 'not-emulated'],
  // behaviour the emulator has
  ['global', 'hostname R9', 'emulated'],
  ['global', 'ip route 10.9.0.0 255.255.0.0 10.0.0.254', 'emulated'],
  ['global', 'ip route 10.9.0.0 255.255.0.0 FastEthernet0/0 10.0.0.254', 'emulated'],
  ['global', 'crypto isakmp identity address', 'emulated'],
  ['global', 'crypto isakmp keepalive 10 3', 'emulated'],
  ['global', 'crypto isakmp nat keepalive 20', 'emulated'],
  ['global', 'crypto isakmp aggressive-mode disable', 'emulated'],
  ['global', 'no crypto isakmp', 'emulated'],
  ['global', 'crypto ipsec nat-transparency udp-encapsulation', 'emulated'],
  ['global', 'crypto ipsec security-association lifetime seconds 1800', 'emulated'],
  ['global', 'crypto map vpn local-address FastEthernet0/0', 'emulated'],
  ['global', 'crypto map vpn 20 ipsec-isakmp dynamic dyn discover', 'emulated'],
  ['global', 'access-list 102 deny ip any any', 'emulated'],
  ['global', 'ip nat inside source list 1 interface FastEthernet0/0 overload', 'emulated'],
  ['global', 'ip nat inside source route-map NONAT interface FastEthernet0/0 overload', 'emulated'],
  ['global', 'ip nat inside source static tcp 10.0.0.5 22 192.0.2.1 2222', 'emulated'],
  ['global', 'ip nat inside source static 10.0.0.5 192.0.2.1', 'emulated'],
  ['global', 'ip nat pool public 192.0.2.1 192.0.2.14 prefix-length 28', 'emulated'],
  ['global', 'ip nat translation udp-timeout 120', 'emulated'],
  ['interface', ' ip nat inside', 'emulated'],
  ['interface', ' ip nat outside', 'emulated'],
  ['interface', ' ip access-group 101 in', 'emulated'],
  ['interface', ' ip access-group 101 out', 'emulated'],
  ['global', 'no ip domain-lookup', 'emulated'],
  ['global', 'no cdp run', 'emulated'],
  ['global', 'service timestamps log datetime msec', 'emulated'],
  ['global', 'memory-size iomem 10', 'emulated'],
  ['global', 'interface Loopback0', 'emulated'],
  ['global', 'interface Serial0/0', 'emulated'],
  ['interface', ' ip address 10.0.0.1 255.255.255.0', 'emulated'],
  ['interface', ' ip address 10.3.0.1 255.255.255.0 secondary', 'emulated'],
  ['interface', ' shutdown', 'emulated'],
  ['interface', ' mtu 1400', 'emulated'],
  ['interface', ' crypto map vpn', 'emulated'],
  ['interface', ' no ip redirects', 'emulated'],
  ['interface', ' no ip proxy-arp', 'emulated'],
  ['interface', ' no cdp enable', 'emulated'],
  ['interface', ' no keepalive', 'emulated'],
  ['transform-set', ' mode tunnel', 'emulated'],
  ['isakmp-policy', ' encryption aes 256', 'emulated'],
  ['isakmp-policy', ' group 14', 'emulated'],
  ['crypto-map', ' set pfs group2', 'emulated'],
  ['crypto-map', ' match address 101', 'emulated'],
];

for (const [mode, line, expect] of BEHAVIOURAL) {
  test(`${mode}: "${line.trim()}" is ${expect}`, (t) => {
    const context = CONTEXT[mode]!;
    const { diagnostics, lines } = parseConfig([...context, line].join('\n'));
    const at = context.length + 1;
    t.is(lines[at - 1], expect as LineClass);
    const warned = diagnostics.filter((d) => d.code === 'not-emulated').map((d) => d.line);
    const errors = diagnostics.filter((d) => d.severity === 'error');
    t.deepEqual(errors, []);
    t.deepEqual(warned, expect === 'not-emulated' ? [at] : [], 'a not-emulated line has exactly one warning, an emulated one none');
  });
}
