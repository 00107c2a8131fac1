/**
 * The JSON Schema of impairment, with TypeBox: the knobs (shared by a
 * link's `impair:` in the topology and the `impair` test step) and a link's
 * settings. Ranges the patterns cannot say (a rate of at least 8kbit) are
 * checked by spec.ts when the file is read.
 */
import { Type } from '@sinclair/typebox';
import { named, oneOf } from '../../kinds/schema.js';

const Percent = named(
  'impairPercent',
  oneOf([Type.Number({ minimum: 0, maximum: 100 }), Type.String({ pattern: '^\\s*[0-9]+(\\.[0-9]+)?\\s*%?\\s*$' })], {
    description: 'A percentage: "30%", or a number (percent).',
  }),
);
const Time = named(
  'impairTime',
  oneOf([Type.Number({ minimum: 0, maximum: 60000 }), Type.String({ pattern: '^\\s*[0-9]+(\\.[0-9]+)?\\s*(us|ms|s)?\\s*$' })], {
    description: 'A time: "50ms", "1.5s", "200us", or a number (milliseconds).',
  }),
);
const Rate = named(
  'impairRate',
  oneOf([Type.Number({ minimum: 8000 }), Type.String({ pattern: '^\\s*[0-9]+(\\.[0-9]+)?\\s*([kKmMgG]?bit)?\\s*$' })], {
    description: 'A rate: "1mbit", "512kbit", "1gbit", or a number (bit/s).',
  }),
);

/** The knobs, as properties of an object. */
export const knobProperties = {
  loss: Type.Optional({ ...Percent, description: 'Random loss: this share of packets is dropped.' }),
  duplicate: Type.Optional({ ...Percent, description: 'This share of packets is sent twice.' }),
  reorder: Type.Optional({ ...Percent, description: 'This share of packets is held back behind the next one.' }),
  delay: Type.Optional({ ...Time, description: 'Added one-way delay.' }),
  jitter: Type.Optional({ ...Time, description: "Each packet's delay varies by up to this much either way (uniform; order is kept)." }),
  rate: Type.Optional({ ...Rate, description: 'Rate limit (token bucket).' }),
};

export const Direction = named(
  'impairDirection',
  Type.Unsafe<'in' | 'out' | 'both'>({
    type: 'string',
    enum: ['in', 'out', 'both'],
    description: 'in: what the endpoint receives; out: what it sends; both (default).',
  }),
);

const Setting = named(
  'impairSetting',
  Type.Object(
    {
      endpoint: Type.Optional(
        Type.String({ description: "Only this node's endpoint of the link (default: the whole link, each packet once).", pattern: '^[a-z][a-z0-9-]{0,23}$' }),
      ),
      direction: Type.Optional(Direction),
      ...knobProperties,
    },
    { additionalProperties: false, minProperties: 1 },
  ),
);

/** A link's `impair:`: one setting or a list of them. */
export const Impair = named(
  'impair',
  oneOf([Setting, Type.Array(Setting, { minItems: 1 })], {
    description:
      'Impairment of this link while the lab runs: loss, duplicate, reorder, delay, jitter, rate; for the whole link, or with endpoint (and direction) for one node. See docs/topology.md.',
  }),
);

export interface RawImpairSetting {
  endpoint?: string;
  direction?: 'in' | 'out' | 'both';
  [knob: string]: unknown;
}
