/**
 * The agent's control socket: console lines or a known query go through, a
 * malformed request gets a clear error and never reaches the handler. Runs
 * on a unix socket in a temporary folder.
 */
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callControl, controlRequestProblem, serveControl, type ControlRequest } from '../../../../src/agent/io/control.js';

test('well-formed requests: lines, and each query with what it needs', (t) => {
  t.is(controlRequestProblem({ lines: ['show version'] }), null);
  t.is(controlRequestProblem({ query: 'keys' }), null);
  t.is(controlRequestProblem({ query: 'timeline' }), null);
  t.is(controlRequestProblem({ query: 'status' }), null);
  t.is(controlRequestProblem({ query: 'status', waitMs: 5000 }), null);
  t.is(controlRequestProblem({ query: 'dh-pool', mode: 'fresh' }), null);
  t.is(controlRequestProblem({ query: 'dh-pool', mode: 'pooled' }), null);
  t.is(controlRequestProblem({ query: 'memory' }), null);
  t.is(controlRequestProblem({ query: 'memory', snapshot: true }), null);
});

test('malformed requests say what is wrong', (t) => {
  t.regex(controlRequestProblem({}) ?? '', /expected \{"lines"/);
  t.regex(controlRequestProblem({ lines: [1 as unknown as string] }) ?? '', /expected \{"lines"/);
  t.regex(controlRequestProblem({ query: 'reboot' } as unknown as ControlRequest) ?? '', /unknown query "reboot"/);
  t.regex(controlRequestProblem({ query: 'dh-pool' }) ?? '', /needs a mode: pooled or fresh/);
  t.regex(controlRequestProblem({ query: 'dh-pool', mode: 'cached' } as unknown as ControlRequest) ?? '', /needs a mode/);
  t.regex(controlRequestProblem({ query: 'status', waitMs: -1 }) ?? '', /waitMs must be/);
  t.regex(controlRequestProblem({ query: 'status', waitMs: 1.5 }) ?? '', /waitMs must be/);
  t.regex(controlRequestProblem({ query: 'keys', snapshot: true }) ?? '', /snapshot is a boolean of the memory query/);
  t.regex(controlRequestProblem({ query: 'memory', snapshot: 'yes' } as unknown as ControlRequest) ?? '', /snapshot is a boolean/);
});

test('over the socket: a query reaches the handler, a bad one is answered with the problem', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'testbed-control-'));
  const path = join(dir, 'agent.sock');
  const seen: ControlRequest[] = [];
  const server = await serveControl(async (req) => {
    seen.push(req);
    return { hostname: 'r1', results: [], data: { mode: req.mode } };
  }, path);
  try {
    const ok = await callControl({ query: 'dh-pool', mode: 'fresh' }, path);
    t.deepEqual(ok.data, { mode: 'fresh' });
    await t.throwsAsync(callControl({ query: 'dh-pool' }, path), { message: /bad request: the dh-pool query needs a mode/ });
    t.is(seen.length, 1, 'the bad request never reached the handler');
  } finally {
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
});
