/**
 * DockerodeEngine.exec over a stand-in for Docker's hijacked exec stream
 * (the real dockerode demultiplexer reads it): frames of stdout and stderr
 * arriving over time reach onOutput as they come, each stream apart, a
 * UTF-8 character split between frames whole; the result holds everything
 * and the exit code from the exec's inspection.
 */
import test from 'ava';
import Docker from 'dockerode';
import { PassThrough } from 'node:stream';
import { DockerodeEngine } from '../../../../src/orchestrator/docker/dockerode.js';

/** One frame of Docker's multiplexed stream: type 1 stdout, 2 stderr, then the size. */
function frame(type: 1 | 2, payload: Buffer | string): Buffer {
  const body = Buffer.from(payload);
  const head = Buffer.alloc(8);
  head[0] = type;
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
}

function engineWith(stream: PassThrough, exitCode: number): DockerodeEngine {
  const docker = new Docker({ socketPath: '/nonexistent/docker.sock' });
  const exec = { start: async () => stream, inspect: async () => ({ ExitCode: exitCode }) };
  (docker as unknown as { getContainer: () => unknown }).getContainer = () => ({ exec: async () => exec });
  return new DockerodeEngine(docker);
}

const turn = () => new Promise((r) => setImmediate(r));

test('exec streams stdout and stderr as frames arrive, and returns all of it with the exit code', async (t) => {
  const stream = new PassThrough();
  const engine = engineWith(stream, 3);
  const seen: string[] = [];
  let done = false;
  const result = engine.exec('c0ffee', ['sh', '-c', 'ping'], { onOutput: (s, text) => seen.push(`${s}:${text}`) }).then((r) => {
    done = true;
    return r;
  });
  await turn();
  stream.write(frame(1, 'PING 10.0.2.10\n'));
  await turn();
  t.deepEqual(seen, ['stdout:PING 10.0.2.10\n'], 'the first line is out while the command runs');
  t.false(done);
  const euro = Buffer.from('€\n');
  stream.write(frame(2, Buffer.concat([Buffer.from('warn '), euro.subarray(0, 1)])));
  stream.write(frame(2, euro.subarray(1)));
  stream.write(frame(1, '64 bytes: icmp_seq=1\n'));
  await turn();
  t.deepEqual(seen.slice(1), ['stderr:warn ', 'stderr:€\n', 'stdout:64 bytes: icmp_seq=1\n'], 'a character split between frames comes whole');
  t.false(done);
  stream.end();
  const r = await result;
  t.deepEqual(r, { exitCode: 3, stdout: 'PING 10.0.2.10\n64 bytes: icmp_seq=1\n', stderr: 'warn €\n' });
});

test('exec without onOutput collects the same way', async (t) => {
  const stream = new PassThrough();
  const engine = engineWith(stream, 0);
  const result = engine.exec('c0ffee', ['true']);
  await turn();
  stream.end(Buffer.concat([frame(1, 'a'), frame(2, 'b'), frame(1, 'c')]));
  t.deepEqual(await result, { exitCode: 0, stdout: 'ac', stderr: 'b' });
});
