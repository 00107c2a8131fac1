/** One Engine over a swarm's engines: each creation goes to the engine its label names, each call to the engine that holds the container, lists are unions. */
import test from 'ava';
import { ENGINE_LABEL, ownerLabels } from '../../../../src/contract/labels.js';
import type { DockerodeEngine } from '../../../../src/orchestrator/docker/dockerode.js';
import type { ContainerSpec } from '../../../../src/orchestrator/docker/engine.js';
import { FederatedEngine, isFederated } from '../../../../src/orchestrator/engines/federated.js';
import { FakeEngine } from '../lab/fake-engine.js';

function swarm() {
  const e1 = new FakeEngine('e1-');
  const e2 = new FakeEngine('e2-');
  const builder = new FakeEngine('b-');
  const ref = (name: string, manager: boolean) => ({ name, host: `unix:///run/${name}.sock`, address: null, capacity: 1, manager });
  const fed = new FederatedEngine(
    [
      { ref: ref('e1', true), engine: e1 as unknown as DockerodeEngine },
      { ref: ref('e2', false), engine: e2 as unknown as DockerodeEngine },
    ],
    builder,
  );
  return { e1, e2, builder, fed };
}

const spec = (name: string, engine: string, extra: Partial<ContainerSpec> = {}): ContainerSpec => ({
  name,
  hostname: name,
  image: 'img',
  cmd: [],
  env: {},
  labels: { ...ownerLabels('lab', 'node'), [ENGINE_LABEL]: engine },
  endpoints: [],
  capAdd: [],
  devices: [],
  sysctls: {},
  ...extra,
});

test('containers go to the engine their label names; calls about them go there too; lists are the union', async (t) => {
  const { e1, e2, fed } = swarm();
  t.true(isFederated(fed));
  const a = await fed.createContainer(spec('a', 'e1'));
  const b = await fed.createContainer(spec('b', 'e2'));
  t.deepEqual([[...e1.containers.keys()], [...e2.containers.keys()]], [[a], [b]]);
  await fed.startContainer(b);
  t.is(e2.containers.get(b)!.state, 'running');
  t.is(e1.containers.get(a)!.state, 'created');
  t.deepEqual((await fed.listContainers(ownerLabels('lab', 'node'))).map((c) => c.name).sort(), ['a', 'b']);
  // a fresh view (another process) finds the container's engine by looking
  const other = new FederatedEngine(fed.members, fed.builder);
  await other.removeContainer(b);
  t.is(e2.containers.size, 0);
  // a helper in a node's namespace runs on the node's engine, whatever its label says
  const helper = await fed.createContainer(spec('h', 'e2', { networkContainer: a }));
  t.true(e1.containers.has(helper));
  await t.throwsAsync(() => fed.createContainer(spec('x', 'e9')), { message: /no engine named "e9" in the swarm \(engines: e1, e2\)/ });
});

test('overlay networks are made on the manager, bridges on their engine; subnets and lists are unions, an overlay listed once', async (t) => {
  const { e1, e2, fed } = swarm();
  t.deepEqual([fed.manager.ref.name, fed.names], ['e1', ['e1', 'e2']]);
  const base = { gateway: '198.18.0.1', bridgeName: 'br', mtu: 1500 };
  await fed.createNetwork({
    ...base,
    name: 'wan',
    subnet: '198.18.0.0/28',
    driver: 'overlay',
    labels: { ...ownerLabels('lab', 'network'), [ENGINE_LABEL]: 'e1+e2' },
  });
  await fed.createNetwork({ ...base, name: 'lan', subnet: '198.18.0.16/28', labels: { ...ownerLabels('lab', 'network'), [ENGINE_LABEL]: 'e2' } });
  t.deepEqual([[...e1.networks.values()].map((n) => n.spec.name), [...e2.networks.values()].map((n) => n.spec.name)], [['wan'], ['lan']]);
  t.deepEqual((await fed.allSubnets()).sort(), ['198.18.0.0/28', '198.18.0.16/28']);
  const listed = await fed.listNetworks(ownerLabels('lab', 'network'));
  t.deepEqual(listed.map((n) => n.name).sort(), ['lan', 'wan']);
  await fed.removeNetwork(listed.find((n) => n.name === 'lan')!.id);
  t.is(e2.networks.size, 0);
});
