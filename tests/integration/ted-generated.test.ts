/**
 * The generated TED labs checked into topologies/ (testbed generate) pass
 * their own tests: sections in real Docker, through the real CLI: 3 spokes
 * on a shared WAN with per-peer ACLs and AES-256/SHA-256/group 14 + PFS,
 * and 10 spokes behind a plain core (3 segments) with supernet ACLs and the
 * seed's suite, every pair of sites pinging through ESP. Each lab is gone
 * afterwards.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunSummary } from '../../src/orchestrator/index.js';
import { down } from '../../src/orchestrator/lab/down.js';
import { engine, labName, leftovers, root } from './helpers.js';

async function testbedTest(file: string, lab: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'testbed-ted-generated-'));
  try {
    return await new Promise((resolve) => {
      const args = [`${root}bin/testbed.js`, 'test', file, '--name', lab, '--artifacts', join(dir, 'run'), '--json'];
      execFile('node', args, { cwd: root, maxBuffer: 64 * 1024 * 1024, timeout: 280000 }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const cases = [
  { file: 'topologies/ted-shared-3.yaml', steps: 10, pairs: 3, peers: 3 },
  { file: 'topologies/ted-core-10.yaml', steps: 69, pairs: 45, peers: 10 },
];

for (const c of cases) {
  test.serial(`${c.file}: its own checks pass, every pair of sites through ESP (testbed test)`, async (t) => {
    const lab = labName('ted-gen');
    try {
      const run = await testbedTest(`${root}${c.file}`, lab);
      t.is(run.code, 0, run.stderr.slice(-4000));
      const summary = JSON.parse(run.stdout) as RunSummary;
      t.is(summary.status, 'passed');
      t.deepEqual(summary.counts, { total: c.steps, passed: c.steps, failed: 0, errors: 0, skipped: 0 });
      t.is(summary.steps.filter((s) => /^h\d+-h\d+$/.test(s.name) && s.status === 'passed').length, c.pairs, 'every pair pinged through');
      t.is(summary.steps.filter((s) => /^spoke\d+-peers$/.test(s.name) && s.status === 'passed').length, c.peers, "every spoke's peers found");
    } finally {
      await down(engine, lab).catch(() => undefined);
    }
    t.deepEqual(await leftovers(lab), { containers: 0, networks: 0, rules: 0 });
  });
}
