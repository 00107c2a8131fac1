import test from 'ava';
import { parseConfig, renderRunningConfig } from '../../../src/ios/index.js';
import { DAPHNE_CFG, FRED_CFG, modelOf } from './fixtures.js';

const DAPHNE_BODY = `!
version 12.2
service timestamps debug datetime msec
service timestamps log datetime msec
no service password-encryption
!
hostname Daphne
!
boot system flash c2600-jk9s-mz.122-27.bin
enable password cisco
memory-size iomem 10
ip subnet-zero
no ip domain-lookup
!
crypto isakmp policy 10
 authentication pre-share
crypto isakmp key abc123 address 0.0.0.0 0.0.0.0
!
crypto ipsec transform-set ted-transforms esp-des esp-md5-hmac
!
crypto dynamic-map ted-map 10
 set transform-set ted-transforms
 match address 101
!
crypto map tedtag 10 ipsec-isakmp dynamic ted-map discover
!
interface FastEthernet0/0
 ip address 11.11.11.1 255.255.255.0
 duplex auto
 speed auto
 crypto map tedtag
!
interface FastEthernet0/1
 ip address 13.13.13.13 255.255.255.0
 duplex auto
 speed auto
!
ip classless
ip route 0.0.0.0 0.0.0.0 11.11.11.2
ip http server
!
access-list 101 permit ip 13.13.13.0 0.0.0.255 12.12.12.0 0.0.0.255
!
line con 0
line aux 0
line vty 0 4
 login
!
end
`;

test("Daphne's show running-config", (t) => {
  const bytes = Buffer.byteLength(DAPHNE_BODY, 'utf8');
  t.is(renderRunningConfig(parseConfig(DAPHNE_CFG).config), `Building configuration...\n\nCurrent configuration : ${bytes} bytes\n${DAPHNE_BODY}`);
});

test('the byte count is the length of the text after its line, in bytes', (t) => {
  const { config } = parseConfig('hostname R\ninterface Loopback0\n description caf\u00e9 \u00e0 Paris\n');
  const out = renderRunningConfig(config);
  const [, count] = /Current configuration : (\d+) bytes\n/.exec(out)!;
  const after = out.slice(out.indexOf(' bytes\n') + ' bytes\n'.length);
  t.is(Number(count), Buffer.byteLength(after, 'utf8'));
  t.true(Number(count) > after.length, 'the accented characters count twice');
});

for (const [name, text] of [
  ['Daphne', DAPHNE_CFG],
  ['fred', FRED_CFG],
] as const) {
  test(`${name}: parse(render(parse(seed))) is the same model, with no warning`, (t) => {
    const first = parseConfig(text).config;
    const again = parseConfig(renderRunningConfig(first));
    t.deepEqual(
      again.diagnostics.map((d) => [d.code, d.text]),
      [],
    );
    t.deepEqual(modelOf(again.config), modelOf(first));
  });
}

const RICH = `hostname edge-1
service timestamps log datetime msec
enable secret 5 $1$mERr$hx5rVt7rPNoS4wqbXKX7m0
crypto isakmp policy 5
 encr aes 256
 hash md5
 authentication pre-share
 group 2
 lifetime 3600
crypto isakmp policy 10
 encryption 3des
crypto isakmp key abc123 address 0.0.0.0 0.0.0.0 no-xauth
crypto isakmp key k2 address 11.11.11.2
crypto isakmp keepalive 10 3 periodic
crypto isakmp nat keepalive 20
crypto isakmp identity hostname
crypto isakmp aggressive-mode disable
crypto isakmp peer address 11.11.11.2
 set aggressive-mode password secret
 set aggressive-mode client-endpoint ipv4-address 11.11.11.1
 description fred
crypto ipsec security-association lifetime seconds 1800
crypto ipsec transform-set ts1 esp-aes 192 esp-sha-hmac
 mode transport
crypto ipsec transform-set ts2 ah-sha-hmac esp-3des
crypto dynamic-map dyn 20
 set peer 11.11.11.9
 set transform-set ts1 ts2
 set pfs group5
 set security-association lifetime kilobytes 100000
 match address VPN
crypto map cm local-address FastEthernet0/0
crypto map cm 5 ipsec-isakmp
 set peer 11.11.11.2
 set peer 11.11.11.3
 set transform-set ts2
 set pfs
 match address 101
crypto map cm 10 ipsec-isakmp dynamic dyn
interface FastEthernet0/0
 description WAN (to fred)
 ip address 11.11.11.1 255.255.255.0
 ip address 11.11.12.1 255.255.255.0 secondary
 ip access-group 120 in
 ip nat outside
 no ip route-cache
 shutdown
 mtu 1400
 duplex full
 crypto map cm
interface FastEthernet0/1
 no ip address
interface Loopback0
 ip address 1.1.1.1 255.255.255.255
interface FastEthernet0/1.10
 encapsulation dot1Q 10
 ip address 10.10.0.1 255.255.0.0
interface Serial0/0
 bandwidth 512
 ip address 10.20.0.1 255.255.255.252
 encapsulation ppp
 ip ospf hello-interval 5
 ip ospf cost 30
 delay 2000
interface Serial0/1
 no ip address
 encapsulation frame-relay
interface Serial0/1.102 point-to-point
 ip address 10.30.0.1 255.255.255.252
 frame-relay interface-dlci 102
router rip
 version 2
 network 10.0.0.0
router ospf 1
 router-id 1.1.1.1
 area 1 stub no-summary
 redistribute static subnets
 passive-interface FastEthernet0/1
 network 10.20.0.0 0.0.0.3 area 0
 default-information originate always
router eigrp 100
 network 10.30.0.0 0.0.0.3
 no auto-summary
ip route 10.0.0.0 255.0.0.0 FastEthernet0/1 10.10.0.2 5 tag 7 name backup permanent
ip route 0.0.0.0 0.0.0.0 11.11.11.2
ip nat translation udp-timeout 120
ip nat translation finrst-timeout never
ip nat pool public 11.11.11.10 11.11.11.14 prefix-length 24
ip nat pool spare 11.11.12.10 11.11.12.20 netmask 255.255.255.0
ip nat inside source route-map NONAT interface FastEthernet0/0 overload
ip nat inside source list MGMT pool public
ip nat inside source static 10.10.0.5 11.11.11.5
ip nat inside source static tcp 10.10.0.6 22 11.11.11.6 2222 extendable
ip http server
ip access-list standard MGMT
 permit 10.10.0.0 0.0.255.255
 deny any log
ip access-list extended VPN
 remark LAN to LAN
 permit ip 13.13.13.0 0.0.0.255 12.12.12.0 0.0.0.255
access-list 101 permit ip 13.13.13.0 0.0.0.255 12.12.12.0 0.0.0.255
access-list 120 remark edge filter
access-list 120 permit udp any any eq isakmp
access-list 120 permit esp any any
access-list 120 permit icmp any any echo-reply
access-list 120 deny ip any any log
access-list 5 permit 10.1.1.1
route-map NONAT deny 10
 match ip address 101
route-map NONAT permit 20
 description everything else
 match ip address 120
 match interface FastEthernet0/0
 set ip next-hop 11.11.11.2
snmp-server community public RO
banner motd ^C
Testbed router
^C
line vty 0 4
 password cisco
 login
end
`;

test('a configuration using every modeled command survives a render/parse round trip', (t) => {
  const first = parseConfig(RICH);
  const warned = (r: typeof first) => r.diagnostics.map((d) => [d.code, d.text.trim()]);
  // every modeled command, including those the emulator keeps without emulating: one warning each
  t.deepEqual(
    warned(first),
    ['crypto isakmp policy 10', 'mode transport', 'crypto ipsec transform-set ts2 ah-sha-hmac esp-3des', 'router rip', 'snmp-server community public RO'].map(
      (text) => ['not-emulated', text],
    ),
  );
  const rendered = renderRunningConfig(first.config);
  const again = parseConfig(rendered);
  t.deepEqual(warned(again).sort(), warned(first).sort());
  t.deepEqual(modelOf(again.config), modelOf(first.config));
  t.true(rendered.includes('\ncrypto isakmp policy 5\n encr aes 256\n hash md5\n authentication pre-share\n group 2\n lifetime 3600\n'));
  t.true(rendered.includes('\ncrypto isakmp policy 10\n encr 3des\n'));
  t.true(rendered.includes('\ncrypto ipsec transform-set ts1 esp-aes 192 esp-sha-hmac\n mode transport\n'));
  t.true(
    rendered.includes(
      '\ncrypto map cm 5 ipsec-isakmp\n set peer 11.11.11.2\n set peer 11.11.11.3\n set transform-set ts2\n set pfs group1\n match address 101\n',
    ),
  );
  t.true(rendered.includes('\nip route 10.0.0.0 255.0.0.0 FastEthernet0/1 10.10.0.2 5 tag 7 name backup permanent\n'));
  t.true(rendered.includes('\ninterface FastEthernet0/1\n no ip address\n!\n'));
  t.true(rendered.includes('\nbanner motd ^C\nTestbed router\n^C\n'));
  t.true(rendered.includes('\ninterface FastEthernet0/1.10\n encapsulation dot1Q 10\n ip address 10.10.0.1 255.255.0.0\n!\n'));
  t.true(
    rendered.includes(
      '\ninterface Serial0/0\n bandwidth 512\n ip address 10.20.0.1 255.255.255.252\n encapsulation ppp\n ip ospf hello-interval 5\n ip ospf cost 30\n delay 2000\n!\n',
    ),
  );
  t.true(rendered.includes('\ninterface Serial0/1.102 point-to-point\n ip address 10.30.0.1 255.255.255.252\n frame-relay interface-dlci 102\n!\n'));
  t.true(
    rendered.includes(
      '\nrouter eigrp 100\n network 10.30.0.0 0.0.0.3\n no auto-summary\n!\nrouter ospf 1\n router-id 1.1.1.1\n log-adjacency-changes\n area 1 stub no-summary\n redistribute static subnets\n passive-interface FastEthernet0/1\n network 10.20.0.0 0.0.0.3 area 0\n default-information originate always\n!\nrouter rip\n version 2\n network 10.0.0.0\n!\n',
    ),
  );
  t.true(
    rendered.includes(
      '\nip nat translation udp-timeout 120\nip nat translation finrst-timeout never\n' +
        'ip nat pool public 11.11.11.10 11.11.11.14 prefix-length 24\nip nat pool spare 11.11.12.10 11.11.12.20 netmask 255.255.255.0\n' +
        'ip nat inside source route-map NONAT interface FastEthernet0/0 overload\nip nat inside source list MGMT pool public\n' +
        'ip nat inside source static 10.10.0.5 11.11.11.5\nip nat inside source static tcp 10.10.0.6 22 11.11.11.6 2222 extendable\nip route 10.0.0.0 255.0.0.0 ',
    ),
  );
  t.true(
    rendered.includes(
      '\nroute-map NONAT deny 10\n match ip address 101\n!\nroute-map NONAT permit 20\n description everything else\n match ip address 120\n match interface FastEthernet0/0\n set ip next-hop 11.11.11.2\n!\n',
    ),
  );
  t.true(rendered.includes(' ip access-group 120 in\n') && rendered.includes(' ip nat outside\n'));
});
