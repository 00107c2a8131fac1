/**
 * The public IOS 12.x configurations of tests/fixtures/ios-corpus: every line
 * is refused, emulated, cosmetic or warned (none accepted unclassified), the
 * warnings cover every not-emulated line, and the counts per config are pinned
 * so that a change of classification shows here.
 */
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { parseConfig } from '../../../src/ios/index.js';
import { root } from '../../root.js';

const DIR = `${root}tests/fixtures/ios-corpus/`;
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith('.cfg'))
  .sort();

/** Per config: lines refused, emulated, cosmetic, accepted but not emulated; and how many warnings report the latter. */
const EXPECTED: Record<string, [refused: number, emulated: number, cosmetic: number, notEmulated: number, warnings: number]> = {
  '01-ciscozine-2600-basic.cfg': [0, 13, 22, 1, 1],
  '02-ciscoconfparse-sample01-dsl-nat-cbac.cfg': [47, 92, 173, 61, 32],
  '03-gns3vault-encrypted-gre-godzilla.cfg': [4, 35, 10, 1, 1],
  '04-gns3vault-encrypted-gre-nessie.cfg': [4, 35, 10, 1, 1],
  '05-gns3vault-ipsec-tunnel-godzilla.cfg': [8, 25, 10, 1, 1],
  '06-gns3vault-ipsec-tunnel-nessie.cfg': [8, 25, 10, 1, 1],
  '07-gns3vault-gre-basic-nessie.cfg': [4, 23, 10, 0, 0],
  '08-avani8-acme1-nat-overload-dhcp.cfg': [15, 24, 36, 6, 2],
  '09-rcprojecto-r1-static-nat.cfg': [10, 21, 23, 5, 5],
  '10-rcprojecto-r2-pim.cfg': [8, 17, 23, 5, 5],
  '11-gns3vault-frame-relay-p2p-subif.cfg': [8, 25, 9, 0, 0],
  '12-gns3vault-frame-relay-multipoint.cfg': [8, 23, 9, 3, 3],
  '13-gns3vault-cbac-firewall.cfg': [4, 12, 13, 1, 1],
  '14-gns3vault-zone-based-firewall.cfg': [40, 17, 16, 1, 1],
  '15-gns3vault-pppoe-server.cfg': [8, 8, 13, 5, 2],
  '16-gns3vault-hsrp-ospf.cfg': [4, 14, 12, 6, 6],
  '17-gns3vault-extended-acl.cfg': [15, 26, 16, 1, 1],
  '18-gns3vault-icnd2-ospf-ppp-rip.cfg': [8, 34, 9, 2, 2],
  '19-gns3vault-icnd1-rip-banner.cfg': [8, 25, 12, 1, 1],
  '20-gns3vault-rip-keychain.cfg': [4, 17, 20, 3, 3],
  '21-gns3vault-eigrp-frame-relay-md5.cfg': [8, 28, 13, 4, 4],
  '22-avani8-acme3-ospf.cfg': [12, 25, 16, 1, 1],
  '23-avani8-r1-c3700-switch-module.cfg': [7, 39, 25, 1, 1],
  '24-gns3vault-frame-relay-dte-minimal.cfg': [8, 18, 7, 0, 0],
};

/**
 * Lines that change behaviour on the wire whatever their arguments: a corpus
 * line starting so must never be cosmetic (a safety net under the table).
 */
const BEHAVIOURAL =
  /^\s*(ip nat |router |standby |ip access-group |encapsulation |tunnel |ip mtu |ip tcp adjust-mss |ip helper-address |ip policy |ip pim |ip inspect \S+ (in|out)$|ntp server |snmp-server (community|host) |logging \d|ip dhcp pool |service-policy (input|output) |crypto map \S+ \d+ ipsec-manual|reverse-route|ppp |frame-relay map )/;

function parse(file: string) {
  const text = readFileSync(DIR + file, 'utf8');
  return { text, result: parseConfig(text) };
}

test('the corpus holds the configs the expectations name', (t) => {
  t.deepEqual(FILES, Object.keys(EXPECTED).sort());
});

for (const file of FILES) {
  test(`${file}: every line is refused, emulated, cosmetic or warned; every not-emulated line is reported`, (t) => {
    const { text, result } = parse(file);
    const raw = text.split(/\r\n|\r|\n/);
    const end = raw.findIndex((l) => l.trim() === 'end');
    raw.slice(0, end + 1).forEach((line, i) => {
      if (line.trim() === '' || line.trim().startsWith('!')) return;
      t.true(['refused', 'emulated', 'cosmetic', 'not-emulated'].includes(result.lines[i] as string), `line ${i + 1} "${line}" has no class`);
      if (result.lines[i] === 'cosmetic') t.notRegex(line, BEHAVIOURAL, `line ${i + 1} is behavioural`);
    });
    const warnings = result.diagnostics.filter((d) => d.code === 'not-emulated');
    const covered = warnings.reduce((n, d) => n + 1 + (d.blockLines ?? 0), 0);
    t.is(covered, result.summary.notEmulated, 'each not-emulated line has its warning or is counted under its block header');
    for (const d of warnings) t.is(result.lines[d.line - 1], 'not-emulated');
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    t.is(errors.length, result.summary.refused, 'one error per refused line');
    const s = result.summary;
    t.deepEqual([s.refused, s.emulated, s.cosmetic, s.notEmulated, warnings.length], EXPECTED[file]);
  });
}

test('corpus table: lines per config refused / emulated / cosmetic / not emulated (warnings)', (t) => {
  const rows = FILES.map((file) => {
    const { result } = parse(file);
    const s = result.summary;
    const warnings = result.diagnostics.filter((d) => d.code === 'not-emulated').length;
    return { file, ...s, warnings, lines: s.refused + s.emulated + s.cosmetic + s.notEmulated };
  });
  const total = rows.reduce(
    (a, r) => ({
      ...a,
      refused: a.refused + r.refused,
      emulated: a.emulated + r.emulated,
      cosmetic: a.cosmetic + r.cosmetic,
      notEmulated: a.notEmulated + r.notEmulated,
      warnings: a.warnings + r.warnings,
      lines: a.lines + r.lines,
    }),
    { file: 'total', refused: 0, emulated: 0, cosmetic: 0, notEmulated: 0, warnings: 0, lines: 0 },
  );
  const fmt = (r: typeof total): string =>
    `${r.file.padEnd(44)} ${String(r.lines).padStart(5)} ${String(r.refused).padStart(8)} ${String(r.emulated).padStart(9)} ${String(r.cosmetic).padStart(9)} ${String(r.notEmulated).padStart(13)} ${String(r.warnings).padStart(9)}`;
  t.log(
    `\n${'config'.padEnd(44)} ${'lines'.padStart(5)} ${'refused'.padStart(8)} ${'emulated'.padStart(9)} ${'cosmetic'.padStart(9)} ${'not emulated'.padStart(13)} ${'warnings'.padStart(9)}\n${[...rows, total].map(fmt).join('\n')}`,
  );
  t.is(total.lines, total.refused + total.emulated + total.cosmetic + total.notEmulated);
  t.true(rows.every((r) => r.lines > 0));
});
