import test from 'ava';
import { applyConfigLines, modePrompt, parseConfig } from '../../../src/ios/index.js';
import { DAPHNE_CFG } from './fixtures.js';

const daphne = () => parseConfig(DAPHNE_CFG).config;

test('the wildcard pre-shared key can be replaced at the console', (t) => {
  const before = daphne();
  const r = applyConfigLines(before, ['no crypto isakmp key abc123 address 0.0.0.0 0.0.0.0', 'crypto isakmp key newkey address 0.0.0.0 0.0.0.0']);
  t.deepEqual(r.diagnostics, []);
  t.deepEqual(r.config.crypto.isakmpKeys, [{ key: 'newkey', address: '0.0.0.0', mask: '0.0.0.0', noXauth: false }]);
  t.is(before.crypto.isakmpKeys[0]?.key, 'abc123', 'the configuration passed in is not modified');
});

test('a new key for the same address replaces the old one', (t) => {
  const r = applyConfigLines(daphne(), 'crypto isakmp key other address 0.0.0.0 0.0.0.0');
  t.deepEqual(
    r.config.crypto.isakmpKeys.map((k) => k.key),
    ['other'],
  );
});

test('shutdown and no shutdown toggle the interface, and the session stays in interface mode', (t) => {
  const shut = applyConfigLines(daphne(), ['interface Fa0/0', 'shutdown']);
  t.true(shut.config.interfaces[0]?.shutdown);
  t.deepEqual(shut.mode, { kind: 'interface', name: 'FastEthernet0/0' });
  t.is(modePrompt(shut.mode), '(config-if)');
  t.false(shut.ended);
  const up = applyConfigLines(shut.config, ['no shutdown'], shut.mode);
  t.false(up.config.interfaces[0]?.shutdown);
});

test('no forms remove routes, access lists and the crypto map of an interface', (t) => {
  const r = applyConfigLines(daphne(), ['no ip route 0.0.0.0 0.0.0.0 11.11.11.2', 'no access-list 101', 'interface FastEthernet0/0', 'no crypto map', 'end']);
  t.deepEqual(r.diagnostics, []);
  t.deepEqual(r.config.staticRoutes, []);
  t.deepEqual(r.config.accessLists, []);
  t.is(r.config.interfaces[0]?.cryptoMap, null);
  t.true(r.ended);
});

test('a route is removed only when its next hop matches, or when none is given', (t) => {
  const base = applyConfigLines(daphne(), ['ip route 10.0.0.0 255.0.0.0 11.11.11.3', 'ip route 10.0.0.0 255.0.0.0 11.11.11.4']).config;
  t.is(applyConfigLines(base, 'no ip route 10.0.0.0 255.0.0.0 11.11.11.9').config.staticRoutes.length, 3);
  t.is(applyConfigLines(base, 'no ip route 10.0.0.0 255.0.0.0 11.11.11.3').config.staticRoutes.length, 2);
  t.is(applyConfigLines(base, 'no ip route 10.0.0.0 255.0.0.0').config.staticRoutes.length, 1);
});

test('named access lists take sequence numbers, insertions and deletions', (t) => {
  const r = applyConfigLines(daphne(), [
    'ip access-list extended VPN',
    'permit ip 13.13.13.0 0.0.0.255 12.12.12.0 0.0.0.255',
    'deny ip any any log',
    '15 permit icmp any any echo',
    'remark managed by testbed',
    'no 20',
    'exit',
  ]);
  t.deepEqual(r.diagnostics, []);
  const acl = r.config.accessLists.find((a) => a.name === 'VPN');
  t.deepEqual(
    acl?.entries.map((e) => [e.seq, e.type === 'rule' ? e.action : e.text]),
    [
      [10, 'permit'],
      [15, 'permit'],
      [30, 'managed by testbed'],
    ],
  );
  t.deepEqual(r.mode, { kind: 'global' });
});

test('an identical numbered entry is kept once', (t) => {
  const r = applyConfigLines(daphne(), 'access-list 101 permit ip 13.13.13.0 0.0.0.255 12.12.12.0 0.0.0.255');
  t.is(r.config.accessLists[0]?.entries.length, 1);
});

test('ISAKMP policy settings go back to their defaults with no', (t) => {
  const r = applyConfigLines(daphne(), ['crypto isakmp policy 10', 'encr aes 256', 'hash md5', 'group 2', 'lifetime 3600', 'no hash', 'no authentication']);
  t.deepEqual(r.config.crypto.isakmpPolicies[0], {
    priority: 10,
    encryption: 'aes',
    keyLength: 256,
    hash: 'sha',
    authentication: 'rsa-sig',
    group: 2,
    lifetime: 3600,
  });
  t.is(modePrompt(r.mode), '(config-isakmp)');
});

test('static crypto map entries and aggressive-mode peers are configured in their sub-modes', (t) => {
  const r = applyConfigLines(daphne(), [
    'crypto ipsec transform-set strong esp-aes 256 esp-sha-hmac',
    ' mode transport',
    'crypto map tedtag 20 ipsec-isakmp',
    ' set peer 11.11.11.2',
    ' set transform-set strong ted-transforms',
    ' set pfs group2',
    ' set security-association lifetime seconds 1800',
    ' match address 101',
    'crypto isakmp peer address 11.11.11.2',
    ' set aggressive-mode client-endpoint ipv4-address 11.11.11.1',
    ' set aggressive-mode password secret',
    'crypto isakmp aggressive-mode disable',
    'crypto isakmp keepalive 10 3 periodic',
    'crypto isakmp nat keepalive 20',
    'crypto ipsec security-association lifetime kilobytes 10000',
  ]);
  // transport mode is kept in the model but not emulated: one warning
  t.deepEqual(
    r.diagnostics.map((d) => [d.line, d.code]),
    [[2, 'not-emulated']],
  );
  const c = r.config.crypto;
  t.deepEqual(c.transformSets[1], {
    name: 'strong',
    mode: 'transport',
    transforms: [
      { kind: 'esp-cipher', name: 'esp-aes', keyBits: 256 },
      { kind: 'esp-auth', name: 'esp-sha-hmac' },
    ],
  });
  t.deepEqual(
    c.cryptoMaps.map((m) => m.seq),
    [10, 20],
  );
  t.like(c.cryptoMaps[1], {
    dynamic: null,
    peers: ['11.11.11.2'],
    transformSets: ['strong', 'ted-transforms'],
    pfs: 'group2',
    lifetime: { seconds: 1800, kilobytes: null },
    matchAddress: '101',
  });
  t.deepEqual(c.isakmpPeers, [
    {
      address: '11.11.11.2',
      aggressiveModePassword: 'secret',
      description: null,
      aggressiveModeClientEndpoint: { kind: 'ipv4-address', value: '11.11.11.1' },
    },
  ]);
  t.true(c.aggressiveModeDisabled);
  t.deepEqual(c.isakmpKeepalive, { seconds: 10, retries: 3, mode: 'periodic' });
  t.is(c.isakmpNatKeepalive, 20);
  t.deepEqual(c.ipsecLifetime, { seconds: 3600, kilobytes: 10000 });
});

test('a global command typed in a sub-mode leaves the sub-mode, as on IOS', (t) => {
  const r = applyConfigLines(daphne(), ['interface FastEthernet0/1', 'ip route 10.9.0.0 255.255.0.0 13.13.13.1']);
  t.deepEqual(r.mode, { kind: 'global' });
  t.is(r.config.staticRoutes.at(-1)?.prefix, '10.9.0.0');
});

test('exit at the top level ends a configure terminal session', (t) => {
  const r = applyConfigLines(daphne(), ['interface Fa0/1', 'exit', 'exit', 'hostname Ignored']);
  t.true(r.ended);
  t.is(r.config.hostname, 'Daphne');
});

test('bad lines at the console give diagnostics numbered within the input', (t) => {
  const r = applyConfigLines(daphne(), ['interface Fa0/1', 'ip address 13.13.13.13 255.0.255.0', 'description LAN']);
  t.deepEqual(
    r.diagnostics.map((d) => [d.line, d.message]),
    [[2, 'Bad mask 0xFF00FF00 for address 13.13.13.13']],
  );
  t.is(r.config.interfaces[1]?.description, 'LAN');
});

test('a banner may span several calls of a terminal session', (t) => {
  const first = applyConfigLines(daphne(), 'banner motd %');
  t.is(first.mode.kind, 'banner');
  const second = applyConfigLines(first.config, ['Lab router', '%'], first.mode);
  t.deepEqual(second.mode, { kind: 'global' });
  t.deepEqual(second.config.extras.at(-1)?.lines, ['banner motd %', 'Lab router', '%']);
});

test('removing a loopback is allowed, removing a physical interface is refused', (t) => {
  const r = applyConfigLines(daphne(), [
    'interface Loopback0',
    ' ip address 1.1.1.1 255.255.255.255',
    'exit',
    'no interface Loopback0',
    'no interface FastEthernet0/0',
  ]);
  t.deepEqual(
    r.config.interfaces.map((i) => i.name),
    ['FastEthernet0/0', 'FastEthernet0/1'],
  );
  t.deepEqual(
    r.diagnostics.map((d) => d.message),
    ['% Removal of physical interface FastEthernet0/0 is not permitted'],
  );
});
