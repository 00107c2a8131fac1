/** The published JSON Schema is what the kinds and the check language define, and it accepts what the loader accepts. */
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { builtinKinds } from '../../../../src/kinds/index.js';
import { labFileSchema, labFileSchemaText } from '../../../../src/orchestrator/labfile/schema.js';
import { root } from '../../../root.js';

test('schema/topology.schema.json is what `npm run schema` generates (run it after changing a kind or the check language)', async (t) => {
  const published = await readFile(`${root}schema/topology.schema.json`, 'utf8');
  t.is(published, labFileSchemaText(builtinKinds));
});

test('the published schema names every kind, and every $ref it holds has its definition', (t) => {
  const schema = labFileSchema(builtinKinds) as { definitions: Record<string, unknown> };
  const node = schema.definitions.node as { properties: { kind: { enum: string[] } } };
  t.deepEqual(node.properties.kind.enum, ['router2600', 'host', 'strongswan', 'nat']);
  for (const k of builtinKinds.names) t.truthy(schema.definitions[k], `definition of ${k}`);
  const refs = [...JSON.stringify(schema).matchAll(/"\$ref":"#\/definitions\/([^"]+)"/g)].map((m) => m[1]!);
  t.true(refs.length > 20);
  for (const r of new Set(refs)) t.truthy(schema.definitions[r], `#/definitions/${r}`);
});

test('editors and the loader agree: the shipped topologies pass the published schema with a plain validator', async (t) => {
  const validate = new Ajv({ strict: false }).compile(JSON.parse(await readFile(`${root}schema/topology.schema.json`, 'utf8')) as object);
  for (const file of ['daphne-fred.yaml', 'ios-strongswan.yaml', 'nat-static-peer.yaml', 'ted-behind-nat.yaml']) {
    t.true(validate(parse(await readFile(`${root}topologies/${file}`, 'utf8'))), `${file}: ${JSON.stringify(validate.errors)}`);
  }
  t.false(validate({ name: 'x', nodes: { r: { kind: 'router2600' } } }), 'a router needs its config');
  t.false(validate({ name: 'x', nodes: { h: { kind: 'host', colour: 'red' } } }), 'unknown properties are refused');
});
