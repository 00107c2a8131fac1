import test from 'ava';
import { applyConfigLines, computeRoutes, lookupRoute, parseConfig, RouteIndex, type RouterConfig } from '../../../src/ios/index.js';
import { DAPHNE_CFG } from './fixtures.js';

const daphne = (...lines: string[]): RouterConfig => applyConfigLines(parseConfig(DAPHNE_CFG).config, lines).config;

test("Daphne's table: two connected networks and the default route through fred", (t) => {
  t.deepEqual(computeRoutes(daphne()), [
    {
      source: 'connected',
      prefix: '11.11.11.0',
      mask: '255.255.255.0',
      length: 24,
      distance: 0,
      metric: 0,
      paths: [{ nextHop: null, interface: 'FastEthernet0/0', outInterface: 'FastEthernet0/0', gateway: null }],
    },
    {
      source: 'connected',
      prefix: '13.13.13.0',
      mask: '255.255.255.0',
      length: 24,
      distance: 0,
      metric: 0,
      paths: [{ nextHop: null, interface: 'FastEthernet0/1', outInterface: 'FastEthernet0/1', gateway: null }],
    },
    {
      source: 'static',
      prefix: '0.0.0.0',
      mask: '0.0.0.0',
      length: 0,
      distance: 1,
      metric: 0,
      paths: [{ nextHop: '11.11.11.2', interface: null, outInterface: 'FastEthernet0/0', gateway: '11.11.11.2' }],
    },
  ]);
});

test('lookups pick the longest prefix and tell the interface and neighbour', (t) => {
  const routes = computeRoutes(daphne('ip route 12.12.12.0 255.255.255.0 11.11.11.3', 'ip route 12.12.12.13 255.255.255.255 11.11.11.4'));
  t.like(lookupRoute(routes, '12.12.12.13'), { route: { length: 32 }, path: { outInterface: 'FastEthernet0/0', gateway: '11.11.11.4' } });
  t.like(lookupRoute(routes, '12.12.12.14'), { route: { length: 24 }, path: { gateway: '11.11.11.3' } });
  t.like(lookupRoute(routes, '8.8.8.8'), { route: { length: 0 }, path: { gateway: '11.11.11.2' } });
  t.like(lookupRoute(routes, '13.13.13.4'), { route: { source: 'connected' }, path: { outInterface: 'FastEthernet0/1', gateway: null } });
});

test('a shut interface takes its connected route and the statics through it away', (t) => {
  const routes = computeRoutes(daphne('interface FastEthernet0/0', ' shutdown'));
  t.deepEqual(
    routes.map((r) => r.prefix),
    ['13.13.13.0'],
  );
  t.is(lookupRoute(routes, '12.12.12.13'), null);
});

test('carrier loss (link state) has the same effect as shutdown, loopbacks stay up', (t) => {
  const config = daphne('interface Loopback0', ' ip address 1.1.1.1 255.255.255.255');
  const routes = computeRoutes(config, (name) => name !== 'FastEthernet0/0');
  t.deepEqual(
    routes.map((r) => `${r.prefix}/${r.length}`),
    ['13.13.13.0/24', '1.1.1.1/32'],
  );
  t.deepEqual(
    computeRoutes(config, { 'FastEthernet0/1': false }).map((r) => r.prefix),
    ['11.11.11.0', '1.1.1.1', '0.0.0.0'],
  );
});

test('static routes resolve recursively whatever the order they were written in', (t) => {
  const routes = computeRoutes(daphne('ip route 10.0.0.0 255.0.0.0 192.168.1.1', 'ip route 192.168.1.0 255.255.255.0 11.11.11.5'));
  t.like(lookupRoute(routes, '10.1.2.3'), {
    route: { prefix: '10.0.0.0' },
    path: { nextHop: '192.168.1.1', outInterface: 'FastEthernet0/0', gateway: '11.11.11.5' },
  });
});

test('a static whose next hop is unreachable is not installed', (t) => {
  const config = daphne('no ip route 0.0.0.0 0.0.0.0 11.11.11.2', 'ip route 10.0.0.0 255.0.0.0 192.168.1.1');
  t.deepEqual(
    computeRoutes(config).map((r) => r.source),
    ['connected', 'connected'],
  );
});

test('the lower administrative distance wins; a floating static takes over when the link fails', (t) => {
  const config = daphne('ip route 12.12.12.0 255.255.255.0 11.11.11.2', 'ip route 12.12.12.0 255.255.255.0 13.13.13.1 200');
  t.like(lookupRoute(computeRoutes(config), '12.12.12.13'), { route: { distance: 1 }, path: { outInterface: 'FastEthernet0/0' } });
  t.like(lookupRoute(computeRoutes(config, { 'FastEthernet0/0': false }), '12.12.12.13'), {
    route: { distance: 200 },
    path: { outInterface: 'FastEthernet0/1', gateway: '13.13.13.1' },
  });
});

test('a connected network beats a static route to the same prefix', (t) => {
  const routes = computeRoutes(daphne('ip route 13.13.13.0 255.255.255.0 11.11.11.9'));
  t.is(routes.find((r) => r.prefix === '13.13.13.0')?.source, 'connected');
});

test('equal-cost statics share one entry with several paths', (t) => {
  const routes = computeRoutes(daphne('ip route 12.12.12.0 255.255.255.0 11.11.11.2', 'ip route 12.12.12.0 255.255.255.0 11.11.11.3'));
  t.deepEqual(
    routes.find((r) => r.prefix === '12.12.12.0')?.paths.map((p) => p.gateway),
    ['11.11.11.2', '11.11.11.3'],
  );
});

test('an interface static needs its interface up unless permanent', (t) => {
  const lines = ['ip route 10.0.0.0 255.0.0.0 FastEthernet0/1', 'ip route 10.9.0.0 255.255.0.0 FastEthernet0/1 13.13.13.9 permanent'];
  const up = computeRoutes(daphne(...lines));
  t.like(lookupRoute(up, '10.1.1.1'), { path: { outInterface: 'FastEthernet0/1', gateway: null } });
  t.like(lookupRoute(up, '10.9.1.1'), { path: { outInterface: 'FastEthernet0/1', gateway: '13.13.13.9' } });
  const down = computeRoutes(daphne(...lines), { 'FastEthernet0/1': false });
  t.is(
    down.find((r) => r.prefix === '10.0.0.0'),
    undefined,
  );
  t.truthy(down.find((r) => r.prefix === '10.9.0.0'));
});

test('secondary addresses are connected networks too', (t) => {
  const routes = computeRoutes(daphne('interface FastEthernet0/1', ' ip address 14.14.14.1 255.255.255.0 secondary'));
  t.like(lookupRoute(routes, '14.14.14.7'), { route: { source: 'connected' }, path: { outInterface: 'FastEthernet0/1' } });
});

test('RouteIndex answers every lookup as lookupRoute does, a hub with a route per spoke included', (t) => {
  const spokes = Array.from({ length: 99 }, (_, i) => `ip route 10.${i + 1}.0.0 255.255.255.0 11.11.11.${i + 3}`);
  const routes = computeRoutes(daphne(...spokes, 'ip route 10.0.0.0 255.0.0.0 11.11.11.2', 'ip route 10.5.0.7 255.255.255.255 11.11.11.200'));
  const index = new RouteIndex(routes);
  const probes = ['10.5.0.7', '10.5.0.8', '10.99.0.1', '10.100.0.1', '10.200.3.4', '11.11.11.77', '13.13.13.4', '8.8.8.8', '0.0.0.0', '255.255.255.255'];
  for (const a of probes) t.deepEqual(index.lookup(a), lookupRoute(routes, a), a);
  t.is(new RouteIndex(computeRoutes(daphne('interface FastEthernet0/0', ' shutdown'))).lookup('12.12.12.13'), null);
});
