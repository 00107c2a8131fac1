/** Impairment in a lab file: a link's `impair:` and the `impair` test step, read and checked with file, line and column. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { loadLabFile } from '../../../../src/orchestrator/labfile/load.js';
import { TopologyError } from '../../../../src/orchestrator/topology/source.js';
import { formatKnobs } from '../../../../src/orchestrator/impair/spec.js';
import type { ImpairStep } from '../../../../src/orchestrator/checks/types.js';

const dir = await mkdtemp(join(tmpdir(), 'impair-labfile-'));
test.after.always(() => rm(dir, { recursive: true, force: true }));
const NODES = `name: imp
nodes:
  h1: { kind: host, address: 10.0.0.1/24 }
  h2: { kind: host, address: 10.0.0.2/24 }
  h3: { kind: host, address: 10.0.1.3/24 }
`;

async function load(text: string) {
  const file = join(dir, `t${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, NODES + text);
  return loadLabFile(file);
}

async function issues(text: string): Promise<string[]> {
  const e = await load(text).then(
    () => null,
    (x: unknown) => x,
  );
  if (!(e instanceof TopologyError)) throw new Error('expected a TopologyError');
  return e.issues.map((i) => `${i.line}:${i.column} ${i.message}`);
}

test('the short form of a link stays valid and has no impairment', async (t) => {
  const { topology } = await load('links:\n  lan: [h1:eth0, h2:eth0]\n');
  t.deepEqual(topology.links[0]!.impair, []);
});

test("a link's impair: is one setting for the whole link", async (t) => {
  const { topology } = await load(`links:
  lan:
    endpoints: [h1:eth0, h2:eth0]
    impair: { loss: 30%, delay: 50ms }
`);
  t.deepEqual(
    topology.links[0]!.impair.map((s) => [s.endpoint, s.direction, formatKnobs(s.knobs)]),
    [[null, 'both', 'loss=30% delay=50ms']],
  );
});

test('a list of settings with endpoints and directions', async (t) => {
  const text = NODES.replace('h2: { kind: host, address: 10.0.0.2/24 }', 'h2: { kind: host, interfaces: { eth0: 10.0.0.2/24, eth1: 10.0.1.2/24 } }');
  const file = join(dir, 'list.yaml');
  await writeFile(
    file,
    `${text}links:
  lan: [h1:eth0, h2:eth0]
  other:
    endpoints: [h3:eth0, h2:eth1]
    impair:
      - { jitter: 5ms, rate: 1mbit }
      - { endpoint: h3, direction: in, duplicate: 1, reorder: '5%' }
`,
  );
  const { topology } = await loadLabFile(file);
  const other = topology.links.find((l) => l.name === 'other')!;
  t.deepEqual(
    other.impair.map((s) => [s.endpoint, s.direction, formatKnobs(s.knobs)]),
    [
      [null, 'both', 'jitter=5ms rate=1mbit'],
      ['h3', 'in', 'duplicate=1% reorder=5%'],
    ],
  );
});

test('mistakes in impair: are reported where they are', async (t) => {
  t.deepEqual(
    await issues(`links:
  lan:
    endpoints: [h1:eth0, h2:eth0]
    impair:
      - { endpoint: h3, loss: 1% }
      - { direction: in, loss: 1% }
      - { rate: 1kbit }
`),
    [
      '10:11 links.lan.impair: h3 is not on link lan (it joins h1, h2)',
      "11:11 links.lan.impair: direction in needs an endpoint: a whole link's setting applies to both directions",
      '12:11 links.lan.impair: rate: "1kbit" is not a rate of at least 8kbit (units bit, kbit, mbit, gbit)',
    ],
  );
  const schema = await issues('links:\n  lan:\n    endpoints: [h1:eth0, h2:eth0]\n    impair: { los: 1% }\n');
  t.true(
    schema.some((i) => /impair/.test(i)),
    schema.join('\n'),
  );
});

test('the impair step: knobs or clear, endpoint and direction checked against the lab', async (t) => {
  const { tests } = await load(`links:
  lan: [h1:eth0, h2:eth0]
tests:
  - { name: lossy, impair: lan, endpoint: h2, direction: in, loss: 100% }
  - { name: clean, impair: lan, clear: true }
`);
  const [lossy, clean] = tests as ImpairStep[];
  t.like(lossy, { kind: 'impair', link: 'lan', endpoint: 'h2', direction: 'in' });
  t.is(formatKnobs(lossy!.knobs!), 'loss=100%');
  t.like(clean, { kind: 'impair', link: 'lan', endpoint: null, direction: 'both', knobs: null });
  t.deepEqual(
    await issues(`links:
  lan: [h1:eth0, h2:eth0]
tests:
  - { name: a, impair: lan, endpoint: h3, loss: 1% }
  - { name: b, impair: lan, direction: out, loss: 1% }
  - { name: c, impair: lan }
  - { name: d, impair: lan, clear: true, loss: 1% }
`),
    [
      '9:39 tests[0] "a": h3 is not on link lan (it joins h1, h2)',
      '10:40 tests[1] "b": direction out needs an endpoint: a whole link\'s setting applies to both directions',
      '11:24 tests[2] "c": names no impairment: set loss, duplicate, reorder, delay, jitter, rate, or clear: true',
      '12:42 tests[3] "d": a step either clears (clear: true) or sets knobs, not both',
    ],
  );
});
