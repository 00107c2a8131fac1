/**
 * IKE on UDP 4500 (RFC 3948 2.2): the ports, and the non-ESP marker that
 * tells IKE from ESP on port 4500. NAT detection itself (RFC 3947) is a
 * phase-1 step: exchanges/phase1/nat-detection.ts.
 */
import { Buffer } from 'node:buffer';

export const IKE_PORT = 500;
export const NAT_T_PORT = 4500;
const MARKER = Buffer.alloc(4);

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
