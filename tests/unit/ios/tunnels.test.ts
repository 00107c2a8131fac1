/**
 * The line protocol of GRE tunnels (src/ios/routing/tunnels.ts): a valid
 * source, a destination with a route that does not lead through the tunnel,
 * answered keepalives; a learned route makes the destination routable like a
 * static one; the routes through a tunnel exist only while it is up; the
 * tunnel's IP MTU.
 */
import test from 'ava';
import { computeRoutes, parseConfig, tunnelIpMtu, tunnelStates, type Route, type TunnelState } from '../../../src/ios/index.js';

const BASE = [
  'interface Loopback0',
  ' ip address 10.0.0.1 255.255.255.255',
  'interface FastEthernet0/0',
  ' ip address 192.0.2.1 255.255.255.0',
  'interface FastEthernet0/1',
  ' ip address 10.1.1.1 255.255.255.0',
  'interface Tunnel0',
  ' ip address 172.16.0.1 255.255.255.252',
];

function states(lines: string[], link?: Record<string, boolean>, keepaliveDown?: (n: string) => boolean): TunnelState[] {
  const { config } = parseConfig([...BASE, ...lines].join('\n'));
  return tunnelStates(config, link, keepaliveDown);
}

const reason = (lines: string[], link?: Record<string, boolean>) => states(lines, link)[0]!.reason;
const TUNNEL = [' tunnel source Loopback0', ' tunnel destination 10.0.0.2'];
const ROUTE = 'ip route 10.0.0.2 255.255.255.255 192.0.2.2';

test('up: a loopback source and a routable destination; the transport is the interface the route leaves by', (t) => {
  const [s] = states([...TUNNEL, ROUTE]);
  t.deepEqual(s, {
    name: 'Tunnel0',
    up: true,
    reason: null,
    source: '10.0.0.1',
    sourceInterface: 'Loopback0',
    destination: '10.0.0.2',
    transport: 'FastEthernet0/0',
  });
  t.true(
    states([' tunnel source 192.0.2.1', ' tunnel destination 10.0.0.2', 'ip route 0.0.0.0 0.0.0.0 192.0.2.2'])[0]!.up,
    'an address source; a default route will do',
  );
});

test('down, and why: no source, a source that is not ours or down, no destination, no route, another mode', (t) => {
  t.is(reason([' tunnel destination 10.0.0.2', ROUTE]), 'no-source');
  t.is(reason([' tunnel source 192.0.2.9', ' tunnel destination 10.0.0.2', ROUTE]), 'no-source', 'not an address of the router');
  t.is(reason([' tunnel source FastEthernet0/0', ' tunnel destination 10.0.0.2', ROUTE], { 'FastEthernet0/0': false }), 'source-down');
  t.is(reason([' tunnel source Serial0/0', ' tunnel destination 10.0.0.2', ROUTE]), 'source-down', 'an interface the router does not have');
  t.is(reason([' tunnel source Loopback0', ROUTE]), 'no-destination');
  t.is(reason(TUNNEL), 'unroutable');
  t.is(reason([...TUNNEL, ' tunnel mode ipip', ROUTE]), 'mode');
  const shut = states([...TUNNEL, ' shutdown', ROUTE])[0]!;
  t.deepEqual([shut.up, shut.reason], [false, null], 'shut down: administratively down, no reason of its own');
});

test('recursive routing: the route to the destination through the tunnel itself takes it down, and its routes with it', (t) => {
  const lines = [...TUNNEL, 'ip route 0.0.0.0 0.0.0.0 192.0.2.2', 'ip route 10.0.0.0 255.255.255.0 Tunnel0'];
  const [s] = states(lines);
  t.deepEqual([s!.up, s!.reason], [false, 'recursive']);
  const { config } = parseConfig([...BASE, ...lines].join('\n'));
  const routes = computeRoutes(config, (n) => n !== 'Tunnel0');
  t.false(
    routes.some((r) => r.paths.some((p) => p.outInterface === 'Tunnel0')),
    'no route through the tunnel while it is down',
  );
  t.true(
    states([...TUNNEL, 'ip route 0.0.0.0 0.0.0.0 192.0.2.2', 'ip route 10.2.2.0 255.255.255.0 Tunnel0'])[0]!.up,
    'a route through the tunnel to elsewhere is fine',
  );
});

test('keepalives unanswered: down; a tunnel carried by another one follows it', (t) => {
  t.is(states([...TUNNEL, ROUTE], undefined, (n) => n === 'Tunnel0')[0]!.reason, 'keepalive');
  const nested = [
    ...TUNNEL,
    ROUTE,
    'interface Tunnel1',
    ' ip address 172.16.1.1 255.255.255.252',
    ' tunnel source Loopback0',
    ' tunnel destination 172.16.0.2',
  ];
  const [t0, t1] = states(nested);
  t.deepEqual([t0!.up, t1!.up, t1!.transport], [true, true, 'Tunnel0'], 'Tunnel1 reaches its destination through Tunnel0');
  const [d0, d1] = states(nested, undefined, (n) => n === 'Tunnel0');
  t.deepEqual([d0!.reason, d1!.reason], ['keepalive', 'unroutable']);
});

/** A route as the routing service hands it over (OSPF, one path). */
function learned(prefix: string, mask: string, length: number, gateway: string, outInterface: string): Route {
  return {
    source: 'ospf',
    code: 'O',
    prefix,
    mask,
    length,
    distance: 110,
    metric: 2,
    paths: [{ nextHop: gateway, interface: null, outInterface, gateway }],
  };
}

test('learned routes count: a destination only OSPF knows is routable, through the tunnel itself it is recursive', (t) => {
  const { config } = parseConfig([...BASE, ...TUNNEL].join('\n'));
  t.is(tunnelStates(config)[0]!.reason, 'unroutable', 'without the learned route: no route');
  const viaWan = learned('10.0.0.0', '255.255.255.0', 24, '192.0.2.2', 'FastEthernet0/0');
  const [s] = tunnelStates(config, undefined, undefined, [viaWan]);
  t.deepEqual([s!.up, s!.reason, s!.transport], [true, null, 'FastEthernet0/0']);
  t.is(tunnelStates(config, { 'FastEthernet0/0': false }, undefined, [viaWan])[0]!.reason, 'unroutable', 'a learned route whose interface is down is gone');
  // OSPF over the tunnel learned the far loopback through the tunnel: the longer prefix wins, and IOS takes the tunnel down
  const viaTunnel = learned('10.0.0.2', '255.255.255.255', 32, '172.16.0.2', 'Tunnel0');
  const [r] = tunnelStates(config, undefined, undefined, [viaWan, viaTunnel]);
  t.deepEqual([r!.up, r!.reason], [false, 'recursive']);
  // a learned route through the tunnel to elsewhere leaves it up
  const other = learned('10.9.0.0', '255.255.0.0', 16, '172.16.0.2', 'Tunnel0');
  t.true(tunnelStates(config, undefined, undefined, [viaWan, other])[0]!.up);
});

test("the IP MTU: 1476 over Ethernet, 4 less for a key and for a checksum, ip mtu wins, the transport's ip mtu counts", (t) => {
  const mtu = (lines: string[]) => {
    const { config } = parseConfig([...BASE, ...TUNNEL, ...lines, ROUTE].join('\n'));
    const tu = config.interfaces.find((i) => i.name === 'Tunnel0')!;
    return tunnelIpMtu(config, tu, tunnelStates(config)[0]);
  };
  t.is(mtu([]), 1476);
  t.is(mtu([' tunnel key 7']), 1472);
  t.is(mtu([' tunnel key 7', ' tunnel checksum']), 1468);
  t.is(mtu([' ip mtu 1400']), 1400);
  t.is(mtu(['interface FastEthernet0/0', ' ip mtu 1400']), 1376);
});
