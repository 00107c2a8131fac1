/**
 * The translation of IOS routing into FRR's configuration, and the vtysh
 * lines that turn one into another.
 */
import test from 'ava';
import { parseConfig, applyConfigLines } from '../../../../src/ios/index.js';
import { frrConfig, frrText, type FrrConfig } from '../../../../src/agent/routing/frr-config.js';
import { frrDiff, frrSteps, negate, sectionKey } from '../../../../src/agent/routing/frr-diff.js';

const HUB = `
hostname Hub
interface FastEthernet0/0
 ip address 192.168.1.1 255.255.255.0
interface Serial0/0
 no ip address
 encapsulation frame-relay
interface Serial0/0.102 point-to-point
 ip address 10.1.2.1 255.255.255.252
 frame-relay interface-dlci 102
interface Serial0/0.103 point-to-point
 bandwidth 64
 ip address 10.1.3.1 255.255.255.252
 ip ospf hello-interval 5
 frame-relay interface-dlci 103
router ospf 1
 passive-interface FastEthernet0/0
 network 10.1.0.0 0.0.255.255 area 0
 network 192.168.1.0 0.0.0.255 area 0
 redistribute static subnets
 default-information originate
`;

const devices = new Map([
  ['FastEthernet0/0', 'eth0'],
  ['Serial0/0.102', 'eth1'],
  ['Serial0/0.103', 'eth2'],
]);

function translate(text: string, ids: { ospf?: string; eigrp?: string } = {}): FrrConfig {
  return frrConfig({ config: parseConfig(text).config, devices, ospfRouterId: ids.ospf ?? '192.168.1.1', eigrpRouterId: ids.eigrp ?? null });
}

const section = (c: FrrConfig, header: string) => c.sections.find((s) => s.header === header)?.lines;

test('OSPF: router ID, IOS 12.2 SPF timers (5 s delay, 10 s hold), prefixes, redistribution of static routes (kernel routes to zebra), adjacency changes in detail', (t) => {
  const c = translate(HUB);
  t.deepEqual(c.daemons, ['ospfd']);
  t.deepEqual(section(c, 'router ospf'), [
    'ospf router-id 192.168.1.1',
    'log-adjacency-changes detail',
    'timers throttle spf 5000 10000 10000',
    'redistribute kernel',
    'default-information originate',
    'network 10.1.0.0/16 area 0',
    'network 192.168.1.0/24 area 0',
  ]);
  t.deepEqual(
    c.sections.map((s) => s.header),
    ['interface eth0', 'interface eth1', 'interface eth2', 'router ospf'],
    'interface settings before the networks that start OSPF on them',
  );
});

test('OSPF interfaces: IOS costs (10^8/bandwidth, truncated), point-to-point sub-interfaces, passive, timers', (t) => {
  const c = translate(HUB);
  t.deepEqual(section(c, 'interface eth0'), ['ip ospf cost 1', 'ip ospf passive']);
  t.deepEqual(section(c, 'interface eth1'), ['ip ospf cost 64', 'ip ospf network point-to-point'], 'T1 default: 100000/1544 = 64.7, IOS says 64');
  t.deepEqual(section(c, 'interface eth2'), ['ip ospf cost 1562', 'ip ospf hello-interval 5', 'ip ospf network point-to-point']);
});

test('EIGRP: networks as prefixes, bandwidth and delay only for interfaces in the process, passive interfaces left out', (t) => {
  const c = translate(
    `
interface FastEthernet0/0
 ip address 192.168.1.1 255.255.255.0
interface Serial0/0.102 point-to-point
 ip address 10.1.2.1 255.255.255.252
 delay 1000
router eigrp 100
 network 10.0.0.0
 passive-interface Serial0/0.102
 no auto-summary
`,
    { eigrp: '10.1.2.1' },
  );
  t.deepEqual(c.daemons, ['eigrpd']);
  t.deepEqual(
    section(c, 'router eigrp 100'),
    ['eigrp router-id 10.1.2.1', 'network 10.0.0.0/8'],
    'no passive-interface: eigrpd 8.4 ignores it, the kernel drops EIGRP there (passive-filter.ts)',
  );
  t.is(section(c, 'interface eth0'), undefined, 'FastEthernet0/0 is not in 10.0.0.0/8');
  t.deepEqual(section(c, 'interface eth1'), ['eigrp bandwidth 1544', 'delay 1000']);
  t.deepEqual(
    c.sections.map((s) => s.key ?? s.header),
    ['router eigrp 100', 'interface eth1 (eigrp)'],
    "eigrpd takes an interface's values once it is in the process",
  );
});

test('RIP: classful networks; without version, IOS sends 1 and receives 1 and 2 on each interface', (t) => {
  const v2 = translate(`
interface FastEthernet0/0
 ip address 192.168.1.1 255.255.255.0
router rip
 version 2
 network 192.168.1.0
 no auto-summary
`);
  t.deepEqual(section(v2, 'router rip'), ['version 2', 'network 192.168.1.0/24']);
  t.is(section(v2, 'interface eth0'), undefined);
  const v1 = translate(`
interface FastEthernet0/0
 ip address 192.168.1.1 255.255.255.0
router rip
 network 192.168.1.0
`);
  t.deepEqual(section(v1, 'router rip'), ['network 192.168.1.0/24']);
  t.deepEqual(section(v1, 'interface eth0'), ['ip rip send version 1', 'ip rip receive version 1 2']);
});

test('no routing, no daemons and nothing to configure', (t) => {
  t.deepEqual(translate('interface FastEthernet0/0\n ip address 10.0.0.1 255.255.255.0'), { daemons: [], sections: [] });
});

test('the text FRR reads', (t) => {
  t.is(frrText({ daemons: ['ripd'], sections: [{ header: 'router rip', lines: ['version 2'] }] }), 'router rip\n version 2\nexit\n');
});

test('a change is applied as its difference: removed lines negated first, then new ones', (t) => {
  const before = translate(HUB);
  const config = applyConfigLines(parseConfig(HUB).config, [
    'interface Serial0/0.102',
    ' ip ospf cost 10',
    'router ospf 1',
    ' no redistribute static',
    ' area 0 authentication',
  ]).config;
  const after = frrConfig({ config, devices, ospfRouterId: '192.168.1.1', eigrpRouterId: null });
  t.deepEqual(frrDiff(before, after), [
    'interface eth1',
    'no ip ospf cost 64',
    'ip ospf cost 10',
    'exit',
    'router ospf',
    'no redistribute kernel',
    'area 0 authentication',
    'exit',
  ]);
  t.deepEqual(frrDiff(after, after), []);
});

test('a process that goes is removed whole; its interface settings are negated', (t) => {
  const before = translate(HUB);
  const after = translate('interface FastEthernet0/0\n ip address 192.168.1.1 255.255.255.0');
  const steps = frrSteps(new Map(before.sections.map((s) => [sectionKey(s), s])), after);
  t.deepEqual(
    steps.map((s) => s.commands),
    [
      ['interface eth0', 'no ip ospf cost 1', 'no ip ospf passive', 'exit'],
      ['interface eth1', 'no ip ospf cost 64', 'no ip ospf network point-to-point', 'exit'],
      ['interface eth2', 'no ip ospf cost 1562', 'no ip ospf hello-interval 5', 'no ip ospf network point-to-point', 'exit'],
      ['no router ospf'],
    ],
  );
  t.true(steps.every((s) => s.result === null));
});

test("an interface's EIGRP values are a section of their own: EIGRP going leaves its OSPF values alone", (t) => {
  const eigrp = '\nrouter eigrp 100\n network 10.0.0.0\n no auto-summary\n';
  const before = translate(HUB + eigrp, { eigrp: '10.1.3.1' });
  t.deepEqual(before.sections.filter((s) => s.header === 'interface eth1').map(sectionKey), ['interface eth1', 'interface eth1 (eigrp)']);
  t.deepEqual(frrDiff(before, translate(HUB)), [
    'no router eigrp 100',
    'interface eth1',
    'no eigrp bandwidth 1544',
    'no delay 2000',
    'exit',
    'interface eth2',
    'no eigrp bandwidth 64',
    'no delay 2000',
    'exit',
  ]);
});

test('negations FRR spells its own way', (t) => {
  t.is(negate('area 1 stub no-summary'), 'no area 1 stub');
  t.is(negate('ip ospf message-digest-key 1 md5 secret'), 'no ip ospf message-digest-key 1');
  t.is(negate('ip rip receive version 1 2'), 'no ip rip receive version');
  t.is(negate('version 2'), 'no version');
  t.is(negate('no ip ospf passive'), 'ip ospf passive');
  t.is(negate('network 10.0.0.0/8 area 0'), 'no network 10.0.0.0/8 area 0');
});
