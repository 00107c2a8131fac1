/**
 * ISAKMP (RFC 2408) codec: header, payload chain, attributes, constants and
 * typed errors. Pure: no I/O, no clock, no randomness.
 */
export * from './constants.js';
export * from './names.js';
export * from './errors.js';
export * from './types.js';
export * from './header.js';
export * from './attributes.js';
export {
  PAYLOAD_TABLE,
  stringifyPayloadType,
  isKnownPayloadType,
  decodePayloadChain,
  decodePayloads,
  encodePayloadBody,
  payloadBody,
  encodePayloads,
  findPayload,
  filterPayloads,
  isPayload,
} from './chain.js';
export type { PayloadChain } from './chain.js';
export * from './id.js';
export * from './name-id.js';
export * from './message.js';
