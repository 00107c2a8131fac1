/**
 * Clean stops: `testbed up` and `testbed test` (the built CLI, spawned)
 * interrupted at each stage with SIGINT or SIGTERM remove everything
 * themselves; killed with SIGKILL, `testbed down` afterwards removes
 * everything. "Everything" is checked by the lab's labels and its iptables
 * comment (helpers.ts leftovers): containers (nodes, captures, impairment
 * helpers), networks, transit rules. And for an impaired lab whose `up` and
 * one helper were killed, what impairment could add to the host: iptables
 * chains, qdiscs, ifb devices, tb-impair processes, network namespaces.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import test, { type ExecutionContext } from 'ava';
import { labName, leftovers, root, seedTopology } from './helpers.js';

const BIN = `${root}bin/testbed.js`;

/** When to send the signal: after some time, or when stderr (or stdout) shows a line of this stage. */
type Point = { afterMs: number } | { marker: RegExp; name: string };

const UP_POINTS: Point[] = [
  { afterMs: 500 },
  { afterMs: 1000 },
  { marker: /creating 3 networks/, name: 'networks in flight' },
  { marker: /allowing transit traffic/, name: 'transit rules' },
  { marker: /creating 4 nodes/, name: 'containers in flight' },
  { marker: /starting 4 nodes/, name: 'readiness' },
  { marker: /capturing 3 links/, name: 'captures starting' },
];

const TEST_POINTS: Point[] = [
  { marker: /creating 3 networks/, name: 'networks in flight' },
  { marker: /starting 4 nodes/, name: 'readiness' },
  { marker: /(PASS|FAIL|DONE) {2}\S/, name: 'first step done' },
];

const describe = (p: Point) => ('afterMs' in p ? `${p.afterMs} ms` : p.name);

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  sent: boolean;
  output: string;
}

function run(args: string[], point: Point, signal: NodeJS.Signals): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let sent = false;
    const send = () => {
      if (sent || child.exitCode !== null) return;
      sent = true;
      child.kill(signal);
    };
    const onText = (b: Buffer) => {
      output += b.toString();
      if ('marker' in point && point.marker.test(output)) send();
    };
    child.stdout.on('data', onText);
    child.stderr.on('data', onText);
    if ('afterMs' in point) setTimeout(send, point.afterMs);
    child.on('exit', (code, sig) => resolve({ code, signal: sig, sent, output }));
  });
}

function cli(args: string[]): Promise<number | null> {
  return new Promise((resolve) => spawn(process.execPath, [BIN, ...args], { cwd: root, stdio: 'ignore' }).on('exit', (code) => resolve(code)));
}

async function interrupted(t: ExecutionContext, command: 'up' | 'test', points: Point[], signal: NodeJS.Signals): Promise<void> {
  for (const point of points) {
    const lab = labName(`cs-${command}`);
    const args =
      command === 'up'
        ? ['up', seedTopology, '--name', lab, '--capture', '--artifacts', `/tmp/testbed-cs/${lab}`]
        : ['test', seedTopology, '--name', lab, '--artifacts', `/tmp/testbed-cs/${lab}`];
    const r = await run(args, point, signal);
    const where = `${command} ${signal} at ${describe(point)}`;
    t.true(r.sent, `${where}: the command ended before the signal: ${r.output}`);
    if (signal === 'SIGKILL') {
      t.is(r.signal, 'SIGKILL', where);
      t.is(await cli(['down', lab]), 0, `${where}: down`);
    } else {
      // either the command's handler ran (exit 130), or the signal came while Node was still loading the CLI, before anything was created
      const early = r.signal === signal && !/\[\d/.test(r.output);
      t.true(r.code === 130 || early, `${where}: exit ${r.code} (${r.signal}); output:\n${r.output}`);
      if (!early) t.regex(r.output, /interrupted: removing what was created/, where);
    }
    t.deepEqual(await leftovers(lab), { containers: 0, networks: 0, rules: 0 }, `${where}: left behind\n${r.output}`);
    if (signal !== 'SIGKILL') await cli(['down', lab]); // only if the assertion above failed: leave nothing for the next test
  }
}

test.serial('up: SIGINT at every stage removes everything by itself', (t) => interrupted(t, 'up', UP_POINTS, 'SIGINT'));
test.serial('up: SIGTERM at every stage removes everything by itself', (t) => interrupted(t, 'up', UP_POINTS, 'SIGTERM'));
test.serial('up: SIGKILL at every stage, then down, leaves nothing', (t) => interrupted(t, 'up', UP_POINTS, 'SIGKILL'));
test.serial('test: SIGINT, SIGTERM while the lab comes up and while steps run remove everything by themselves', async (t) => {
  await interrupted(t, 'test', TEST_POINTS, 'SIGINT');
  await interrupted(t, 'test', TEST_POINTS, 'SIGTERM');
});
test.serial('test: SIGKILL at any stage, then down, leaves nothing', (t) => interrupted(t, 'test', TEST_POINTS, 'SIGKILL'));

const sh = async (cmd: string) => (await promisify(execFile)('sh', ['-c', cmd])).stdout;

/** What impairment could leave on the host itself (it works in its nodes' namespaces, so: nothing). */
async function hostImpairState() {
  const lines = (text: string, re: RegExp) => text.split('\n').filter((l) => re.test(l));
  return {
    mangle: lines(await sh('iptables -w -t mangle -S'), /TB-IMPAIR|NFQUEUE/),
    qdiscs: lines(await sh('tc qdisc show'), /^qdisc (tbf|netem|ingress) /),
    ifbs: lines(await sh('ip -o link show type ifb'), /./).map((l) => l.split(':')[1]!.trim()),
    tbImpair: lines(await sh('pgrep -x tb-impair || true'), /./),
  };
}

/**
 * What keeps these network namespaces alive: Docker's mount of one, a process in one, or an open descriptor of one
 * (Docker unmounts a removed container's namespace at once and deletes the file later, so the file proves nothing).
 */
async function namespaceHolders(sandboxes: string[][], namespaces: string[]): Promise<string[]> {
  const mounts = await sh('cat /proc/self/mountinfo');
  const held = sandboxes.map(([file]) => file!.split('/').pop()!).filter((id) => mounts.includes(`/docker/netns/${id} `));
  const refs = await sh(
    `find /proc/[0-9]*/ns/net /proc/[0-9]*/fd -maxdepth 1 \\( ${namespaces.map((n) => `-lname '${n.replace(/[[\]]/g, '\\$&')}'`).join(' -o ')} \\) 2>/dev/null || true`,
  );
  return [...held.map((id) => `mount ${id}`), ...refs.split('\n').filter((l) => l)];
}

test.serial('an impaired lab: SIGKILL of up after it impaired, SIGKILL of a helper, then down: nothing of the impairment is left', async (t) => {
  const before = await hostImpairState();
  const lab = labName('cs-imp');
  const fixture = `${root}tests/fixtures/topologies/impaired-pair.yaml`;
  // the capture step comes right after the impairing step: killed there, up has impaired and not finished
  let removed = false;
  let sandboxes: string[][] = [];
  let namespaces: string[] = [];
  let pids: number[] = [];
  try {
    const r = await run(
      ['up', fixture, '--name', lab, '--capture', '--artifacts', `/tmp/testbed-cs/${lab}`],
      { marker: /capturing 1 links/, name: 'captures starting' },
      'SIGKILL',
    );
    t.is(r.signal, 'SIGKILL', r.output);
    t.regex(r.output, /impairing wan: loss=1% delay=5ms; wan at h2 \(in\): reorder=5% rate=1mbit; wan at h1 \(in\): duplicate=1%/);

    const nodes = [`tb-${lab}-h1`, `tb-${lab}-h2`];
    const helpers = nodes.map((n) => n.replace(`tb-${lab}-`, `tb-${lab}--impair-`));
    // each node's network namespace: its mount by Docker, and its identity (net:[inode]) as its processes see it
    sandboxes = (await sh(`docker inspect -f '{{.NetworkSettings.SandboxKey}} {{.State.Pid}}' ${nodes.join(' ')}`))
      .trim()
      .split('\n')
      .map((l) => l.split(' '));
    namespaces = await Promise.all(sandboxes.map(([, pid]) => sh(`readlink /proc/${pid}/ns/net`).then((x) => x.trim())));
    t.is(namespaces.filter((n) => /^net:\[\d+\]$/.test(n)).length, 2, 'both nodes have their network namespace');
    const holders = await namespaceHolders(sandboxes, namespaces);
    t.is(holders.filter((h) => h.startsWith('mount ')).length, 2, holders.join('\n'));
    t.true(
      holders.some((h) => h.endsWith('/ns/net')),
      holders.join('\n'),
    );
    pids = (await Promise.all(helpers.map((h) => sh(`docker top ${h} -eo pid,comm`))))
      .flatMap((text) => text.split('\n').filter((l) => / tb-impair$/.test(l)))
      .map((l) => Number(l.trim().split(/\s+/)[0]));
    t.is(pids.length, 2, 'tb-impair runs in both helpers');
    // a helper killed outright never runs its teardown: its rules, queue, ifb and qdiscs stay in h2's namespace
    await sh(`docker kill -s KILL ${helpers[1]}`);
    const inH2 = await sh(`docker exec ${nodes[1]} sh -c 'iptables -w -t mangle -S; tc qdisc show; ip -o link show type ifb'`);
    for (const left of [
      /-A TB-IMPAIR-IN -i eth0 -j NFQUEUE --queue-num 71\d\d --queue-bypass/,
      /qdisc tbf .* dev tbifb0 /,
      /qdisc ingress ffff: dev eth0 /,
      /tbifb0:/,
    ])
      t.regex(inH2, left);

    t.is(await cli(['down', lab]), 0);
    removed = true;
  } finally {
    if (!removed) await cli(['down', lab]); // an assertion above failed: leave nothing for the next test
  }
  t.deepEqual(await leftovers(lab), { containers: 0, networks: 0, rules: 0 });
  t.deepEqual(
    await namespaceHolders(sandboxes, namespaces),
    [],
    "the nodes' network namespaces (and with them every rule, queue, qdisc and ifb device of the impairment) are held by nothing: gone",
  );
  t.deepEqual(
    pids.filter((pid) => existsSync(`/proc/${pid}`)),
    [],
    'no tb-impair of the lab runs',
  );
  const after = await hostImpairState();
  t.deepEqual(after.mangle, before.mangle, "the host's mangle table");
  t.deepEqual(
    after.qdiscs.filter((q) => !before.qdiscs.includes(q)),
    [],
    "the host's qdiscs",
  );
  t.deepEqual(
    after.ifbs.filter((i) => !before.ifbs.includes(i)),
    [],
    "the host's ifb devices",
  );
  t.deepEqual(
    after.tbImpair.filter((p) => !before.tbImpair.includes(p)),
    [],
    'tb-impair processes',
  );
});
