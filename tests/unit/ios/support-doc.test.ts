/** docs/ios-support.md says what the support table says (regenerate with npm run docs:ios-support). */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { renderSupportSection, withSupportSection } from '../../../scripts/lib/ios-support-doc.js';
import { SUPPORT_TABLE } from '../../../src/ios/index.js';
import { root } from '../../root.js';

test('the tables of docs/ios-support.md are the support table (npm run docs:ios-support)', (t) => {
  const doc = readFileSync(`${root}docs/ios-support.md`, 'utf8');
  t.is(doc, withSupportSection(doc));
});

test('the generated section names every command of the table once per row', (t) => {
  const section = renderSupportSection();
  const rows = section
    .split('\n')
    .filter((l) => /^\| (global|interface|isakmp-policy|isakmp-peer|transform-set|crypto-map|access-list|router-ospf|router-eigrp|router-rip) \| `/.test(l));
  t.true(rows.length >= SUPPORT_TABLE.length);
  for (const e of SUPPORT_TABLE) t.true(section.includes(e.reason.replace(/\|/g, '\\|')), e.command);
});

test('the README and the topology format link the support document', (t) => {
  t.true(readFileSync(`${root}README.md`, 'utf8').includes('(docs/ios-support.md)'));
  t.true(readFileSync(`${root}docs/topology.md`, 'utf8').includes('(ios-support.md)'));
});
