/**
 * A swarm engine that does not answer (an engines-file entry or a node label
 * whose dockerd is not there): `up` fails before it creates anything, with
 * the engine and its address in the error; `down` removes what the lab has
 * on the engines that answer and names the one it could not reach; a
 * manager that does not answer is named by its TESTBED_SWARM address. Fake
 * engines that refuse (or never answer) stand for the missing dockerd; the
 * CLI case uses a unix socket path that does not exist.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ENGINE_LABEL, ownerLabels } from '../../../../src/contract/labels.js';
import { renderDown } from '../../../../src/orchestrator/cli/render.js';
import type { DockerodeEngine } from '../../../../src/orchestrator/docker/dockerode.js';
import { DockerUnavailableError, type ContainerSpec } from '../../../../src/orchestrator/docker/engine.js';
import { EngineUnreachableError, FederatedEngine } from '../../../../src/orchestrator/engines/federated.js';
import { down } from '../../../../src/orchestrator/lab/down.js';
import { up } from '../../../../src/orchestrator/lab/up.js';
import { loadTopology } from '../../../../src/orchestrator/labfile/load.js';
import { root } from '../../../root.js';
import { FakeEngine, FakeFirewall } from '../lab/fake-engine.js';

const E2 = 'unix:///run/testbed-no-such-engine/docker.sock';

/** What DockerodeEngine.ping throws when nothing listens at the socket. */
const refused = () => new DockerUnavailableError('cannot reach the Docker daemon at /var/run/docker.sock: ...', new Error(`connect ENOENT ${E2.slice(7)}`));

function swarm(pingTimeoutMs?: number) {
  const e1 = new FakeEngine('e1-');
  const e2 = new FakeEngine('e2-');
  const builder = new FakeEngine('b-');
  const ref = (name: string, host: string, manager: boolean) => ({ name, host, address: null, capacity: 1, manager });
  const fed = new FederatedEngine(
    [
      { ref: ref('e1', 'unix:///run/tbsw/e1/docker.sock', true), engine: e1 as unknown as DockerodeEngine },
      { ref: ref('e2', E2, false), engine: e2 as unknown as DockerodeEngine },
    ],
    builder,
    pingTimeoutMs === undefined ? {} : { pingTimeoutMs },
  );
  return { e1, e2, builder, fed };
}

const spec = (name: string, engine: string): ContainerSpec => ({
  name,
  hostname: name,
  image: 'testbed/router2600:fake',
  cmd: [],
  env: {},
  labels: { ...ownerLabels('lab', 'node'), [ENGINE_LABEL]: engine },
  endpoints: [],
  capAdd: [],
  devices: [],
  sysctls: {},
});

test('ping names each engine that does not answer, with its address and the cause; a silent engine counts after the ping timeout', async (t) => {
  const { e2, fed } = swarm();
  await t.notThrowsAsync(() => fed.ping());
  e2.failing = (call) => (call === 'ping' ? refused() : null);
  const e = await t.throwsAsync(() => fed.ping(), { instanceOf: EngineUnreachableError });
  t.regex(
    e!.message,
    /^engine e2 \(unix:\/\/\/run\/testbed-no-such-engine\/docker\.sock\) of the swarm does not answer: connect ENOENT \/run\/testbed-no-such-engine\/docker\.sock\. /,
  );
  t.deepEqual(
    (e as EngineUnreachableError).engines.map((u) => u.engine),
    ['e2'],
  );
  t.notRegex(e!.message, /e1/, 'an engine that answers is not named');

  const silent = swarm(20);
  silent.e1.ping = () => new Promise(() => undefined);
  const late = await t.throwsAsync(() => silent.fed.ping(), { instanceOf: EngineUnreachableError });
  t.regex(late!.message, /^engine e1 \(unix:\/\/\/run\/tbsw\/e1\/docker\.sock\) of the swarm does not answer: no answer within 0\.02 s/);
});

test('up on a swarm with an engine that does not answer fails before it creates anything, naming the engine', async (t) => {
  const { e1, e2, builder, fed } = swarm();
  e2.failing = (call) => (call === 'ping' ? refused() : null);
  const artifacts = await mkdtemp(join(tmpdir(), 'testbed-unreachable-'));
  t.teardown(() => rm(artifacts, { recursive: true, force: true }));
  const seed = await loadTopology(`${root}topologies/daphne-fred.yaml`);
  const firewall = new FakeFirewall();
  await t.throwsAsync(() => up(fed, seed, { name: 'lab', image: 'testbed/router2600:fake', firewall, artifacts }), {
    instanceOf: EngineUnreachableError,
    message: /engine e2 \(unix:\/\/\/run\/testbed-no-such-engine\/docker\.sock\) of the swarm does not answer/,
  });
  t.deepEqual([e1.calls, e2.calls, builder.calls], [['ping'], ['ping'], []]);
  t.is(firewall.rules.size, 0);
});

test('down cleans the engines that answer, leaves the networks that reach the silent engine, and says which engine it could not reach', async (t) => {
  const { e1, e2, fed } = swarm();
  const base = { gateway: '198.18.0.1', bridgeName: 'br', mtu: 1500 };
  const net = (name: string, subnet: string, engine: string, driver?: 'overlay') => ({
    ...base,
    name,
    subnet,
    ...(driver ? { driver } : {}),
    labels: { ...ownerLabels('lab', 'network'), [ENGINE_LABEL]: engine },
  });
  await fed.createNetwork(net('tb-lab-wan', '198.18.0.0/28', 'e1+e2', 'overlay'));
  await fed.createNetwork(net('tb-lab-lan-daphne', '198.18.0.16/28', 'e1'));
  await fed.createNetwork(net('tb-lab-lan-fred', '198.18.0.32/28', 'e2'));
  for (const [name, engine] of [
    ['tb-lab-daphne', 'e1'],
    ['tb-lab-d1', 'e1'],
    ['tb-lab-fred', 'e2'],
    ['tb-lab-a1', 'e2'],
  ] as const)
    await fed.createContainer(spec(name, engine));
  e2.failing = (call) => (call === 'ping' ? refused() : null);
  const notes: string[] = [];
  const progress = { step: () => ({ update: () => undefined, done: () => undefined, fail: () => undefined }), note: (l: string) => void notes.push(l) };
  const firewall = new FakeFirewall();

  const partial = await down(fed, 'lab', { firewall, progress });
  t.deepEqual(partial, {
    labs: ['lab'],
    containers: 2,
    networks: 1,
    firewallRules: 0,
    unreachable: [{ engine: 'e2', host: E2, error: `connect ENOENT ${E2.slice(7)}` }],
    networksLeft: ['tb-lab-wan'],
  });
  t.deepEqual(
    [...e1.containers.values()].map((c) => c.spec.name),
    [],
  );
  t.deepEqual(
    [...e1.networks.values()].map((n) => n.spec.name),
    ['tb-lab-wan'],
    'the overlay still has endpoints on e2',
  );
  t.deepEqual([...e2.containers.values()].map((c) => c.spec.name).sort(), ['tb-lab-a1', 'tb-lab-fred']);
  t.false(
    e2.calls.some((c) => /^remove/.test(c)),
    'nothing was asked of e2 but the ping',
  );
  t.true(notes.some((l) => l.includes('engine e2 (unix:///run/testbed-no-such-engine/docker.sock) does not answer')));
  t.is(
    renderDown(partial),
    'removed lab lab: 2 containers, 1 networks, 0 firewall rules\n' +
      `engine e2 (${E2}) does not answer: connect ENOENT /run/testbed-no-such-engine/docker.sock\n` +
      'not removed: what the lab has on e2\n' +
      'networks left because they reach it: tb-lab-wan\n' +
      'run down again once it answers (or drain its node: docker node update --availability drain NODE)\n',
  );

  // e2 answers again: the rest goes
  e2.failing = () => null;
  const rest = await down(fed, 'lab', { firewall });
  t.deepEqual(rest, { labs: ['lab'], containers: 2, networks: 2, firewallRules: 0 });
  t.deepEqual([e1.containers.size, e1.networks.size, e2.containers.size, e2.networks.size], [0, 0, 0, 0]);
});

test('down with the manager silent leaves every overlay (they live on the manager); with no engine answering it fails, naming them', async (t) => {
  const { e1, e2, fed } = swarm();
  await fed.createNetwork({
    gateway: '198.18.0.1',
    bridgeName: 'br',
    mtu: 1500,
    name: 'tb-lab-wan',
    subnet: '198.18.0.0/28',
    driver: 'overlay',
    labels: { ...ownerLabels('lab', 'network'), [ENGINE_LABEL]: 'e1+e2' },
  });
  await fed.createContainer(spec('tb-lab-fred', 'e2'));
  e1.failing = (call) => (call === 'ping' ? refused() : null);
  const r = await down(fed, 'lab', { firewall: new FakeFirewall() });
  t.deepEqual([r.containers, r.networks, r.unreachable?.map((u) => u.engine)], [1, 0, ['e1']]);
  t.is(e1.networks.size, 1);
  e2.failing = (call) => (call === 'ping' ? refused() : null);
  await t.throwsAsync(() => down(fed, 'lab', { firewall: new FakeFirewall() }), { instanceOf: EngineUnreachableError, message: /engine e1 .*; engine e2 / });
});

test('the CLI names a swarm manager that does not answer by its TESTBED_SWARM address', async (t) => {
  const r = await promisify(execFile)('node', [`${root}bin/testbed.js`, 'down', 'x'], { cwd: root, env: { ...process.env, TESTBED_SWARM: E2 } }).then(
    () => ({ code: 0, stdout: '', stderr: '' }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
  t.is(r.code, 2);
  t.regex(r.stderr + r.stdout, /the swarm manager unix:\/\/\/run\/testbed-no-such-engine\/docker\.sock \(TESTBED_SWARM\) does not answer: connect ENOENT/);
});
