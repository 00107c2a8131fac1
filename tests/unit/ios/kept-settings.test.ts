/**
 * The global settings kept as lines that the agent acts on (kept-settings.ts):
 * `ip domain-name`, `crypto ipsec df-bit`, `no crypto ipsec nat-transparency
 * udp-encapsulation`, as running-config shows them and as the agent reads
 * them; and `crypto isakmp invalid-spi-recovery`, which a 12.2 router refuses.
 */
import test from 'ava';
import { applyConfigLines, parseConfig, runningConfigLines } from '../../../src/ios/index.js';
import { keptSettings } from '../../../src/ios/config/kept-settings.js';

test('defaults: no domain name, DF copied, NAT transparency on', (t) => {
  t.deepEqual(keptSettings(parseConfig('hostname R1').config), { domainName: null, dfBit: 'copy', natTransparency: true });
});

test('crypto ipsec df-bit: the last value wins, running-config shows only it, and the no form goes back to copy', (t) => {
  const { config, diagnostics } = parseConfig(['hostname R1', 'crypto ipsec df-bit clear', 'crypto ipsec df-bit set'].join('\n'));
  t.deepEqual(diagnostics, []);
  t.is(keptSettings(config).dfBit, 'set');
  const shown = runningConfigLines(config).filter((l) => l.includes('df-bit'));
  t.deepEqual(shown, ['crypto ipsec df-bit set']);
  const after = applyConfigLines(config, ['no crypto ipsec df-bit']).config;
  t.is(keptSettings(after).dfBit, 'copy');
  t.deepEqual(
    runningConfigLines(after).filter((l) => l.includes('df-bit')),
    [],
  );
});

test('crypto ipsec df-bit: abbreviations are written back in full; a value IOS does not have is refused', (t) => {
  const { config, lines } = parseConfig(['hostname R1', 'cry ips df-bit cl'].join('\n'));
  t.is(lines[1], 'emulated');
  t.is(keptSettings(config).dfBit, 'clear');
  t.true(runningConfigLines(config).includes('crypto ipsec df-bit clear'));
  const bad = parseConfig(['hostname R1', 'crypto ipsec df-bit sometimes'].join('\n'));
  t.is(bad.lines[1], 'refused');
  t.is(keptSettings(bad.config).dfBit, 'copy');
});

test('no crypto ipsec nat-transparency udp-encapsulation turns NAT transparency off, the positive form back on', (t) => {
  const off = parseConfig(['hostname R1', 'no crypto ipsec nat-transparency udp-encapsulation'].join('\n'));
  t.is(off.lines[1], 'emulated');
  t.false(keptSettings(off.config).natTransparency);
  t.true(runningConfigLines(off.config).includes('no crypto ipsec nat-transparency udp-encapsulation'));
  const on = applyConfigLines(off.config, ['crypto ipsec nat-transparency udp-encapsulation']).config;
  t.true(keptSettings(on).natTransparency);
});

test('ip domain-name: the last one written is the domain, in either spelling', (t) => {
  t.is(keptSettings(parseConfig(['hostname R1', 'ip domain-name a.example', 'ip domain-name b.example'].join('\n')).config).domainName, 'b.example');
  t.is(keptSettings(parseConfig(['hostname R1', 'ip domain name c.example'].join('\n')).config).domainName, 'c.example');
});

test('crypto isakmp invalid-spi-recovery (12.3(2)T) is refused with IOS message, as a 2600 on 12.2 refuses it', (t) => {
  const { lines, diagnostics } = parseConfig(['hostname R1', 'crypto isakmp invalid-spi-recovery'].join('\n'));
  t.is(lines[1], 'refused');
  const d = diagnostics.find((x) => x.line === 2)!;
  t.is(d.severity, 'error');
  t.true(d.message.endsWith("% Invalid input detected at '^' marker."));
});
