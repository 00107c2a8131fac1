/** Clean stops without Docker: the interrupter's proxy refuses creations after the signal, waits for those in flight, and the sweep removes what they made. */
import test from 'ava';
import { Interrupter, InterruptedError, stopCleanly } from '../../../../src/orchestrator/lab/interrupt.js';
import { silentProgress } from '../../../../src/orchestrator/progress.js';
import { FakeEngine, FakeFirewall } from './fake-engine.js';
import { ownerLabels } from '../../../../src/contract/labels.js';

const spec = (name: string) => ({ name, subnet: '198.18.0.0/28', gateway: '198.18.0.1', bridgeName: 'tb0', mtu: 1500, labels: ownerLabels('lab1', 'network') });

test('a creation in flight when the signal comes is waited for and then removed; later creations are refused', async (t) => {
  const engine = new FakeEngine();
  const firewall = new FakeFirewall();
  const interrupter = new Interrupter();
  const wrapped = interrupter.wrap(engine);
  // a network whose creation Docker answers only after the signal
  let answer!: () => void;
  const slow = new Promise<void>((r) => (answer = r));
  const create = engine.createNetwork.bind(engine);
  engine.createNetwork = async (s) => {
    await slow;
    return create(s);
  };
  const inFlight = wrapped.createNetwork(spec('tb-lab1-wan'));
  t.true(interrupter.createdAnything);
  const stopping = stopCleanly(interrupter, engine, 'lab1', silentProgress, firewall);
  await Promise.resolve();
  t.is(engine.networks.size, 0, 'not created yet');
  await t.throwsAsync(wrapped.createNetwork(spec('tb-lab1-lan')), { instanceOf: InterruptedError });
  answer();
  await inFlight;
  await stopping;
  t.is(engine.networks.size, 0, 'the network created after the signal was removed');
  t.is(await engine.listNetworks(ownerLabels('lab1', 'network')).then((l) => l.length), 0);
});

test('calls that create nothing pass through untracked and unrefused', async (t) => {
  const engine = new FakeEngine();
  const interrupter = new Interrupter();
  const wrapped = interrupter.wrap(engine);
  interrupter.interrupt();
  await t.notThrowsAsync(wrapped.listContainers({}));
  await t.notThrowsAsync(wrapped.ping());
  t.false(interrupter.createdAnything);
});

test("with nothing created there is no lab to remove (a lab of that name may be someone else's)", async (t) => {
  const engine = new FakeEngine();
  await engine.createNetwork(spec('tb-lab1-wan')); // another process's lab of that name
  const interrupter = new Interrupter();
  interrupter.wrap(engine);
  t.false(interrupter.createdAnything);
  await stopCleanly(interrupter, engine, undefined, silentProgress);
  t.is(engine.networks.size, 1);
});
