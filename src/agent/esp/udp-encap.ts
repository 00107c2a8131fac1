/**
 * RFC 3948: ESP and IKE sharing UDP port 4500.
 *   - a payload of exactly one 0xFF octet is a NAT keepalive (section 2.3);
 *   - a payload starting with the 4-byte non-ESP marker (zeros) is IKE (section 2.2);
 *   - anything else is ESP (its SPI is never zero).
 */
export const IKE_PORT = 500;
export const NAT_T_PORT = 4500;
export const NON_ESP_MARKER_SIZE = 4;

export type Udp4500Payload =
  | { readonly kind: 'keepalive' }
  /** `message` is the ISAKMP message after the marker. */
  | { readonly kind: 'ike'; readonly message: Buffer }
  | { readonly kind: 'esp'; readonly packet: Buffer }
  | { readonly kind: 'invalid'; readonly reason: string };

/** Classify a UDP/4500 payload; the returned buffers are views of the input. */
export function classifyUdp4500(payload: Buffer): Udp4500Payload {
  if (payload.length === 1 && payload[0] === 0xff) return { kind: 'keepalive' };
  if (payload.length >= NON_ESP_MARKER_SIZE && payload.readUInt32BE(0) === 0) {
    return { kind: 'ike', message: payload.subarray(NON_ESP_MARKER_SIZE) };
  }
  if (payload.length >= 8) return { kind: 'esp', packet: payload };
  return { kind: 'invalid', reason: `${payload.length}-byte UDP/4500 payload is neither keepalive, IKE nor ESP` };
}

/** Prefix an ISAKMP message with the non-ESP marker for sending on port 4500. */
export function frameIkeForNatT(message: Buffer): Buffer {
  const out = Buffer.allocUnsafe(NON_ESP_MARKER_SIZE + message.length);
  out.writeUInt32BE(0, 0);
  message.copy(out, NON_ESP_MARKER_SIZE);
  return out;
}

/** A NAT-keepalive payload (a fresh buffer each call). */
export function natKeepalive(): Buffer {
  return Buffer.from([0xff]);
}
