/**
 * The lab image on the engines of a two-engine swarm on this machine
 * (local-swarm.ts) through a real registry: Debian's docker-registry
 * (Docker's distribution 2.8). One storage directory is served by a
 * registry process in each network namespace an engine runs in (the
 * host's, where the builder pushes, and tbsw-e1's and tbsw-e2's, where the
 * members pull), each on that namespace's loopback and the same port, so
 * that one name, 127.0.0.1:PORT, is the same registry to every engine, as a
 * registry all machines reach is in a real swarm. Docker allows plain HTTP
 * to registries on 127.0.0.0/8 by itself: no engine's configuration is
 * changed, and nothing listens beyond loopback.
 *
 * Members lacking the image pull it (same image ID as the builder's, no
 * registry name left on any engine) and a lab spread over both comes up and
 * carries a ping between the engines; a member whose pull fails (no
 * registry in its namespace) is loaded instead, with the reason; a registry
 * named but not answering: `up` says the push failed, loads the image into
 * both members and the lab comes up. The registry processes and their
 * storage are removed afterwards, also after a failure.
 */
import anyTest, { type ExecutionContext, type TestFn } from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { LAB_LABEL, OWNER_LABEL, OWNER_VALUE } from '../../src/contract/labels.js';
import { discoverEngines } from '../../src/orchestrator/engines/engines.js';
import { FederatedEngine } from '../../src/orchestrator/engines/federated.js';
import { distributeImage } from '../../src/orchestrator/engines/images.js';
import { localSwarmDown, localSwarmUp, type LocalEngine } from '../../src/orchestrator/engines/local-swarm.js';
import { parseRegistry } from '../../src/orchestrator/engines/registry.js';
import { ensureLabImage } from '../../src/orchestrator/image/build.js';
import { down } from '../../src/orchestrator/lab/down.js';
import { Lab } from '../../src/orchestrator/lab/lab.js';
import { silentProgress, type Progress } from '../../src/orchestrator/progress.js';
import { engine, labName } from './helpers.js';

interface Context {
  engines: LocalEngine[];
  manager: string;
  image: string;
  dir: string;
  port: number;
  /** Registry processes by namespace ('' for the host's). */
  registries: Map<string, ChildProcess>;
  topology: string;
}
const test = anyTest as TestFn<Context>;

/** A TCP port free on the host's loopback now (the namespaces' loopbacks are new and empty). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const inNs = (netns: string, cmd: string[]) => (netns ? ['nsenter', `--net=/run/netns/${netns}`, ...cmd] : cmd);

/** Start docker-registry on 127.0.0.1:port in `netns` ('' for the host's namespace) and wait until it listens. */
async function startRegistry(t: ExecutionContext<Context>, netns: string): Promise<void> {
  const { dir, port } = t.context;
  const config = join(dir, `config-${netns || 'host'}.yml`);
  // no blob descriptor cache: every process reads the shared storage as it is now
  await writeFile(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      '  accesslog: { disabled: true }',
      'storage:',
      `  filesystem: { rootdirectory: ${join(dir, 'storage')} }`,
      'http:',
      `  addr: 127.0.0.1:${port}`,
      '  secret: testbed-registry-test',
      '',
    ].join('\n'),
  );
  const log = openSync(join(dir, `registry-${netns || 'host'}.log`), 'a');
  const [cmd, ...args] = inNs(netns, ['docker-registry', 'serve', config]);
  const child = spawn(cmd!, args, { stdio: ['ignore', log, log] });
  closeSync(log);
  let failed: Error | null = null;
  child.on('error', (e) => (failed = e));
  t.context.registries.set(netns, child);
  const [ss, ...ssArgs] = inNs(netns, ['ss', '-Hltn', `sport = :${port}`]);
  for (let i = 0; i < 100; i++) {
    if (failed) throw new Error(`docker-registry in ${netns || 'the host namespace'}: ${(failed as Error).message}`);
    if (child.exitCode !== null) throw new Error(`docker-registry in ${netns || 'the host namespace'} exited (${child.exitCode}): see ${dir}`);
    if ((await execa(ss!, ssArgs)).stdout.includes(`127.0.0.1:${port}`)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`docker-registry in ${netns || 'the host namespace'} does not listen on 127.0.0.1:${port}`);
}

async function stopRegistry(t: { context: Context }, netns: string): Promise<void> {
  const child = t.context.registries.get(netns);
  if (!child) return;
  t.context.registries.delete(netns);
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await gone;
}

const member = (fed: FederatedEngine, name: string) => fed.members.find((m) => m.ref.name === name)!.engine;
const imageId = async (e: { docker: { getImage(n: string): { inspect(): Promise<unknown> } } }, tag: string) =>
  ((await e.docker.getImage(tag).inspect()) as { Id: string }).Id;
/** Every tag on the engine that names the test's registry. */
const registryTags = async (e: { docker: { listImages(): Promise<{ RepoTags?: string[] | null }[]> } }, port: number) =>
  (await e.docker.listImages()).flatMap((i) => i.RepoTags ?? []).filter((tag) => tag.startsWith(`127.0.0.1:${port}/`));

test.before(async (t) => {
  t.context.registries = new Map();
  if ((await execa('sh', ['-c', 'command -v docker-registry'], { reject: false })).exitCode !== 0)
    throw new Error('docker-registry is not installed: apt-get install --no-install-recommends docker-registry (.ci/run does)');
  t.context.dir = await mkdtemp(join(tmpdir(), 'testbed-registry-'));
  t.context.port = await freePort();
  t.context.image = await ensureLabImage(engine, { progress: silentProgress });
  const swarm = await localSwarmUp(2, (l) => t.log(l));
  t.context.engines = swarm.engines;
  t.context.manager = swarm.manager;
  // two hosts, one on each engine: their link is an overlay between the engines
  t.context.topology = join(t.context.dir, 'pair.yaml');
  await writeFile(
    t.context.topology,
    [
      'name: registry-pair',
      'nodes:',
      '  h1: { kind: host, address: 10.9.0.1/24 }',
      '  h2: { kind: host, address: 10.9.0.2/24 }',
      'links:',
      '  l: [h1:eth0, h2:eth0]',
      'placement: { h1: e1, h2: e2 }',
      '',
    ].join('\n'),
  );
});

test.after.always(async (t) => {
  for (const netns of [...(t.context.registries?.keys() ?? [])]) await stopRegistry(t, netns);
  if (t.context.dir) await rm(t.context.dir, { recursive: true, force: true });
  t.deepEqual(await localSwarmDown(2), { processes: [], namespaces: [], mounts: [], cgroups: [], paths: [] });
  t.deepEqual(
    (await execa('pgrep', ['-af', 'docker-registry serve'], { reject: false })).stdout.split('\n').filter((l) => l.includes(t.context.dir ?? '//')),
    [],
  );
});

/** Bring the pair up on `fed`, ping across the engines, take it down; the progress lines and notes. */
async function pairUp(t: ExecutionContext<Context>, fed: FederatedEngine): Promise<string[]> {
  const lines: string[] = [];
  const progress: Progress = {
    step: (title) => ({ update: (d) => void lines.push(`${title}: ${d}`), done: () => undefined, fail: (d) => void lines.push(`${title} FAILED: ${d}`) }),
    note: (text) => void lines.push(`NOTE ${text}`),
  };
  const name = labName('registry');
  try {
    const lab = await Lab.up(t.context.topology, { name, engine: fed, progress, artifacts: join(t.context.dir, name) });
    t.deepEqual(Object.fromEntries(lab.info.nodes.map((n) => [n.name, n.engine])), { h1: 'e1', h2: 'e2' });
    t.regex(await lab.sh('h1', 'ping -c 2 -W 2 10.9.0.2'), /2 packets transmitted, 2 received/);
  } finally {
    await down(fed, name);
  }
  const owned = { [OWNER_LABEL]: OWNER_VALUE, [LAB_LABEL]: name };
  t.deepEqual([(await fed.listContainers(owned)).length, (await fed.listNetworks(owned)).length], [0, 0]);
  return lines;
}

test.serial('members lacking the lab image pull it from the registry (the same image), and the lab comes up', async (t) => {
  t.timeout(5 * 60_000);
  const { image, port } = t.context;
  await startRegistry(t, '');
  for (const e of t.context.engines) await startRegistry(t, e.netns);
  const fed = FederatedEngine.fromRefs(await discoverEngines(t.context.manager), engine, { registry: parseRegistry(`127.0.0.1:${port}`) });
  t.deepEqual([await member(fed, 'e1').imageExists(image), await member(fed, 'e2').imageExists(image)], [false, false]);

  const lines: string[] = [];
  const report = await distributeImage(fed, image, (l) => void lines.push(l));
  t.log(lines.join('\n'));
  t.deepEqual(report, { pulled: ['e1', 'e2'], loaded: [], present: [], fallbacks: [] }, lines.join('\n'));
  t.true(lines[0]!.startsWith(`pushing ${image} as 127.0.0.1:${port}/${image} (`), lines.join('\n'));
  t.true(lines.includes(`127.0.0.1:${port}/${image} pushed`), lines.join('\n'));
  t.is(lines.filter((l) => /^e[12]: pulling 127\.0\.0\.1:\d+\/testbed\/router2600:\S+$/.test(l)).length, 2, lines.join('\n'));
  t.is(lines.filter((l) => new RegExp(`^e[12]: ${image} pulled$`).test(l)).length, 2, lines.join('\n'));
  const id = await imageId(engine, image);
  t.deepEqual([await imageId(member(fed, 'e1'), image), await imageId(member(fed, 'e2'), image)], [id, id]);
  // only the lab tag: the registry's name is gone from the builder and the members
  t.deepEqual([await registryTags(engine, port), await registryTags(member(fed, 'e1'), port), await registryTags(member(fed, 'e2'), port)], [[], [], []]);

  // again: every member has it, nothing is pushed or pulled
  const again: string[] = [];
  t.deepEqual(await distributeImage(fed, image, (l) => void again.push(l)), { pulled: [], loaded: [], present: ['e1', 'e2'], fallbacks: [] });
  t.deepEqual(again, []);

  const up = await pairUp(t, fed);
  t.deepEqual(
    up.filter((l) => l.includes('lab image') || l.startsWith('NOTE')),
    [],
    up.join('\n'),
  );
});

test.serial('a member whose pull fails is loaded instead; a registry that does not answer: up says so, loads both and the lab comes up', async (t) => {
  t.timeout(5 * 60_000);
  const { image, port } = t.context;
  const refs = await discoverEngines(t.context.manager);
  // e2 loses the image and its namespace its registry: e1 has it, e2's pull is refused, e2 is loaded
  const fed = FederatedEngine.fromRefs(refs, engine, { registry: parseRegistry(`127.0.0.1:${port}`) });
  await member(fed, 'e2').docker.getImage(image).remove();
  await stopRegistry(t, 'tbsw-e2');
  const warnings: string[] = [];
  const lines: string[] = [];
  const report = await distributeImage(
    fed,
    image,
    (l) => void lines.push(l),
    (l) => void warnings.push(l),
  );
  t.deepEqual(
    { ...report, fallbacks: report.fallbacks.map((f) => f.engine) },
    { pulled: [], loaded: ['e2'], present: ['e1'], fallbacks: ['e2'] },
    [...lines, ...warnings].join('\n'),
  );
  t.regex(report.fallbacks[0]!.reason, new RegExp(`^e2 could not pull 127\\.0\\.0\\.1:${port}/${image}: .*connection refused`));
  t.deepEqual(warnings, [`registry 127.0.0.1:${port}: ${report.fallbacks[0]!.reason}; loading ${image} into e2 instead`]);
  t.true(
    lines.some((l) => new RegExp(`^e2: ${image} loaded \\(\\d+ MB\\)$`).test(l)),
    lines.join('\n'),
  );
  t.is(await imageId(member(fed, 'e2'), image), await imageId(engine, image));

  // both lose it; the registry is named at a port nothing listens on: the push fails, both are loaded, the lab comes up
  await stopRegistry(t, '');
  await stopRegistry(t, 'tbsw-e1');
  for (const m of ['e1', 'e2']) await member(fed, m).docker.getImage(image).remove();
  const silent = await freePort();
  const nowhere = FederatedEngine.fromRefs(refs, engine, { registry: parseRegistry(`127.0.0.1:${silent}`) });
  const up = await pairUp(t, nowhere);
  t.log(up.join('\n'));
  const notes = up.filter((l) => l.startsWith('NOTE registry'));
  t.is(notes.length, 1, up.join('\n'));
  t.regex(
    notes[0]!,
    new RegExp(
      `^NOTE registry 127\\.0\\.0\\.1:${silent}: the builder could not push 127\\.0\\.0\\.1:${silent}/${image}: .*connection refused.*; loading ${image} into e1, e2 instead$`,
    ),
  );
  t.is(up.filter((l) => new RegExp(`^the lab image on 2 engines: e[12]: ${image} loaded`).test(l)).length, 2, up.join('\n'));
  t.deepEqual(await registryTags(engine, silent), []);
});
