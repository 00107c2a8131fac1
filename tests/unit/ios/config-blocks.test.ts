/** Block hazards: the lines indented under a refused line are refused, never absorbed by another block. */
import test from 'ava';
import { applyConfigLines, newRouterConfig, parseConfig } from '../../../src/ios/index.js';

test('the body of a refused group block is refused line by line: " key Vasteras0" opens no key chain', (t) => {
  const { config, diagnostics, lines } = parseConfig(
    [
      'crypto isakmp client configuration group vpnclients',
      ' key Vasteras0',
      ' dns 10.0.0.10',
      ' pool vpnpool',
      ' acl 150',
      'interface FastEthernet0/0',
      ' ip address 10.0.0.1 255.255.255.0',
      'ip route 0.0.0.0 0.0.0.0 10.0.0.254',
    ].join('\n'),
  );
  t.deepEqual(
    diagnostics.map((d) => [d.line, d.code]),
    [1, 2, 3, 4, 5].map((l) => [l, 'invalid-input']),
  );
  t.deepEqual(lines, ['refused', 'refused', 'refused', 'refused', 'refused', 'emulated', 'emulated', 'emulated']);
  t.deepEqual(config.extras, [], 'no key chain (or any other block) was opened');
  t.is(config.interfaces[0]?.address?.address, '10.0.0.1', 'the lines after the refused block are applied');
  t.is(config.staticRoutes.length, 1);
});

test('" log config" under a refused archive is refused, not read as the global logging command', (t) => {
  const { config, diagnostics, lines } = parseConfig(
    [
      'interface FastEthernet0/0',
      ' ip address 10.0.0.1 255.255.255.0',
      'archive',
      ' log config',
      '  logging enable',
      '  hidekeys',
      ' path tftp://10.0.0.2/archive',
      'ip classless',
    ].join('\n'),
  );
  t.deepEqual(lines, ['emulated', 'emulated', 'refused', 'refused', 'refused', 'refused', 'refused', 'emulated']);
  t.deepEqual(
    diagnostics.map((d) => [d.line, d.code]),
    [3, 4, 5, 6, 7].map((l) => [l, 'invalid-input']),
  );
  const log = diagnostics.find((d) => d.line === 4)!;
  t.is(log.message, " log config\n ^\n% Invalid input detected at '^' marker.");
  t.is(log.detail, 'a sub-mode line of "archive" (line 3), which was refused');
  t.false(
    config.extras.some((e) => e.lines[0]!.startsWith('logging')),
    'no logging line was kept',
  );
  t.deepEqual(
    config.extras.map((e) => e.lines[0]),
    ['ip classless'],
  );
});

test('lines indented under a refused line never reach the block open before it', (t) => {
  const { config, lines } = parseConfig(
    [
      'interface FastEthernet0/0',
      ' ip address 10.0.0.1 255.255.255.0',
      'bba-group pppoe global',
      ' crypto map vpn',
      ' mtu 1400',
      'crypto map vpn 10 ipsec-isakmp',
      ' set peer 10.0.0.2',
    ].join('\n'),
  );
  t.deepEqual(lines, ['emulated', 'emulated', 'refused', 'refused', 'refused', 'emulated', 'emulated']);
  t.is(config.interfaces[0]?.cryptoMap, null);
  t.is(config.interfaces[0]?.mtu, null);
  t.deepEqual(config.crypto.cryptoMaps[0]?.peers, ['10.0.0.2']);
});

test('a refused line inside a block does not end the block: the next line at its depth is applied', (t) => {
  const { config, lines } = parseConfig(['interface Serial0/0', ' ip address 10.0.0.1 255.255.255.252', ' serial restart-delay 0', ' shutdown'].join('\n'));
  t.deepEqual(lines, ['emulated', 'emulated', 'refused', 'emulated']);
  t.true(config.interfaces[0]?.shutdown);
});

test('a configuration without indentation still reads its sub-mode lines after a refused line', (t) => {
  const { config, lines } = parseConfig(['interface Serial0/0', 'serial restart-delay 0', 'crypto map vpn', 'shutdown'].join('\n'));
  t.deepEqual(lines, ['emulated', 'refused', 'emulated', 'emulated']);
  t.is(config.interfaces[0]?.cryptoMap, 'vpn');
});

test('a not-emulated interface is one warning for the header, counting its lines; its lines are still modeled', (t) => {
  const { config, diagnostics, lines } = parseConfig(
    [
      'interface Dialer1',
      ' ip address 172.16.0.1 255.255.255.252',
      ' encapsulation ppp',
      ' dialer pool 1',
      'interface FastEthernet0/0',
      ' ip address 192.0.2.1 255.255.255.0',
    ].join('\n'),
  );
  t.deepEqual(
    diagnostics.map((d) => [d.line, d.column, d.code, d.blockLines]),
    [[1, 1, 'not-emulated', 3]],
  );
  t.is(
    diagnostics[0]?.message,
    'accepted, not emulated: interface Dialer1 and the 3 lines of its block (dialer interfaces (DDR, PPPoE client) are not emulated: the interface stays down)',
  );
  t.deepEqual(lines, ['not-emulated', 'not-emulated', 'not-emulated', 'not-emulated', 'emulated', 'emulated']);
  t.is(config.interfaces.find((i) => i.name === 'Dialer1')?.address?.address, '172.16.0.1');
});

test('in an emulated interface each line not emulated has its own warning, with line and column', (t) => {
  const { diagnostics } = parseConfig(
    ['interface FastEthernet0/0', ' ip address 10.0.0.1 255.255.255.0', ' ip helper-address 10.0.0.9', '  ip tcp header-compression'].join('\n'),
  );
  t.deepEqual(
    diagnostics.map((d) => [d.line, d.column, d.severity, d.code]),
    [
      [3, 2, 'warning', 'not-emulated'],
      [4, 3, 'warning', 'not-emulated'],
    ],
  );
  t.is(diagnostics[0]?.message, 'accepted, not emulated: ip helper-address 10.0.0.9 (DHCP/BOOTP relay is not emulated: broadcasts are not forwarded)');
});

test('an ISAKMP policy left on its default rsa-sig authentication is warned at its header', (t) => {
  const { diagnostics, lines } = parseConfig(['crypto isakmp policy 20', ' hash md5', 'crypto isakmp policy 10', ' authentication pre-share'].join('\n'));
  t.deepEqual(
    diagnostics.map((d) => [d.line, d.code]),
    [[1, 'not-emulated']],
  );
  t.regex(diagnostics[0]!.message, /^accepted, not emulated: crypto isakmp policy 20 \(it authenticates with rsa-sig, the default/);
  t.deepEqual(lines, ['not-emulated', 'emulated', 'emulated', 'emulated']);
  const explicit = parseConfig(['crypto isakmp policy 20', ' authentication rsa-sig'].join('\n'));
  t.deepEqual(
    explicit.diagnostics.map((d) => [d.line, d.code]),
    [[2, 'not-emulated']],
    'one warning, on the line that says it',
  );
});

test('at the console, one line at a time, the lines of a block keep the class of its header', (t) => {
  const vty = applyConfigLines(newRouterConfig(), ['line vty 0 4']);
  const login = applyConfigLines(vty.config, [' login'], vty.mode);
  t.deepEqual([vty.lines, login.lines], [['cosmetic'], ['cosmetic']]);
  t.deepEqual(login.diagnostics, []);
  const bgp = applyConfigLines(newRouterConfig(), ['router bgp 65000']);
  const network = applyConfigLines(bgp.config, [' network 10.0.0.0 mask 255.0.0.0'], bgp.mode);
  t.deepEqual([bgp.lines, network.lines], [['not-emulated'], ['not-emulated']]);
  t.deepEqual(network.diagnostics, [], 'the block was reported at its header');
  const dialer = applyConfigLines(newRouterConfig(), ['interface Dialer1']);
  const source = applyConfigLines(dialer.config, [' dialer pool 1', ' ip address 10.9.9.1 255.255.255.252'], dialer.mode);
  t.deepEqual(source.lines, ['not-emulated', 'not-emulated']);
  t.deepEqual(source.diagnostics, []);
  const fe = applyConfigLines(newRouterConfig(), ['interface FastEthernet0/0']);
  const helper = applyConfigLines(fe.config, [' ip helper-address 10.0.0.9'], fe.mode);
  t.deepEqual(
    helper.diagnostics.map((d) => d.code),
    ['not-emulated'],
  );
});
