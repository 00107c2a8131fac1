/**
 * The seed lab spread over a two-engine Docker Swarm on this one machine
 * (src/orchestrator/engines/local-swarm.ts: two extra dockerds in network
 * namespaces; the primary engine only builds the image): Daphne and d1 on
 * e1, fred and a1 on e2, so the WAN is an overlay between the engines and
 * each LAN a bridge on one engine. The seed's own checks (TED, Main Mode,
 * Quick Mode, ESP on the WAN capture, no clear text) pass on it; the WAN
 * pcap is merged from both engines' captures, each frame once; 1500-byte
 * frames cross; a cut and restored WAN works again; `down --all` leaves
 * nothing on either engine; after the cut and restore Docker made e1's
 * namespace of the WAN anew, and e1's capture follows it there. OSPF forms
 * an adjacency over a link between the engines (broadcast network: hellos
 * to 224.0.0.5 cross both ways), in two labs of one topology side by side
 * on the same engines, the first still FULL after the second came and went.
 * An engine that does not answer (an engines file pointing e2 at a socket
 * that does not exist) stops `up` before anything is created, and `down`
 * cleans e1 and says it could not reach e2. Then the generated 10-spoke TED
 * lab behind a core, placed automatically over both engines, passes its own
 * checks. The swarm's teardown leaves no process, namespace, mount, cgroup
 * or file.
 */
import anyTest, { type TestFn } from 'ava';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENGINE_LABEL, LAB_LABEL, OWNER_LABEL, OWNER_VALUE } from '../../src/contract/labels.js';
import { readRawPcap } from '../../src/orchestrator/capture/merge.js';
import { runTests } from '../../src/orchestrator/checks/run.js';
import { discoverEngines } from '../../src/orchestrator/engines/engines.js';
import { FederatedEngine } from '../../src/orchestrator/engines/federated.js';
import { localSwarmDown, localSwarmUp } from '../../src/orchestrator/engines/local-swarm.js';
import { down } from '../../src/orchestrator/lab/down.js';
import { SwarmFirewall } from '../../src/orchestrator/lab/firewall.js';
import { findNode } from '../../src/orchestrator/lab/inventory.js';
import { fixOverlayL2 } from '../../src/orchestrator/engines/overlay-l2.js';
import type { Progress } from '../../src/orchestrator/progress.js';
import { Lab } from '../../src/orchestrator/lab/lab.js';
import { RealLabDriver } from '../../src/orchestrator/checks/lab-driver.js';
import { loadTopology } from '../../src/orchestrator/labfile/load.js';
import { engine, labName, root, seedTopology } from './helpers.js';

const test = anyTest as TestFn<{ fed: FederatedEngine; manager: string }>;

test.before(async (t) => {
  const swarm = await localSwarmUp(2, (l) => t.log(l));
  t.context.manager = swarm.manager;
  t.context.fed = FederatedEngine.fromRefs(await discoverEngines(swarm.manager), engine);
});

test.after.always(async (t) => {
  t.deepEqual(await localSwarmDown(2), nothing);
});

const split = { daphne: 'e1', d1: 'e1', fred: 'e2', a1: 'e2' };
const nothing = { processes: [], namespaces: [], mounts: [], cgroups: [], paths: [] };

/** ESP frames (Ethernet, IPv4, protocol 50) in a raw capture. */
const espFrames = (frames: { data: Buffer }[]) => frames.filter((f) => f.data.readUInt16BE(12) === 0x0800 && f.data[23] === 50).length;

test.serial('the seed lab split over two engines of a swarm passes the seed checks, with merged captures and nothing left behind', async (t) => {
  t.timeout(10 * 60_000);
  const fed = t.context.fed;
  {
    t.deepEqual(
      fed.members.map((m) => [m.ref.name, m.ref.address, m.ref.manager]),
      [
        ['e1', '198.51.100.1', true],
        ['e2', '198.51.100.2', false],
      ],
    );
    const name = labName('swarm');
    const artifacts = await mkdtemp(join(tmpdir(), 'testbed-swarm-'));
    t.teardown(() => rm(artifacts, { recursive: true, force: true }));
    const lines: string[] = [];
    const progress: Progress = {
      step: (title) => ({ update: (d) => void lines.push(`${title}: ${d}`), done: () => undefined, fail: (d) => void lines.push(`${title} FAILED: ${d}`) }),
      note: (text) => void lines.push(text),
    };
    const lab = await Lab.up(seedTopology, { name, engine: fed, capture: true, place: split, artifacts, progress });
    let downAll;
    try {
      t.deepEqual(Object.fromEntries(lab.info.nodes.map((n) => [n.name, n.engine])), split);
      t.deepEqual(Object.fromEntries(lab.info.links.map((l) => [l.name, l.engine])), { wan: 'e1+e2', 'lan-daphne': 'e1', 'lan-fred': 'e2' });
      // the image went to both engines; on each, the WAN's vxlan0 lost its proxy ARP and got a flood entry to the other engine
      t.is(lines.filter((l) => /the lab image on 2 engines: e[12]: testbed\/router2600:\S+ loaded/.test(l)).length, 2, lines.join('\n'));
      const fixes = lines.filter((l) => l.startsWith('making the links between engines real Ethernet segments: '));
      t.is(fixes.filter((l) => /e[12]: 1-[0-9a-z]{10}: vxlan0 \(VNI \d+, MTU 1500\) recreated without proxy ARP$/.test(l)).length, 2, fixes.join('\n'));
      t.true(fixes.some((l) => /e1: 1-[0-9a-z]{10}: flood to 198\.51\.100\.2$/.test(l)));
      t.true(fixes.some((l) => /e2: 1-[0-9a-z]{10}: flood to 198\.51\.100\.1$/.test(l)));
      t.deepEqual(await fixOverlayL2(fed, name, lab.info.image), [], 'the fix-up is idempotent');

      // the seed's own checks on the running lab (the same steps as `testbed test topologies/daphne-fred.yaml`)
      const summary = await runTests(seedTopology, { name, engine: fed, keep: true, artifacts: join(artifacts, 'run') });
      const failed = summary.steps.filter((s) => s.status !== 'passed').map((s) => `${s.name}: ${JSON.stringify(s.failures)}`);
      t.deepEqual(failed, []);
      t.is(summary.status, 'passed');
      t.deepEqual(summary.counts, { total: 13, passed: 13, failed: 0, errors: 0, skipped: 0 });

      // a 1500-byte frame crosses the overlay: 1472 bytes of ICMP data with DF from Daphne to fred
      const daphne = await findNode(fed, name, 'daphne');
      const big = await fed.exec(daphne.id, ['ping', '-M', 'do', '-s', '1472', '-c', '2', '-W', '2', '11.11.11.2']);
      t.regex(big.stdout, /2 received/, big.stdout + big.stderr);

      // each engine saw the WAN's ESP; the merged capture has each ESP frame once, in time order
      await lab.packets('wan');
      const e1 = readRawPcap(await readFile(join(artifacts, 'wan@e1.pcap')));
      const e2 = readRawPcap(await readFile(join(artifacts, 'wan@e2.pcap')));
      const merged = readRawPcap(await readFile(join(artifacts, 'wan.pcap')));
      t.true(espFrames(e1.frames) > 0);
      t.is(espFrames(e1.frames), espFrames(e2.frames), 'every ESP frame crossed between the engines');
      t.is(espFrames(merged.frames), espFrames(e1.frames));
      t.true(merged.frames.every((f, i) => i === 0 || f.us >= merged.frames[i - 1]!.us));

      // cut and restore Daphne's WAN: e1 then has no container on the overlay, Docker drops its namespace and makes a
      // new one (with proxy ARP again) on the restore; the fix-up runs again and the tunnel carries traffic
      const driver = new RealLabDriver(lab, await loadTopology(seedTopology));
      await driver.cut('wan', ['daphne']);
      const restored = await driver.restore('wan', ['daphne']);
      t.regex(restored, /e1: 1-[0-9a-z]{10}: vxlan0 \(VNI \d+, MTU 1500\) recreated without proxy ARP/);
      t.regex(restored, /e1: wan: capturing again in its new namespace \(1-[0-9a-z]{10}, wan@e1~2\.pcap\)/);
      t.notRegex(restored, /e2: wan: capturing again/, 'e2 kept its namespace and its capture');
      const again = await lab.sh('d1', 'ping -c 3 -W 2 12.12.12.13');
      t.regex(again, /3 packets transmitted, 3 received/);
      // the three pings' ESP (a request and a reply each) is in e1's capture in its new namespace, and once in the merged one
      await lab.packets('wan');
      t.is(espFrames(readRawPcap(await readFile(join(artifacts, 'wan@e1~2.pcap'))).frames), 6);
      t.is(espFrames(readRawPcap(await readFile(join(artifacts, 'wan.pcap'))).frames), espFrames(merged.frames) + 6);
    } finally {
      downAll = await down(fed);
    }
    t.deepEqual(downAll.labs, [name]);
    const owned = { [OWNER_LABEL]: OWNER_VALUE, [LAB_LABEL]: name };
    t.deepEqual(
      {
        containers: (await fed.listContainers(owned)).length,
        networks: (await fed.listNetworks(owned)).length,
        rules: (await new SwarmFirewall(fed, lab.info.image).listRules(name)).length,
      },
      { containers: 0, networks: 0, rules: 0 },
    );
    t.true((await readFile(join(artifacts, 'esp_sa'), 'utf8').catch(() => '')).length > 0, 'the key tables were written at down');
  }
});

const ospfPair = `${root}tests/fixtures/topologies/ospf-pair.yaml`;

/** OSPF frames (Ethernet to 01:00:5e:00:00:05, IPv4 protocol 89 to 224.0.0.5) from `src` in a raw capture. */
const hellosFrom = (frames: { data: Buffer }[], src: string) =>
  frames.filter(
    (f) =>
      f.data.subarray(0, 6).equals(Buffer.from([1, 0, 0x5e, 0, 0, 5])) &&
      f.data.readUInt16BE(12) === 0x0800 &&
      f.data[23] === 89 &&
      [...f.data.subarray(26, 30)].join('.') === src &&
      [...f.data.subarray(30, 34)].join('.') === '224.0.0.5',
  ).length;

/** Run the topology's checks on the running lab `name`; the steps that did not pass. */
async function checks(fed: FederatedEngine, name: string, artifacts: string): Promise<{ failed: string[]; total: number }> {
  const summary = await runTests(ospfPair, { name, engine: fed, keep: true, artifacts });
  return {
    failed: summary.steps.filter((s) => s.status !== 'passed').map((s) => `${s.name}: ${s.error ?? ''} ${JSON.stringify(s.failures)}`),
    total: summary.counts.total,
  };
}

test.serial(
  'OSPF over a link between engines, in two labs of one topology side by side; an engine that does not answer stops up and is named by down',
  async (t) => {
    t.timeout(10 * 60_000);
    const fed = t.context.fed;
    const [a, b, c] = [labName('ospf-a'), labName('ospf-b'), labName('ospf-c')];
    const dirA = await mkdtemp(join(tmpdir(), 'testbed-swarm-ospf-a-'));
    const dirB = await mkdtemp(join(tmpdir(), 'testbed-swarm-ospf-b-'));
    t.teardown(() => Promise.all([dirA, dirB].map((d) => rm(d, { recursive: true, force: true }))));
    const owned = (lab: string) => ({ [OWNER_LABEL]: OWNER_VALUE, [LAB_LABEL]: lab });
    try {
      const labA = await Lab.up(ospfPair, { name: a, engine: fed, capture: true, artifacts: dirA });
      t.deepEqual(Object.fromEntries(labA.info.nodes.map((n) => [n.name, n.engine])), { h1: 'e1', h2: 'e2', r1: 'e1', r2: 'e2' });
      t.deepEqual(Object.fromEntries(labA.info.links.map((l) => [l.name, l.engine])), { lan1: 'e1', lan2: 'e2', 'r1-r2': 'e1+e2' });
      // the adjacency is FULL both ways, routes are learned over it and carry h1's pings, the hellos are on the link
      t.deepEqual(await checks(fed, a, join(dirA, 'run-1')), { failed: [], total: 6 });
      // each engine saw the other's hellos: multicast crossed between the engines both ways
      await labA.packets('r1-r2');
      t.true(hellosFrom(readRawPcap(await readFile(join(dirA, 'r1-r2@e1.pcap'))).frames, '10.0.12.2') > 0, "r2's hellos reached e1");
      t.true(hellosFrom(readRawPcap(await readFile(join(dirA, 'r1-r2@e2.pcap'))).frames, '10.0.12.1') > 0, "r1's hellos reached e2");

      // the same topology again, another lab on the same engines: its own overlay, its own fix-up, the same addresses
      const labB = await Lab.up(ospfPair, { name: b, engine: fed, capture: true, artifacts: dirB });
      t.not(labB.info.links.find((l) => l.name === 'r1-r2')!.network, labA.info.links.find((l) => l.name === 'r1-r2')!.network);
      t.deepEqual(await checks(fed, b, join(dirB, 'run-1')), { failed: [], total: 6 });
      t.deepEqual(await checks(fed, a, join(dirA, 'run-2')), { failed: [], total: 6 }, 'the first lab still works with the second beside it');

      // an engines file that points e2 at a socket nobody listens on: up names e2 and its address, and creates nothing
      const enginesFile = join(dirB, 'engines.json');
      const silent = 'unix:///run/testbed-no-such-engine/docker.sock';
      await writeFile(enginesFile, JSON.stringify({ engines: { e2: silent } }));
      const broken = FederatedEngine.fromRefs(await discoverEngines(t.context.manager, enginesFile), engine);
      await t.throwsAsync(() => Lab.up(ospfPair, { name: c, engine: broken }), {
        message: /^engine e2 \(unix:\/\/\/run\/testbed-no-such-engine\/docker\.sock\) of the swarm does not answer: connect ENOENT /,
      });
      t.deepEqual([(await fed.listContainers(owned(c))).length, (await fed.listNetworks(owned(c))).length], [0, 0]);
      // down through it removes lab B's part on e1, keeps the overlay (its endpoints on e2 are still there) and names e2
      const partial = await down(broken, b);
      t.deepEqual([partial.unreachable?.map((u) => `${u.engine} ${u.host}`), partial.networksLeft], [[`e2 ${silent}`], [`tb-${b}-r1-r2`]]);
      const left = await fed.listContainers(owned(b));
      t.deepEqual([...new Set(left.map((x) => x.labels[ENGINE_LABEL]))], ['e2'], 'only e2 keeps lab B containers');
      t.deepEqual((await fed.listNetworks(owned(b))).map((n) => n.name).sort(), [`tb-${b}-lan2`, `tb-${b}-r1-r2`]);
      // the real swarm removes the rest
      const rest = await down(fed, b);
      t.is(rest.unreachable, undefined);
      t.deepEqual([(await fed.listContainers(owned(b))).length, (await fed.listNetworks(owned(b))).length], [0, 0]);

      // lab A is untouched by lab B's coming and going: the adjacency never went down, traffic still flows
      t.regex(await labA.sh('h1', 'ping -c 2 -W 2 192.168.2.10'), /2 packets transmitted, 2 received/);
      for (const r of ['r1', 'r2']) {
        const log = await labA.ios(r, 'show logging');
        t.is((log.match(/%OSPF-5-ADJCHG: .* to FULL, /g) ?? []).length, 1, `${r}: ${log}`);
        t.notRegex(log, /%OSPF-5-ADJCHG: .* to DOWN/);
      }
    } finally {
      await down(fed, b);
      await down(fed, a);
    }
    for (const lab of [a, b, c]) t.deepEqual([(await fed.listContainers(owned(lab))).length, (await fed.listNetworks(owned(lab))).length], [0, 0], lab);
  },
);

test.serial('the generated 10-spoke TED lab behind a core, placed over both engines by itself, passes its own checks', async (t) => {
  t.timeout(10 * 60_000);
  const fed = t.context.fed;
  const name = labName('swarm-ted');
  const file = `${root}topologies/ted-core-10.yaml`;
  const onEngine: Record<string, string[]> = {};
  const artifacts = await mkdtemp(join(tmpdir(), 'testbed-swarm-ted-'));
  t.teardown(() => rm(artifacts, { recursive: true, force: true }));
  let summary;
  try {
    const lab = await Lab.up(file, { name, engine: fed, capture: true, artifacts });
    for (const n of lab.info.nodes) (onEngine[n.engine ?? '-'] ??= []).push(n.name);
    summary = await runTests(file, { name, engine: fed, keep: true, artifacts: join(artifacts, 'run') });
  } finally {
    await down(fed, name);
  }
  t.deepEqual(Object.keys(onEngine).sort(), ['e1', 'e2']);
  t.deepEqual([onEngine.e1!.length, onEngine.e2!.length], [11, 10]);
  const failed = summary.steps.filter((s) => s.status !== 'passed').map((s) => `${s.name}: ${JSON.stringify(s.failures)}`);
  t.deepEqual(failed, []);
  t.deepEqual(summary.counts, { total: 69, passed: 69, failed: 0, errors: 0, skipped: 0 });
  const owned = { [OWNER_LABEL]: OWNER_VALUE, [LAB_LABEL]: name };
  t.deepEqual([(await fed.listContainers(owned)).length, (await fed.listNetworks(owned)).length], [0, 0]);
});
