/**
 * The lab file's JSON Schema, put together from its parts: the topology's
 * keys and every node kind's entry (topology/schema.ts, src/kinds), and the
 * tests: section (checks/schema.ts). `npm run schema` writes it to
 * schema/topology.schema.json for editors; the loader validates with the
 * same object, and a unit test keeps the published file equal to it.
 */
import { Type } from '@sinclair/typebox';
import type { KindRegistry } from '../../kinds/registry.js';
import { collectDefinitions } from '../../kinds/schema.js';
import { Tests } from '../checks/schema.js';
import { topologyProperties } from '../topology/schema.js';

export const SCHEMA_ID = 'https://github.com/testbed/testbed/schema/topology.schema.json';

/** The whole schema as plain JSON (draft-07, definitions by name). */
export function labFileSchema(kinds: KindRegistry): Record<string, unknown> {
  const root = Type.Object({ ...topologyProperties(kinds), tests: Type.Optional(Tests) }, { additionalProperties: false });
  const definitions = collectDefinitions(root);
  const document = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: SCHEMA_ID,
    title: 'testbed topology',
    description: `A testbed lab: ${kinds.names.join(', ')} nodes joined by shared Ethernet segments, and the checks testbed test runs on it. Paths are relative to the topology file.`,
    ...root,
    definitions,
  };
  // JSON drops TypeBox's own markers, and gives editors and ajv the same object
  return JSON.parse(JSON.stringify(document)) as Record<string, unknown>;
}

/** The text of schema/topology.schema.json. */
export function labFileSchemaText(kinds: KindRegistry): string {
  return `${JSON.stringify(labFileSchema(kinds), null, 2)}\n`;
}
