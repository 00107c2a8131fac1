/**
 * The recipe of docs/architecture.md: a kind is one object registered in a
 * list. A toy kind defined here, registered beside the built-in ones, is
 * validated by the loader, present in the generated schema, given a
 * container by the planner and drawn by the graph, with no other change.
 */
import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { TESTBED_INTERFACES } from '../../../src/contract/env.js';
import { KIND_LABEL } from '../../../src/contract/labels.js';
import { builtinKinds } from '../../../src/kinds/index.js';
import type { NodeKind, TopologyNode } from '../../../src/kinds/kind.js';
import { Description, Ipv4Prefix } from '../../../src/kinds/schema.js';
import { forLogLine } from '../../../src/kinds/wait.js';
import { graphModel, renderMermaid, renderSvg } from '../../../src/orchestrator/graph/index.js';
import { planLab } from '../../../src/orchestrator/lab/plan.js';
import { loadLabFile } from '../../../src/orchestrator/labfile/load.js';
import { labFileSchema } from '../../../src/orchestrator/labfile/schema.js';
import { TopologyError } from '../../../src/orchestrator/topology/source.js';
import { root } from '../../root.js';

interface BeaconNode extends TopologyNode {
  readonly kind: 'beacon';
  readonly address: string;
  readonly every: number;
}

const Schema = Type.Object(
  { kind: Type.Literal('beacon'), description: Description, address: Ipv4Prefix, every: Type.Optional(Type.Integer({ minimum: 1 })) },
  { additionalProperties: false },
);

/** A toy kind: a box that says hello on eth0 every few seconds. */
const beacon: NodeKind<BeaconNode, Static<typeof Schema>> = {
  name: 'beacon',
  summary: 'beacon: a toy node that announces itself.',
  schema: Schema,
  entry: 'kinds/beacon/main.js',
  ios: false,
  shell: true,
  keysFile: null,
  readiness: forLogLine('beacon: ready', 'beacon: error', 5000),
  artifacts: { suffix: '.txt', prompt: '$', commands: ['cat /var/log/beacon'] },
  graph: { style: 'host', hostname: () => 'Beacon', shortName: (i) => i },
  async resolve(raw, ctx) {
    if (raw.every === 13) ctx.issue(['every'], `nodes.${ctx.name}.every: 13 is unlucky`);
    return { kind: 'beacon', name: ctx.name, pos: ctx.pos, address: raw.address, every: raw.every ?? 5 };
  },
  interfaces: (n) => [{ name: 'eth0', address: n.address }],
  endpoint: (n, text) => (text === 'eth0' ? text : { error: `beacon ${n.name} has only eth0` }),
  warnings: () => [],
  container: (n) => ({
    cmd: ['node', '/opt/testbed/app/src/kinds/beacon/main.js'],
    env: { BEACON_EVERY: String(n.every) },
    capAdd: [],
    devices: [],
    sysctls: {},
    files: [],
  }),
  execCommand: (c) => ['sh', '-c', Array.isArray(c) ? c.join('\n') : c],
  linkUpLine: () => null,
};

const kinds = builtinKinds.with(beacon);

const yaml = (beaconEntry: string) => `name: toy
nodes:
  daphne: { kind: router2600, config: ${root}topologies/daphne-fred/daphne.cfg }
${beaconEntry}
links:
  lan: [daphne:Fa0/1, b1:eth0]
`;

async function withFile<T>(text: string, fn: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'testbed-kind-'));
  try {
    await writeFile(join(dir, 'toy.yaml'), text);
    return await fn(join(dir, 'toy.yaml'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('the generated schema has the new kind: in the kind list and as its own definition', (t) => {
  const schema = labFileSchema(kinds) as { definitions: Record<string, { properties?: Record<string, unknown> }> };
  t.deepEqual((schema.definitions.node!.properties!.kind as { enum: string[] }).enum, ['router2600', 'host', 'strongswan', 'nat', 'beacon']);
  t.deepEqual(Object.keys(schema.definitions.beacon!.properties!), ['kind', 'description', 'address', 'every']);
  const builtin = labFileSchema(builtinKinds) as { definitions: Record<string, unknown> };
  t.is(builtin.definitions.beacon, undefined, 'the built-in schema does not know it');
});

test('the loader reads a node of the new kind, checks it with its schema and its own resolve, and its links', async (t) => {
  const lab = await withFile(yaml('  b1: { kind: beacon, address: 13.13.13.9/24, every: 2 }'), (f) => loadLabFile(f, { kinds }));
  const b1 = lab.topology.nodes.find((n) => n.name === 'b1') as BeaconNode;
  t.like(b1, { kind: 'beacon', address: '13.13.13.9/24', every: 2 });
  t.deepEqual(lab.topology.links[0]!.endpoints, [
    { node: 'daphne', interface: 'FastEthernet0/1' },
    { node: 'b1', interface: 'eth0' },
  ]);

  const schemaErr = await withFile(yaml('  b1: { kind: beacon, address: 13.13.13.9/24, colour: red }'), (f) =>
    loadLabFile(f, { kinds }).catch((e: unknown) => e),
  );
  t.true(schemaErr instanceof TopologyError);
  t.deepEqual(
    (schemaErr as TopologyError).issues.map((i) => `${i.line}:${i.column} ${i.message}`),
    ['4:47 nodes.b1: unknown property "colour"'],
  );
  const ownErr = await withFile(yaml('  b1: { kind: beacon, address: 13.13.13.9/24, every: 13 }'), (f) => loadLabFile(f, { kinds }).catch((e: unknown) => e));
  t.deepEqual(
    (ownErr as TopologyError).issues.map((i) => `${i.line}:${i.column} ${i.message}`),
    ['4:54 nodes.b1.every: 13 is unlucky'],
  );
  const unknown = await withFile(yaml('  b1: { kind: beacon, address: 13.13.13.9/24 }'), (f) => loadLabFile(f).catch((e: unknown) => e));
  t.regex((unknown as TopologyError).message, /nodes\.b1\.kind: must be one of "router2600", "host", "strongswan", "nat"$/m, 'unregistered, it is refused');
});

test('the planner gives a node of the new kind its container, the graph draws it', async (t) => {
  const { topology } = await withFile(yaml('  b1: { kind: beacon, address: 13.13.13.9/24 }'), (f) => loadLabFile(f, { kinds }));
  const plan = planLab(topology, {
    lab: 'toy',
    image: 'testbed/router2600:x',
    artifacts: '/tmp/a',
    allocations: new Map([['lan', { subnet: '198.18.0.0/28', gateway: '198.18.0.1', addresses: ['198.18.0.2', '198.18.0.3'] }]]),
  });
  const b1 = plan.nodes.find((n) => n.node.name === 'b1')!;
  t.is(b1.kind, beacon);
  t.deepEqual(b1.spec.cmd, ['node', '/opt/testbed/app/src/kinds/beacon/main.js']);
  t.is(b1.spec.labels[KIND_LABEL], 'beacon');
  t.is(b1.spec.env.BEACON_EVERY, '5');
  t.deepEqual(TESTBED_INTERFACES.decode(b1.spec.env[TESTBED_INTERFACES.name]), [{ name: 'eth0', dockerIp: '198.18.0.3', mtu: 1500 }]);
  t.deepEqual(b1.spec.endpoints, [{ network: 'tb-toy-lan', ipv4: '198.18.0.3' }]);

  const model = graphModel(topology);
  t.like(
    model.nodes.find((n) => n.name === 'b1'),
    { kind: 'beacon', style: 'host', hostname: 'Beacon', interfaces: [{ name: 'eth0', short: 'eth0', address: '13.13.13.9/24', link: 'lan' }] },
  );
  const svg = renderSvg(model);
  t.true(svg.includes('<g class="host" id="node:b1">') && svg.includes('>beacon</text>') && svg.includes('eth0  13.13.13.9/24'));
  t.true(renderMermaid(model).includes('  n_b1["<b>b1</b> (Beacon)<br/>beacon<br/>eth0 13.13.13.9/24"]'));
});
