/** The router2600 kind as the orchestrator sees it: commands, interface names, refused lines, keys. */
import test from 'ava';
import { KEY_JOURNAL_PATH } from '../../../../src/contract/keys.js';
import { router2600, type RouterNode } from '../../../../src/kinds/router2600/kind.js';
import { loadTopology } from '../../../../src/orchestrator/labfile/load.js';
import { root } from '../../../root.js';

const seed = await loadTopology(`${root}topologies/daphne-fred.yaml`);
const daphne = seed.nodes.find((n) => n.name === 'daphne') as RouterNode;

test('IOS lines are one console session: text is split on newlines, blank lines dropped', (t) => {
  t.deepEqual(router2600.execCommand('show ip route'), ['ios', 'show ip route']);
  t.deepEqual(router2600.execCommand(['configure terminal', 'ip route 9.9.9.0 255.255.255.0 11.11.11.2\n', 'end']), [
    'ios',
    'configure terminal',
    'ip route 9.9.9.0 255.255.255.0 11.11.11.2',
    'end',
  ]);
  t.is(router2600.keysFile, KEY_JOURNAL_PATH);
});

test('link endpoints take IOS names and abbreviations of interfaces the config has', (t) => {
  t.is(router2600.endpoint(daphne, 'fa0/1'), 'FastEthernet0/1');
  t.deepEqual(router2600.endpoint(daphne, 'Fa0/7'), {
    error: 'daphne has no interface FastEthernet0/7 in topologies/daphne-fred/daphne.cfg (it has FastEthernet0/0, FastEthernet0/1)',
  });
  t.deepEqual(router2600.endpoint(daphne, 'zz9'), { error: '"zz9" is not an IOS interface name (like FastEthernet0/0 or Fa0/0)' });
  t.deepEqual(router2600.interfaces(daphne), [
    { name: 'FastEthernet0/0', address: '11.11.11.1/24' },
    { name: 'FastEthernet0/1', address: '13.13.13.13/24' },
  ]);
  t.is(router2600.graph.shortName('GigabitEthernet0/1'), 'Gi0/1');
  t.is(router2600.graph.shortName('Serial0/0.102'), 'Se0/0.102');
  t.is(router2600.graph.hostname(daphne), 'Daphne');
});

test('refused config lines are warnings with file, line and column', async (t) => {
  const topo = await loadTopology(`${root}tests/fixtures/topologies/bad-config-lines.yaml`);
  const [w] = router2600.warnings(topo.nodes[0] as RouterNode);
  t.like(w, { line: 4, text: ' frobnicate the widget', message: "% Invalid input detected at '^' marker.", detail: null });
  t.regex(w!.file, /tests\/fixtures\/topologies\/bad-config-lines\.cfg$/);
  t.is(router2600.linkUpLine('FastEthernet0/0'), 'Interface FastEthernet0/0, changed state to up');
});
