/**
 * `testbed exec` prints the output as it comes, like `docker exec`: the
 * first piece is on stdout while the command still runs (the fake command
 * waits for the test to let it go on), stderr pieces go to stderr, nothing
 * is printed twice, and the exit code is the command's. With --json nothing
 * is printed until the end, and the JSON holds all of it.
 */
import test from 'ava';
import { main } from '../../../../src/orchestrator/cli/main.js';
import { FakeEngine } from '../lab/fake-engine.js';

function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

async function lab(): Promise<FakeEngine> {
  const engine = new FakeEngine();
  await engine.addNode('lab', 'd1', 'host');
  return engine;
}

test('exec prints the first piece before the command ends, each stream to its own, once, and exits with the command', async (t) => {
  const engine = await lab();
  const io = { out: [] as string[], err: [] as string[] };
  const reached = gate();
  const release = gate();
  engine.onExecStream = async (_c, _cmd, emit) => {
    emit('stdout', 'PING 10.0.2.10 (10.0.2.10) 56(84) bytes of data.\n');
    emit('stderr', 'ping: some warning\n');
    reached.open();
    await release.wait;
    emit('stdout', '64 bytes from 10.0.2.10: icmp_seq=2 ttl=62\n');
    return {
      exitCode: 1,
      stdout: 'PING 10.0.2.10 (10.0.2.10) 56(84) bytes of data.\n64 bytes from 10.0.2.10: icmp_seq=2 ttl=62\n',
      stderr: 'ping: some warning\n',
    };
  };
  let finished = false;
  const run = main(
    ['exec', '--lab', 'lab', 'd1', 'ping', '-c', '2', '10.0.2.10'],
    { stdout: (s) => io.out.push(s), stderr: (s) => io.err.push(s) },
    engine,
  ).then((code) => {
    finished = true;
    return code;
  });
  await reached.wait;
  t.false(finished, 'the command is still running');
  t.deepEqual(io.out, ['PING 10.0.2.10 (10.0.2.10) 56(84) bytes of data.\n'], 'and its first line is out');
  t.deepEqual(io.err, ['ping: some warning\n']);
  release.open();
  t.is(await run, 1, "the command's failure is the exit code (1)");
  t.is(
    io.out.join(''),
    'PING 10.0.2.10 (10.0.2.10) 56(84) bytes of data.\n64 bytes from 10.0.2.10: icmp_seq=2 ttl=62\n',
    'everything once, nothing printed again at the end',
  );
  t.is(io.err.join(''), 'ping: some warning\n');
  t.deepEqual(
    engine.calls.filter((c) => c.startsWith('exec')),
    ['exec tb-lab-d1 ["sh","-c","ping -c 2 10.0.2.10"]'],
  );
});

test('exec --json prints nothing while the command runs, then all of it as data', async (t) => {
  const engine = await lab();
  const out: string[] = [];
  const reached = gate();
  const release = gate();
  engine.onExecStream = async (_c, _cmd, emit) => {
    emit('stdout', 'one\n');
    reached.open();
    await release.wait;
    emit('stdout', 'two\n');
    return { exitCode: 0, stdout: 'one\ntwo\n', stderr: '' };
  };
  const run = main(['exec', '--json', '--lab', 'lab', 'd1', 'echo'], { stdout: (s) => out.push(s), stderr: (s) => out.push(s) }, engine);
  await reached.wait;
  t.deepEqual(out, []);
  release.open();
  t.is(await run, 0);
  t.is(out.length, 1);
  t.deepEqual(JSON.parse(out[0]!), { node: 'd1', kind: 'host', exitCode: 0, stdout: 'one\ntwo\n', stderr: '' });
});

test("a command's own --json after the node is the command's: exec streams and prints nothing more", async (t) => {
  const engine = await lab();
  let out = '';
  engine.onExec = () => ({ exitCode: 0, stdout: '{"a":1}\n', stderr: '' });
  t.is(await main(['exec', '--lab', 'lab', 'd1', 'iperf3', '--json'], { stdout: (s) => (out += s), stderr: (s) => (out += s) }, engine), 0);
  t.is(out, '{"a":1}\n');
});
