/**
 * Link impairment in real labs: the impair-pair lab's own checks (loss,
 * delay, duplication, restore clears), direction, rate and reordering
 * between two hosts, and a router's own IKE blocked by loss on its WAN
 * endpoint (what an iptables rule in FORWARD alone never does), kept across
 * a restart of the router. Behaviour, not accuracy: the figures are
 * bench:impair's.
 */
import test from 'ava';
import { Lab } from '../../src/orchestrator/lab/lab.js';
import { runTests } from '../../src/orchestrator/checks/run.js';
import { impair, clearImpairment, listImpairment } from '../../src/orchestrator/impair/apply.js';
import { parseKnobWords, type Direction } from '../../src/orchestrator/impair/spec.js';
import { labName, leftovers, root, seedTopology } from './helpers.js';

const PAIR = `${root}topologies/impair-pair.yaml`;

function set(lab: Lab, link: string, endpoint: string | null, direction: Direction, words: string) {
  return impair(lab.engine, lab.name, { link, endpoint, direction, knobs: parseKnobWords(words.split(' ')).knobs });
}

test.serial("the impair-pair lab's checks pass: loss, delay, duplicates, a restore that clears", async (t) => {
  const name = labName('imp-test');
  const summary = await runTests(PAIR, { name, artifacts: `/tmp/testbed-impair/${name}` });
  t.is(summary.counts.passed, 10);
  t.is(
    summary.status,
    'passed',
    JSON.stringify(
      summary.steps.filter((r) => r.status !== 'passed'),
      null,
      1,
    ),
  );
  t.deepEqual(await leftovers(name), { containers: 0, networks: 0, rules: 0 });
});

test.serial('direction, rate and reordering between two hosts; clear and down leave nothing', async (t) => {
  const lab = await Lab.up(PAIR, { name: labName('imp-pair') });
  try {
    // in at h2: h1 -> h2 is lost, h2 -> h1 arrives
    await set(lab, 'wan', 'h2', 'in', 'loss=100%');
    const udp = async (from: string, to: string, addr: string) => {
      await lab.sh(to, 'rm -f /tmp/got; (timeout 3 nc -u -l -p 9999 > /tmp/got &) ; sleep 0.3');
      await lab.sh(from, `echo across | nc -u -w1 ${addr} 9999`);
      await new Promise((r) => setTimeout(r, 500));
      return (await lab.sh(to, 'cat /tmp/got')).trim();
    };
    t.is(await udp('h2', 'h1', '10.9.0.1'), 'across');
    t.is(await udp('h1', 'h2', '10.9.0.2'), '');
    // out at h2 instead: now h1 -> h2 arrives and h2 -> h1 is lost
    await clearImpairment(lab.engine, lab.name, 'wan');
    await set(lab, 'wan', 'h2', 'out', 'loss=100%');
    t.is(await udp('h1', 'h2', '10.9.0.2'), 'across');
    t.is(await udp('h2', 'h1', '10.9.0.1'), '');
    await clearImpairment(lab.engine, lab.name, 'wan');

    // rate: 5 Mbit/s sent into a 1 Mbit/s link arrives as much less than was sent
    await set(lab, 'wan', 'h2', 'in', 'rate=1mbit');
    await lab.sh('h2', 'iperf3 -s -1 -D');
    await new Promise((r) => setTimeout(r, 300));
    const report = JSON.parse(await lab.sh('h1', 'iperf3 -c 10.9.0.2 -u -b 5M -t 3 -J', 30000)) as {
      end: { sum: { bytes: number; lost_packets: number; packets: number } };
    };
    const sum = report.end.sum;
    t.true(sum.lost_packets > sum.packets / 2, `iperf3 lost ${sum.lost_packets} of ${sum.packets} packets at 5 Mbit/s into 1 Mbit/s`);
    await clearImpairment(lab.engine, lab.name, 'wan');

    // reordering: some answers come back out of order (-w: ping waits for all 200 answers, not only 2 x the longest
    // round trip after the last request, which a last request held back for reordering can outlast)
    await set(lab, 'wan', 'h2', 'in', 'reorder=50%');
    const pings = await lab.sh('h1', 'ping -n -c 200 -i 0.005 -w 20 10.9.0.2', 30000);
    const seqs = [...pings.matchAll(/icmp_seq=(\d+)/g)].map((m) => Number(m[1]));
    t.true(
      seqs.some((s, i) => i > 0 && s < seqs[i - 1]!),
      'no answer came out of order',
    );
    t.is(new Set(seqs).size, 200, 'reordering loses nothing');

    const state = await listImpairment(lab.engine, lab.name);
    t.deepEqual(
      state.helpers.map((h) => [h.node, h.state]),
      [['h2', 'running']],
    );
    await clearImpairment(lab.engine, lab.name);
    t.deepEqual((await listImpairment(lab.engine, lab.name)).helpers, []);
    t.regex(await lab.sh('h2', 'iptables -t mangle -S; tc qdisc; ip -o link'), /^(?![\s\S]*(TB-IMPAIR|tbf|ifb))/);
  } finally {
    await lab.down();
  }
  t.deepEqual(await leftovers(lab.name), { containers: 0, networks: 0, rules: 0 });
});

test.serial("loss on a router's WAN endpoint stops its own IKE, also after the router restarts; clear lets the tunnel come up", async (t) => {
  const lab = await Lab.up(seedTopology, { name: labName('imp-seed') });
  try {
    await set(lab, 'wan', 'fred', 'in', 'loss=100%');
    const ping = () => lab.exec('d1', 'ping -c 4 -i 0.5 -W 1 12.12.12.13');
    t.not((await ping()).exitCode, 0);
    t.notRegex(await lab.ios('daphne', 'show crypto isakmp sa'), /QM_IDLE/);
    await lab.restart('fred');
    t.deepEqual(
      (await listImpairment(lab.engine, lab.name)).helpers.map((h) => [h.node, h.state]),
      [['fred', 'running']],
    );
    t.not((await ping()).exitCode, 0);
    t.notRegex(await lab.ios('fred', 'show crypto isakmp sa'), /QM_IDLE/);
    await clearImpairment(lab.engine, lab.name, 'wan');
    let ok = false;
    for (let i = 0; i < 10 && !ok; i++) ok = (await lab.exec('d1', 'ping -c 2 -i 0.5 -W 1 12.12.12.13')).exitCode === 0;
    t.true(ok, 'the tunnel came up once the WAN was clear');
    t.regex(await lab.ios('daphne', 'show crypto isakmp sa'), /QM_IDLE/);
  } finally {
    await lab.down();
  }
  t.deepEqual(await leftovers(lab.name), { containers: 0, networks: 0, rules: 0 });
});

test.serial('strongSwan and NAT nodes are impaired the same way, from a helper in their namespace', async (t) => {
  for (const [topology, link, node, from, to] of [
    ['ios-strongswan', 'lan-moon', 'moon', 'a1', '12.12.12.12'],
    ['nat-static-peer', 'inside', 'nat', 'd1', '10.10.10.254'],
  ] as const) {
    const lab = await Lab.up(`${root}topologies/${topology}.yaml`, { name: labName(`imp-${node}`) });
    try {
      const ping = () => lab.exec(from, `ping -c 3 -i 0.3 -W 1 ${to}`);
      t.is((await ping()).exitCode, 0, `${topology}: ${from} reaches ${node} before`);
      // what the node sends onto the link is lost: its answers never come back
      await set(lab, link, node, 'out', 'loss=100%');
      t.not((await ping()).exitCode, 0, `${topology}: ${node}'s answers are lost`);
      await clearImpairment(lab.engine, lab.name, link);
      t.is((await ping()).exitCode, 0, `${topology}: ${from} reaches ${node} after clear`);
    } finally {
      await lab.down();
    }
    t.deepEqual(await leftovers(lab.name), { containers: 0, networks: 0, rules: 0 });
  }
});
