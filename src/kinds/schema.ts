/**
 * Building blocks of the topology file's JSON Schema, with TypeBox: the
 * schema and the TypeScript type of each part come from one definition.
 * `named` makes a part a definition of its own (`#/definitions/NAME`) that
 * the published schema references; `collectDefinitions` gathers them.
 */
import { Type, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox';

const DEFINITION = Symbol('testbed.definition');

interface Named {
  name: string;
  schema: TSchema;
}

/** `{ $ref: '#/definitions/NAME' }`, typed as the schema it names. */
export function named<T extends TSchema>(name: string, schema: T): TUnsafe<Static<T>> {
  return Type.Unsafe<Static<T>>({ $ref: `#/definitions/${name}`, [DEFINITION]: { name, schema } satisfies Named });
}

/** A named part with its own description beside the reference (editors show it). */
export function described<T extends TSchema>(ref: T, description: string): T {
  return { ...ref, description };
}

/** Exactly one of the schemas (JSON Schema oneOf; TypeBox's Union writes anyOf, which reports errors less precisely). */
export function oneOf<T extends TSchema[]>(schemas: [...T], options: Record<string, unknown> = {}): TUnsafe<Static<T[number]>> {
  return Type.Unsafe<Static<T[number]>>({ ...options, oneOf: schemas });
}

/** A mapping whose keys match `keyPattern` and whose values are `value`. */
export function mapOf<T extends TSchema>(keyPattern: string, value: T, options: Record<string, unknown> = {}): TUnsafe<Record<string, Static<T>>> {
  return Type.Unsafe<Record<string, Static<T>>>({ ...options, type: 'object', propertyNames: { pattern: keyPattern }, additionalProperties: value });
}

/** Every definition `schema` references, transitively, by name; two different schemas under one name are a mistake. */
export function collectDefinitions(schema: unknown): Record<string, TSchema> {
  const found = new Map<string, TSchema>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (typeof v !== 'object' || v === null) return;
    const def = (v as { [DEFINITION]?: Named })[DEFINITION];
    if (def) {
      const known = found.get(def.name);
      if (known && known !== def.schema && JSON.stringify(known) !== JSON.stringify(def.schema)) throw new Error(`two schemas are named "${def.name}"`);
      if (!known) {
        found.set(def.name, def.schema);
        walk(def.schema);
      }
    }
    for (const x of Object.values(v)) walk(x);
  };
  walk(schema);
  return Object.fromEntries(found);
}

// ------------------------------------------------------------------ shared formats

const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
export const IPV4_PATTERN = `^(${OCTET}\\.){3}${OCTET}$`;
export const IPV4_PREFIX_PATTERN = `^(${OCTET}\\.){3}${OCTET}/([0-9]|[12][0-9]|3[0-2])$`;

export const Ipv4 = named('ipv4', Type.String({ pattern: IPV4_PATTERN }));
export const Ipv4Prefix = named('ipv4Prefix', Type.String({ pattern: IPV4_PREFIX_PATTERN }));

/** What error messages say a value with this pattern must be (instead of the pattern itself). */
export const PATTERN_HINTS: Readonly<Record<string, string>> = {
  [IPV4_PREFIX_PATTERN]: 'an IPv4 address with its prefix length, like 13.13.13.4/24',
  [IPV4_PATTERN]: 'an IPv4 address, like 13.13.13.13',
};

/** Free text about a node. */
export const Description = Type.Optional(Type.String());
