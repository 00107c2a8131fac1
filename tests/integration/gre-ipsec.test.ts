/**
 * The GRE-over-IPsec lab (topologies/gre-ipsec.yaml) through `testbed test`,
 * the real CLI: its own checks pass (tunnels up, routes through Tunnel0,
 * pings, show interfaces Tunnel0, the SAs' gre host-to-host proxies, the
 * tunnel's MTU and an ip mtu on branch's LAN, keepalives taking the line
 * protocol down and back). Then Wireshark reads the WAN capture with the key
 * tables the run wrote: every IP packet on the WAN is ISAKMP or ESP between
 * the loopbacks (the keepalives set up the SAs at boot, before the capture
 * starts, so ISAKMP may be absent), every ESP packet authenticates and
 * decrypts to GRE between the loopbacks, which carries the hosts' ICMP,
 * branch's fragmentation-needed for the ip mtu of its LAN and the routers'
 * keepalives (GRE inside GRE).
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunSummary } from '../../src/orchestrator/index.js';
import { tsharkFields, type TsharkPacket } from '../../src/orchestrator/capture/tshark.js';
import { labName, leftovers, root } from './helpers.js';

const topology = `${root}topologies/gre-ipsec.yaml`;

function testbedTest(file: string, lab: string, dir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = [`${root}bin/testbed.js`, 'test', file, '--name', lab, '--artifacts', dir, '--json'];
  return new Promise((resolve) => {
    execFile('node', args, { cwd: root, maxBuffer: 64 * 1024 * 1024, timeout: 480_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const FIELDS = [
  'frame.protocols',
  'ip.src',
  'ip.dst',
  'ip.proto',
  'ip.len',
  'udp.dstport',
  'esp.spi',
  'esp.icv_good',
  'gre.proto',
  'gre.key',
  'icmp.type',
  'icmp.mtu',
];
const f = (p: TsharkPacket, name: string): readonly string[] => p.fields[name] ?? [];

test("gre-ipsec: testbed test passes; on the WAN only ISAKMP and ESP, which Wireshark decrypts to GRE carrying the hosts' ICMP and the keepalives", async (t) => {
  const lab = labName('gre-ipsec');
  const dir = await mkdtemp(join(tmpdir(), 'testbed-gre-'));
  try {
    const run = await testbedTest(topology, lab, join(dir, 'run'));
    const summary = JSON.parse(run.stdout) as RunSummary;
    const failed = summary.steps.filter((s) => s.status !== 'passed');
    t.deepEqual(
      failed.map((s) => `${s.name}: ${JSON.stringify(s.failures)}`),
      [],
      run.stderr.slice(-4000),
    );
    t.is(run.code, 0);
    t.is(summary.counts.passed, summary.counts.total);
    t.is(summary.counts.total, 24, 'every step of the lab file ran');

    const artifacts = join(dir, 'run');
    t.true((await readdir(artifacts)).includes('esp_sa'), 'the run wrote the ESP key table');
    const packets = await tsharkFields(join(artifacts, 'wan.pcap'), FIELDS, { configDir: join(artifacts, 'wireshark'), profile: 'testbed' });
    const ip = packets.filter((p) => f(p, 'ip.proto').length > 0);
    t.true(ip.length > 20, `${ip.length} IP packets on the WAN`);

    // every IP packet: ISAKMP (UDP 500) or ESP, between the loopbacks
    const outer = (p: TsharkPacket) => ({ src: f(p, 'ip.src')[0], dst: f(p, 'ip.dst')[0], proto: f(p, 'ip.proto')[0] });
    const stray = ip.filter((p) => {
      const o = outer(p);
      const ends = [o.src, o.dst].sort().join(' ') === '10.0.0.1 10.0.0.2';
      return !ends || !(o.proto === '50' || (o.proto === '17' && f(p, 'udp.dstport')[0] === '500'));
    });
    t.deepEqual(
      stray.map((p) => `${p.number}: ${f(p, 'frame.protocols')[0]} ${JSON.stringify(outer(p))}`),
      [],
      'nothing but ISAKMP and ESP between the loopbacks',
    );

    // every whole ESP packet authenticates and holds GRE between the loopbacks (fragments: tshark reassembles them)
    const esp = ip.filter((p) => f(p, 'esp.spi').length > 0);
    t.true(esp.length > 10, `${esp.length} ESP packets`);
    t.deepEqual(
      esp.filter((p) => f(p, 'esp.icv_good')[0] !== '1').map((p) => p.number),
      [],
      'esp.icv_good on every ESP packet',
    );
    const notGre = esp.filter((p) => !/:esp:ip:gre(:|$)/.test(f(p, 'frame.protocols')[0] ?? '') || f(p, 'ip.src')[1] === undefined);
    t.deepEqual(
      notGre.map((p) => `${p.number}: ${f(p, 'frame.protocols')[0]}`),
      [],
      'each ESP packet decrypts to GRE',
    );
    t.true(
      esp.every((p) => [f(p, 'ip.src')[1], f(p, 'ip.dst')[1]].sort().join(' ') === '10.0.0.1 10.0.0.2'),
      'the GRE packets go between the loopbacks',
    );
    t.true(
      esp.every((p) => f(p, 'gre.key').length === 0),
      'no key: the tunnel has none',
    );

    // inside: the hosts' pings, and keepalives (GRE in GRE, the inner one with protocol type 0)
    const pings = esp.filter((p) => /:gre:ip:icmp/.test(f(p, 'frame.protocols')[0]!) && f(p, 'ip.src')[2] === '10.1.1.10' && f(p, 'ip.dst')[2] === '10.2.2.10');
    t.true(pings.length >= 5, `${pings.length} of h1's echo requests inside GRE inside ESP`);
    t.true(pings.every((p) => f(p, 'gre.proto')[0] === '0x0800'));
    const keepalives = esp.filter((p) => /:gre:ip:gre/.test(f(p, 'frame.protocols')[0]!));
    t.true(keepalives.length >= 4, `${keepalives.length} keepalives`);
    t.true(
      keepalives.every((p) => f(p, 'gre.proto')[1] === '0x0000'),
      'the inner GRE of a keepalive has protocol type 0',
    );
    // the answer is that inner GRE packet, routed back by the far end: GRE with protocol type 0 and nothing in it
    const answers = esp.filter((p) => /:esp:ip:gre$/.test(f(p, 'frame.protocols')[0]!));
    t.true(answers.length >= 3, `${answers.length} keepalive answers`);
    t.true(answers.every((p) => f(p, 'gre.proto')[0] === '0x0000'));

    // branch's ip mtu 1400 on its LAN: its one fragmentation-needed for h1 went back through the tunnel, inside ESP
    const fragNeeded = esp.filter((p) => f(p, 'icmp.type')[0] === '3' && f(p, 'ip.dst')[2] === '10.1.1.10');
    t.deepEqual(
      fragNeeded.map((p) => `${f(p, 'frame.protocols')[0]} mtu ${f(p, 'icmp.mtu')[0]}`),
      ['eth:ethertype:ip:esp:ip:gre:ip:icmp:ip:icmp:data mtu 1400'],
      'one ICMP fragmentation-needed (MTU 1400) inside GRE inside ESP',
    );

    // the full-size pings (1476 bytes, DF): a 1500-byte GRE packet encrypted whole into one ESP packet bigger than
    // the 1500-byte link, so it crossed in fragments (the link capture shows them put back together: the host's
    // bridge netfilter reassembles bridged fragments before tcpdump on the bridge sees them)
    const whole = esp.filter((p) => Number(f(p, 'ip.len')[0]) > 1500 && f(p, 'ip.len')[1] === '1500' && f(p, 'ip.len')[2] === '1476');
    t.true(whole.length >= 2, `${whole.length} ESP packets over 1500 bytes holding a whole 1500-byte GRE packet`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  t.deepEqual(await leftovers(lab), { containers: 0, networks: 0, rules: 0 });
});
