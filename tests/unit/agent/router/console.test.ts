/**
 * The router's console: syslog and debug lines time-stamped as `service
 * timestamps ... datetime msec` prints them, debug lines only while their
 * facility is on, IOS's echo of a refused configuration line, and the
 * bounded buffer behind `show logging`.
 */
import test from 'ava';
import { RouterConsole } from '../../../../src/agent/router/console.js';
import { parseConfig } from '../../../../src/ios/index.js';

const CLOCK = () => new Date(Date.UTC(2026, 2, 1, 2, 7, 18, 850));

function console(capacity?: number): { c: RouterConsole; written: string[] } {
  const written: string[] = [];
  return { c: new RouterConsole((s) => written.push(s), CLOCK, capacity), written };
}

test('a syslog line carries the IOS timestamp; a raw line none; each write ends in one newline', (t) => {
  const { c, written } = console();
  c.raw('Press RETURN to get started!');
  c.log('%SYS-5-CONFIG_I: Configured from console by console');
  c.raw('ends already\n');
  t.deepEqual(written, ['Press RETURN to get started!\n', '*Mar  1 02:07:18.850: %SYS-5-CONFIG_I: Configured from console by console\n', 'ends already\n']);
});

test('debug lines are printed only while their facility is on', (t) => {
  const { c, written } = console();
  c.debugLine('isakmp', 'ISAKMP (0:1): beginning Main Mode exchange');
  t.deepEqual(written, []);
  c.debug.isakmp = true;
  c.debugLine('isakmp', 'ISAKMP (0:1): beginning Main Mode exchange');
  c.debugLine('ipsec', 'IPSEC(validate_proposal_request): proposal part #1');
  t.deepEqual(written, ['*Mar  1 02:07:18.850: ISAKMP (0:1): beginning Main Mode exchange\n']);
});

test('configuration diagnostics: IOS echoes a refused line with its marker, and prints nothing for a line it accepts but we do not emulate', (t) => {
  const { c, written } = console();
  const { diagnostics } = parseConfig('interface FastEthernet0/0\n standby 1 ip 10.0.0.1\n ip adress 1.2.3.4 255.0.0.0\n');
  t.deepEqual(
    diagnostics.map((d) => d.code),
    ['not-emulated', 'invalid-input'],
  );
  for (const d of diagnostics) c.diagnostic(d);
  t.deepEqual(written, [" ip adress 1.2.3.4 255.0.0.0\n      ^\n% Invalid input detected at '^' marker.\n"]);
});

test('show logging keeps every line of a multi-line message and at most its capacity, oldest dropped first', (t) => {
  const { c } = console(3);
  c.raw('one\ntwo');
  c.raw('three');
  t.deepEqual(c.lines(), ['one', 'two', 'three']);
  c.log('%LINK-3-UPDOWN: Interface FastEthernet0/0, changed state to up');
  t.deepEqual(c.lines(), ['two', 'three', '*Mar  1 02:07:18.850: %LINK-3-UPDOWN: Interface FastEthernet0/0, changed state to up']);
});
