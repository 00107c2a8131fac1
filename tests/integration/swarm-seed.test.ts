/**
 * The seed lab spread over a two-engine Docker Swarm on this one machine
 * (src/orchestrator/engines/local-swarm.ts: two extra dockerds in network
 * namespaces; the primary engine only builds the image): Daphne and d1 on
 * e1, fred and a1 on e2, so the WAN is an overlay between the engines and
 * each LAN a bridge on one engine. The seed's own checks (TED, Main Mode,
 * Quick Mode, ESP on the WAN capture, no clear text) pass on it; the WAN
 * pcap is merged from both engines' captures, each frame once; 1500-byte
 * frames cross; a cut and restored WAN works again; `down --all` leaves
 * nothing on either engine. Then the generated 10-spoke TED lab behind a
 * core, placed automatically over both engines, passes its own checks. The
 * swarm's teardown leaves no process, namespace, mount, cgroup or file.
 */
import anyTest, { type TestFn } from 'ava';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LAB_LABEL, OWNER_LABEL, OWNER_VALUE } from '../../src/contract/labels.js';
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

const test = anyTest as TestFn<{ fed: FederatedEngine }>;

test.before(async (t) => {
  const swarm = await localSwarmUp(2, (l) => t.log(l));
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
      await driver.restore('wan', ['daphne']);
      const again = await lab.sh('d1', 'ping -c 3 -W 2 12.12.12.13');
      t.regex(again, /3 packets transmitted, 3 received/);
      // the three pings' ESP is in the merged capture: e2 kept its namespace and its capture (e1's capture stays in the
      // old namespace and misses them: restarting it there is not done yet, docs/architecture.md)
      await lab.packets('wan');
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

test.serial('the generated 10-spoke TED lab behind a core, placed over both engines by itself, passes its own checks', async (t) => {
  t.timeout(10 * 60_000);
  const fed = t.context.fed;
  const name = labName('swarm-ted');
  const file = `${root}topologies/ted-core-10.yaml`;
  const onEngine: Record<string, string[]> = {};
  const artifacts = await mkdtemp(join(tmpdir(), 'testbed-swarm-ted-'));
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
