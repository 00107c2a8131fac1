/**
 * The seed lab in real Docker: routers read the seed's IOS configs, route
 * real packets, and every link is captured. Routing in clear text is checked
 * on a copy of the seed without the crypto map on the WAN (seed-plain.yaml);
 * with it, see seed-tunnel.test.ts.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { execa } from 'execa';
import { Lab } from '../../src/orchestrator/index.js';
import { engine, labName, leftovers, root, seedTopology } from './helpers.js';

const plainTopology = `${root}tests/fixtures/topologies/seed-plain.yaml`;
import { LAB_LABEL, OWNER_LABEL, OWNER_VALUE } from '../../src/contract/labels.js';

test('the seed lab routes a clear-text ping through both routers, captured on every link', async (t) => {
  const name = labName('seed');
  {
    await using lab = await Lab.up(plainTopology, { name, capture: true });
    t.deepEqual(
      lab.info.nodes.map((n) => `${n.name}:${n.state}`),
      ['a1:running', 'd1:running', 'daphne:running', 'fred:running'],
    );

    const ping = await lab.sh('d1', 'ping -c 3 -W 2 12.12.12.13');
    t.regex(ping, /3 packets transmitted, 3 received/);
    // 64 at a1, minus one per router: two hops
    t.is((ping.match(/ttl=62/g) ?? []).length, 3, ping);

    const route = await lab.ios('daphne', 'show ip route');
    t.regex(route, /^Gateway of last resort is 11\.11\.11\.2 to network 0\.0\.0\.0$/m);
    t.regex(route, /^S\*\s+0\.0\.0\.0\/0 \[1\/0\] via 11\.11\.11\.2$/m);
    t.regex(route, /^C\s+13\.13\.13\.0 is directly connected, FastEthernet0\/1$/m);

    const brief = await lab.ios('fred', 'show ip interface brief');
    t.regex(brief, /^FastEthernet0\/0\s+11\.11\.11\.2\s+YES NVRAM\s+up\s+up\s*$/m);
    t.regex(brief, /^FastEthernet0\/1\s+12\.12\.12\.12\s+YES NVRAM\s+up\s+up\s*$/m);

    const fromRouter = await lab.ios('daphne', 'ping 12.12.12.13');
    t.regex(fromRouter, /^!!!!!$/m);
    t.regex(fromRouter, /Success rate is 100 percent \(5\/5\)/);

    const wan = await lab.packets('wan');
    const requests = wan.filter((p) => p.icmp?.type === 8 && p.src === '13.13.13.4' && p.dst === '12.12.12.13');
    const replies = wan.filter((p) => p.icmp?.type === 0 && p.src === '12.12.12.13' && p.dst === '13.13.13.4');
    t.is(requests.length, 3);
    t.is(replies.length, 3);
    t.true(
      requests.every((p) => p.ttl === 63),
      'one hop (Daphne) before the WAN',
    );
    const lan = await lab.packets('lan-daphne');
    t.is(lan.filter((p) => p.icmp?.type === 8 && p.src === '13.13.13.4' && p.ttl === 64).length, 3);
    // lab addresses only: nothing from Docker's throwaway subnets on the wire
    t.false([...wan, ...lan].some((p) => p.src?.startsWith('198.18.') || p.dst?.startsWith('198.18.')));

    // Docker re-inserts its FORWARD jumps whenever any network is created: the lab must not notice
    let churning = true;
    const churn = (async () => {
      let made = 0;
      while (churning) {
        const net = `tb-${name}-churn${made++}`;
        await execa('docker', ['network', 'create', '--internal', '--label', `${OWNER_LABEL}=${OWNER_VALUE}`, '--label', `${LAB_LABEL}=${name}`, net]);
        await execa('docker', ['network', 'rm', net]);
      }
      return made;
    })();
    let flood: string;
    let made: number;
    try {
      flood = await lab.sh('d1', 'ping -c 200 -i 0.02 -W 1 12.12.12.13');
    } finally {
      churning = false;
      made = await churn;
    }
    t.true(made >= 2, 'networks were created during the ping');
    t.regex(flood, /200 packets transmitted, 200 received/);
  }
  t.deepEqual(await leftovers(name), { containers: 0, networks: 0, rules: 0 });
});

test('an IOS command the router does not know gets the IOS answer and a failing exit code', async (t) => {
  const name = labName('ios');
  await using lab = await Lab.up(seedTopology, { name });
  const r = await lab.exec('daphne', 'show ip intrface brief');
  t.is(r.exitCode, 1);
  // the caret sits under the first character no keyword continues with, as IOS does
  t.is(r.stdout, "Daphne#show ip intrface brief\n                  ^\n% Invalid input detected at '^' marker.\n\n");
  const run = await lab.ios('daphne', 'show running-config');
  t.regex(run, /^hostname Daphne$/m);
  t.regex(run, /^crypto map tedtag 10 ipsec-isakmp dynamic ted-map discover$/m);
  // reconfiguration through the console changes the kernel's routes
  await lab.ios('daphne', 'configure terminal', 'ip route 9.9.9.0 255.255.255.0 11.11.11.2', 'end');
  t.regex(await lab.ios('daphne', 'show ip route'), /^S\s+9\.9\.9\.0 \[1\/0\] via 11\.11\.11\.2$/m);
  t.regex(await lab.sh('d1', 'ip route'), /default via 13\.13\.13\.13/);
});

test('two copies of the lab with the same addresses run side by side under different names', async (t) => {
  const [a, b] = [labName('twin-a'), labName('twin-b')];
  {
    await using labA = await Lab.up(seedTopology, { name: a });
    await using labB = await Lab.up(seedTopology, { name: b });
    // each lab builds its own tunnel (the first packet triggers TED), then traffic crosses
    const [pa, pb] = await Promise.all([labA.exec('d1', 'ping -c 3 -W 2 12.12.12.13'), labB.exec('a1', 'ping -c 3 -W 2 13.13.13.4')]);
    t.regex(pa.stdout, /3 packets transmitted, 2 received/);
    t.regex(pb.stdout, /3 packets transmitted, 2 received/);
    t.regex(await labA.ios('daphne', 'show crypto isakmp sa'), /QM_IDLE/);
    t.regex(await labB.ios('fred', 'show crypto isakmp sa'), /QM_IDLE/);
    t.notDeepEqual(
      labA.info.links.map((l) => l.subnet),
      labB.info.links.map((l) => l.subnet),
    );
  }
  t.deepEqual(await leftovers(a), { containers: 0, networks: 0, rules: 0 });
  t.deepEqual(await leftovers(b), { containers: 0, networks: 0, rules: 0 });
});

test('a run killed in the middle of up is cleaned up by the next down', async (t) => {
  const name = labName('crash');
  const child = spawn('node', [`${root}bin/testbed.js`, 'up', seedTopology, '--name', name], { cwd: root, stdio: 'ignore' });
  // wait until the lab has started to exist on the host, then kill -9 the orchestrator
  const labels = { [OWNER_LABEL]: OWNER_VALUE, [LAB_LABEL]: name };
  for (let i = 0; i < 600; i++) {
    if ((await engine.listContainers(labels)).length > 0) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  await new Promise((r) => child.on('exit', r));
  const before = await leftovers(name);
  t.true(before.networks > 0, 'the killed run had created networks');
  t.true(before.rules > 0, 'and firewall rules');
  const down = spawn('node', [`${root}bin/testbed.js`, 'down', name], { cwd: root, stdio: 'ignore' });
  const code = await new Promise((r) => down.on('exit', r));
  t.is(code, 0);
  t.deepEqual(await leftovers(name), { containers: 0, networks: 0, rules: 0 });
  // and down is idempotent
  const again = spawn('node', [`${root}bin/testbed.js`, 'down', name], { cwd: root, stdio: 'ignore' });
  t.is(await new Promise((r) => again.on('exit', r)), 0);
});
