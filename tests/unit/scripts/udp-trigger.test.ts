/**
 * bench:tunnel's UDP sender, run as bench:tunnel runs it (the shell command, `node -e` on base64), on loopback:
 * it stops at the first ICMP port unreachable, and while nothing answers it keeps one datagram per millisecond
 * of elapsed time (where iputils ping falls back to one per 10 ms).
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { udpTriggerCommand } from '../../../scripts/lib/udp-trigger.js';

function run(cmd: string): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    execFile('sh', ['-c', cmd], { timeout: 20_000 }, (e, stdout, stderr) =>
      resolve({ code: e ? ((e as { code?: number }).code ?? -1) : 0, stdout, stderr, ms: Date.now() - t0 }),
    );
  });
}

/** A UDP port on loopback nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test('the first port unreachable ends it, with exit 0', async (t) => {
  const r = await run(udpTriggerCommand('127.0.0.1', 5000, await closedPort()));
  t.is(r.code, 0, r.stderr);
  const sent = Number(/sent (\d+)/.exec(r.stdout)?.[1]);
  t.true(sent >= 1 && sent < 100, `sent ${sent}`);
});

test('unanswered, it sends one datagram per elapsed millisecond until its limit, then exit 1', async (t) => {
  const sink = createSocket('udp4');
  let received = 0;
  sink.on('message', () => received++);
  await new Promise<void>((r) => sink.bind(0, '127.0.0.1', r));
  const r = await run(udpTriggerCommand('127.0.0.1', 400, sink.address().port));
  await new Promise((res) => setTimeout(res, 50));
  sink.close();
  t.is(r.code, 1);
  t.regex(r.stderr, /no answer from 127\.0\.0\.1 within 400 ms/);
  const sent = Number(/sent (\d+)/.exec(r.stdout)?.[1]);
  // one per millisecond over the 400 ms (a sender at ping's 10 ms would have sent about 40)
  t.true(sent >= 380 && sent <= 420, `sent ${sent}`);
  t.true(received >= sent * 0.9, `received ${received} of ${sent}`);
});

test('a host that is not an IPv4 address is refused before any shell sees it', (t) => {
  t.throws(() => udpTriggerCommand('a1; rm -rf /', 100), { message: /not an IPv4 address/ });
});
