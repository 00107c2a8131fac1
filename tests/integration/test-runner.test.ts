/**
 * `testbed test` against real labs: a passing suite with every kind of step,
 * suites made to fail (wrong expected peer, clear text expected absent but
 * present, a wait that times out), invalid checks, a kept lab, and the seed
 * scenario's own acceptance checks. Each run is the real CLI; each lab is
 * gone afterwards.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { Lab, type RunSummary } from '../../src/orchestrator/index.js';
import { engine, labName, leftovers, root, seedTopology } from './helpers.js';
import { status } from '../../src/orchestrator/lab/inventory.js';

const fixture = (name: string) => `${root}tests/fixtures/checks/${name}`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  dir: string;
}

/** `testbed test FILE --name LAB --artifacts DIR --junit DIR/junit-cli.xml ...` */
async function testbedTest(file: string, lab: string, ...extra: string[]): Promise<Run> {
  const dir = await mkdtemp(join(tmpdir(), 'testbed-test-'));
  const args = [`${root}bin/testbed.js`, 'test', file, '--name', lab, '--artifacts', join(dir, 'run'), '--junit', join(dir, 'junit-cli.xml'), ...extra];
  return new Promise((resolve) => {
    execFile('node', args, { cwd: root, maxBuffer: 64 * 1024 * 1024, timeout: 240000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr, dir });
    });
  });
}

const junitParser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'testcase' || name === 'property' });

async function junit(run: Run): Promise<{ suite: Record<string, string>; cases: Record<string, unknown>[] }> {
  const doc = junitParser.parse(await readFile(join(run.dir, 'junit-cli.xml'), 'utf8'));
  const suite = doc.testsuites.testsuite;
  return { suite, cases: suite.testcase };
}

const noLeftovers = { containers: 0, networks: 0, rules: 0 };

test.serial('a passing suite: every kind of check and action passes, exit 0, with reports and artifacts', async (t) => {
  const lab = labName('chk-pass');
  const run = await testbedTest(fixture('passing.yaml'), lab, '--json');
  try {
    t.is(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout) as RunSummary;
    t.is(summary.status, 'passed');
    t.deepEqual(summary.counts, { total: 27, passed: 27, failed: 0, errors: 0, skipped: 0 });
    t.deepEqual(
      summary.steps.filter((s) => !s.check).map((s) => s.detail),
      [
        'daphne: 1 line configured',
        'cut wan: disconnected daphne:FastEthernet0/0, fred:FastEthernet0/0',
        'restore wan: reconnected daphne:FastEthernet0/0, fred:FastEthernet0/0',
        'cut lan-daphne: disconnected daphne:FastEthernet0/1, d1:eth0',
        'restore lan-daphne: reconnected daphne:FastEthernet0/1, d1:eth0',
        'started ping d1 -> 12.12.12.13 at 10/s',
        'stopped ping-flow',
        'started udp d1 -> 12.12.12.13 at 200000 bit/s',
        'stopped udp-flow',
        'restarted fred',
      ],
    );
    // the live report went to stderr (stdout carries the JSON)
    t.regex(run.stderr, /^ {2}PASS {2}ping-two-hops/m);
    t.regex(run.stderr, /^PASSED: 27 passed, 0 failed, 0 errors, 0 skipped of 27 steps/m);
    const { suite, cases } = await junit(run);
    t.like(suite, { tests: '27', failures: '0', errors: '0', skipped: '0' });
    t.is(cases.length, 27);
    // the artifacts folder: pcaps, key tables, every router's final show output and console, the reports
    const files = await readdir(join(run.dir, 'run'));
    for (const f of ['wan.pcap', 'lan-daphne.pcap', 'lan-fred.pcap', 'esp_sa', 'ikev1_decryption_table', 'report.txt', 'report.json', 'junit.xml', 'nodes'])
      t.true(files.includes(f), f);
    const nodes = await readdir(join(run.dir, 'run', 'nodes'));
    t.deepEqual(nodes.sort(), [
      'a1.console.log',
      'a1.txt',
      'd1.console.log',
      'd1.txt',
      'daphne.console.log',
      'daphne.show.txt',
      'fred.console.log',
      'fred.show.txt',
    ]);
    const shows = await readFile(join(run.dir, 'run', 'nodes', 'daphne.show.txt'), 'utf8');
    t.regex(shows, /^daphne# show ip route\n[\s\S]*^S\s+9\.9\.9\.0 \[1\/0\] via 11\.11\.11\.2$/m);
    t.regex(shows, /^daphne# show crypto isakmp sa$/m);
    t.regex(await readFile(join(run.dir, 'run', 'nodes', 'fred.console.log'), 'utf8'), /%SYS-5-RESTART[\s\S]*%SYS-5-RESTART/);
    t.regex(await readFile(join(run.dir, 'run', 'report.txt'), 'utf8'), /^PASSED: 27 passed/m);
  } finally {
    await rm(run.dir, { recursive: true, force: true });
  }
  t.deepEqual(await leftovers(lab), noLeftovers);
});

test.serial('wrong expected peer: exit 1, the report names the check and shows the route IOS printed', async (t) => {
  const lab = labName('chk-peer');
  const run = await testbedTest(fixture('fail-peer.yaml'), lab);
  try {
    t.is(run.code, 1, run.stderr);
    t.regex(
      run.stdout,
      /^ {2}FAIL {2}wrong-peer {2}\(\d+\.\ds\)\n {8}Daphne's default route points at the wrong WAN peer\n {8}at tests\/fixtures\/checks\/fail-peer\.yaml:20:5\n {8}daphne: show ip route {3}\(exit 0\)\n {10}expected: output matches \/\^Gateway of last resort is 11\\\.11\\\.11\\\.9 to network 0\\\.0\\\.0\\\.0\$\/\n {10}found: {4}no line matches\n {10}output:\n/m,
    );
    t.regex(run.stdout, /^ {10}\| Gateway of last resort is 11\.11\.11\.2 to network 0\.0\.0\.0$/m);
    t.regex(run.stdout, /^ {2}PASS {2}fred-routes/m);
    t.regex(run.stdout, /^FAILED: 2 passed, 1 failed, 0 errors, 0 skipped of 3 steps/m);
    const { suite, cases } = await junit(run);
    t.like(suite, { tests: '3', failures: '1', errors: '0', skipped: '0' });
    t.deepEqual(
      cases.map((c) => [c.name, 'failure' in c]),
      [
        ['ping-two-hops', false],
        ['wrong-peer', true],
        ['fred-routes', false],
      ],
    );
    t.regex((cases[1]!.failure as Record<string, string>).message, /^daphne: expected output matches .*11\\\.11\\\.11\\\.9.*; found no line matches$/);
  } finally {
    await rm(run.dir, { recursive: true, force: true });
  }
  t.deepEqual(await leftovers(lab), noLeftovers);
});

test.serial('clear text expected absent but present: exit 1, the report lists the clear-text packets', async (t) => {
  const lab = labName('chk-clear');
  const run = await testbedTest(fixture('fail-cleartext.yaml'), lab, '--json');
  try {
    t.is(run.code, 1, run.stderr);
    t.regex(run.stderr, /^ {2}FAIL {2}wan-no-clear-text/m);
    t.regex(
      run.stderr,
      /^ {10}expected: no clear text between 13\.13\.13\.0\/24 and 12\.12\.12\.0\/24\n {10}found: {4}\d+ clear-text packets on wan:\n {20}frame \d+ {2}13\.13\.13\.4 -> 12\.12\.12\.13 {2}ICMP echo-request seq 1 {2}ttl 63$/m,
    );
    const summary = JSON.parse(run.stdout) as RunSummary;
    const step = summary.steps.find((s) => s.name === 'wan-no-clear-text')!;
    t.is(step.status, 'failed');
    t.is(step.failures.length, 1);
    t.true((step.failures[0]!.found.match(/ICMP echo-re(quest|ply)/g) ?? []).length >= 2);
    const { suite } = await junit(run);
    t.like(suite, { tests: '2', failures: '1', errors: '0', skipped: '0' });
  } finally {
    await rm(run.dir, { recursive: true, force: true });
  }
  t.deepEqual(await leftovers(lab), noLeftovers);
});

test.serial('a wait that times out: exit 1, the report says so, stop_on_error skips the rest', async (t) => {
  const lab = labName('chk-wait');
  const run = await testbedTest(fixture('fail-timeout.yaml'), lab, '--json');
  try {
    t.is(run.code, 1, run.stderr);
    const summary = JSON.parse(run.stdout) as RunSummary;
    t.deepEqual(
      summary.steps.map((s) => [s.name, s.status]),
      [
        ['ping-two-hops', 'passed'],
        ['route-never-comes', 'failed'],
        ['never-runs', 'skipped'],
      ],
    );
    const waited = summary.steps[1]!;
    t.is(waited.timedOutAfterMs, 3000);
    t.true(waited.attempts >= 2);
    t.deepEqual(
      waited.failures.map((f) => [f.node, f.expected, f.found]),
      [
        ['daphne', 'output matches /^S\\s+9\\.9\\.9\\.0/', 'no line matches'],
        ['fred', 'output matches /^S\\s+9\\.9\\.9\\.0/', 'no line matches'],
      ],
    );
    t.regex(run.stderr, /^ {8}gave up after 3\.0s \(wait\), \d+ attempts$/m);
    t.regex(run.stderr, /^ {2}SKIP {2}never-runs\n {8}skipped: "route-never-comes" failed and has stop_on_error$/m);
    const { suite, cases } = await junit(run);
    t.like(suite, { tests: '3', failures: '1', errors: '0', skipped: '1' });
    t.true('skipped' in cases[2]!);
  } finally {
    await rm(run.dir, { recursive: true, force: true });
  }
  t.deepEqual(await leftovers(lab), noLeftovers);
});

test.serial('invalid checks: exit 2 with file, line and reason, and no lab is created', async (t) => {
  const lab = labName('chk-invalid');
  const run = await testbedTest(fixture('invalid-checks.yaml'), lab);
  try {
    t.is(run.code, 2);
    t.is(run.stdout, '');
    t.regex(run.stderr, /^testbed: tests\/fixtures\/checks\/invalid-checks\.yaml:16:17: tests\[0\] "unknown-node": no node named "zz"/);
    t.regex(run.stderr, /^tests\/fixtures\/checks\/invalid-checks\.yaml:30:14: tests\[3\] "unknown-link": no link named "wann"/m);
    t.false(existsSync(join(run.dir, 'run')), 'no artifacts folder either');
  } finally {
    await rm(run.dir, { recursive: true, force: true });
  }
  t.deepEqual(await leftovers(lab), noLeftovers);
});

test.serial('--keep runs against a lab that is up (--only picks steps) and leaves it up', async (t) => {
  const lab = labName('chk-keep');
  const labArtifacts = await mkdtemp(join(tmpdir(), 'testbed-keep-'));
  try {
    await using up = await Lab.up(fixture('passing.yaml'), { name: lab, artifacts: labArtifacts });
    t.false(up.info.capturing);
    const run = await testbedTest(fixture('passing.yaml'), lab, '--keep', '--only', 'ping-two-hops,wan-clear-text', '--only', 'default-routes');
    try {
      t.is(run.code, 0, run.stdout + run.stderr);
      t.regex(run.stdout, /^testbed test .*passing\.yaml: lab chk-keep-\w+ \(kept\), 3 steps$/m);
      t.deepEqual(
        [...run.stdout.matchAll(/^ {2}PASS {2}(\S+)/gm)].map((m) => m[1]),
        ['ping-two-hops', 'default-routes', 'wan-clear-text'],
      );
      const after = await status(engine, lab);
      t.truthy(after, 'the lab is still up');
      t.false(after!.capturing, 'the capture the run started is stopped again');
      t.true((await readdir(join(run.dir, 'run'))).includes('wan.pcap'));
    } finally {
      await rm(run.dir, { recursive: true, force: true });
    }
  } finally {
    await rm(labArtifacts, { recursive: true, force: true });
  }
  t.deepEqual(await leftovers(lab), noLeftovers);
});

test.serial('the seed scenario proves itself: testbed test topologies/daphne-fred.yaml passes', async (t) => {
  const lab = labName('chk-seed');
  const run = await testbedTest(seedTopology, lab);
  try {
    t.is(run.code, 0, run.stdout);
    t.regex(run.stdout, /^PASSED: 13 passed, 0 failed, 0 errors, 0 skipped of 13 steps/m);
    const { suite } = await junit(run);
    t.like(suite, { tests: '13', failures: '0', errors: '0', skipped: '0' });
    t.regex(await readFile(join(run.dir, 'run', 'nodes', 'daphne.console.log'), 'utf8'), /beginning peer discovery exchange/);
    t.regex(await readFile(join(run.dir, 'run', 'esp_sa'), 'utf8'), /^"IPv4","11\.11\.11\.1","11\.11\.11\.2","0x[0-9a-f]{8}","DES-CBC \[RFC2405\]"/m);
  } finally {
    await rm(run.dir, { recursive: true, force: true });
  }
  t.deepEqual(await leftovers(lab), noLeftovers);
});
