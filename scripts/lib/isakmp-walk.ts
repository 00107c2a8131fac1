/**
 * A minimal ISAKMP payload walker (RFC 2408 section 3.2: next payload, reserved, length),
 * written apart from src/codecs/isakmp so that the vector recorder does not read the
 * messages with the code it produces vectors for.
 */

export interface WalkedPayload {
  readonly type: number;
  /** The whole payload, generic header included. */
  readonly whole: Buffer;
  /** The payload body, after the 4-byte generic header. */
  readonly body: Buffer;
  /** Offset of the payload in the walked buffer. */
  readonly at: number;
}

/** The chain that starts with a payload of type `first` at `data[0]`; stops at next payload 0, ignores what follows (padding). */
export function walkPayloads(first: number, data: Buffer): WalkedPayload[] {
  const out: WalkedPayload[] = [];
  let type = first;
  let at = 0;
  while (type !== 0) {
    if (at + 4 > data.length) throw new Error(`payload ${type} at ${at}: no room for its header in ${data.length} bytes`);
    const length = data.readUInt16BE(at + 2);
    if (length < 4 || at + length > data.length) throw new Error(`payload ${type} at ${at}: length ${length} does not fit in ${data.length} bytes`);
    out.push({ type, whole: data.subarray(at, at + length), body: data.subarray(at + 4, at + length), at });
    type = data[at]!;
    at += length;
  }
  return out;
}

/** The end of a chain (where padding starts). */
export function chainEnd(first: number, data: Buffer): number {
  const p = walkPayloads(first, data);
  const last = p[p.length - 1];
  return last ? last.at + last.whole.length : 0;
}

/** An ISAKMP message without the 4-byte non-ESP marker of UDP 4500. */
export function withoutMarker(udpPayload: Buffer, port: number): Buffer {
  return port === 4500 && udpPayload.length >= 4 && udpPayload.readUInt32BE(0) === 0 ? udpPayload.subarray(4) : udpPayload;
}
