/**
 * router ospf | eigrp | rip and the WAN interface lines: what the parser puts
 * in the model, what it refuses as IOS does, and what it reports as not
 * emulated (a second process, the auto-summary default, NBMA networks).
 */
import test from 'ava';
import { applyConfigLines, modePrompt, newRouterConfig, parseConfig } from '../../../src/ios/index.js';

const warnings = (text: string) =>
  parseConfig(text)
    .diagnostics.filter((d) => d.code === 'not-emulated')
    .map((d) => [d.line, d.message]);

test('router ospf: networks, areas, passive interfaces, redistribution and the default route', (t) => {
  const { config, diagnostics } = parseConfig(
    [
      'router ospf 7',
      ' router-id 1.1.1.1',
      ' network 10.0.0.0 0.0.0.255 area 0',
      ' network 10.1.0.0 0.0.255.255 area 0.0.0.1',
      ' area 1 stub no-summary',
      ' area 0.0.0.1 authentication message-digest',
      ' passive-interface fa0/1',
      ' redistribute static subnets metric 30 metric-type 1',
      ' redistribute connected subnets',
      ' default-information originate always',
    ].join('\n'),
  );
  t.deepEqual(diagnostics, []);
  const p = config.routing.ospf[0]!;
  t.is(p.id, 7);
  t.is(p.routerId, '1.1.1.1');
  t.deepEqual(p.networks, [
    { address: '10.0.0.0', wildcard: '0.0.0.255', area: '0' },
    { address: '10.1.0.0', wildcard: '0.0.255.255', area: '0.0.0.1' },
  ]);
  t.deepEqual(p.areas, [{ id: '1', stub: true, noSummary: true, authentication: 'message-digest' }], '`1` and `0.0.0.1` are one area');
  t.deepEqual(p.passive, { default: false, interfaces: ['FastEthernet0/1'] });
  t.deepEqual(p.redistribute, [
    { protocol: 'static', subnets: true, metric: 30, metricType: 1 },
    { protocol: 'connected', subnets: true, metric: null, metricType: null },
  ]);
  t.deepEqual(p.defaultInformation, { always: true, metric: null, metricType: null });
});

test('passive-interface default keeps the interfaces made active again', (t) => {
  const { config } = parseConfig(
    ['router ospf 1', ' passive-interface default', ' no passive-interface Serial0/0', ' passive-interface Serial0/0', ' no passive-interface Serial0/1'].join(
      '\n',
    ),
  );
  t.deepEqual(config.routing.ospf[0]!.passive, { default: true, interfaces: ['Serial0/1'] });
});

test('EIGRP and RIP networks are stored as IOS stores them (classful without a wildcard)', (t) => {
  const { config } = parseConfig(
    [
      'router eigrp 100',
      ' network 192.168.12.1',
      ' network 4.4.4.1 0.0.0.255',
      ' no auto-summary',
      'router rip',
      ' version 2',
      ' network 10.1.2.0',
      ' network 172.16.3.1',
      ' no auto-summary',
    ].join('\n'),
  );
  t.deepEqual(config.routing.eigrp[0]!.networks, [
    { address: '192.168.12.0', wildcard: null },
    { address: '4.4.4.0', wildcard: '0.0.0.255' },
  ]);
  t.false(config.routing.eigrp[0]!.autoSummary);
  t.deepEqual(config.routing.rip!.networks, ['10.0.0.0', '172.16.0.0']);
  t.is(config.routing.rip!.version, 2);
});

test('EIGRP and RIP without no auto-summary: the header says summarization is not emulated, once', (t) => {
  const w = warnings(['router eigrp 1', ' network 10.0.0.0', 'router rip', ' network 10.0.0.0'].join('\n'));
  t.deepEqual(
    w.map(([line]) => line),
    [1, 3],
  );
  t.regex(String(w[0]![1]), /^accepted, not emulated: router eigrp 1 \(automatic summarization, on by default in 12\.2, is not emulated/);
  const explicit = warnings(['router rip', ' auto-summary', ' network 10.0.0.0'].join('\n'));
  t.deepEqual(
    explicit.map(([line]) => line),
    [2],
    'written out, the line itself carries the warning',
  );
  t.deepEqual(warnings(['router rip', ' network 10.0.0.0', ' no auto-summary'].join('\n')), []);
});

test('a second OSPF process is accepted and reported whole: FRR runs one instance', (t) => {
  const r = parseConfig(
    ['router ospf 1', ' network 10.0.0.0 0.255.255.255 area 0', 'router ospf 2', ' network 11.0.0.0 0.255.255.255 area 0', ' router-id 2.2.2.2'].join('\n'),
  );
  t.deepEqual(r.lines, ['emulated', 'emulated', 'not-emulated', 'not-emulated', 'not-emulated']);
  const d = r.diagnostics.filter((x) => x.code === 'not-emulated');
  t.deepEqual(
    d.map((x) => [x.line, x.blockLines]),
    [[3, 2]],
  );
  t.is(r.config.routing.ospf.length, 2);
  // entering the first process again is no second process
  const again = applyConfigLines(r.config, ['router ospf 1']);
  t.deepEqual(again.lines, ['emulated']);
});

test('lines FRR cannot do are kept and warned: non-contiguous wildcards, redistribution between protocols, NSSA', (t) => {
  const r = parseConfig(
    [
      'router ospf 1',
      ' network 10.0.0.0 0.255.0.255 area 0',
      ' redistribute eigrp 100 subnets',
      ' redistribute static',
      ' area 2 nssa',
      ' timers spf 1 5',
    ].join('\n'),
  );
  t.deepEqual(r.lines, ['emulated', 'not-emulated', 'not-emulated', 'not-emulated', 'not-emulated', 'not-emulated']);
  t.deepEqual(r.config.routing.ospf[0]!.extras, ['redistribute eigrp 100 subnets', 'area 2 nssa', 'timers spf 1 5']);
  t.deepEqual(r.config.routing.ospf[0]!.redistribute, [{ protocol: 'static', subnets: false, metric: null, metricType: null }]);
});

test('no router removes the process; the sub-mode prompt is (config-router)', (t) => {
  const on = applyConfigLines(newRouterConfig(), ['router eigrp 10', ' network 10.0.0.0']);
  t.is(modePrompt(on.mode), '(config-router)');
  t.is(on.config.routing.eigrp.length, 1);
  const off = applyConfigLines(on.config, ['no router eigrp 10']);
  t.deepEqual(off.config.routing.eigrp, []);
});

test('interface ospf settings, bandwidth and delay go into the model', (t) => {
  const { config, diagnostics } = parseConfig(
    [
      'interface Serial0/0',
      ' bandwidth 64',
      ' delay 2000',
      ' ip ospf cost 50',
      ' ip ospf hello-interval 5',
      ' ip ospf dead-interval 20',
      ' ip ospf network point-to-point',
      ' ip ospf priority 0',
      ' ip ospf authentication message-digest',
      ' ip ospf message-digest-key 1 md5 s3cret',
    ].join('\n'),
  );
  t.deepEqual(diagnostics, []);
  const i = config.interfaces[0]!;
  t.deepEqual([i.bandwidth, i.delay], [64, 2000]);
  t.deepEqual(i.ospf, {
    cost: 50,
    hello: 5,
    dead: 20,
    network: 'point-to-point',
    priority: 0,
    authentication: 'message-digest',
    authenticationKey: null,
    messageDigestKeys: [{ id: 1, key: 's3cret' }],
  });
});

test('WAN encapsulations: serial main interfaces, 802.1Q sub-interfaces, DLCIs', (t) => {
  const { config, diagnostics } = parseConfig(
    [
      'interface Serial0/0',
      ' encapsulation frame-relay',
      'interface Serial0/0.102 point-to-point',
      ' ip address 10.1.2.1 255.255.255.252',
      ' frame-relay interface-dlci 102',
      'interface Serial0/1',
      ' encapsulation ppp',
      'interface FastEthernet0/0.10',
      ' encapsulation dot1Q 10',
      ' ip address 10.10.0.1 255.255.255.0',
    ].join('\n'),
  );
  t.deepEqual(diagnostics, []);
  const by = (n: string) => config.interfaces.find((i) => i.name === n)!.wan;
  t.deepEqual(by('Serial0/0').encapsulation, { kind: 'frame-relay', ietf: false });
  t.deepEqual([by('Serial0/0.102').subinterfaceType, by('Serial0/0.102').dlci], ['point-to-point', 102]);
  t.deepEqual(by('Serial0/1').encapsulation, { kind: 'ppp' });
  t.deepEqual(by('FastEthernet0/0.10').encapsulation, { kind: 'dot1q', vlan: 10, native: false });
});

test('IOS refuses an encapsulation the interface does not offer, and routing on a LAN sub-interface before its VLAN', (t) => {
  const r = parseConfig(
    [
      'interface FastEthernet0/0',
      ' encapsulation ppp',
      'interface Serial0/0',
      ' encapsulation dot1Q 5',
      'interface FastEthernet0/1.5',
      ' ip address 10.5.0.1 255.255.255.0',
    ].join('\n'),
  );
  t.deepEqual(r.lines, ['emulated', 'refused', 'emulated', 'refused', 'emulated', 'refused']);
  const lan = r.diagnostics.find((d) => d.line === 6)!;
  t.is(
    lan.message,
    '% Configuring IP routing on a LAN subinterface is only allowed if that subinterface is already configured as part of an IEEE 802.10, IEEE 802.1Q, or ISL vLAN.',
  );
  t.is(r.diagnostics.find((d) => d.line === 2)!.code, 'invalid-input');
});

test('NBMA OSPF network types and routing knobs FRR is not given are warned', (t) => {
  const r = parseConfig(['interface Serial0/0', ' ip ospf network non-broadcast', ' ip hello-interval eigrp 1 10', ' ip split-horizon eigrp 1'].join('\n'));
  t.deepEqual(r.lines, ['emulated', 'not-emulated', 'not-emulated', 'not-emulated']);
});
