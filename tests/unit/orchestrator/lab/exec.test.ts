/** A command on a node with its output as it comes (runOnNode): every piece in order, each stream apart, and all of it in the result. */
import test from 'ava';
import { DockerError } from '../../../../src/orchestrator/docker/engine.js';
import { execOnNode, runOnNode } from '../../../../src/orchestrator/lab/exec.js';
import { LabError } from '../../../../src/orchestrator/lab/types.js';
import { FakeEngine } from './fake-engine.js';

test('runOnNode hands each piece of output on as it comes, in order and by stream, before the command ends', async (t) => {
  const engine = new FakeEngine();
  await engine.addNode('lab', 'd1', 'host');
  const seen: string[] = [];
  engine.onExecStream = async (_c, _cmd, emit) => {
    emit('stdout', 'PING 10.0.2.10\n');
    await new Promise((r) => setImmediate(r));
    seen.push('(the command is still running)');
    emit('stderr', 'ping: warning\n');
    emit('stdout', '64 bytes from 10.0.2.10: icmp_seq=1\n');
    return { exitCode: 1, stdout: 'PING 10.0.2.10\n64 bytes from 10.0.2.10: icmp_seq=1\n', stderr: 'ping: warning\n' };
  };
  const r = await runOnNode(engine, 'lab', 'd1', 'ping -c 1 10.0.2.10', { onOutput: (s, text) => seen.push(`${s}: ${text}`) });
  t.deepEqual(seen, ['stdout: PING 10.0.2.10\n', '(the command is still running)', 'stderr: ping: warning\n', 'stdout: 64 bytes from 10.0.2.10: icmp_seq=1\n']);
  t.deepEqual(r, { node: 'd1', kind: 'host', exitCode: 1, stdout: 'PING 10.0.2.10\n64 bytes from 10.0.2.10: icmp_seq=1\n', stderr: 'ping: warning\n' });
  t.deepEqual(
    engine.calls.filter((c) => c.startsWith('exec')),
    ['exec tb-lab-d1 ["sh","-c","ping -c 1 10.0.2.10"]'],
  );
});

test('without onOutput the command runs as before: the whole output at the end; Docker errors become LabErrors naming the node', async (t) => {
  const engine = new FakeEngine();
  await engine.addNode('lab', 'spoke1', 'router2600');
  engine.onExec = () => ({ exitCode: 0, stdout: 'spoke1>\n', stderr: '' });
  t.like(await execOnNode(engine, 'lab', 'spoke1', 'show clock'), { kind: 'router2600', exitCode: 0, stdout: 'spoke1>\n' });
  const pieces: string[] = [];
  t.like(await runOnNode(engine, 'lab', 'spoke1', 'show clock', { onOutput: (_s, x) => pieces.push(x) }), { stdout: 'spoke1>\n' });
  t.deepEqual(pieces, ['spoke1>\n']);
  engine.onExecStream = async (_c, _cmd, emit) => {
    emit('stdout', 'partial');
    throw new DockerError('"ios show clock" did not finish within 10 ms');
  };
  await t.throwsAsync(runOnNode(engine, 'lab', 'spoke1', 'show clock', { timeoutMs: 10, onOutput: () => undefined }), {
    instanceOf: LabError,
    message: 'spoke1: "ios show clock" did not finish within 10 ms',
  });
});
