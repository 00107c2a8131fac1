import test from 'ava';
import { loadLabFile } from '../../../../src/orchestrator/labfile/load.js';
import { TopologyError, type TopologyIssue } from '../../../../src/orchestrator/topology/source.js';
import type { ExecStep, ShowStep, CaptureStep, TrafficStartStep } from '../../../../src/orchestrator/checks/types.js';
import { fixture, root } from './helpers.js';

async function issuesOf(file: string): Promise<TopologyIssue[]> {
  const err = await loadLabFile(file).then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof TopologyError)) throw new Error(`expected a TopologyError for ${file}, got ${String(err)}`);
  return err.issues;
}

test('invalid check definitions are reported with file, line, column and reason, all at once', async (t) => {
  const issues = await issuesOf(fixture('invalid-checks.yaml'));
  t.true(issues.every((i) => i.file === 'tests/fixtures/checks/invalid-checks.yaml'));
  t.deepEqual(
    issues.map((i) => `${i.line}:${i.column} ${i.message}`),
    [
      '16:17 tests[0] "unknown-node": no node named "zz" (nodes: daphne, fred, d1, a1)',
      '21:22 tests[1] "bad-regex": invalid regular expression /via (11/: Unterminated group',
      '27:32 tests[2] "unknown-field": isakmp_sa has no field "sate" (fields: dst, src, state, conn_id, slot, status, peer, role)',
      '30:14 tests[3] "unknown-link": no link named "wann" (links: wan, lan-daphne, lan-fred)',
      '35:12 tests[4] "since-later": "unknown-field-later" is not an earlier step (since: start, or the name of a step before this one)',
      '41:13 tests[5] "bad-relation": barney is not one of this check\'s nodes (daphne, fred)',
      '47:37 tests[6] "bad-count": "lots" is not a number or a comparison like ">= 9"',
      '49:11 tests[7] "unknown-link": the name is already used by tests[3]; names must be unique (--only uses them)',
      '57:9 tests[8] "in-needs-a-list": "in" needs a list field of a node on its right (ipsec_sa\'s lists: inbound_spis, outbound_spis)',
      '58:9 tests[8] "in-needs-a-list": "not in" needs a list field of a node on its right (ipsec_sa\'s lists: inbound_spis, outbound_spis)',
    ],
  );
});

test('the JSON Schema covers the tests: section (unknown keys, unknown tables)', async (t) => {
  const issues = await issuesOf(fixture('invalid-schema.yaml'));
  t.deepEqual(
    issues.map((i) => `${i.line}:${i.column} ${i.message}`),
    ['16:15 tests.0.expect: unknown property "matches"', '19:11 tests.1.show: must be one of "isakmp_sa", "ipsec_sa", "crypto_map", "engine_connections"'],
  );
});

test('the seed topology carries its acceptance checks', async (t) => {
  const topo = await loadLabFile(`${root}topologies/daphne-fred.yaml`);
  t.deepEqual(
    topo.tests.map((s) => `${s.name}:${s.kind}`),
    [
      'debug-on:exec',
      'first-ping-loses-one:exec',
      'ping-through-tunnel:exec',
      'daphne-isakmp-sa:show',
      'fred-isakmp-sa:show',
      'ipsec-sas:show',
      'spis-cross:show',
      'encaps-equal-decaps:show',
      'ted-crypto-map:show',
      'engine-connections:show',
      'wan-sequence:capture',
      'wan-no-clear-text:capture',
      'lan-clear-text:capture',
    ],
  );
  const spis = topo.tests.find((s) => s.name === 'spis-cross') as ShowStep;
  t.deepEqual(
    spis.relate.map((r) => [r.left, r.op, r.right]),
    [
      [{ node: 'daphne', field: 'outbound_spi' }, '==', { node: 'fred', field: 'inbound_spi' }],
      [{ node: 'fred', field: 'outbound_spi' }, '==', { node: 'daphne', field: 'inbound_spi' }],
    ],
  );
  const daphneSa = topo.tests.find((s) => s.name === 'daphne-isakmp-sa') as ShowStep;
  t.deepEqual(daphneSa.wait, { timeoutMs: 10000, intervalMs: 1000 });
  t.deepEqual(daphneSa.expect.has[0]!.fields.state, { op: '==', value: 'QM_IDLE', text: 'QM_IDLE' });
  const order = (topo.tests.find((s) => s.name === 'wan-sequence') as CaptureStep).expect.order;
  t.deepEqual(
    order.map((f) => f.text),
    ['{isakmp: ted_probe, src: 13.13.13.4, dst: 12.12.12.13}', 'main_mode', 'quick_mode', 'esp'],
  );
});

test('steps are parsed into what the runner needs: lines, conditions, durations, flows', async (t) => {
  const topo = await loadLabFile(fixture('passing.yaml'));
  const ping = topo.tests[1] as ExecStep;
  t.deepEqual(ping.command, ['ping -c 3 -W 2 12.12.12.13']);
  t.deepEqual(ping.expect.exit, { op: '==', value: 0, text: '0' });
  t.deepEqual(
    ping.expect.lines.map((l) => [l.pattern.source, l.count.value]),
    [['ttl=62', 3]],
  );
  const cut = topo.tests.find((s) => s.name === 'ping-fails-when-cut') as ExecStep;
  t.deepEqual(cut.expect.exit, { op: '!=', value: 0, text: '!= 0' });
  const flow = topo.tests.find((s) => s.name === 'ping-flow') as TrafficStartStep;
  t.like(flow, { kind: 'traffic-start', from: 'd1', to: '12.12.12.13', toNode: 'a1', traffic: 'ping', rate: 10 });
  const timeout = await loadLabFile(fixture('fail-timeout.yaml'));
  t.like(timeout.tests[1], { name: 'route-never-comes', stopOnError: true, wait: { timeoutMs: 3000, intervalMs: 500 } });
  t.like(timeout.tests[1]!.pos, { file: 'tests/fixtures/checks/fail-timeout.yaml', line: 20 });
});
