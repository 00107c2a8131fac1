/**
 * The routing show commands in IOS 12.2's layout: show ip route with learned
 * routes, the OSPF, EIGRP and RIP tables, show ip protocols, show interfaces
 * of WAN links; and the exec commands that reach them.
 */
import test from 'ava';
import {
  computeRoutes,
  formatRouteAge,
  interfaceView,
  parseConfig,
  renderInterface,
  parseExec,
  renderShowIpEigrpNeighbors,
  renderShowIpEigrpTopology,
  renderShowIpOspfInterface,
  renderShowIpOspfNeighbor,
  renderShowIpProtocols,
  renderShowIpRipDatabase,
  renderShowIpRoute,
  type Route,
} from '../../../src/ios/index.js';

const NOW = 1_700_000_000_000;

const learned = (
  code: Route['code'],
  source: Route['source'],
  prefix: string,
  length: number,
  mask: string,
  distance: number,
  metric: number,
  via: string,
  iface: string,
  ago: number,
): Route => ({
  source,
  code,
  learnedAt: NOW - ago * 1000,
  prefix,
  mask,
  length,
  distance,
  metric,
  paths: [{ nextHop: via, interface: null, outInterface: iface, gateway: via }],
});

const CONFIG = parseConfig(`
interface FastEthernet0/0
 ip address 10.0.0.1 255.255.255.0
interface Serial0/0.102 point-to-point
 ip address 10.1.2.1 255.255.255.252
 frame-relay interface-dlci 102
ip route 172.16.0.0 255.255.0.0 10.0.0.9 200
`).config;

test('learned routes in show ip route: codes, [distance/metric], age, interface; a floating static gives way', (t) => {
  const routes = computeRoutes(CONFIG, undefined, [
    learned('O', 'ospf', '10.1.1.0', 24, '255.255.255.0', 110, 2, '10.0.0.2', 'FastEthernet0/0', 12),
    learned('O IA', 'ospf', '10.5.0.0', 24, '255.255.255.0', 110, 66, '10.0.0.2', 'FastEthernet0/0', 3600),
    learned('O E2', 'ospf', '172.16.0.0', 16, '255.255.0.0', 110, 20, '10.0.0.2', 'FastEthernet0/0', 90000),
    learned('D', 'eigrp', '192.168.2.0', 24, '255.255.255.0', 90, 2172416, '10.1.2.2', 'Serial0/0.102', 5),
    learned('R', 'rip', '192.168.3.0', 24, '255.255.255.0', 120, 1, '10.1.2.2', 'Serial0/0.102', 20),
    learned('O E2', 'ospf', '0.0.0.0', 0, '0.0.0.0', 110, 1, '10.0.0.2', 'FastEthernet0/0', 30),
  ]);
  const text = renderShowIpRoute(routes, NOW);
  t.true(text.includes('\nGateway of last resort is 10.0.0.2 to network 0.0.0.0\n'));
  t.true(text.includes('\nO E2 172.16.0.0/16 [110/20] via 10.0.0.2, 1d01h, FastEthernet0/0\n'), 'the OSPF route (110) wins over the static one (200)');
  t.true(text.includes('\n     10.0.0.0/8 is variably subnetted, 4 subnets, 2 masks\n'));
  t.true(text.includes('\nO       10.1.1.0/24 [110/2] via 10.0.0.2, 00:00:12, FastEthernet0/0\n'));
  t.true(text.includes('\nO IA    10.5.0.0/24 [110/66] via 10.0.0.2, 01:00:00, FastEthernet0/0\n'));
  t.true(text.includes('\nD    192.168.2.0/24 [90/2172416] via 10.1.2.2, 00:00:05, Serial0/0.102\n'));
  t.true(text.includes('\nR    192.168.3.0/24 [120/1] via 10.1.2.2, 00:00:20, Serial0/0.102\n'));
  t.true(text.endsWith('O*E2 0.0.0.0/0 [110/1] via 10.0.0.2, 00:00:30, FastEthernet0/0\n'));
  t.false(text.includes('S    172.16.0.0'));
});

test('route ages as IOS prints them', (t) => {
  t.is(formatRouteAge(0), '00:00:00');
  t.is(formatRouteAge(86399), '23:59:59');
  t.is(formatRouteAge(93780), '1d02h');
  t.is(formatRouteAge(13 * 86400), '1w6d');
});

test('show ip ospf neighbor', (t) => {
  t.is(
    renderShowIpOspfNeighbor([
      { routerId: '192.168.45.1', priority: 1, state: 'FULL', role: 'DR', deadSeconds: 36, address: '10.0.0.1', interface: 'Ethernet0' },
      { routerId: '4.4.4.4', priority: 0, state: 'FULL', role: '-', deadSeconds: 32, address: '10.1.2.2', interface: 'Serial0/0.102' },
    ]),
    '\nNeighbor ID     Pri   State           Dead Time   Address         Interface\n' +
      '192.168.45.1      1   FULL/DR         00:00:36    10.0.0.1        Ethernet0\n' +
      '4.4.4.4           0   FULL/  -        00:00:32    10.1.2.2        Serial0/0.102\n',
  );
});

test('show ip ospf interface: broadcast with DR and BDR, point-to-point, passive', (t) => {
  const base = {
    status: 'up' as const,
    prefixLength: 24,
    area: '0',
    processId: 1,
    routerId: '1.1.1.1',
    cost: 1,
    priority: 1,
    hello: 10,
    dead: 40,
    wait: 40,
    retransmit: 5,
    helloDueSeconds: 4,
    passive: false,
    neighbors: 1,
  };
  const text = renderShowIpOspfInterface([
    {
      ...base,
      interface: 'FastEthernet0/0',
      address: '10.1.1.1',
      networkType: 'BROADCAST',
      state: 'DR',
      dr: { id: '1.1.1.1', address: '10.1.1.1' },
      bdr: { id: '2.2.2.2', address: '10.1.1.2' },
      adjacent: [{ routerId: '2.2.2.2', role: 'BDR' }],
    },
    {
      ...base,
      interface: 'Serial0/0.102',
      address: '10.1.2.1',
      prefixLength: 30,
      networkType: 'POINT_TO_POINT',
      cost: 64,
      state: 'POINT_TO_POINT',
      dr: null,
      bdr: null,
      adjacent: [{ routerId: '4.4.4.4', role: null }],
    },
    {
      ...base,
      interface: 'Ethernet1/0',
      address: '192.168.1.1',
      networkType: 'BROADCAST',
      cost: 10,
      state: 'DR',
      dr: { id: '1.1.1.1', address: '192.168.1.1' },
      bdr: null,
      passive: true,
      neighbors: 0,
      adjacent: [],
    },
  ]);
  t.is(
    text,
    [
      'FastEthernet0/0 is up, line protocol is up ',
      '  Internet Address 10.1.1.1/24, Area 0 ',
      '  Process ID 1, Router ID 1.1.1.1, Network Type BROADCAST, Cost: 1',
      '  Transmit Delay is 1 sec, State DR, Priority 1 ',
      '  Designated Router (ID) 1.1.1.1, Interface address 10.1.1.1',
      '  Backup Designated router (ID) 2.2.2.2, Interface address 10.1.1.2',
      '  Timer intervals configured, Hello 10, Dead 40, Wait 40, Retransmit 5',
      '    Hello due in 00:00:04',
      '  Neighbor Count is 1, Adjacent neighbor count is 1 ',
      '    Adjacent with neighbor 2.2.2.2  (Backup Designated Router)',
      '  Suppress hello for 0 neighbor(s)',
      'Serial0/0.102 is up, line protocol is up ',
      '  Internet Address 10.1.2.1/30, Area 0 ',
      '  Process ID 1, Router ID 1.1.1.1, Network Type POINT_TO_POINT, Cost: 64',
      '  Transmit Delay is 1 sec, State POINT_TO_POINT,',
      '  Timer intervals configured, Hello 10, Dead 40, Wait 40, Retransmit 5',
      '    Hello due in 00:00:04',
      '  Neighbor Count is 1, Adjacent neighbor count is 1 ',
      '    Adjacent with neighbor 4.4.4.4',
      '  Suppress hello for 0 neighbor(s)',
      'Ethernet1/0 is up, line protocol is up ',
      '  Internet Address 192.168.1.1/24, Area 0 ',
      '  Process ID 1, Router ID 1.1.1.1, Network Type BROADCAST, Cost: 10',
      '  Transmit Delay is 1 sec, State DR, Priority 1 ',
      '  Designated Router (ID) 1.1.1.1, Interface address 192.168.1.1',
      '  No backup designated router on this network',
      '  Timer intervals configured, Hello 10, Dead 40, Wait 40, Retransmit 5',
      '    No Hellos (Passive interface)',
      '  Neighbor Count is 0, Adjacent neighbor count is 0 ',
      '  Suppress hello for 0 neighbor(s)',
      '',
    ].join('\n'),
  );
});

test('show ip eigrp neighbors and topology', (t) => {
  t.is(
    renderShowIpEigrpNeighbors(1, [
      { handle: 0, address: '192.168.1.2', interface: 'Gi0/0', holdSeconds: 10, uptimeSeconds: 765, srtt: 19, rto: 100, queue: 0, seq: 11 },
    ]),
    'IP-EIGRP neighbors for process 1\n' +
      'H   Address                 Interface       Hold Uptime   SRTT   RTO  Q  Seq\n' +
      '                                            (sec)         (ms)       Cnt Num\n' +
      '0   192.168.1.2            Gi0/0             10 00:12:45   19   100  0  11\n',
  );
  t.is(
    renderShowIpEigrpTopology(100, '10.1.2.1', [
      { state: 'P', prefix: '10.1.2.0/30', successors: 1, fd: 2169856, vias: [{ nextHop: null, fd: null, rd: null, interface: 'Serial0/0.102' }] },
      { state: 'P', prefix: '192.168.2.0/24', successors: 1, fd: 2172416, vias: [{ nextHop: '10.1.2.2', fd: 2172416, rd: 28160, interface: 'Serial0/0.102' }] },
    ]),
    'IP-EIGRP Topology Table for AS(100)/ID(10.1.2.1)\n\nCodes: P - Passive, A - Active, U - Update, Q - Query, R - Reply,\n       r - Reply status\n\n' +
      'P 10.1.2.0/30, 1 successors, FD is 2169856\n        via Connected, Serial0/0.102\n' +
      'P 192.168.2.0/24, 1 successors, FD is 2172416\n        via 10.1.2.2 (2172416/28160), Serial0/0.102\n',
  );
});

test('show ip rip database', (t) => {
  t.is(
    renderShowIpRipDatabase([
      { prefix: '192.168.3.0', length: 24, connected: null, paths: [{ metric: 1, nextHop: '10.0.23.3', ageSeconds: 5, interface: 'FastEthernet0/1' }] },
      { prefix: '10.0.12.0', length: 24, connected: { interface: 'FastEthernet0/0' }, paths: [] },
    ]),
    '10.0.12.0/24    directly connected, FastEthernet0/0\n192.168.3.0/24\n    [1] via 10.0.23.3, 00:00:05, FastEthernet0/1\n',
  );
});

test('show ip protocols: one block per process', (t) => {
  const config = parseConfig(`
interface FastEthernet0/0
 ip address 10.0.12.1 255.255.255.0
interface FastEthernet0/1
 ip address 192.168.1.1 255.255.255.0
router ospf 1
 passive-interface FastEthernet0/1
 network 10.0.0.0 0.255.255.255 area 0
 redistribute static subnets
router rip
 version 2
 network 10.0.0.0
 no auto-summary
`).config;
  const text = renderShowIpProtocols({
    config,
    ospfRouterId: '192.168.1.1',
    ospfSources: [{ gateway: '2.2.2.2', distance: 110, ageSeconds: 12 }],
    eigrpSources: [],
    ripSources: [{ gateway: '10.0.12.2', distance: 120, ageSeconds: 5 }],
    ripInterfaces: ['FastEthernet0/0'],
    ripNextDue: 17,
  });
  t.true(text.startsWith('Routing Protocol is "ospf 1"\n  Outgoing update filter list for all interfaces is not set\n'));
  t.true(
    text.includes(
      '\n  Router ID 192.168.1.1\n  It is an autonomous system boundary router\n  Redistributing External Routes from,\n    static, includes subnets in redistribution\n',
    ),
  );
  t.true(text.includes('\n  Routing for Networks:\n    10.0.0.0 0.255.255.255 area 0\n  Passive Interface(s):\n    FastEthernet0/1\n'));
  t.true(text.includes('\n    Gateway         Distance      Last Update\n    2.2.2.2              110      00:00:12\n'));
  t.true(text.includes('\nRouting Protocol is "rip"\n  Sending updates every 30 seconds, next due in 17 seconds\n'));
  t.true(
    text.includes(
      '\n  Default version control: send version 2, receive version 2\n    Interface             Send  Recv  Triggered RIP  Key-chain\n    FastEthernet0/0       2     2\n',
    ),
  );
  t.true(text.includes('\n    10.0.12.2            120      00:00:05\n  Distance: (default is 120)\n'));
});

test('show interfaces of serial links, Frame Relay and 802.1Q sub-interfaces', (t) => {
  const config = parseConfig(`
interface Serial0/0
 no ip address
 encapsulation frame-relay
interface Serial0/0.102 point-to-point
 ip address 10.1.2.1 255.255.255.252
 frame-relay interface-dlci 102
interface Serial0/1
 bandwidth 64
 ip address 10.9.9.1 255.255.255.252
interface FastEthernet0/0.10
 encapsulation dot1Q 10
 ip address 10.10.0.1 255.255.255.0
`).config;
  const of = (n: string) =>
    renderInterface(
      interfaceView(
        config,
        config.interfaces.find((i) => i.name === n)!,
        'up',
      ),
    ).join('\n');
  t.is(
    of('Serial0/1'),
    'Serial0/1 is up, line protocol is up\n  Hardware is PowerQUICC Serial\n  Internet address is 10.9.9.1/30\n  MTU 1500 bytes, BW 64 Kbit, DLY 20000 usec,\n  Encapsulation HDLC, loopback not set\n  Keepalive set (10 sec)',
  );
  t.regex(of('Serial0/0'), /\n {2}Encapsulation FRAME-RELAY, loopback not set\n/);
  t.regex(of('Serial0/0.102'), /\n {2}Encapsulation FRAME-RELAY$/);
  t.regex(
    of('FastEthernet0/0.10'),
    /Hardware is AmdFE\n[^]*MTU 1500 bytes, BW 100000 Kbit, DLY 100 usec,\n {2}Encapsulation 802\.1Q Virtual LAN, Vlan ID {2}10\.$/,
  );
});

test('the routing exec commands parse, abbreviated as IOS takes them', (t) => {
  const kind = (line: string) => {
    const r = parseExec(line);
    return r.ok ? r.command : r.output;
  };
  t.deepEqual(kind('sh ip ospf nei'), { kind: 'show-ip-ospf-neighbor' });
  t.deepEqual(kind('show ip ospf 1 neighbor'), { kind: 'show-ip-ospf-neighbor' });
  t.deepEqual(kind('sh ip ospf int fa0/0'), { kind: 'show-ip-ospf-interface', interface: 'FastEthernet0/0' });
  t.deepEqual(kind('sh ip eigrp nei'), { kind: 'show-ip-eigrp-neighbors' });
  t.deepEqual(kind('sh ip eigrp topo'), { kind: 'show-ip-eigrp-topology' });
  t.deepEqual(kind('sh ip prot'), { kind: 'show-ip-protocols' });
  t.deepEqual(kind('sh ip rip data'), { kind: 'show-ip-rip-database' });
  t.deepEqual(kind('debug ip ospf adj'), { kind: 'debug', facility: 'ospf-adj', on: true });
  t.deepEqual(kind('no debug ip ospf adj'), { kind: 'debug', facility: 'ospf-adj', on: false });
  t.deepEqual(kind('clear ip ospf process'), { kind: 'clear-ip-ospf-process', processId: null });
  t.deepEqual(kind('clear ip ospf 1 process'), { kind: 'clear-ip-ospf-process', processId: 1 });
  t.is(kind('debug ip ospf hello'), '% "debug ip ospf hello" is not emulated by the testbed\n');
});
