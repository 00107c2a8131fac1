/** Writes the generated support table into docs/ios-support.md (npm run docs:ios-support). */
import { readFileSync, writeFileSync } from 'node:fs';
import { withSupportSection } from './lib/ios-support-doc.js';

const path = new URL('../../docs/ios-support.md', import.meta.url);
const before = readFileSync(path, 'utf8');
const after = withSupportSection(before);
writeFileSync(path, after);
process.stdout.write(after === before ? 'docs/ios-support.md is up to date\n' : 'docs/ios-support.md rewritten\n');
