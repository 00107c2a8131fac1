/**
 * Impairment helpers against the in-memory engine: up applies a link's
 * impair:, each helper joins its node's network namespace with the lab's
 * labels and the settings, a change replaces the helpers, clear and down
 * remove them, a setting for a missing link or node is refused.
 */
import test from 'ava';
import { IMPAIR_LABEL, NODE_LABEL, ROLE_LABEL } from '../../../../src/contract/labels.js';
import { clearImpairment, impair, listImpairment } from '../../../../src/orchestrator/impair/apply.js';
import { down } from '../../../../src/orchestrator/lab/down.js';
import { LabError } from '../../../../src/orchestrator/lab/types.js';
import { FakeFirewall, type FakeEngine } from '../lab/fake-engine.js';
import { fakePairLab } from './fake-lab.js';

const lab = fakePairLab;

const helpers = (engine: FakeEngine) => [...engine.containers.values()].filter((c) => c.spec.labels[ROLE_LABEL] === 'impair');

test("up applies a link's impair: with one helper per node, in the node's network namespace", async (t) => {
  const engine = await lab(t, '    impair: { loss: 30%, delay: 50ms }\n');
  const hs = helpers(engine);
  t.deepEqual(hs.map((c) => c.spec.name).sort(), ['tb-pair--impair-h1', 'tb-pair--impair-h2']);
  for (const c of hs) {
    const node = engine.byName(`tb-pair-${c.spec.labels[NODE_LABEL]}`);
    t.is(c.spec.networkContainer, node.id);
    t.deepEqual(c.spec.endpoints, []);
    t.deepEqual(c.spec.capAdd, ['NET_ADMIN', 'NET_RAW']);
    t.deepEqual(JSON.parse(c.spec.labels[IMPAIR_LABEL]!), [{ link: 'wan', endpoint: null, direction: 'both', knobs: { loss: 0.3, delayMs: 50 } }]);
    t.regex(c.spec.cmd[2]!, /-o \$D0 -m statistic --mode random --probability 0\.30000000 -j DROP/);
  }
  const state = await listImpairment(engine, 'pair');
  t.deepEqual(
    state.helpers.map((h) => [h.node, h.path]),
    [
      ['h1', 'netfilter'],
      ['h2', 'netfilter'],
    ],
  );
});

test('a change replaces the helpers (the old ones stopped first), clear and down remove them', async (t) => {
  const engine = await lab(t, '');
  t.deepEqual(helpers(engine), []);
  await impair(engine, 'pair', { link: 'wan', endpoint: 'h2', direction: 'in', knobs: { duplicate: 0.01 } });
  // duplication of what h2 receives is done where h1 sends
  t.deepEqual(
    helpers(engine)
      .map((c) => c.spec.labels[NODE_LABEL])
      .sort(),
    ['h1', 'h2'],
  );
  t.regex(engine.byName('tb-pair--impair-h1').spec.cmd[2]!, /tb-impair "-d" "\$D0:10000:02:42:/);
  engine.calls.length = 0;
  await impair(engine, 'pair', { link: 'wan', endpoint: 'h2', direction: 'in', knobs: { duplicate: 0, loss: 1 } });
  t.true(engine.calls.indexOf('stopContainer tb-pair--impair-h2') < engine.calls.lastIndexOf('createContainer tb-pair--impair-h2'));
  t.deepEqual(
    helpers(engine).map((c) => c.spec.labels[NODE_LABEL]),
    ['h2'],
  );
  t.deepEqual((await listImpairment(engine, 'pair')).settings, [{ link: 'wan', endpoint: 'h2', direction: 'in', knobs: { loss: 1 } }]);
  await clearImpairment(engine, 'pair', 'wan');
  t.deepEqual(helpers(engine), []);
  await impair(engine, 'pair', { link: 'wan', endpoint: null, direction: 'both', knobs: { rateBps: 1e6 } });
  t.is(helpers(engine).length, 2);
  const removed = await down(engine, 'pair', { firewall: new FakeFirewall() });
  t.is(removed.containers, 4);
  t.is(engine.containers.size, 0);
});

test('settings for a link or node the lab does not have are refused before anything changes', async (t) => {
  const engine = await lab(t, '');
  await t.throwsAsync(impair(engine, 'pair', { link: 'lan', endpoint: null, direction: 'both', knobs: { loss: 0.1 } }), {
    instanceOf: LabError,
    message: /no link named "lan"/,
  });
  await t.throwsAsync(impair(engine, 'pair', { link: 'wan', endpoint: 'h9', direction: 'in', knobs: { loss: 0.1 } }), {
    instanceOf: LabError,
    message: /h9 is not on link wan/,
  });
  await t.throwsAsync(clearImpairment(engine, 'pair', 'lan'), { instanceOf: LabError, message: /has no link "lan"/ });
  t.deepEqual(helpers(engine), []);
});

test('a helper that died (its SIGTERM teardown never ran) is cleaned by a one-off teardown in its node, then removed', async (t) => {
  const engine = await lab(t, '');
  await impair(engine, 'pair', { link: 'wan', endpoint: 'h2', direction: 'in', knobs: { loss: 0.5 } });
  engine.byName('tb-pair--impair-h2').state = 'exited';
  const started: { name: string; cmd: string; joins: string | undefined }[] = [];
  const print = engine.onStart;
  engine.onStart = (c) => {
    started.push({ name: c.spec.name, cmd: c.spec.cmd.join(' '), joins: c.spec.networkContainer });
    print(c);
  };
  await clearImpairment(engine, 'pair');
  t.deepEqual(
    started.map((s) => [s.name, s.joins]),
    [['tb-pair--impair-h2-clean', engine.byName('tb-pair-h2').id]],
  );
  t.regex(started[0]!.cmd, /\nteardown\necho impair-ready none\n/);
  t.deepEqual(helpers(engine), [], 'the dead helper and the one-off teardown are both gone');
});

test('a one-off teardown helper that could not be removed carries the settings in force, so the list stays right', async (t) => {
  const engine = await lab(t, '');
  await impair(engine, 'pair', { link: 'wan', endpoint: 'h1', direction: 'out', knobs: { loss: 0.25 } });
  await impair(engine, 'pair', { link: 'wan', endpoint: 'h2', direction: 'in', knobs: { loss: 0.5 } });
  engine.byName('tb-pair--impair-h2').state = 'exited';
  engine.failing = (call) => (call === 'removeContainer tb-pair--impair-h2-clean' ? new Error('Docker went away') : null);
  await clearImpairment(engine, 'pair', 'wan', 'h2');
  t.deepEqual(
    helpers(engine)
      .map((c) => c.spec.name)
      .sort(),
    ['tb-pair--impair-h1', 'tb-pair--impair-h2-clean'],
  );
  t.deepEqual((await listImpairment(engine, 'pair')).settings, [{ link: 'wan', endpoint: 'h1', direction: 'out', knobs: { loss: 0.25 } }]);
  // the next change removes it
  engine.failing = () => null;
  await clearImpairment(engine, 'pair');
  t.deepEqual(helpers(engine), []);
});
