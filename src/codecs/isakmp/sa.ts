/**
 * RFC 2408 3.4-3.6: the SA payload body and the Proposal and Transform
 * payloads nested in it.
 *
 *   SA body:        DOI (4) | Situation (4) | Proposal...
 *   Proposal:       NextP (0|2) | RESERVED | Length (2) | Proposal # | Protocol-Id
 *                   | SPI Size | # of Transforms | SPI | Transform...
 *   Transform:      NextP (0|3) | RESERVED | Length (2) | Transform # | Transform-Id
 *                   | RESERVED2 (2) | SA Attributes...
 *
 * Structural mistakes (a wrong next-payload value, a transform count that
 * does not match) are BAD-PROPOSAL-SYNTAX; lengths that do not fit are
 * PAYLOAD-MALFORMED. Only SIT_IDENTITY_ONLY situations are expected: the
 * labeled-domain fields that SIT_SECRECY/SIT_INTEGRITY add (RFC 2407 4.6.1)
 * are not decoded and make the proposals fail to parse.
 */
import { Buffer } from 'node:buffer';
import { NotifyType, PayloadType } from './constants.js';
import { PayloadMalformedError } from './errors.js';
import { decodeAttributes, encodeAttributes } from './attributes.js';
import type { Reader } from './reader.js';
import type { Proposal, SaPayload, Transform } from './types.js';

const PROPOSAL_MIN = 8;
const TRANSFORM_MIN = 8;

export function decodeSa(r: Reader): Omit<SaPayload, 'raw'> {
  const doi = r.u32('DOI');
  const situation = r.u32('situation');
  const proposals: Proposal[] = [];
  while (r.remaining > 0) {
    const { next, body, label } = nestedHeader(r, `proposal ${proposals.length + 1}`, PROPOSAL_MIN);
    proposals.push(decodeProposal(body));
    checkNext(r, next, PayloadType.PROPOSAL, label);
  }
  return { type: PayloadType.SA, doi, situation, proposals };
}

/** Reads a nested generic header and returns a reader over the rest of that payload. */
function nestedHeader(r: Reader, name: string, min: number): { next: number; body: Reader; label: string } {
  const at = r.offset;
  const label = `${name} at offset ${at}`;
  const next = r.u8(`${label}: next payload`);
  r.u8(`${label}: reserved`);
  const length = r.u16(`${label}: length`);
  if (length < min) r.fail(`${label}: length ${length} is below the ${min}-byte minimum`, NotifyType.PAYLOAD_MALFORMED, at);
  if (length - 4 > r.remaining) {
    r.fail(`${label}: length ${length} runs past the end (${r.remaining + 4} bytes left)`, NotifyType.PAYLOAD_MALFORMED, at);
  }
  return { next, body: r.child(length - 4, `${label}: body`, `${r.where}: ${label}`), label };
}

/** After a nested payload: 0 must end the list, `more` must be followed by another one. */
function checkNext(r: Reader, next: number, more: number, label: string): void {
  if (next === PayloadType.NONE) {
    if (r.remaining > 0) r.fail(`${label} is marked last but ${r.remaining} bytes follow`, NotifyType.BAD_PROPOSAL_SYNTAX);
  } else if (next !== more) {
    r.fail(`${label} has next payload ${next}, expected ${more} or 0`, NotifyType.BAD_PROPOSAL_SYNTAX);
  } else if (r.remaining === 0) {
    r.fail(`${label} announces another one but nothing follows`, NotifyType.BAD_PROPOSAL_SYNTAX);
  }
}

function decodeProposal(r: Reader): Proposal {
  const number = r.u8('proposal number');
  const protocol = r.u8('protocol ID');
  const spiSize = r.u8('SPI size');
  const count = r.u8('number of transforms');
  const spi = r.bytes(spiSize, `SPI of size ${spiSize}`);
  const transforms: Transform[] = [];
  while (r.remaining > 0) {
    const { next, body, label } = nestedHeader(r, `transform ${transforms.length + 1}`, TRANSFORM_MIN);
    const tnumber = body.u8('transform number');
    const id = body.u8('transform ID');
    body.u16('reserved');
    transforms.push({ number: tnumber, id, attributes: decodeAttributes(body) });
    checkNext(r, next, PayloadType.TRANSFORM, label);
  }
  if (transforms.length !== count) {
    r.fail(`proposal ${number} announces ${count} transforms but holds ${transforms.length}`, NotifyType.BAD_PROPOSAL_SYNTAX);
  }
  return { number, protocol, spi, transforms };
}

function byte(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) throw new PayloadMalformedError(`SA: ${what} ${value} does not fit one byte`);
  return value;
}

function nested(next: number, body: Buffer, what: string): Buffer {
  if (body.length + 4 > 0xffff) throw new PayloadMalformedError(`SA: ${what} of ${body.length + 4} bytes exceeds 65535`);
  const head = Buffer.alloc(4);
  head[0] = next;
  head.writeUInt16BE(body.length + 4, 2);
  return Buffer.concat([head, body]);
}

function encodeTransform(t: Transform, last: boolean): Buffer {
  const fixed = Buffer.from([byte(t.number, 'transform number'), byte(t.id, 'transform ID'), 0, 0]);
  const body = Buffer.concat([fixed, encodeAttributes(t.attributes)]);
  return nested(last ? PayloadType.NONE : PayloadType.TRANSFORM, body, `transform ${t.number}`);
}

function encodeProposal(p: Proposal, last: boolean): Buffer {
  const fixed = Buffer.from([
    byte(p.number, 'proposal number'),
    byte(p.protocol, 'protocol ID'),
    byte(p.spi.length, 'SPI size'),
    byte(p.transforms.length, 'number of transforms'),
  ]);
  const transforms = p.transforms.map((t, i) => encodeTransform(t, i === p.transforms.length - 1));
  const body = Buffer.concat([fixed, p.spi, ...transforms]);
  return nested(last ? PayloadType.NONE : PayloadType.PROPOSAL, body, `proposal ${p.number}`);
}

export function encodeSa(sa: SaPayload): Buffer {
  for (const [value, what] of [
    [sa.doi, 'DOI'],
    [sa.situation, 'situation'],
  ] as const) {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new PayloadMalformedError(`SA: ${what} ${value} does not fit 32 bits`);
  }
  const head = Buffer.alloc(8);
  head.writeUInt32BE(sa.doi, 0);
  head.writeUInt32BE(sa.situation, 4);
  const proposals = sa.proposals.map((p, i) => encodeProposal(p, i === sa.proposals.length - 1));
  return Buffer.concat([head, ...proposals]);
}
