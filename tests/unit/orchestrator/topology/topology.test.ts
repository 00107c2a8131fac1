import test from 'ava';
import type { HostNode } from '../../../../src/kinds/host/kind.js';
import type { RouterNode } from '../../../../src/kinds/router2600/kind.js';
import type { StrongswanNode } from '../../../../src/kinds/strongswan/kind.js';
import { loadTopology, parseLabFile } from '../../../../src/orchestrator/labfile/load.js';
import { TopologyError, type TopologyIssue } from '../../../../src/orchestrator/topology/source.js';

const parseTopologyText = (text: string, file: string) => parseLabFile(text, file);
import { root } from '../../../root.js';

const fixture = (name: string) => `${root}tests/fixtures/topologies/${name}`;

async function issuesOf(file: string): Promise<TopologyIssue[]> {
  const err = await loadTopology(file).then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof TopologyError)) throw new Error(`expected a TopologyError for ${file}, got ${String(err)}`);
  return err.issues;
}

test('the seed topology loads with both routers, two hosts and three links', async (t) => {
  const topo = await loadTopology(`${root}topologies/daphne-fred.yaml`);
  t.is(topo.name, 'daphne-fred');
  t.deepEqual(
    topo.nodes.map((n) => `${n.name}:${n.kind}`),
    ['daphne:router2600', 'fred:router2600', 'd1:host', 'a1:host'],
  );
  const daphne = topo.nodes.find((n) => n.name === 'daphne') as RouterNode;
  t.is(daphne.kind, 'router2600');
  t.is(daphne.config.hostname, 'Daphne');
  t.deepEqual(daphne.diagnostics, [], 'the seed config is accepted and emulated as it is');
  t.deepEqual(daphne.diagnostics, [], 'the seed config is accepted as it is');
  const d1 = topo.nodes.find((n) => n.name === 'd1') as HostNode;
  t.is(d1.kind, 'host');
  t.deepEqual([d1.interfaces, d1.gateway], [[{ name: 'eth0', address: '13.13.13.4/24' }], '13.13.13.13']);
  t.deepEqual(
    topo.links.map((l) => [l.name, l.endpoints.map((e) => `${e.node}:${e.interface}`)]),
    [
      ['wan', ['daphne:FastEthernet0/0', 'fred:FastEthernet0/0']],
      ['lan-daphne', ['daphne:FastEthernet0/1', 'd1:eth0']],
      ['lan-fred', ['fred:FastEthernet0/1', 'a1:eth0']],
    ],
  );
});

test('a YAML syntax error names file, line and column', async (t) => {
  const issues = await issuesOf(fixture('bad-yaml.yaml'));
  t.is(issues.length >= 1, true);
  t.regex(issues[0]!.file, /bad-yaml\.yaml$/);
  t.is(issues[0]!.line, 5);
  t.regex(issues[0]!.message, /^YAML: /);
});

test('schema errors name the place and the problem, one per mistake', async (t) => {
  const issues = await issuesOf(fixture('bad-schema.yaml'));
  const brief = issues.map((i) => `${i.line}:${i.column} ${i.message}`);
  t.deepEqual(brief, [
    '1:7 name: must be lower-case letters, digits and dashes (at most 24), starting with a letter or digit',
    '6:5 nodes.daphne: unknown property "colour"',
    '9:14 nodes.d1.address: must be an IPv4 address with its prefix length, like 13.13.13.4/24',
    '11:11 nodes.x.kind: must be one of "router2600", "host", "strongswan", "nat"',
  ]);
});

test('links must name existing nodes and interfaces, each interface on one link', async (t) => {
  const issues = await issuesOf(fixture('bad-links.yaml'));
  const brief = issues.map((i) => `${i.line}:${i.column} ${i.message}`);
  t.deepEqual(brief, [
    '9:14 nodes.d1.gateway: 12.12.12.12 is not in the subnet of any of its interfaces (13.13.13.4/24)',
    '11:33 links.wan: no node named "fred" (nodes: daphne, d1)',
    '12:9 links.lan: daphne has no interface FastEthernet0/7 in topologies/daphne-fred/daphne.cfg (it has FastEthernet0/0, FastEthernet0/1)',
    '13:10 links.lan2: daphne:FastEthernet0/0 is already on link "wan"; an interface joins one segment',
    '13:34 links.lan2: host d1 has no interface eth1 (it has eth0; give it an address)',
  ]);
});

test('a missing router config is an error at the config line', async (t) => {
  const issues = await issuesOf(fixture('missing-config.yaml'));
  t.is(issues.length, 1);
  t.is(issues[0]!.line, 5);
  t.regex(issues[0]!.message, /nodes\.r1\.config: cannot read nowhere\/r1\.cfg: ENOENT/);
});

test('IOS lines a router refuses are warnings, not topology errors', async (t) => {
  const topo = await loadTopology(fixture('bad-config-lines.yaml'));
  const r1 = topo.nodes[0] as RouterNode;
  t.is(r1.kind, 'router2600');
  t.is(r1.diagnostics.length, 1);
  t.is(r1.diagnostics[0]!.line, 4);
  t.regex(r1.diagnostics[0]!.message, /% Invalid input detected at '\^' marker\./);
  t.deepEqual(
    r1.config.staticRoutes.map((r) => r.nextHop),
    ['10.0.0.2'],
    'the lines after the bad one still count',
  );
});

test('a topology that is not a mapping is refused', (t) => {
  const err = t.throws(() => parseTopologyText('- just\n- a list\n', '/tmp/list.yaml'), { instanceOf: TopologyError });
  t.regex(err.message, /must be a mapping/);
});

test('interface abbreviations in links are normalised to full IOS names', async (t) => {
  const text = `name: abbr\nnodes:\n  r:\n    kind: router2600\n    config: ${root}topologies/daphne-fred/daphne.cfg\n  h:\n    kind: host\n    address: 13.13.13.5/24\nlinks:\n  l: [r:fa0/1, h:eth0]\n`;
  const { writeFile, mkdtemp, rm } = await import('node:fs/promises');
  const dir = await mkdtemp('/tmp/tb-topo-');
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(`${dir}/t.yaml`, text);
  const topo = await loadTopology(`${dir}/t.yaml`);
  t.deepEqual(topo.links[0]!.endpoints[0], { node: 'r', interface: 'FastEthernet0/1' });
});

test('strongswan and nat nodes load with their own fields', async (t) => {
  const ss = await loadTopology(`${root}topologies/ios-strongswan.yaml`);
  const moon = ss.nodes.find((n) => n.name === 'moon') as StrongswanNode;
  t.is(moon.kind, 'strongswan');
  t.regex(moon.configFile, /topologies\/ios-strongswan\/moon\.swanctl\.conf$/);
  t.regex(moon.configText, /proposals = des-sha1-modp768/);
  t.deepEqual(moon.interfaces, [
    { name: 'eth0', address: '11.11.11.2/24' },
    { name: 'eth1', address: '12.12.12.12/24' },
  ]);
  const behind = await loadTopology(`${root}topologies/ted-behind-nat.yaml`);
  const nat = behind.nodes.find((n) => n.name === 'nat');
  t.like(nat, { kind: 'nat', inside: ['eth0'], outside: 'eth1', gateway: '11.11.11.2', routes: [{ to: '13.13.13.0/24', via: '10.10.10.1' }] });
  t.deepEqual(behind.links.find((l) => l.name === 'wan')?.endpoints, [
    { node: 'nat', interface: 'eth1' },
    { node: 'fred', interface: 'FastEthernet0/0' },
  ]);
});

const natYaml = (nat: string) => `name: n\nnodes:\n  nat:\n    kind: nat\n    interfaces: { eth0: 10.0.0.1/24, eth1: 11.0.0.1/24 }\n${nat}`;

test('a nat node: outside is required, inside defaults to the other interfaces, both must exist and differ', async (t) => {
  t.throws(() => parseTopologyText(natYaml(''), '/tmp/n.yaml'), { instanceOf: TopologyError, message: /nodes\.nat: missing required property "outside"/ });
  const dir = await import('node:fs/promises').then((fs) => fs.mkdtemp('/tmp/testbed-topo-'));
  const write = async (body: string) => {
    const file = `${dir}/n.yaml`;
    await import('node:fs/promises').then((fs) => fs.writeFile(file, body));
    return file;
  };
  const ok = await loadTopology(await write(natYaml('    outside: eth1\n')));
  t.like(ok.nodes[0], { kind: 'nat', inside: ['eth0'], outside: 'eth1' });
  const issues = await issuesOf(await write(natYaml('    outside: eth2\n    inside: [eth1]\n')));
  t.deepEqual(
    issues.map((i) => i.message),
    ['nodes.nat.outside: eth2 is not one of its interfaces (eth0, eth1)'],
  );
  const both = await issuesOf(await write(natYaml('    outside: eth1\n    inside: eth1\n')));
  t.deepEqual(
    both.map((i) => i.message),
    ['nodes.nat: eth1 cannot be both inside and outside'],
  );
  await import('node:fs/promises').then((fs) => fs.rm(dir, { recursive: true, force: true }));
});

test('a strongswan node needs a readable swanctl.conf', async (t) => {
  t.throws(() => parseTopologyText('name: s\nnodes:\n  moon: { kind: strongswan, address: 11.0.0.2/24 }\n', '/tmp/s.yaml'), {
    instanceOf: TopologyError,
    message: /nodes\.moon: missing required property "config"/,
  });
  t.throws(() => parseTopologyText('name: s\nnodes:\n  moon: { kind: strongswan, config: x.conf, outside: eth0 }\n', '/tmp/s.yaml'), {
    instanceOf: TopologyError,
    message: /unknown property "outside"/,
  });
});

test('placement: maps nodes to engines; an unknown node or a malformed engine name is an error at its line', async (t) => {
  const { writeFile, mkdtemp, rm } = await import('node:fs/promises');
  const dir = await mkdtemp('/tmp/tb-topo-');
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const base = `name: placed\nnodes:\n  h1:\n    kind: host\n    address: 13.13.13.5/24\n  h2:\n    kind: host\n    address: 13.13.13.6/24\nlinks:\n  l: [h1:eth0, h2:eth0]\n`;
  await writeFile(`${dir}/ok.yaml`, `${base}placement:\n  h1: e1\n  h2: e2\n`);
  t.deepEqual((await loadTopology(`${dir}/ok.yaml`)).placement, { h1: 'e1', h2: 'e2' });
  await writeFile(`${dir}/none.yaml`, base);
  t.deepEqual((await loadTopology(`${dir}/none.yaml`)).placement, {});
  await writeFile(`${dir}/unknown.yaml`, `${base}placement:\n  h3: e1\n`);
  t.deepEqual(
    (await issuesOf(`${dir}/unknown.yaml`)).map((i) => `${i.line} ${i.message}`),
    ['12 placement: no node named "h3" (nodes: h1, h2)'],
  );
  await writeFile(`${dir}/malformed.yaml`, `${base}placement:\n  h2: "e 2"\n`);
  t.deepEqual(
    (await issuesOf(`${dir}/malformed.yaml`)).map((i) => `${i.line} ${i.message}`),
    ['12 placement.h2: must be an engine name: letters, digits, dots, dashes and underscores, like e1 or node-2.example'],
  );
});
