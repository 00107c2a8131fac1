/**
 * `npm run schema`: write schema/topology.schema.json (the JSON Schema
 * editors use for topology files) from the node kinds and the check
 * language, where it is defined (src/orchestrator/labfile/schema.ts). A unit
 * test fails when the checked-in file differs from what this writes.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { builtinKinds } from '../src/kinds/index.js';
import { labFileSchemaText } from '../src/orchestrator/labfile/schema.js';

const target = fileURLToPath(new URL('../../schema/topology.schema.json', import.meta.url));
await writeFile(target, labFileSchemaText(builtinKinds));
console.log(`wrote ${target}`);
