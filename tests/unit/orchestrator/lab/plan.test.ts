/** What `up` will create, decided without Docker: networks, rules and containers with their labels and each kind's spec. */
import test from 'ava';
import { TESTBED_HOST, TESTBED_INTERFACES } from '../../../../src/contract/env.js';
import {
  ARTIFACTS_LABEL,
  INTERFACES_LABEL,
  KIND_LABEL,
  LAB_LABEL,
  LINK_LABEL,
  NODE_LABEL,
  OWNER_LABEL,
  ROLE_LABEL,
  TOPOLOGY_LABEL,
} from '../../../../src/contract/labels.js';
import { STARTUP_CONFIG_PATH, SWANCTL_CONF } from '../../../../src/contract/paths.js';
import { loadTopology } from '../../../../src/orchestrator/labfile/load.js';
import { allocateSubnets, bridgeName } from '../../../../src/orchestrator/lab/naming.js';
import { addressesNeeded, networkedLinks, overlayRange, planLab } from '../../../../src/orchestrator/lab/plan.js';
import { placeLinks } from '../../../../src/orchestrator/engines/placement.js';
import { configReport } from '../../../../src/orchestrator/topology/config-report.js';
import type { Topology } from '../../../../src/orchestrator/topology/types.js';
import { root } from '../../../root.js';

function allocations(topo: Topology) {
  const links = networkedLinks(topo);
  const allocs = allocateSubnets(
    links.map((l) => l.endpoints.length),
    [],
    'plan-test',
  );
  return new Map(links.map((l, i) => [l.name, allocs[i]!]));
}

const seed = await loadTopology(`${root}topologies/daphne-fred.yaml`);

test('one labelled --internal network and one transit rule per link', (t) => {
  const allocs = allocations(seed);
  const plan = planLab(seed, { lab: 'p1', image: 'testbed/router2600:abc', artifacts: '/tmp/art', allocations: allocs });
  t.deepEqual(
    plan.networks.map((n) => n.name),
    ['tb-p1-wan', 'tb-p1-lan-daphne', 'tb-p1-lan-fred'],
  );
  t.deepEqual(
    plan.bridges,
    ['wan', 'lan-daphne', 'lan-fred'].map((l) => bridgeName('p1', l)),
  );
  const wan = plan.networks[0]!;
  t.like(wan, { subnet: allocs.get('wan')!.subnet, gateway: allocs.get('wan')!.gateway, mtu: 1500, bridgeName: bridgeName('p1', 'wan') });
  t.like(wan.labels, { [OWNER_LABEL]: 'testbed', [LAB_LABEL]: 'p1', [ROLE_LABEL]: 'network', [LINK_LABEL]: 'wan' });
});

test("each node gets its kind's container: the router its agent, config and tun device; hosts their addresses", (t) => {
  const allocs = allocations(seed);
  const plan = planLab(seed, { lab: 'p1', image: 'testbed/router2600:abc', artifacts: '/tmp/art', allocations: allocs, env: {} });
  t.deepEqual(
    plan.nodes.map((n) => `${n.node.name}:${n.kind.name}`),
    ['daphne:router2600', 'fred:router2600', 'd1:host', 'a1:host'],
  );
  const daphne = plan.nodes[0]!.spec;
  t.like(daphne, {
    name: 'tb-p1-daphne',
    hostname: 'daphne',
    image: 'testbed/router2600:abc',
    cmd: ['node', '/opt/testbed/app/src/kinds/router2600/main.js'],
    devices: ['/dev/net/tun'],
  });
  t.like(daphne.labels, {
    [OWNER_LABEL]: 'testbed',
    [LAB_LABEL]: 'p1',
    [ROLE_LABEL]: 'node',
    [NODE_LABEL]: 'daphne',
    [KIND_LABEL]: 'router2600',
    [TOPOLOGY_LABEL]: seed.file,
    [ARTIFACTS_LABEL]: '/tmp/art',
  });
  t.deepEqual(JSON.parse(daphne.labels[INTERFACES_LABEL]!), [
    { name: 'FastEthernet0/0', link: 'wan', address: '11.11.11.1/24' },
    { name: 'FastEthernet0/1', link: 'lan-daphne', address: '13.13.13.13/24' },
  ]);
  // Docker's address on each network, and which interface it belongs to
  const wan = allocs.get('wan')!;
  const lan = allocs.get('lan-daphne')!;
  t.deepEqual(daphne.endpoints, [
    { network: 'tb-p1-wan', ipv4: wan.addresses[0]! },
    { network: 'tb-p1-lan-daphne', ipv4: lan.addresses[0]! },
  ]);
  t.deepEqual(TESTBED_INTERFACES.decode(daphne.env[TESTBED_INTERFACES.name]), [
    { name: 'FastEthernet0/0', dockerIp: wan.addresses[0]!, mtu: 1500 },
    { name: 'FastEthernet0/1', dockerIp: lan.addresses[0]!, mtu: 1500 },
  ]);
  t.false('TESTBED_TRACE' in daphne.env, 'no trace unless the orchestrator runs with TESTBED_TRACE=1');
  t.is(daphne.files?.[0]?.path, STARTUP_CONFIG_PATH);
  t.regex(String(daphne.files?.[0]?.content), /^hostname Daphne$/m);
  t.like(daphne.sysctls, { 'net.ipv4.ip_forward': '1', 'net.ipv4.conf.all.accept_local': '1', 'net.ipv6.conf.all.disable_ipv6': '1' });
  const d1 = plan.nodes[2]!.spec;
  // a host runs the shell program written from its addressing and its one binding (the LAN's Docker address)
  t.deepEqual(d1.cmd.slice(0, 2), ['/bin/sh', '-c']);
  t.true(d1.cmd[2]!.includes(`d0=$(dev_of ${lan.addresses[1]!})`), 'eth0 found by its Docker address');
  t.regex(d1.cmd[2]!, /^addr replace 13\.13\.13\.4\/24 dev \$\{d0\}$/m);
  t.regex(d1.cmd[2]!, /^route replace default via 13\.13\.13\.13$/m);
  t.false(TESTBED_HOST.name in d1.env, 'its addressing is in the program, not in a variable nothing reads');
  t.deepEqual(d1.devices, []);
  t.false('net.ipv4.ip_forward' in d1.sysctls, 'a host does not forward');
  t.is(planLab(seed, { lab: 'p1', image: 'i', artifacts: '/a', allocations: allocs, env: { TESTBED_TRACE: '1' } }).nodes[0]!.spec.env.TESTBED_TRACE, '1');
});

test("strongswan and nat nodes: the swanctl.conf, the NAT's inside and outside, forwarding", async (t) => {
  const ss = await loadTopology(`${root}topologies/ios-strongswan.yaml`);
  const moon = planLab(ss, { lab: 'p2', image: 'i', artifacts: '/a', allocations: allocations(ss) }).nodes.find((n) => n.node.name === 'moon')!.spec;
  t.deepEqual(moon.cmd, ['node', '/opt/testbed/app/src/kinds/strongswan/main.js']);
  t.deepEqual(moon.devices, ['/dev/net/tun']);
  t.is(moon.files?.[0]?.path, SWANCTL_CONF);
  t.is(moon.sysctls['net.ipv4.ip_forward'], '1');
  const behind = await loadTopology(`${root}topologies/ted-behind-nat.yaml`);
  const nat = planLab(behind, { lab: 'p3', image: 'i', artifacts: '/a', allocations: allocations(behind) }).nodes.find((n) => n.node.name === 'nat')!.spec;
  t.deepEqual(nat.cmd.slice(0, 2), ['/bin/sh', '-c']);
  // the bindings follow the topology's links: eth1 (outside) and eth0 (inside) are d0 and d1 in that order or the other
  const bindings = TESTBED_INTERFACES.decode(nat.env[TESTBED_INTERFACES.name]);
  const v = (name: string) => `\${d${bindings.findIndex((b) => b.name === name)}}`;
  t.true(nat.cmd[2]!.includes(`-A TESTBED-NAT -o ${v('eth1')} -j MASQUERADE`), 'masquerades what leaves by eth1');
  t.true(nat.cmd[2]!.includes(`-A TESTBED-FWD -i ${v('eth0')} -o ${v('eth1')} -j ACCEPT`), 'forwards from eth0 out');
  t.is(nat.sysctls['net.ipv4.conf.all.send_redirects'], '0');
});

test('config lines a router will refuse or not emulate become the warnings up reports, by class', async (t) => {
  const topo = await loadTopology(`${root}tests/fixtures/topologies/not-emulated.yaml`);
  const { warnings, counts } = configReport(topo);
  t.deepEqual(
    warnings.map((w) => [w.node, w.class, w.line, w.column, w.text.trim(), w.message]),
    [
      [
        'r1',
        'not-emulated',
        5,
        2,
        'standby 1 ip 10.0.0.254',
        'accepted, not emulated: standby 1 ip 10.0.0.254 (HSRP is not emulated: no hellos, no virtual address)',
      ],
      ['r1', 'refused', 9, 4, 'frobnicate the widget', "% Invalid input detected at '^' marker."],
    ],
  );
  t.deepEqual(counts, { refused: 1, notEmulated: 1, undefinedReference: 0 });
});

test("on a swarm: nodes carry their engine, a link across engines is an overlay with its own addresses apart from Docker's, no transit rule for it", (t) => {
  const placement = new Map(Object.entries({ daphne: 'e1', d1: 'e1', fred: 'e2', a1: 'e2' }));
  const links = new Map(placeLinks(networkedLinks(seed), placement, ['e1', 'e2']).map((l) => [l.link, l]));
  const wanLink = seed.links.find((l) => l.name === 'wan')!;
  // two endpoints, two engines, the gateway: 5 in the lower half, 10 in all
  t.is(addressesNeeded(wanLink, links.get('wan')), 10);
  t.is(addressesNeeded(wanLink, links.get('lan-daphne')), 2);
  t.is(addressesNeeded(wanLink), 2);
  const linked = networkedLinks(seed);
  const allocs = allocateSubnets(
    linked.map((l) => addressesNeeded(l, links.get(l.name))),
    [],
    'plan-swarm',
  );
  const plan = planLab(seed, {
    lab: 'p2',
    image: 'img',
    artifacts: '/tmp/a',
    allocations: new Map(linked.map((l, i) => [l.name, allocs[i]!])),
    placement,
    links,
    keysOnHost: true,
  });
  // a node's engine may be another machine: its key journal is not bound to a path of this one
  t.true(plan.nodes.every((n) => n.spec.binds === undefined && n.spec.labels['testbed.keys'] === undefined));
  const wan = plan.networks.find((n) => n.name === 'tb-p2-wan')!;
  t.is(wan.driver, 'overlay');
  t.is(wan.labels['testbed.engine'], 'e1+e2');
  t.is(wan.ipRange, overlayRange(wan.subnet));
  const lan = plan.networks.find((n) => n.name === 'tb-p2-lan-fred')!;
  t.is(lan.driver, undefined);
  t.is(lan.labels['testbed.engine'], 'e2');
  t.deepEqual(plan.bridges, [bridgeName('p2', 'lan-daphne'), bridgeName('p2', 'lan-fred')]);
  t.deepEqual(Object.fromEntries(plan.nodes.map((n) => [n.node.name, n.spec.labels['testbed.engine']])), { daphne: 'e1', fred: 'e2', d1: 'e1', a1: 'e2' });
  // the endpoints' addresses sit below the range Docker picks from
  const wanAlloc = allocs[linked.findIndex((l) => l.name === 'wan')]!;
  const [rangeBase] = wan.ipRange!.split('/');
  const n = (a: string) => a.split('.').reduce((x, o) => x * 256 + Number(o), 0);
  t.true(wanAlloc.addresses.slice(0, 2).every((a) => n(a) < n(rangeBase!)));
});

test('an overlay range is the upper half of its subnet', (t) => {
  t.is(overlayRange('198.18.0.16/28'), '198.18.0.24/29');
  t.is(overlayRange('198.18.1.0/27'), '198.18.1.16/28');
});
