/**
 * Issue 13 in real Docker: the routing labs of topologies/ run their own
 * `tests:` with `testbed test` (the real CLI), each step must pass, and each
 * lab is gone afterwards: RIP v2 on a line of PPP and HDLC serial links with
 * an 802.1Q LAN. Not here yet: ospf-triangle.yaml (its ping-direct step failed in one of
 * two runs on 2026-12-02, 100% loss with the routes in place: open),
 * eigrp-hub.yaml (the hub still sends hellos on its passive
 * LAN and h2 does not reach h3; see the lab's header) and ospf-gre-ipsec.yaml
 * (GRE is in; the lab has not been run yet).
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunSummary } from '../../src/orchestrator/index.js';
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

const LABS: [file: string, prefix: string, steps: number][] = [['rip-line.yaml', 'rt-rip', 9]];

for (const [file, prefix, steps] of LABS) {
  test.serial(`${file}: every step of its tests passes`, async (t) => {
    const lab = labName(prefix);
    const run = await testbedTest(file, lab);
    try {
      t.is(run.code, 0, failures(run));
      t.is(run.summary?.status, 'passed');
      t.is(run.summary?.steps.length, steps);
      const consoles = await readFile(join(run.dir, 'run', 'nodes', 'r1.console.log'), 'utf8');
      t.notRegex(consoles, /%TESTBED-[23]-ROUTING/, 'FRR ran without a complaint');
      t.notRegex(consoles, /\b(ZEBRA|OSPF|EIGRP|RIP): \[/, "FRR's own log lines never reach the console");
    } finally {
      await rm(run.dir, { recursive: true, force: true });
    }
    t.deepEqual(await leftovers(lab), { containers: 0, networks: 0, rules: 0 });
  });
}
