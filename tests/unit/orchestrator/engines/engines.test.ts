/** Finding a swarm's engines from its nodes, and reading Docker host addresses and engines files. */
import test from 'ava';
import { dockerOptions, enginesFromNodes, EnginesError, parseEnginesFile, type SwarmNodeView } from '../../../../src/orchestrator/engines/engines.js';

const node = (over: Partial<SwarmNodeView>): SwarmNodeView => ({
  id: 'n1',
  hostname: 'host',
  labels: {},
  addr: '198.51.100.1',
  role: 'worker',
  state: 'ready',
  availability: 'active',
  nanoCpus: 2e9,
  ...over,
});

test('Docker host addresses: unix sockets and tcp; anything else is refused with the forms it takes', (t) => {
  t.deepEqual(dockerOptions('unix:///run/tbsw/e1/docker.sock'), { socketPath: '/run/tbsw/e1/docker.sock' });
  t.deepEqual(dockerOptions('tcp://10.0.0.5:2375'), { host: '10.0.0.5', port: 2375, protocol: 'http' });
  t.throws(() => dockerOptions('ssh://x'), { instanceOf: EnginesError, message: /unix:\/\/\/path\/to\/docker.sock or tcp:\/\/host:port/ });
});

test('engines come from ready, active nodes, named by label, addressed by label or file, sorted by name', (t) => {
  const engines = enginesFromNodes(
    [
      node({ id: 'b', labels: { 'testbed.name': 'e2', 'testbed.engine-host': 'unix:///run/tbsw/e2/docker.sock' }, addr: '198.51.100.2', nanoCpus: 4e9 }),
      node({ id: 'a', labels: { 'testbed.name': 'e1' }, role: 'manager' }),
      node({ id: 'c', hostname: 'gone', state: 'down' }),
    ],
    { e1: 'tcp://127.0.0.1:2375' },
  );
  t.deepEqual(engines, [
    { name: 'e1', host: 'tcp://127.0.0.1:2375', address: '198.51.100.1', capacity: 2, manager: true },
    { name: 'e2', host: 'unix:///run/tbsw/e2/docker.sock', address: '198.51.100.2', capacity: 4, manager: false },
  ]);
});

test('a node without an engine address, or two nodes of one name, are errors that say what to do', (t) => {
  t.throws(() => enginesFromNodes([node({ id: 'xyz', hostname: 'm1' })]), {
    instanceOf: EnginesError,
    message: /swarm node m1 \(xyz\) has no engine address: add one with `docker node update --label-add testbed.engine-host=/,
  });
  t.throws(
    () =>
      enginesFromNodes([node({ id: 'a', labels: { 'testbed.engine-host': 'tcp://a:1' } }), node({ id: 'b', labels: { 'testbed.engine-host': 'tcp://b:1' } })]),
    {
      instanceOf: EnginesError,
      message: /both named "host": give each a label testbed.name=<name>/,
    },
  );
  t.throws(() => enginesFromNodes([node({ state: 'down' })]), { instanceOf: EnginesError, message: /no ready, active node/ });
});

test('engines files map node names to Docker hosts', (t) => {
  t.deepEqual(parseEnginesFile('{"engines":{"e1":"tcp://h1:2375"}}', 'f.json'), { e1: 'tcp://h1:2375' });
  t.throws(() => parseEnginesFile('{"engines":["x"]}', 'f.json'), { instanceOf: EnginesError, message: /^f.json: expected/ });
  t.throws(() => parseEnginesFile('{"engines":{"e1":"ftp://x"}}', 'f.json'), { instanceOf: EnginesError });
  t.throws(() => parseEnginesFile('nope', 'f.json'), { instanceOf: EnginesError, message: /^f.json: not JSON/ });
});
