/**
 * The NAT part of the configuration: pools, inside source rules (list,
 * route map, static with and without ports), timeouts with their IOS
 * defaults, route maps, the values IOS refuses, and the checks after the
 * parse (undefined names, match clauses NAT ignores).
 */
import test from 'ava';
import { applyConfigLines, NAT_TIMEOUT_DEFAULTS, parseConfig, renderRunningConfig } from '../../../src/ios/index.js';

const BRANCH = `interface FastEthernet0/0
 ip address 11.11.11.1 255.255.255.0
 ip nat outside
interface FastEthernet0/1
 ip address 10.1.1.1 255.255.255.0
 ip nat inside
ip nat pool public 11.11.11.10 11.11.11.14 netmask 255.255.255.0
ip nat inside source route-map NONAT interface FastEthernet0/0 overload
ip nat inside source list 2 pool public
ip nat inside source static 10.1.1.5 11.11.11.5
ip nat inside source static udp 10.1.1.6 53 11.11.11.6 5353
access-list 2 permit 10.1.2.0 0.0.0.255
access-list 120 deny ip 10.1.1.0 0.0.0.255 10.2.2.0 0.0.0.255
access-list 120 permit ip 10.1.1.0 0.0.0.255 any
route-map NONAT permit 10
 match ip address 120
`;

test('the model holds pools, rules in order and the interface roles; nothing is warned', (t) => {
  const { config, diagnostics } = parseConfig(BRANCH);
  t.deepEqual(diagnostics, []);
  t.deepEqual(
    config.interfaces.map((i) => i.nat),
    ['outside', 'inside'],
  );
  t.deepEqual(config.nat.pools, [{ name: 'public', start: '11.11.11.10', end: '11.11.11.14', netmask: '255.255.255.0', prefixLength: null, rotary: false }]);
  t.deepEqual(config.nat.rules, [
    { kind: 'dynamic', match: { kind: 'route-map', name: 'NONAT' }, target: { kind: 'interface', name: 'FastEthernet0/0' }, overload: true },
    { kind: 'dynamic', match: { kind: 'list', acl: '2' }, target: { kind: 'pool', pool: 'public' }, overload: false },
    {
      kind: 'static',
      protocol: null,
      local: '10.1.1.5',
      localPort: null,
      global: { kind: 'address', address: '11.11.11.5' },
      globalPort: null,
      extendable: false,
    },
    {
      kind: 'static',
      protocol: 'udp',
      local: '10.1.1.6',
      localPort: 53,
      global: { kind: 'address', address: '11.11.11.6' },
      globalPort: 5353,
      extendable: false,
    },
  ]);
  t.deepEqual(config.routeMaps, [{ name: 'NONAT', action: 'permit', seq: 10, matchAddress: ['120'], matchInterface: [], extras: [] }]);
  t.deepEqual(config.nat.timeouts, NAT_TIMEOUT_DEFAULTS);
});

test('timeouts: seconds, never, and back to the default with no', (t) => {
  const { config } = parseConfig(
    'ip nat translation udp-timeout 120\nip nat translation tcp-timeout never\nip nat translation icmp-timeout 30\nno ip nat translation icmp-timeout',
  );
  t.is(config.nat.timeouts.udp, 120);
  t.is(config.nat.timeouts.tcp, null);
  t.is(config.nat.timeouts.icmp, 60);
  t.regex(renderRunningConfig(config), /\nip nat translation udp-timeout 120\nip nat translation tcp-timeout never\n/);
});

test('a pool whose ends are reversed or in different subnets is refused with the value IOS names', (t) => {
  const reversed = parseConfig('ip nat pool p 10.0.0.9 10.0.0.1 netmask 255.255.255.0');
  t.is(reversed.diagnostics[0]?.message, '%End address less than starting address');
  const split = parseConfig('ip nat pool p 10.0.0.250 10.0.1.5 prefix-length 24');
  t.is(split.diagnostics[0]?.message, '%Start and end addresses on different subnets');
  t.deepEqual([reversed.config.nat.pools, split.config.nat.pools], [[], []]);
});

test('a second static mapping of the same inside address is refused unless extendable', (t) => {
  const base = parseConfig('ip nat inside source static 10.1.1.5 11.11.11.5').config;
  const again = applyConfigLines(base, ['ip nat inside source static 10.1.1.5 11.11.11.7']);
  t.is(again.diagnostics[0]?.message, '% 10.1.1.5 already mapped (10.1.1.5 -> 11.11.11.5)');
  const sameGlobal = applyConfigLines(base, ['ip nat inside source static 10.1.1.9 11.11.11.5']);
  t.is(sameGlobal.diagnostics[0]?.message, '% similar static entry (10.1.1.5 -> 11.11.11.5) already exists');
  const extendable = applyConfigLines(base, ['ip nat inside source static 10.1.1.5 11.11.11.7 extendable']);
  t.deepEqual(extendable.diagnostics, []);
  t.is(extendable.config.nat.rules.length, 2);
});

test('no forms remove rules, pools and route map entries; a rule for the same list replaces the old one', (t) => {
  let config = parseConfig(BRANCH).config;
  config = applyConfigLines(config, ['ip nat inside source list 2 interface FastEthernet0/0 overload']).config;
  t.deepEqual(config.nat.rules[1], {
    kind: 'dynamic',
    match: { kind: 'list', acl: '2' },
    target: { kind: 'interface', name: 'FastEthernet0/0' },
    overload: true,
  });
  config = applyConfigLines(config, [
    'no ip nat inside source list 2',
    'no ip nat inside source static 10.1.1.5 11.11.11.5',
    'no ip nat pool public',
    'no route-map NONAT',
  ]).config;
  t.deepEqual(
    config.nat.rules.map((r) => r.kind),
    ['dynamic', 'static'],
  );
  t.deepEqual([config.nat.pools, config.routeMaps], [[], []]);
});

test('names NAT uses but nobody defined are reported; an access list only a route map nobody applies names is not', (t) => {
  const { diagnostics } = parseConfig(
    'ip nat inside source list 7 pool nowhere\nip nat inside source route-map MISSING interface FastEthernet0/0 overload\nroute-map BGP permit 10\n match ip address 99',
  );
  t.deepEqual(
    diagnostics.map((d) => d.message),
    [
      '% access list 7 used by ip nat inside source is not defined',
      '% NAT pool nowhere used by ip nat inside source is not defined',
      '% route map MISSING used by ip nat inside source is not defined',
    ],
  );
});

test('in a route map NAT uses, a match clause NAT ignores is warned; set clauses and route maps nobody uses stay cosmetic', (t) => {
  const text =
    'ip nat inside source route-map NONAT interface FastEthernet0/0 overload\nroute-map NONAT permit 10\n match ip address 120\n match ip next-hop 5\n set ip next-hop 10.0.0.9\nroute-map OTHER permit 10\n match tag 5\naccess-list 120 permit ip any any';
  const { diagnostics, lines } = parseConfig(text);
  t.deepEqual(
    diagnostics.map((d) => [d.line, d.code]),
    [[4, 'not-emulated']],
  );
  t.regex(
    diagnostics[0]!.message,
    /^accepted, not emulated: match ip next-hop 5 \(NAT reads route map NONAT through match ip address and match interface only; this clause is ignored\)$/,
  );
  t.deepEqual(lines, ['emulated', 'cosmetic', 'cosmetic', 'not-emulated', 'cosmetic', 'cosmetic', 'cosmetic', 'emulated']);
});

test('ip nat translation max-entries is a later command: refused as 12.2(27) refuses it', (t) => {
  const { diagnostics } = parseConfig('ip nat translation max-entries 1000');
  t.is(diagnostics[0]?.code, 'invalid-input');
});

test('the route-map prompt and a map entered without a sequence number', (t) => {
  const r = applyConfigLines(parseConfig('').config, ['route-map M']);
  t.deepEqual(r.mode, { kind: 'route-map', name: 'M', seq: 10 });
  t.deepEqual(
    r.config.routeMaps.map((e) => [e.action, e.seq]),
    [['permit', 10]],
  );
});
