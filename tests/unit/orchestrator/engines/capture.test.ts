/**
 * A swarm capture follows an overlay namespace that Docker made anew: after
 * the L2 fix-up reports the namespaces as they are, a capture starts in each
 * one no capture container of its engine is in (told by the inode each
 * capture prints), into the link's next part on that engine; nothing when
 * every namespace is captured, or when the lab is not being captured.
 */
import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARTIFACTS_LABEL, ENGINE_LABEL, ownerLabels } from '../../../../src/contract/labels.js';
import type { DockerodeEngine } from '../../../../src/orchestrator/docker/dockerode.js';
import { capturedNamespaces, followSwarmCapture } from '../../../../src/orchestrator/engines/capture.js';
import { FederatedEngine } from '../../../../src/orchestrator/engines/federated.js';
import type { OverlayNamespace } from '../../../../src/orchestrator/engines/overlay-l2.js';
import { startCaptureContainer } from '../../../../src/orchestrator/lab/capture.js';
import { FakeEngine, type FakeContainer } from '../lab/fake-engine.js';

/** A fake engine whose capture containers do what the capture script does: say their namespace, write each pcap's header. */
function engine(prefix: string, inodes: Record<string, string>): FakeEngine {
  const e = new FakeEngine(prefix);
  e.onStart = (c: FakeContainer) => {
    const artifacts = Object.entries(c.spec.binds ?? {}).find(([, to]) => to === '/artifacts')?.[0];
    for (const spec of c.spec.cmd.slice(4)) {
      const [source, file] = spec.split('=') as [string, string];
      if (source.startsWith('@')) e.print(c, `netns ${source.slice(1)} ${inodes[source.slice(1)]}`);
      void writeFile(join(artifacts!, file), Buffer.alloc(24));
    }
    e.print(c, 'capture-ready');
  };
  // where Docker keeps the engine's namespaces, from a container's sandbox key
  (e as unknown as { docker: unknown }).docker = {
    getContainer: () => ({ inspect: async () => ({ NetworkSettings: { SandboxKey: `/run/${prefix}docker/netns/abcdef` } }) }),
  };
  return e;
}

async function setup(t: { teardown(fn: () => Promise<void>): void }) {
  const artifacts = await mkdtemp(join(tmpdir(), 'testbed-follow-'));
  t.teardown(() => rm(artifacts, { recursive: true, force: true }));
  const inodes = { e1: { '1-aaaaaaaaaa': '4026532001' }, e2: { '1-aaaaaaaaaa': '4026532002' } };
  const e1 = engine('e1-', inodes.e1);
  const e2 = engine('e2-', inodes.e2);
  const ref = (name: string, manager: boolean) => ({ name, host: `unix:///run/${name}.sock`, address: null, capacity: 1, manager });
  const fed = new FederatedEngine(
    [
      { ref: ref('e1', true), engine: e1 as unknown as DockerodeEngine },
      { ref: ref('e2', false), engine: e2 as unknown as DockerodeEngine },
    ],
    new FakeEngine('b-'),
  );
  const node = async (name: string, on: string) =>
    fed.createContainer({
      name,
      hostname: name,
      image: 'img',
      cmd: [],
      env: {},
      labels: { ...ownerLabels('lab', 'node'), [ENGINE_LABEL]: on, [ARTIFACTS_LABEL]: artifacts },
      endpoints: [],
      capAdd: [],
      devices: [],
      sysctls: {},
    });
  const daphne = await node('tb-lab-daphne', 'e1');
  const fred = await node('tb-lab-fred', 'e2');
  const ns = (on: 'e1' | 'e2', container: string): OverlayNamespace => ({
    engine: on,
    link: 'wan',
    ns: '1-aaaaaaaaaa',
    inode: inodes[on]['1-aaaaaaaaaa']!,
    container,
  });
  return { e1, e2, fed, artifacts, inodes, now: () => [ns('e1', daphne), ns('e2', fred)] };
}

test('the namespaces a capture is in come from its log', (t) => {
  t.deepEqual(capturedNamespaces('netns 1-aaaaaaaaaa 4026532001\nnetns 1-bbbbbbbbbb -\ncapture-ready\n'), [{ ns: '1-aaaaaaaaaa', inode: '4026532001' }]);
});

test('a lab not being captured gets no capture', async (t) => {
  const { e1, e2, fed, now } = await setup(t);
  t.deepEqual(await followSwarmCapture(fed, 'lab', 'img', now()), []);
  t.false([...e1.calls, ...e2.calls].some((c) => c.startsWith('createContainer tb-lab--capture')));
});

test("a namespace made anew on one engine is captured again there, into the link's next part; then nothing more", async (t) => {
  const { e1, e2, fed, artifacts, inodes, now } = await setup(t);
  // what startSwarmCapture starts on each engine (it finds the overlays through Docker, which the fakes are not)
  for (const [m, e] of [
    ['e1', e1],
    ['e2', e2],
  ] as const)
    await startCaptureContainer(e, {
      lab: 'lab',
      image: 'img',
      artifacts,
      specs: [{ source: '@1-aaaaaaaaaa', file: `wan@${m}.pcap` }],
      netnsDir: `/run/${m}-docker/netns`,
      labels: { [ENGINE_LABEL]: m },
    });
  t.deepEqual(await followSwarmCapture(fed, 'lab', 'img', now()), [], 'both captures are in the namespaces as they are');

  // e1's last container left the link and came back: Docker made the namespace anew (same name, another inode)
  inodes.e1['1-aaaaaaaaaa'] = '4026532099';
  t.deepEqual(await followSwarmCapture(fed, 'lab', 'img', now()), ['e1: wan: capturing again in its new namespace (1-aaaaaaaaaa, wan@e1~2.pcap)']);
  const again = e1.byName('tb-lab--capture-1-aaaaaaaaaa-4026532099');
  t.is(again.state, 'running');
  t.deepEqual(again.spec.cmd.slice(4), ['@1-aaaaaaaaaa=wan@e1~2.pcap']);
  t.deepEqual(again.spec.binds, { [artifacts]: '/artifacts', '/run/e1-docker/netns': '/run/netns' });
  t.is(again.spec.labels[ENGINE_LABEL], 'e1');
  t.false(
    e2.calls.some((c) => c.startsWith('createContainer tb-lab--capture-')),
    'e2 kept its namespace and its capture',
  );
  t.deepEqual(await followSwarmCapture(fed, 'lab', 'img', now()), [], 'the new namespace is captured now');

  // and once more: the third part
  inodes.e1['1-aaaaaaaaaa'] = '4026532100';
  t.deepEqual(await followSwarmCapture(fed, 'lab', 'img', now()), ['e1: wan: capturing again in its new namespace (1-aaaaaaaaaa, wan@e1~3.pcap)']);
});
