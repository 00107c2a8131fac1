/**
 * `up` starts nodes a few at a time (UpOptions.bootWidth): never more than
 * that many started and not yet ready, every node started in the end, and
 * a node that never gets ready stops the others from being started.
 */
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KIND_LABEL } from '../../../../src/contract/labels.js';
import { HOST_READY, ROUTER_READY } from '../../../../src/contract/ready.js';
import { generateTedLab } from '../../../../src/orchestrator/generate/index.js';
import { bootWidth, startWidth, up } from '../../../../src/orchestrator/lab/up.js';
import { LabError } from '../../../../src/orchestrator/lab/types.js';
import { loadTopology } from '../../../../src/orchestrator/labfile/load.js';
import { FakeEngine, FakeFirewall } from './fake-engine.js';

/** A generated lab of 12 spokes behind a core (25 nodes). */
async function lab(dir: string) {
  const gen = generateTedLab({ spokes: 12, shape: 'core' });
  const { mkdir, writeFile } = await import('node:fs/promises');
  for (const f of gen.files) {
    await mkdir(join(dir, f.path, '..'), { recursive: true });
    await writeFile(join(dir, f.path), f.content);
  }
  return loadTopology(join(dir, gen.topology));
}

test('up boots at most bootWidth nodes at once, and all of them', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tb-width-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const engine = new FakeEngine();
  let booting = 0;
  let most = 0;
  engine.onStart = (c) => {
    booting++;
    most = Math.max(most, booting);
    // each node takes a few turns of the event loop to boot
    setTimeout(() => {
      booting--;
      engine.print(c, c.spec.labels[KIND_LABEL] === 'router2600' ? ROUTER_READY : HOST_READY);
    }, 2);
  };
  const info = await up(engine, await lab(dir), {
    name: 'w',
    image: 'testbed/router2600:fake',
    firewall: new FakeFirewall(),
    artifacts: join(dir, 'a'),
    bootWidth: 4,
  });
  t.is(info.nodes.length, 25);
  t.is(most, 4, 'four at a time');
  t.is(engine.calls.filter((c) => c.startsWith('startContainer')).length, 25);
  t.deepEqual([bootWidth(1), bootWidth(2), bootWidth(8)], [32, 32, 128]);
  t.deepEqual([startWidth(1), startWidth(2), startWidth(8)], [8, 8, 32]);
});

test('a node that never gets ready: up fails, the nodes after it are not started, nothing is left', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tb-width-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const engine = new FakeEngine();
  engine.onStart = (c) => {
    if (c.spec.name !== 'tb-w2-spoke2') setTimeout(() => engine.print(c, c.spec.labels[KIND_LABEL] === 'router2600' ? ROUTER_READY : HOST_READY), 10);
  };
  const firewall = new FakeFirewall();
  await t.throwsAsync(
    up(engine, await lab(dir), { name: 'w2', image: 'testbed/router2600:fake', firewall, artifacts: join(dir, 'a'), bootWidth: 2, readyTimeoutMs: 50 }),
    {
      instanceOf: LabError,
      message: /spoke2 did not become ready/,
    },
  );
  t.true(engine.calls.filter((c) => c.startsWith('startContainer')).length < 25, 'the rest were never started');
  t.deepEqual([engine.containers.size, engine.networks.size, firewall.rules.size], [0, 0, 0]);
});

test('docker start calls are fewer than the boots: at most startWidth in flight, while more nodes boot', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tb-width-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const engine = new FakeEngine();
  let starting = 0;
  let mostStarting = 0;
  let booting = 0;
  let mostBooting = 0;
  const realStart = engine.startContainer.bind(engine);
  engine.startContainer = async (id: string) => {
    starting++;
    mostStarting = Math.max(mostStarting, starting);
    await new Promise((r) => setTimeout(r, 1));
    starting--;
    return realStart(id);
  };
  engine.onStart = (c) => {
    booting++;
    mostBooting = Math.max(mostBooting, booting);
    // a boot takes longer than a start: the boots overlap
    setTimeout(() => {
      booting--;
      engine.print(c, c.spec.labels[KIND_LABEL] === 'router2600' ? ROUTER_READY : HOST_READY);
    }, 20);
  };
  const info = await up(engine, await lab(dir), { name: 'w3', image: 'testbed/router2600:fake', firewall: new FakeFirewall(), artifacts: join(dir, 'a') });
  t.is(info.nodes.length, 25);
  t.true(mostStarting <= startWidth(), `${mostStarting} starts at once`);
  t.true(mostBooting > startWidth(), `${mostBooting} nodes booting at once`);
});
