/**
 * The JSON Schema of a lab file's `tests:` section, with TypeBox: the shape
 * of every step (docs/testing.md). What the shape cannot say (nodes and
 * links exist, fields of show tables, regular expressions) parse.ts checks.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { named, oneOf } from '../../kinds/schema.js';
import { NODE_NAME_PATTERN } from '../topology/schema.js';
import { SHOW_TABLE_NAMES } from '../show/index.js';
import { Direction, knobProperties } from '../impair/schema.js';

const NodeName = named('nodeName', Type.String({ pattern: NODE_NAME_PATTERN }));
const Nodes = oneOf([NodeName, Type.Array(NodeName, { minItems: 1 })], { description: 'A node name or a list of them.' });

const Duration = named(
  'duration',
  oneOf([Type.Number({ minimum: 0 }), Type.String({ pattern: '^\\s*[0-9]+(\\.[0-9]+)?\\s*(ms|s|m)?\\s*$' })], {
    description: 'Seconds, or a string like "500ms", "30s", "2m".',
  }),
);

const Wait = named(
  'wait',
  oneOf([Duration, Type.Object({ timeout: Duration, interval: Type.Optional(Duration) }, { additionalProperties: false })], {
    description: 'Retry the check until it passes or this much time has passed (only what failed is run again).',
  }),
);

const Condition = named(
  'condition',
  Type.Unsafe<unknown>({
    description: 'A value (equality) or a comparison: ">= 9", "!= 0", "< 3", "~ REGEX", "!~ REGEX".',
    type: ['string', 'number', 'boolean', 'null', 'array'],
  }),
);

const StringOrList = named('stringOrList', oneOf([Type.String(), Type.Array(Type.String(), { minItems: 1 })]));

const LineCount = named('lineCount', Type.Object({ match: Type.String(), count: Condition }, { additionalProperties: false }));

const ExecExpect = named(
  'execExpect',
  Type.Object(
    {
      exit: Type.Optional({ ...Condition, description: 'Exit code (default 0); routers exit 1 when IOS refuses a line.' }),
      match: Type.Optional({ ...StringOrList, description: 'Regular expressions that must each match the output (^ and $ match at line ends).' }),
      no_match: Type.Optional({ ...StringOrList, description: 'Regular expressions none of which may match.' }),
      lines: Type.Optional(oneOf([LineCount, Type.Array(LineCount, { minItems: 1 })], { description: 'Count the lines that match a regular expression.' })),
    },
    { description: "Expectations on a command's output.", additionalProperties: false },
  ),
);

const RecordQuery = named(
  'recordQuery',
  Type.Unsafe<Record<string, unknown>>({
    description: "Field name to value or condition; see docs/testing.md for each table's fields.",
    type: 'object',
    minProperties: 1,
    additionalProperties: Condition,
  }),
);
const RecordQueries = named('recordQueries', oneOf([RecordQuery, Type.Array(RecordQuery, { minItems: 1 })]));

const ShowExpect = named(
  'showExpect',
  Type.Object(
    {
      count: Type.Optional({ ...Condition, description: 'Number of records.' }),
      has: Type.Optional({ ...RecordQueries, description: 'At least one record has these fields (each query separately).' }),
      all: Type.Optional({ ...RecordQueries, description: 'Every record has these fields.' }),
      none: Type.Optional({ ...RecordQueries, description: 'No record has these fields.' }),
    },
    { additionalProperties: false },
  ),
);

const byteOr = (names: string[]) => oneOf([Type.Unsafe<string>({ type: 'string', enum: names }), Type.Integer({ minimum: 0, maximum: 255 })]);

const PacketFilter = named(
  'packetFilter',
  oneOf(
    [
      Type.Unsafe<string>({
        type: 'string',
        enum: ['esp', 'icmp', 'isakmp', 'ted_probe', 'ted_reply', 'main_mode', 'aggressive_mode', 'quick_mode', 'informational'],
      }),
      Type.Object(
        {
          protocol: Type.Optional(byteOr(['icmp', 'tcp', 'udp', 'esp', 'ah'])),
          src: Type.Optional(Type.String()),
          dst: Type.Optional(Type.String()),
          between: Type.Optional(Type.Array(Type.String(), { minItems: 2, maxItems: 2 })),
          port: Type.Optional(Type.Integer()),
          sport: Type.Optional(Type.Integer()),
          dport: Type.Optional(Type.Integer()),
          isakmp: Type.Optional(byteOr(['main', 'aggressive', 'quick', 'informational', 'ted', 'ted_probe', 'ted_reply', 'any'])),
          spi: Type.Optional(Type.Integer({ minimum: 0 })),
          icmp: Type.Optional(byteOr(['echo-request', 'echo-reply', 'unreachable', 'redirect', 'time-exceeded'])),
          ttl: Type.Optional(Condition),
        },
        { additionalProperties: false, minProperties: 1 },
      ),
    ],
    {
      description:
        'A named filter (esp, icmp, isakmp, ted_probe, ted_reply, main_mode, aggressive_mode, quick_mode, informational) or fields that must all match.',
    },
  ),
);
const PacketFilters = named('packetFilters', oneOf([PacketFilter, Type.Array(PacketFilter, { minItems: 1 })]));
const PacketCount = named('packetCount', Type.Object({ match: PacketFilter, count: Condition }, { additionalProperties: false }));

const CaptureExpect = named(
  'captureExpect',
  Type.Object(
    {
      present: Type.Optional({ ...PacketFilters, description: 'At least one packet matches (each filter).' }),
      absent: Type.Optional({ ...PacketFilters, description: 'No packet matches (each filter).' }),
      packets: Type.Optional(oneOf([PacketCount, Type.Array(PacketCount, { minItems: 1 })], { description: 'The number of matching packets.' })),
      order: Type.Optional(Type.Array(PacketFilter, { description: 'The first packet matching each filter appears in this order.', minItems: 2 })),
      no_clear_text: Type.Optional(
        Type.Array(Type.String(), { description: 'No packet other than IKE and ESP between the two prefixes.', minItems: 2, maxItems: 2 }),
      ),
    },
    { additionalProperties: false },
  ),
);

/** What every step has. */
const stepBase = {
  name: Type.String({ description: 'Unique name of the step (reports, --only).', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' }),
  description: Type.Optional(Type.String({ description: 'What the step proves; the report prints it.' })),
  stop_on_error: Type.Optional(Type.Boolean({ description: 'When this step fails, skip the rest of the suite.' })),
};

const step = (props: Record<string, TSchema>) => Type.Object({ ...stepBase, ...props }, { additionalProperties: false });

/** One schema per kind of step, by the key that makes a step that kind. */
const STEPS: [string, TSchema][] = [
  [
    'exec',
    step({
      exec: { ...StringOrList, description: 'The command: IOS lines on routers (one console session), a shell command line on hosts.' },
      nodes: Nodes,
      wait: Type.Optional(Wait),
      timeout: Type.Optional(Duration),
      expect: Type.Optional(ExecExpect),
    }),
  ],
  [
    'show',
    step({
      show: Type.Unsafe<string>({
        description:
          'A typed IOS show command: isakmp_sa (show crypto isakmp sa), ipsec_sa (show crypto ipsec sa), crypto_map (show crypto map), engine_connections (show crypto engine connections active).',
        enum: SHOW_TABLE_NAMES,
      }),
      nodes: Nodes,
      wait: Type.Optional(Wait),
      timeout: Type.Optional(Duration),
      expect: Type.Optional(ShowExpect),
      relate: Type.Optional({
        ...StringOrList,
        description: 'Relations between nodes\' records, like "daphne.outbound_spi == fred.inbound_spi" or "hq.outbound_spi in branch.inbound_spis".',
      }),
    }),
  ],
  [
    'capture',
    step({
      capture: Type.String({ description: 'The link whose pcap is checked.' }),
      since: Type.Optional(Type.String({ description: 'Only packets after this earlier step (default: since the run started).' })),
      wait: Type.Optional(Wait),
      expect: CaptureExpect,
    }),
  ],
  [
    'configure',
    step({
      configure: { ...NodeName, description: 'The router to configure.' },
      lines: { ...StringOrList, description: 'IOS configuration lines (without configure terminal and end).' },
    }),
  ],
  ['restart', step({ restart: Nodes, timeout: Type.Optional(Duration) })],
  ['cut', step({ cut: Type.String({ description: 'The link to cut (docker network disconnect).' }), nodes: Type.Optional(Nodes) })],
  [
    'restore',
    step({ restore: Type.String({ description: 'The link to restore, with the same addresses (its impairment is cleared).' }), nodes: Type.Optional(Nodes) }),
  ],
  [
    'impair',
    step({
      impair: Type.String({ description: 'The link to impair (loss, duplicate, reorder, delay, jitter, rate), or with clear: true, to stop impairing.' }),
      endpoint: Type.Optional({ ...NodeName, description: "Only this node's endpoint (default: the whole link)." }),
      direction: Type.Optional(Direction),
      clear: Type.Optional(Type.Boolean({ description: 'Remove the impairment of the link (or of the endpoint).' })),
      ...knobProperties,
    }),
  ],
  [
    'traffic',
    step({
      traffic: Type.Unsafe<string>({ enum: ['start', 'stop'] }),
      from: Type.Optional(NodeName),
      to: Type.Optional(Type.String({ description: 'A node name or an IPv4 address.' })),
      kind: Type.Optional(Type.Unsafe<string>({ enum: ['ping', 'udp', 'tcp'] })),
      rate: Type.Optional(Type.Number({ description: 'Packets per second (ping) or bits per second (udp, tcp).', exclusiveMinimum: 0 })),
      flow: Type.Optional({ ...StringOrList, description: 'traffic: stop: the flows (names of the start steps) to stop; default all.' }),
      expect: Type.Optional(ExecExpect),
    }),
  ],
];

/** One step: its key (exec, show ...) picks the step's schema. */
export const Step = named(
  'step',
  Type.Unsafe<Record<string, unknown>>({
    description: 'One check (exec, show, capture) or action (configure, restart, cut, restore, impair, traffic).',
    type: 'object',
    required: ['name'],
    properties: stepBase,
    allOf: STEPS.map(([key, schema]) => ({ if: { required: [key] }, then: named(`${key}Step`, schema) })),
  }),
);

/** The `tests:` key of a lab file. */
export const Tests = Type.Array(Step, { description: 'Checks and actions that `testbed test` runs in order (reference: docs/testing.md).' });
