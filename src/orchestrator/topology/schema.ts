/**
 * The JSON Schema of a topology's own keys (name, description, nodes,
 * links), with TypeBox. A node's entry is the schema of its kind: `kind`
 * picks one of the kinds' fragments (src/kinds/<kind>/kind.ts) with if/then,
 * so an error names the property of that kind that is wrong. The lab file's
 * full schema (with tests:) is put together in src/orchestrator/labfile.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import type { KindRegistry } from '../../kinds/registry.js';
import { mapOf, named, oneOf } from '../../kinds/schema.js';
import { LAB_NAME_PATTERN } from '../lab/naming.js';
import { Impair, type RawImpairSetting } from '../impair/schema.js';

export const NODE_NAME_PATTERN = '^[a-z][a-z0-9-]{0,23}$';
/** An engine's name in `placement:` (a Swarm node's testbed.name label or hostname). */
export const ENGINE_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]*$';
export const ENDPOINT_PATTERN = '^[a-z][a-z0-9-]*:[A-Za-z][A-Za-z0-9/.:-]*$';

const Endpoint = named('endpoint', Type.String({ description: 'node:Interface, for example daphne:FastEthernet0/0 or d1:eth0.', pattern: ENDPOINT_PATTERN }));
const Endpoints = Type.Array(Endpoint, { minItems: 2, uniqueItems: true });

export const Link = named(
  'link',
  oneOf([
    Endpoints,
    Type.Object(
      {
        endpoints: Endpoints,
        mtu: Type.Optional(Type.Integer({ description: 'MTU of the segment (default 1500).', minimum: 576, maximum: 9000 })),
        impair: Type.Optional(Impair),
      },
      { additionalProperties: false },
    ),
  ]),
);
export type RawLink = string[] | { endpoints: string[]; mtu?: number; impair?: RawImpairSetting | RawImpairSetting[] };

/** A node's entry before its kind has read it: the kind's schema has checked it. */
export type RawNode = { kind: string } & Record<string, unknown>;

/** The `node` definition: the kind's name picks the kind's schema. */
export function nodeSchema(kinds: KindRegistry): TSchema & { static: RawNode } {
  return named(
    'node',
    Type.Unsafe<RawNode>({
      type: 'object',
      required: ['kind'],
      properties: { kind: { description: kinds.list.map((k) => k.summary).join(' '), enum: kinds.names } },
      allOf: kinds.list.map((k) => ({ if: { properties: { kind: { const: k.name } } }, then: named(k.name, k.schema) })),
    }),
  );
}

/** The topology's keys, for the lab file's schema. */
export function topologyProperties(kinds: KindRegistry) {
  return {
    name: Type.String({
      description: 'Lab name. Containers and networks are named tb-<name>-...; override with `testbed up --name`.',
      pattern: LAB_NAME_PATTERN.source,
    }),
    description: Type.Optional(Type.String()),
    nodes: mapOf(NODE_NAME_PATTERN, nodeSchema(kinds), { description: "The lab's nodes, by name.", minProperties: 1 }),
    links: Type.Optional(
      mapOf(LAB_NAME_PATTERN.source, Link, {
        description:
          'Shared Ethernet segments, by name. Each joins two or more node interfaces written node:Interface (FastEthernet0/0 or Fa0/0 for routers, eth0 for hosts).',
      }),
    ),
    placement: Type.Optional(
      mapOf(NODE_NAME_PATTERN, Type.String({ description: 'The engine (Swarm node name) this node runs on.', pattern: ENGINE_NAME_PATTERN }), {
        description:
          'Where nodes run when the lab is brought up on a Docker Swarm (TESTBED_SWARM): node -> engine name. Nodes not named here are placed automatically; `testbed up --place node=engine` overrides. Ignored on a single engine.',
      }),
    ),
  };
}

/** A topology's keys as the schema has checked them. */
export interface RawTopology {
  name: string;
  description?: string;
  nodes: Record<string, RawNode>;
  links?: Record<string, RawLink>;
  placement?: Record<string, string>;
}
