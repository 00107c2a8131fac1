import test from 'ava';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Engine } from '../../../../src/orchestrator/docker/engine.js';
import { Lab } from '../../../../src/orchestrator/lab/lab.js';
import { TopologyError } from '../../../../src/orchestrator/topology/source.js';
import { renderLab } from '../../../../src/orchestrator/cli/render.js';
import { root } from '../../../root.js';

const bin = `${root}bin/testbed.js`;

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('node', [bin, ...args], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

test('validate accepts the seed topology: every line emulated or cosmetic', async (t) => {
  const r = await cli('validate', 'topologies/daphne-fred.yaml');
  t.is(r.code, 0);
  t.is(r.stdout, 'topologies/daphne-fred.yaml: valid (lab daphne-fred, 4 nodes, 3 links)\n');
});

test('validate names the lines a router refuses and the lines it accepts but does not emulate, with counts', async (t) => {
  const r = await cli('validate', 'tests/fixtures/topologies/not-emulated.yaml');
  t.is(r.code, 0);
  const cfg = `${root}tests/fixtures/topologies/not-emulated.cfg`;
  t.is(
    r.stdout,
    'tests/fixtures/topologies/not-emulated.yaml: valid (lab not-emulated, 1 nodes, 0 links)\n' +
      `${cfg}:5:2: warning: r1: accepted, not emulated: standby 1 ip 10.0.0.254 (HSRP is not emulated: no hellos, no virtual address)\n` +
      `${cfg}:9:4: r1 will refuse "frobnicate the widget": % Invalid input detected at '^' marker.\n` +
      'configurations: 1 line refused, 1 line accepted but not emulated\n',
  );
});

test('validate --strict makes lines accepted but not emulated errors (exit 2); refused lines stay warnings', async (t) => {
  const strict = await cli('validate', '--strict', 'tests/fixtures/topologies/not-emulated.yaml');
  t.is(strict.code, 2);
  t.regex(strict.stdout, /^tests\/fixtures\/topologies\/not-emulated\.yaml: invalid \(--strict\)/);
  t.regex(strict.stdout, /not-emulated\.cfg:5:2: error: r1: accepted, not emulated: standby 1 ip/);
  const refused = await cli('validate', '--strict', 'tests/fixtures/topologies/bad-config-lines.yaml');
  t.is(refused.code, 0, 'a line IOS refuses too is no reason to fail');
  for (const file of ['topologies/daphne-fred.yaml', 'topologies/ios-strongswan.yaml']) t.is((await cli('validate', '--strict', file)).code, 0, file);
});

test('validate --json carries the class and the counts of the IOS diagnostics', async (t) => {
  const r = await cli('validate', '--json', 'tests/fixtures/topologies/not-emulated.yaml');
  t.is(r.code, 0);
  const out = JSON.parse(r.stdout) as {
    valid: boolean;
    counts: Record<string, number>;
    configWarnings: { node: string; line: number; column: number; class: string }[];
  };
  t.true(out.valid);
  t.deepEqual(out.counts, { refused: 1, notEmulated: 1, undefinedReference: 0 });
  t.deepEqual(
    out.configWarnings.map((w) => [w.node, w.line, w.column, w.class]),
    [
      ['r1', 5, 2, 'not-emulated'],
      ['r1', 9, 4, 'refused'],
    ],
  );
  const strict = JSON.parse((await cli('validate', '--json', '--strict', 'tests/fixtures/topologies/not-emulated.yaml')).stdout) as { valid: boolean };
  t.false(strict.valid);
});

test('up lists the lines refused and the lines accepted but not emulated apart, with their counts', (t) => {
  const w = { node: 'r1', file: 'r.cfg', text: '', detail: null };
  const lab = {
    name: 'x',
    topology: 'x.yaml',
    artifacts: '',
    image: 'i',
    nodes: [],
    links: [],
    capturing: false,
    configWarnings: [
      { ...w, class: 'refused' as const, line: 4, column: 2, text: 'frob', message: "% Invalid input detected at '^' marker." },
      {
        ...w,
        class: 'not-emulated' as const,
        line: 9,
        column: 1,
        message: 'accepted, not emulated: ip nat inside (NAT is not emulated yet; the router will not translate)',
      },
    ],
  };
  const text = renderLab(lab);
  t.true(text.includes('\nconfiguration lines the nodes refused (they run without them), undefined names (1):\n  r.cfg:4:2: r1 will refuse "frob"'), text);
  t.true(text.includes('\nconfiguration lines accepted but not emulated (1):\n  r.cfg:9:1: warning: r1: accepted, not emulated: ip nat inside'), text);
});

test('up --strict refuses, before touching Docker, a lab whose configs have lines accepted but not emulated', async (t) => {
  const r = await cli('up', '--strict', 'tests/fixtures/topologies/not-emulated.yaml', '--name', 'strict-never-created');
  t.is(r.code, 2);
  t.regex(r.stderr, /not-emulated\.cfg:5:2: error: r1: accepted, not emulated: standby 1 ip/);
  t.regex(r.stderr, /testbed: --strict: 1 line refused, 1 line accepted but not emulated\n$/);
});

test('validate reports every problem with file:line:column and exits 2', async (t) => {
  const r = await cli('validate', 'tests/fixtures/topologies/bad-links.yaml');
  t.is(r.code, 2);
  const lines = r.stderr.trim().split('\n');
  t.is(lines.length, 5);
  t.regex(lines[0]!, /^testbed: tests\/fixtures\/topologies\/bad-links\.yaml:9:14: nodes\.d1\.gateway: /);
  t.regex(lines[1]!, /^tests\/fixtures\/topologies\/bad-links\.yaml:11:33: links\.wan: no node named "fred"/);
});

test('validate --json gives the issues as data', async (t) => {
  const r = await cli('validate', '--json', 'tests/fixtures/topologies/bad-schema.yaml');
  t.is(r.code, 2);
  const out = JSON.parse(r.stdout) as { error: { kind: string; issues: { line: number; column: number; message: string }[] } };
  t.is(out.error.kind, 'TopologyError');
  t.deepEqual(
    out.error.issues.map((i) => i.line),
    [1, 6, 9, 11],
  );
});

test('validate lists IOS lines a router will refuse, with file and line', async (t) => {
  const r = await cli('validate', 'tests/fixtures/topologies/bad-config-lines.yaml');
  t.is(r.code, 0);
  t.regex(r.stdout, /bad-config-lines\.cfg:4:\d+: r1 will refuse "frobnicate the widget": % Invalid input detected at '\^' marker\./);
});

test('unknown commands and bad options are usage errors (exit 2)', async (t) => {
  const a = await cli('frobnicate');
  t.is(a.code, 2);
  t.regex(a.stderr, /unknown command "frobnicate"/);
  const b = await cli('up');
  t.is(b.code, 2);
  t.regex(b.stderr, /up needs one topology file/);
  const c = await cli('down', 'x', '--all');
  t.is(c.code, 2);
  const d = await cli('up', 'topologies/daphne-fred.yaml', '--base', 'floppy');
  t.is(d.code, 2);
  t.regex(d.stderr, /--base must be auto, registry or debootstrap/);
});

test('help prints the usage and exits 0', async (t) => {
  const r = await cli('help');
  t.is(r.code, 0);
  t.regex(r.stdout, /testbed up <topology\.yaml>/);
});

test('an invalid topology touches nothing: not one call reaches Docker', async (t) => {
  const calls: string[] = [];
  const engine = new Proxy({} as Engine, {
    get: (_target, prop) => () => {
      calls.push(String(prop));
      return Promise.reject(new Error('Docker must not be called'));
    },
  });
  await t.throwsAsync(Lab.up(`${root}tests/fixtures/topologies/bad-links.yaml`, { engine }), { instanceOf: TopologyError });
  t.deepEqual(calls, []);
});
