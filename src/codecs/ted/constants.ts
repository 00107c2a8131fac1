/**
 * Numbers of this project's TED layout (docs/ted.md). Cisco never published
 * the TED wire format; these values are ours, chosen to match what the seed's
 * IOS debug output shows and to stay in ISAKMP's private-use ranges.
 */

/** Exchange type of TED probes and replies: the first private-use value (RFC 2408 3.1: 240-255). */
export const TED_EXCHANGE_TYPE = 240;
/** Payload type of the TED payload: private use, as in the seed ("ID payload next-payload : 239"). */
export const TED_PAYLOAD_TYPE = 239;
/** Body length of the TED payload: version, kind, 2 reserved bytes, target host. */
export const TED_PAYLOAD_BODY_LENGTH = 8;
/** The TED version this side speaks; IOS logs "peer can handle TED V3". */
export const TED_VERSION = 3;
/**
 * How IOS numbers the TED payload of a reply in "ISAKMP:received payload type 16".
 * 16 never goes on the wire (it is GDOI's SA TEK payload, RFC 6407); the agent
 * prints it when it processes the TED payload (239) of a reply.
 */
export const TED_IOS_LOG_PAYLOAD_TYPE = 16;

/** The kind byte of the TED payload. */
export const TedKind = {
  /** Probe: initiator -> destination host, intercepted by the responder. */
  PROBE: 1,
  /** Reply: responder's IKE address -> initiator's IKE address. */
  REPLY: 2,
} as const;
export type TedKind = (typeof TedKind)[keyof typeof TedKind];
