/**
 * A line kept verbatim (cosmetic or not emulated) written with abbreviated
 * keywords (a fuzz finding, docs/fuzzing.md): `t 1` is `tftp-server 1` where
 * typed, in global mode, but `show running-config` printed it as typed, and
 * where it lands there, after a sub-mode block, `t` is ambiguous: the
 * running-config did not parse back. IOS prints every command with its
 * keywords spelled out; kept lines now are too.
 */
import test from 'ava';
import { applyConfigLines, parseConfig, renderRunningConfig } from '../../../src/ios/index.js';

const BASE = ['hostname r1', 'crypto isakmp policy 10', ' authentication pre-share', 'interface FastEthernet0/0', ' ip address 10.0.0.1 255.255.255.0'].join(
  '\n',
);

test('an abbreviated kept line is shown spelled out, and the running-config parses back without errors', (t) => {
  const base = parseConfig(BASE).config;
  const r = applyConfigLines(base, 't 1 ');
  t.deepEqual(r.lines, ['not-emulated']);
  const shown = renderRunningConfig(r.config);
  t.true(shown.split('\n').includes('tftp-server 1'), shown);
  t.false(shown.split('\n').includes('t 1'));
  t.deepEqual(
    parseConfig(shown).diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
});

test('kept lines with their arguments: the keywords are spelled out, the arguments kept as written', (t) => {
  const r = parseConfig(`${BASE}\nserv tcp-keepalives-in\nsnmp-s community public RO\n`);
  const shown = renderRunningConfig(r.config).split('\n');
  t.true(shown.includes('service tcp-keepalives-in'), shown.join('\n'));
  t.true(shown.includes('snmp-server community public RO'), shown.join('\n'));
});
