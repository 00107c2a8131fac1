/** Readiness strategies: what they wait for, what they say when they give up, and that they stop following the log. */
import test from 'ava';
import { forLogLine, NotReadyError, type LogSource } from '../../../src/kinds/wait.js';

/** A console a test writes to; counts the followers still attached. */
class Console implements LogSource {
  text = '';
  readonly followers = new Set<(t: string) => void>();
  async follow(onText: (t: string) => void) {
    if (this.text) onText(this.text);
    this.followers.add(onText);
    return () => this.followers.delete(onText);
  }
  print(line: string) {
    this.text += `${line}\n`;
    for (const f of this.followers) f(`${line}\n`);
  }
}

test('ready on its own line, even when it is already in the log; the log is no longer followed afterwards', async (t) => {
  const c = new Console();
  c.print('booting');
  c.print('node: ready');
  await forLogLine('node: ready', 'node: error').wait('n1', c);
  await new Promise((r) => setImmediate(r));
  t.is(c.followers.size, 0);
  const later = new Console();
  const waiting = forLogLine('node: ready', 'node: error').wait('n2', later);
  later.print('node: read');
  later.print('node: ready');
  await t.notThrowsAsync(waiting);
  t.is(later.followers.size, 0);
});

test('after a restart only a new ready line counts', async (t) => {
  const c = new Console();
  c.print('node: ready');
  let ready = false;
  const waiting = forLogLine('node: ready', 'node: error')
    .wait('n1', c, c.text)
    .then(() => (ready = true));
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
  t.false(ready);
  c.print('node: ready');
  await waiting;
  t.true(ready);
});

test('a failure line ends the wait with the console; a timeout names what was awaited and for how long', async (t) => {
  const c = new Console();
  const failing = forLogLine('node: ready', 'node: error').wait('n1', c);
  c.print('node: error: no such interface');
  c.print('because eth3 is missing');
  const err = await t.throwsAsync(failing, { instanceOf: NotReadyError });
  t.is(err?.message, 'n1 failed to start:\nnode: error: no such interface\nbecause eth3 is missing');
  const quiet = new Console();
  quiet.print('still booting');
  const strategy = forLogLine('node: ready', 'node: error').withTimeout(20);
  t.is(strategy.awaited, 'log line "node: ready"');
  const late = await t.throwsAsync(strategy.wait('n2', quiet), { instanceOf: NotReadyError });
  t.is(late?.message, 'n2 did not become ready: log line "node: ready" not seen after 20 ms; its console says:\nstill booting');
  t.is(quiet.followers.size, 0);
});
