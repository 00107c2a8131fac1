/**
 * Issue 13 in real Docker: the routing labs of topologies/ run their own
 * `tests:` with `testbed test` (the real CLI), each step must pass, FRR
 * never complains on a console, and each lab is gone afterwards:
 * - rip-line.yaml: RIP v2 on a line of PPP and HDLC serial links with an
 *   802.1Q LAN;
 * - eigrp-hub.yaml: an EIGRP hub and two spokes on Frame Relay
 *   point-to-point sub-interfaces, branch to branch through the hub, no
 *   EIGRP ever on the passive LANs;
 * - ospf-triangle.yaml: OSPF on three routers, the direct path, then the
 *   link cut and the dead interval moving traffic around, and back;
 * - ospf-gre-ipsec.yaml: OSPF over GRE over IPsec with a third router on a
 *   LAN; besides the lab's own capture checks (no clear OSPF or GRE on the
 *   WAN), Wireshark decrypts the WAN capture with the keys the run wrote and
 *   finds the routers' OSPF hellos inside GRE inside ESP.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import type { RunSummary } from '../../src/orchestrator/index.js';
import { tsharkFields, type TsharkPacket } from '../../src/orchestrator/capture/tshark.js';
import { labName, leftovers, root } from './helpers.js';

interface Run {
  code: number;
  summary: RunSummary | null;
  stderr: string;
  dir: string;
}

async function testbedTest(file: string, lab: string): Promise<Run> {
  const dir = await mkdtemp(join(tmpdir(), 'testbed-routing-'));
  const args = [`${root}bin/testbed.js`, 'test', `${root}topologies/${file}`, '--name', lab, '--artifacts', join(dir, 'run'), '--json'];
  return new Promise((resolve) => {
    execFile('node', args, { cwd: root, maxBuffer: 64 * 1024 * 1024, timeout: 900_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      let summary: RunSummary | null = null;
      try {
        summary = JSON.parse(stdout) as RunSummary;
      } catch {
        summary = null;
      }
      resolve({ code, summary, stderr, dir });
    });
  });
}

/** The steps that did not pass, with what they said, for the assertion message. */
function failures(run: Run): string {
  return (
    (run.summary?.steps ?? [])
      .filter((s) => s.status !== 'passed')
      .map(
        (s) =>
          `${s.name}: ${s.status} ${s.error ?? ''} ${JSON.stringify(s.failures)} ${s.evidence
            .map((e) => e.output)
            .join('\n')
            .slice(-1500)}`,
      )
      .join('\n') || run.stderr.slice(-4000)
  );
}

const f = (p: TsharkPacket, name: string): readonly string[] => p.fields[name] ?? [];

/** ospf-gre-ipsec's WAN, decrypted: every ESP packet authenticates and holds GRE; both routers' OSPF hellos are inside. */
async function hellosInsideEsp(t: ExecutionContext, artifacts: string): Promise<void> {
  const fields = ['frame.protocols', 'ip.src', 'ip.dst', 'ip.proto', 'esp.spi', 'esp.icv_good', 'ospf.msg'];
  const packets = await tsharkFields(join(artifacts, 'wan.pcap'), fields, { configDir: join(artifacts, 'wireshark'), profile: 'testbed' });
  const esp = packets.filter((p) => f(p, 'esp.spi').length > 0);
  t.deepEqual(
    esp.filter((p) => f(p, 'esp.icv_good')[0] !== '1' || !/:esp:ip:gre:ip(:|$)/.test(f(p, 'frame.protocols')[0] ?? '')).map((p) => p.number),
    [],
    'every ESP packet on the WAN authenticates and decrypts to GRE carrying IP',
  );
  // outer 203.0.113.x, GRE 203.0.113.x, inner: the tunnel addresses to OSPF's multicast; ospf.msg 1 is a hello
  const hellos = esp.filter((p) => f(p, 'ip.proto')[2] === '89' && f(p, 'ospf.msg')[0] === '1' && f(p, 'ip.dst')[2] === '224.0.0.5');
  t.deepEqual(
    esp.filter((p) => f(p, 'ip.proto')[2] === '2').map((p) => p.number),
    [],
    "no IGMP report for OSPF's group inside the tunnel either",
  );
  for (const from of ['172.16.0.1', '172.16.0.2']) {
    t.true(
      hellos.filter((p) => f(p, 'ip.src')[2] === from).length >= 2,
      `OSPF hellos from ${from} inside GRE inside ESP (${hellos.length} hellos in ${esp.length} ESP packets)`,
    );
  }
}

interface Lab {
  file: string;
  prefix: string;
  steps: number;
  /** The router whose console is read for FRR's complaints. */
  router: string;
  /** More assertions on the run's artifacts. */
  wire?: (t: ExecutionContext, artifacts: string) => Promise<void>;
}

const LABS: Lab[] = [
  { file: 'rip-line.yaml', prefix: 'rt-rip', steps: 9, router: 'r1' },
  { file: 'eigrp-hub.yaml', prefix: 'rt-eigrp', steps: 8, router: 'hub' },
  { file: 'ospf-triangle.yaml', prefix: 'rt-ospf', steps: 15, router: 'r1' },
  { file: 'ospf-gre-ipsec.yaml', prefix: 'rt-ogi', steps: 8, router: 'hq', wire: hellosInsideEsp },
];

for (const { file, prefix, steps, router, wire } of LABS) {
  test.serial(`${file}: every step of its tests passes`, async (t) => {
    t.timeout(900_000, 'the lab, its checks (OSPF waits out dead intervals) and its teardown');
    const lab = labName(prefix);
    const run = await testbedTest(file, lab);
    try {
      t.is(run.code, 0, failures(run));
      t.is(run.summary?.status, 'passed');
      t.is(run.summary?.steps.length, steps);
      const consoles = await readFile(join(run.dir, 'run', 'nodes', `${router}.console.log`), 'utf8');
      t.notRegex(consoles, /%TESTBED-[23]-ROUTING/, 'FRR ran without a complaint');
      t.notRegex(consoles, /\b(ZEBRA|OSPF|EIGRP|RIP): \[/, "FRR's own log lines never reach the console");
      if (wire) await wire(t, join(run.dir, 'run'));
    } finally {
      await rm(run.dir, { recursive: true, force: true });
    }
    t.deepEqual(await leftovers(lab), { containers: 0, networks: 0, rules: 0 });
  });
}
