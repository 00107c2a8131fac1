/**
 * FRR 8.4's answers read into IOS data: the samples are FRR's own output,
 * captured from two containers running zebra, ospfd, eigrpd and ripd.
 */
import test from 'ava';
import {
  eigrpNeighbors,
  eigrpTopology,
  frrUptimeSeconds,
  learnedRoutes,
  ospfInterfaces,
  ospfNeighbors,
  ripRoutes,
  ripSources,
} from '../../../../src/agent/routing/frr-parse.js';

const ios = (dev: string) => ({ eth0: 'FastEthernet0/0', eth1: 'Serial0/0.102', lo: 'Loopback0' })[dev];

const ZEBRA = {
  '10.0.0.0/24': [
    {
      prefix: '10.0.0.0/24',
      prefixLen: 24,
      protocol: 'ospf',
      distance: 110,
      metric: 10,
      uptime: '00:00:57',
      nexthops: [{ directlyConnected: true, interfaceName: 'eth0', active: true }],
    },
    {
      prefix: '10.0.0.0/24',
      prefixLen: 24,
      protocol: 'connected',
      distance: 0,
      metric: 0,
      uptime: '00:01:03',
      nexthops: [{ interfaceName: 'eth0', active: true }],
    },
  ],
  '172.16.0.0/16': [
    { prefix: '172.16.0.0/16', prefixLen: 16, protocol: 'kernel', distance: 0, metric: 1, nexthops: [{ ip: '10.0.0.2', interfaceName: 'eth0', active: true }] },
  ],
  '192.168.5.0/24': [
    {
      prefix: '192.168.5.0/24',
      prefixLen: 24,
      protocol: 'eigrp',
      distance: 90,
      metric: 540160,
      uptime: '00:00:11',
      nexthops: [{ ip: '10.0.0.2', interfaceName: 'eth0', active: true }],
    },
    {
      prefix: '192.168.5.0/24',
      prefixLen: 24,
      protocol: 'rip',
      distance: 120,
      metric: 2,
      uptime: '1d02h03m',
      nexthops: [{ ip: '10.0.0.2', interfaceName: 'eth0', active: true }],
    },
  ],
  '192.168.5.1/32': [
    {
      prefix: '192.168.5.1/32',
      prefixLen: 32,
      protocol: 'ospf',
      distance: 110,
      metric: 10,
      uptime: '00:00:06',
      nexthops: [{ ip: '10.0.0.2', interfaceName: 'eth0', active: true }],
    },
  ],
  '0.0.0.0/0': [
    {
      prefix: '0.0.0.0/0',
      prefixLen: 0,
      protocol: 'ospf',
      distance: 110,
      metric: 1,
      uptime: '00:00:06',
      nexthops: [{ ip: '10.0.0.9', interfaceName: 'eth9', active: true }],
    },
  ],
};
const OSPF_ROUTES = {
  '10.0.0.0/24': { routeType: 'N' },
  '192.168.5.1/32': { routeType: 'N IA' },
  '192.168.5.1': { routeType: 'R ' },
};

test('FRR uptimes in seconds', (t) => {
  t.is(frrUptimeSeconds('00:01:03'), 63);
  t.is(frrUptimeSeconds('1d02h03m'), 93780);
  t.is(frrUptimeSeconds('02w3d04h'), 1483200);
  t.is(frrUptimeSeconds(undefined), 0);
});

test('learned routes: codes, distances, IOS metrics, interface names; no connected, kernel or unknown-interface routes', (t) => {
  const now = 1_000_000_000;
  const routes = learnedRoutes(ZEBRA, OSPF_ROUTES, ios, now);
  t.deepEqual(
    routes.map((r) => [r.code, `${r.prefix}/${r.length}`, r.distance, r.metric, r.paths.map((p) => `${p.nextHop}@${p.outInterface}`).join()]),
    [
      ['D', '192.168.5.0/24', 90, 540160, '10.0.0.2@FastEthernet0/0'],
      ['R', '192.168.5.0/24', 120, 1, '10.0.0.2@FastEthernet0/0'],
      ['O IA', '192.168.5.1/32', 110, 10, '10.0.0.2@FastEthernet0/0'],
    ],
  );
  t.is(routes[0]!.learnedAt, now - 11_000);
  t.is(routes[0]!.mask, '255.255.255.0');
});

test('OSPF neighbours in IOS words', (t) => {
  const json = {
    neighbors: {
      '192.168.5.1': [{ nbrPriority: 1, nbrState: 'Full/DR', deadTimeMsecs: 7929, ifaceAddress: '10.0.0.2', ifaceName: 'eth0:10.0.0.1', upTimeInMsec: 10426 }],
      '3.3.3.3': [{ nbrPriority: 0, nbrState: '2-Way/DROther', deadTimeMsecs: 31000, ifaceAddress: '10.0.0.3', ifaceName: 'eth0:10.0.0.1' }],
      '4.4.4.4': [{ nbrPriority: 1, nbrState: 'Full/-', deadTimeMsecs: 36000, ifaceAddress: '10.1.2.2', ifaceName: 'eth1:10.1.2.1' }],
      '9.9.9.9': [{ nbrPriority: 1, nbrState: 'Full/DR', deadTimeMsecs: 1000, ifaceAddress: '10.9.9.9', ifaceName: 'eth7:10.9.9.1' }],
    },
  };
  t.deepEqual(ospfNeighbors(json, ios), [
    { routerId: '192.168.5.1', priority: 1, state: 'FULL', role: 'DR', deadSeconds: 8, address: '10.0.0.2', interface: 'FastEthernet0/0', upSeconds: 10 },
    { routerId: '3.3.3.3', priority: 0, state: '2WAY', role: 'DROTHER', deadSeconds: 31, address: '10.0.0.3', interface: 'FastEthernet0/0', upSeconds: 0 },
    { routerId: '4.4.4.4', priority: 1, state: 'FULL', role: '-', deadSeconds: 36, address: '10.1.2.2', interface: 'Serial0/0.102', upSeconds: 0 },
  ]);
});

test('OSPF interfaces by device', (t) => {
  const m = ospfInterfaces({
    interfaces: {
      eth0: {
        state: 'Backup',
        networkType: 'BROADCAST',
        cost: 65,
        area: '0.0.0.0',
        routerId: '10.0.0.1',
        priority: 1,
        drId: '192.168.5.1',
        drAddress: '10.0.0.2',
        bdrId: '10.0.0.1',
        bdrAddress: '10.0.0.1',
        timerMsecs: 2000,
        timerDeadSecs: 8,
        timerWaitSecs: 8,
        timerRetransmitSecs: 5,
        timerHelloInMsecs: 1982,
        nbrCount: 1,
        nbrAdjacentCount: 1,
      },
    },
  });
  t.like(m.get('eth0'), { state: 'BDR', cost: 65, hello: 2, dead: 8, helloDueSeconds: 2, drId: '192.168.5.1', neighbors: 1, adjacent: 1 });
});

const EIGRP_NEIGHBORS = `
EIGRP neighbors for AS(100)

H   Address           Interface            Hold   Uptime   SRTT   RTO   Q     Seq  
                                           (sec)           (ms)        Cnt    Num   
0   10.0.0.2          eth0                 14     0        0      2    0      2
1   10.9.9.9          eth9                 12     0        0      2    0      5
`;

test('EIGRP neighbours from FRR text', (t) => {
  t.deepEqual(eigrpNeighbors(EIGRP_NEIGHBORS, ios), [
    { handle: 0, address: '10.0.0.2', interface: 'FastEthernet0/0', holdSeconds: 14, srtt: 0, rto: 2, queue: 0, seq: 2 },
  ]);
});

const EIGRP_TOPOLOGY = `
EIGRP Topology Table for AS(100)/ID(10.0.0.1)

Codes: P - Passive, A - Active, U - Update, Q - Query, R - Reply
       r - reply Status, s - sia Status

P  10.0.0.0/24, 3 successors, FD is 28160, serno: 0 
       via Connected, eth0
       via Connected, eth0
       via Connected, eth0
P  192.168.5.0/24, 1 successors, FD is 30720, serno: 0 
       via 0.0.0.0 (30720/28160), eth0
       via 10.0.0.2 (514880/2880), eth0
`;

test("EIGRP topology from FRR text: repeated connected vias kept once, FRR's stale 0.0.0.0 vias dropped", (t) => {
  t.deepEqual(eigrpTopology(EIGRP_TOPOLOGY, ios), [
    { state: 'P', prefix: '10.0.0.0/24', successors: 1, fd: 28160, vias: [{ nextHop: null, fd: null, rd: null, interface: 'FastEthernet0/0' }] },
    { state: 'P', prefix: '192.168.5.0/24', successors: 1, fd: 30720, vias: [{ nextHop: '10.0.0.2', fd: 514880, rd: 2880, interface: 'FastEthernet0/0' }] },
  ]);
});

const RIP = `Codes: R - RIP, C - connected, S - Static, O - OSPF, B - BGP
Sub-codes:
      (n) - normal, (s) - static, (d) - default, (r) - redistribute,
      (i) - interface

     Network            Next Hop         Metric From            Tag Time
C(i) 10.0.0.0/24        0.0.0.0               1 self              0
R(n) 192.168.5.0/24     10.0.0.2              2 10.0.0.2          0 02:52
`;

test('RIP routes: IOS metric (hops), seconds since the last update', (t) => {
  t.deepEqual(
    ripRoutes(RIP, ios, (a) => (a.startsWith('10.0.0.') ? 'eth0' : undefined)),
    [
      { prefix: '10.0.0.0', length: 24, metric: 0, nextHop: null, interface: null, age: null, connected: true },
      { prefix: '192.168.5.0', length: 24, metric: 1, nextHop: '10.0.0.2', interface: 'FastEthernet0/0', age: 8, connected: false },
    ],
  );
});

test('RIP sources from show ip rip status', (t) => {
  const text = `Routing Protocol is "rip"
  Sending updates every 30 seconds with +/-50%, next due in 17 seconds
  Routing Information Sources:
    Gateway          BadPackets BadRoutes  Distance Last Update
    10.0.0.2                 0         0       120   00:00:08
  Distance: (default is 120)
`;
  t.deepEqual(ripSources(text), [{ gateway: '10.0.0.2', age: 8 }]);
});
