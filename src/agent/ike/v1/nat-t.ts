/**
 * NAT traversal (RFC 3947, RFC 3948): the vendor ID, the NAT-D payloads and
 * what they reveal, and the framing of IKE on port 4500.
 *
 * Both sides announce RFC 3947 in their first message; the NAT-D payloads
 * then travel with the KE payloads (Main Mode messages 3 and 4, Aggressive
 * Mode 2 and 3). The first NAT-D hashes the destination of the packet as the
 * sender addressed it, the next ones the sender's own address. A receiver
 * whose own address/port hash differs from the first is behind a NAT; when
 * none of the others matches the packet's source, the peer is. Either way
 * the initiator moves IKE to UDP 4500 (Main Mode message 5, Aggressive Mode
 * message 3) and ESP is UDP-encapsulated.
 */
import { Buffer } from 'node:buffer';
import { PayloadType } from '../../../codecs/isakmp/constants.js';
import { ipv4ToBuffer } from '../../../codecs/isakmp/id.js';
import type { NatDPayload, Payload } from '../../../codecs/isakmp/types.js';
import type { HashAlgorithm } from '../../crypto/algorithms.js';
import { natDetectionHash, NAT_T_RFC3947_VENDOR_ID } from './crypto/natd.js';
import { equalBytes } from '../../crypto/prf.js';
import type { Endpoint } from '../types.js';

export { NAT_T_RFC3947_VENDOR_ID };
export const IKE_PORT = 500;
export const NAT_T_PORT = 4500;
const MARKER = Buffer.alloc(4);

/** The two NAT-D payloads a sender puts in: the destination first, then its own address. */
export function natDPayloads(hash: HashAlgorithm, ckyI: Buffer, ckyR: Buffer, local: Endpoint, remote: Endpoint): NatDPayload[] {
  const h = (e: Endpoint) => natDetectionHash(hash, ckyI, ckyR, ipv4ToBuffer(e.ip), e.port);
  return [
    { type: PayloadType.NAT_D, hash: h(remote) },
    { type: PayloadType.NAT_D, hash: h(local) },
  ];
}

export interface NatFinding {
  /** This side's address/port is rewritten on the way (the peer saw something else). */
  readonly localBehindNat: boolean;
  /** The peer's address/port is rewritten on the way. */
  readonly peerBehindNat: boolean;
}

/**
 * Reads the NAT-D payloads of a received message (RFC 3947 and draft
 * numbering); null when there are none. `from`/`to` are the packet's source
 * and destination as received.
 */
export function checkNatD(hash: HashAlgorithm, ckyI: Buffer, ckyR: Buffer, payloads: readonly Payload[], from: Endpoint, to: Endpoint): NatFinding | null {
  const natd = payloads.filter((p): p is NatDPayload => p.type === PayloadType.NAT_D || p.type === PayloadType.NAT_D_DRAFT);
  if (natd.length < 2) return null;
  const h = (e: Endpoint) => natDetectionHash(hash, ckyI, ckyR, ipv4ToBuffer(e.ip), e.port);
  const mine = h(to);
  const his = h(from);
  return {
    localBehindNat: !equalBytes(natd[0]!.hash, mine),
    peerBehindNat: !natd.slice(1).some((p) => equalBytes(p.hash, his)),
  };
}

/** A message as it goes in a UDP datagram: with the non-ESP marker on port 4500. */
export function frameIke(message: Buffer, port: number): Buffer {
  return port === NAT_T_PORT ? Buffer.concat([MARKER, message]) : message;
}

/**
 * The ISAKMP message in a received UDP payload: port 4500 payloads must start
 * with the non-ESP marker. Returns null for a NAT keepalive (one 0xFF byte)
 * or an ESP packet that reached the IKE engine by mistake.
 */
export function unframeIke(payload: Buffer, port: number): Buffer | null {
  if (port !== NAT_T_PORT) return payload;
  if (payload.length === 1 && payload[0] === 0xff) return null;
  if (payload.length >= 4 && payload.readUInt32BE(0) === 0) return payload.subarray(4);
  return null;
}
