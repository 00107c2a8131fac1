/**
 * A lab file's text as data: YAML syntax, then the JSON Schema (ajv), with
 * every problem placed at its file, line and column through the YAML CST.
 * Schema errors are said in words (the property, what it must be), one per
 * mistake.
 */
import { Ajv, type ErrorObject } from 'ajv';
import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import { PATTERN_HINTS } from '../../kinds/schema.js';
import { LAB_NAME_PATTERN } from '../lab/naming.js';
import { ENDPOINT_PATTERN, ENGINE_NAME_PATTERN } from '../topology/schema.js';
import { displayPath, TopologyError, type Locate, type SourcePos, type TopologyIssue } from '../topology/source.js';

type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

/** Compile a schema for `parseLabFileText` (once per schema: compiling takes a while). */
export function compileSchema(schema: Record<string, unknown>): Validator {
  return new Ajv({ allErrors: true, strict: false }).compile(schema) as Validator;
}

/** YAML syntax and schema checks. Pure. Throws TopologyError. */
export function parseLabFileText(text: string, file: string, validate: Validator): { data: unknown; locate: Locate } {
  const shown = displayPath(file);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): SourcePos => {
    const p = lineCounter.linePos(offset);
    return { file: shown, line: p.line, column: p.col };
  };
  if (doc.errors.length > 0) {
    throw new TopologyError(doc.errors.map((e) => ({ ...at(e.pos[0]), message: `YAML: ${firstLine(e.message)}` })));
  }
  const locate: Locate = (path, key = false) => locateIn(doc, path, key, at);
  const data = doc.toJS() as unknown;
  if (!validate(data)) {
    throw new TopologyError(schemaIssues(validate.errors ?? [], data, locate));
  }
  return { data, locate };
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.trim();
}

function locateIn(doc: Document, path: (string | number)[], key: boolean, at: (o: number) => SourcePos): SourcePos {
  // Walk down as far as the path exists; point at the deepest node found.
  let node: unknown = doc.contents;
  let best = 0;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === seg);
      if (!pair) break;
      const wantKey = key && i === path.length - 1;
      const target = (wantKey ? pair.key : (pair.value ?? pair.key)) as YamlNode | null;
      if (target?.range) best = target.range[0];
      node = pair.value;
      if (wantKey) break;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as YamlNode | undefined;
      if (!item) break;
      if (item.range) best = item.range[0];
      node = item;
    } else break;
  }
  if (best === 0 && (doc.contents as YamlNode | null)?.range) best = (doc.contents as YamlNode).range![0];
  return at(best);
}

function pointerPath(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** What a value with this pattern must be, in words. */
const HINTS: Readonly<Record<string, string>> = {
  ...PATTERN_HINTS,
  [LAB_NAME_PATTERN.source]: 'lower-case letters, digits and dashes (at most 24), starting with a letter or digit',
  [ENDPOINT_PATTERN]: 'node:Interface, like daphne:FastEthernet0/0 or d1:eth0',
  [ENGINE_NAME_PATTERN]: 'an engine name: letters, digits, dots, dashes and underscores, like e1 or node-2.example',
};

function schemaIssues(errors: ErrorObject[], data: unknown, locate: Locate): TopologyIssue[] {
  // if/then and oneOf produce an error for the branch and one for each
  // alternative: keep the most specific error per place.
  const useful = errors.filter((e) => e.keyword !== 'if' && e.keyword !== 'oneOf' && e.keyword !== 'allOf');
  const hasObjectForm = (e: ErrorObject) => e.keyword === 'type' && (e.params as { type?: string }).type === 'object';
  const chosen = useful.filter((e) => !(hasObjectForm(e) && Array.isArray(valueAt(data, pointerPath(e.instancePath)))));
  const seen = new Set<string>();
  const issues: TopologyIssue[] = [];
  for (const e of chosen.length ? chosen : errors) {
    const path = pointerPath(e.instancePath);
    const { where, message, keyPath } = describeSchemaError(e, path);
    const id = `${where}|${message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    issues.push({ ...locate(keyPath ?? path, keyPath !== undefined), message: where ? `${where}: ${message}` : message });
  }
  return issues;
}

function valueAt(data: unknown, path: (string | number)[]): unknown {
  let v = data;
  for (const seg of path) v = (v as Record<string | number, unknown> | undefined)?.[seg];
  return v;
}

function describeSchemaError(e: ErrorObject, path: (string | number)[]): { where: string; message: string; keyPath?: (string | number)[] } {
  const where = path.join('.');
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const prop = String(params.additionalProperty);
      return { where, message: `unknown property "${prop}"`, keyPath: [...path, prop] };
    }
    case 'required':
      return { where, message: `missing required property "${String(params.missingProperty)}"` };
    case 'enum':
      return { where, message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'const':
      return { where, message: `must be ${JSON.stringify(params.allowedValue)}` };
    case 'pattern': {
      if (e.propertyName !== undefined || e.schemaPath.includes('propertyNames')) {
        return {
          where,
          message: `name ${JSON.stringify(e.propertyName ?? '')} must be lower-case letters, digits and dashes (max 24), starting with a letter`,
        };
      }
      const hint = HINTS[String(params.pattern)];
      return { where, message: hint ? `must be ${hint}` : `does not match ${String(params.pattern)}` };
    }
    case 'propertyNames': {
      const name = String(params.propertyName);
      return { where, message: `name ${JSON.stringify(name)} is not allowed here`, keyPath: [...path, name] };
    }
    case 'type':
      return { where, message: `must be ${params.type === 'object' ? 'a mapping' : params.type === 'array' ? 'a list' : `a ${String(params.type)}`}` };
    case 'minItems':
      return { where, message: `needs at least ${String(params.limit)} entries` };
    case 'minProperties':
      return { where, message: `needs at least ${String(params.limit)} entries` };
    case 'uniqueItems':
      return { where, message: 'lists the same entry twice' };
    case 'minimum':
    case 'maximum':
      return { where, message: `must be ${e.keyword === 'minimum' ? '>=' : '<='} ${String(params.limit)}` };
    default:
      return { where, message: e.message ?? e.keyword };
  }
}
