/**
 * GRE tunnel interfaces, the IP MTU, the TCP MSS, bandwidth and delay in the
 * IOS model: what each line sets, the `no` forms, IOS's refusals (tunnel
 * commands off a Tunnel, an IP MTU above the interface's MTU, an MSS out of
 * 500-1460, the later releases' commands) and where show running-config
 * prints them.
 */
import test from 'ava';
import { applyConfigLines, newRouterConfig, parseConfig, renderRunningConfig } from '../../../src/ios/index.js';

const TUNNEL = [
  'interface Loopback0',
  ' ip address 10.0.0.1 255.255.255.255',
  'interface Tunnel0',
  ' description to fred',
  ' bandwidth 1000',
  ' ip address 172.16.0.1 255.255.255.252',
  ' ip mtu 1400',
  ' delay 1000',
  ' keepalive 5 4',
  ' tunnel source Loopback0',
  ' tunnel destination 10.0.0.2',
  ' tunnel key 1000',
  ' tunnel checksum',
  ' crypto map vpn',
  'interface FastEthernet0/0',
  ' ip address 192.0.2.1 255.255.255.0',
  ' ip mtu 1450',
];

test('a Tunnel interface: source, destination, key, checksum, keepalive, ip mtu, bandwidth and delay land in the model', (t) => {
  const { config, diagnostics } = parseConfig(TUNNEL.join('\n'));
  t.deepEqual(
    diagnostics.map((d) => d.code),
    ['undefined-reference'],
    'only the crypto map this fragment leaves out',
  );
  const tu = config.interfaces.find((i) => i.name === 'Tunnel0')!;
  t.deepEqual(tu.tunnel, { source: { kind: 'interface', name: 'Loopback0' }, destination: '10.0.0.2', mode: 'gre ip', key: 1000, checksum: true });
  t.deepEqual([tu.ipMtu, tu.bandwidth, tu.delay, tu.keepalive], [1400, 1000, 1000, { period: 5, retries: 4 }]);
  t.is(config.interfaces.find((i) => i.name === 'FastEthernet0/0')!.ipMtu, 1450);
  t.is(config.interfaces.find((i) => i.name === 'FastEthernet0/0')!.tunnel, null, 'only Tunnel interfaces have tunnel settings');
});

test('show running-config prints them in IOS order', (t) => {
  const { config } = parseConfig(TUNNEL.join('\n'));
  const text = renderRunningConfig(config);
  const block = text.slice(text.indexOf('interface Tunnel0'), text.indexOf('interface FastEthernet0/0'));
  t.is(
    block,
    [
      'interface Tunnel0',
      ' description to fred',
      ' bandwidth 1000',
      ' ip address 172.16.0.1 255.255.255.252',
      ' ip mtu 1400',
      ' delay 1000',
      ' keepalive 5 4',
      ' tunnel source Loopback0',
      ' tunnel destination 10.0.0.2',
      ' tunnel key 1000',
      ' tunnel checksum',
      ' crypto map vpn',
      '!',
      '',
    ].join('\n'),
  );
  t.regex(text, /interface FastEthernet0\/0\n ip address 192\.0\.2\.1 255\.255\.255\.0\n ip mtu 1450\n/);
  t.deepEqual(parseConfig(text).config.interfaces, config.interfaces, 'what it prints reads back the same');
});

test('defaults and the no forms: keepalive alone is 10 s / 3 retries, keepalive 0 and no keepalive turn it off', (t) => {
  let { config } = applyConfigLines(newRouterConfig(), ['interface Tunnel1', ' keepalive', ' tunnel source 192.0.2.1', ' tunnel mode ipip']);
  const tu = () => config.interfaces.find((i) => i.name === 'Tunnel1')!;
  t.deepEqual(tu().keepalive, { period: 10, retries: 3 });
  t.deepEqual(tu().tunnel?.source, { kind: 'address', address: '192.0.2.1' });
  t.is(tu().tunnel?.mode, 'ipip');
  ({ config } = applyConfigLines(config, [' keepalive 7', ' no tunnel mode', ' tunnel key 5', ' ip mtu 1300', ' bandwidth 64', ' delay 20'], {
    kind: 'interface',
    name: 'Tunnel1',
  }));
  t.deepEqual(tu().keepalive, { period: 7, retries: 3 });
  t.is(tu().tunnel?.mode, 'gre ip');
  ({ config } = applyConfigLines(
    config,
    [' keepalive 0', ' no tunnel source', ' no tunnel key 5', ' no tunnel checksum', ' no ip mtu', ' no bandwidth', ' no delay', ' no tunnel destination'],
    { kind: 'interface', name: 'Tunnel1' },
  ));
  t.deepEqual(
    [tu().keepalive, tu().tunnel, tu().ipMtu, tu().bandwidth, tu().delay],
    [null, { source: null, destination: null, mode: 'gre ip', key: null, checksum: false }, null, null, null],
  );
  ({ config } = applyConfigLines(config, [' keepalive 3 2', ' no keepalive'], { kind: 'interface', name: 'Tunnel1' }));
  t.is(tu().keepalive, null);
});

test('keepalive on an Ethernet is an interface keepalive: kept, warned, not a GRE keepalive', (t) => {
  const { config, diagnostics, lines } = parseConfig(['interface FastEthernet0/0', ' keepalive 10'].join('\n'));
  t.deepEqual(lines, ['emulated', 'not-emulated']);
  t.regex(diagnostics[0]!.message, /accepted, not emulated: keepalive 10 \(interface keepalives are not emulated/);
  const fe = config.interfaces[0]!;
  t.deepEqual([fe.keepalive, fe.extras], [null, ['keepalive 10']]);
});

test('IOS refuses: tunnel commands off a Tunnel, an IP MTU above the MTU, a host name as destination, ip adjust-mss (the 12.2(4)T name)', (t) => {
  const refused = (context: string[], line: string) => {
    const { diagnostics, lines } = parseConfig([...context, line].join('\n'));
    t.is(lines[context.length], 'refused', line);
    return diagnostics.find((d) => d.line === context.length + 1)!;
  };
  const fe = ['interface FastEthernet0/0'];
  const tu = ['interface Tunnel0'];
  t.is(refused(fe, ' tunnel source Loopback0').code, 'invalid-input');
  t.is(refused(fe, ' ip mtu 1600').code, 'invalid-input');
  t.is(refused(['interface FastEthernet0/0', ' mtu 1400'], ' ip mtu 1450').detail, 'the IP MTU of FastEthernet0/0 is 68-1400 (its MTU)');
  t.is(refused(tu, ' ip mtu 1515').code, 'invalid-input');
  t.is(refused(tu, ' ip mtu 67').code, 'invalid-input');
  t.is(refused(tu, ' tunnel destination fred').code, 'invalid-input');
  t.is(refused(tu, ' tunnel mode gre').code, 'incomplete');
  t.is(refused(tu, ' tunnel mode ipsec ipv4').code, 'invalid-input', 'static VTIs are 12.3(14)T');
  t.is(refused(tu, ' tunnel key 4294967296').code, 'invalid-input');
  t.is(refused(tu, ' keepalive 10 256').code, 'invalid-input');
  t.is(refused(fe, ' ip adjust-mss 1360').code, 'invalid-input');
  t.is(parseConfig([...fe, ' ip tcp header-compression'].join('\n')).lines[1], 'not-emulated', 'the rest of ip tcp stays accepted');
});

test('a not-GRE tunnel mode is one warning, on its line', (t) => {
  const { diagnostics } = parseConfig(['interface Tunnel0', ' tunnel mode gre multipoint'].join('\n'));
  t.deepEqual(
    diagnostics.map((d) => [d.line, d.code]),
    [[2, 'not-emulated']],
  );
  t.regex(diagnostics[0]!.message, /only GRE over IP \(tunnel mode gre ip\) is emulated/);
});

test('ip tcp adjust-mss: the value lands in the model, no ip tcp adjust-mss (with or without it) clears it, on any interface', (t) => {
  const { config, lines } = parseConfig(['interface FastEthernet0/1', ' ip tcp adjust-mss 1452', 'interface Tunnel0', ' ip tcp adjust-mss 500'].join('\n'));
  t.deepEqual(lines, ['emulated', 'emulated', 'emulated', 'emulated']);
  t.deepEqual(
    config.interfaces.map((i) => [i.name, i.adjustMss]),
    [
      ['FastEthernet0/1', 1452],
      ['Tunnel0', 500],
    ],
  );
  for (const no of [' no ip tcp adjust-mss', ' no ip tcp adjust-mss 1452']) {
    const after = applyConfigLines(config, ['interface FastEthernet0/1', no], { kind: 'global' });
    t.deepEqual(after.diagnostics, [], no);
    t.is(after.config.interfaces.find((i) => i.name === 'FastEthernet0/1')!.adjustMss, null, no);
  }
  t.is(parseConfig(['interface FastEthernet0/1', ' ip tcp adjust-mss 1460'].join('\n')).config.interfaces[0]!.adjustMss, 1460);
});

test('ip tcp adjust-mss out of 500-1460, without a value or with more: refused with the marker at the value (1-based column) as IOS refuses it, never taken for ip tcp header compression', (t) => {
  const line = (text: string) => {
    const { diagnostics, lines, config } = parseConfig(['interface FastEthernet0/0', text].join('\n'));
    return { class: lines[1], diagnostic: diagnostics.find((d) => d.line === 2), mss: config.interfaces[0]?.adjustMss ?? null };
  };
  for (const [text, code, column] of [
    [' ip tcp adjust-mss 499', 'invalid-input', 20],
    [' ip tcp adjust-mss 1461', 'invalid-input', 20],
    [' ip tcp adjust-mss 0', 'invalid-input', 20],
    [' ip tcp adjust-mss fred', 'invalid-input', 20],
    [' ip tcp adjust-mss', 'incomplete', null],
    [' ip tcp adjust-mss 1300 1400', 'invalid-input', 25],
    [' no ip tcp adjust-mss 2000', 'invalid-input', 23],
  ] as const) {
    const r = line(text);
    t.is(r.class, 'refused', text);
    t.is(r.diagnostic?.code, code, text);
    if (column !== null) t.is(r.diagnostic?.column, column, text);
    t.is(r.mss, null, text);
  }
  t.regex(line(' ip tcp adjust-mss 1461').diagnostic!.message, /% Invalid input detected at '\^' marker\./);
  t.is(line(' ip tcp header-compression').class, 'not-emulated', 'the rest of ip tcp stays accepted, not emulated');
});

test('show running-config prints ip tcp adjust-mss after the NAT side and before the tunnel lines', (t) => {
  const { config } = parseConfig(
    [
      'interface Tunnel0',
      ' ip address 172.16.0.1 255.255.255.252',
      ' ip mtu 1400',
      ' ip tcp adjust-mss 1360',
      ' tunnel source 10.0.0.1',
      ' tunnel destination 10.0.0.2',
      'interface FastEthernet0/1',
      ' ip address 10.1.1.1 255.255.255.0',
      ' ip tcp adjust-mss 1452',
      ' ip nat inside',
    ].join('\n'),
  );
  const text = renderRunningConfig(config);
  t.true(
    text.includes(
      ['interface Tunnel0', ' ip address 172.16.0.1 255.255.255.252', ' ip mtu 1400', ' ip tcp adjust-mss 1360', ' tunnel source 10.0.0.1'].join('\n'),
    ),
  );
  t.true(text.includes([' ip address 10.1.1.1 255.255.255.0', ' ip nat inside', ' ip tcp adjust-mss 1452'].join('\n')));
  t.is(parseConfig(text).config.interfaces.find((i) => i.name === 'FastEthernet0/1')!.adjustMss, 1452, 'it reads back');
});
