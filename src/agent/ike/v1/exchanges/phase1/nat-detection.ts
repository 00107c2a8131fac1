/**
 * NAT detection in phase 1 (RFC 3947), a step Main and Aggressive Mode both
 * take once both sides announced RFC 3947: the NAT-D payloads travel with
 * the KE payloads (Main Mode messages 3 and 4, Aggressive Mode 2 and 3). The
 * first NAT-D hashes the destination of the packet as the sender addressed
 * it, the next ones the sender's own address. A receiver whose own
 * address/port hash differs from the first is behind a NAT; when none of the
 * others matches the packet's source, the peer is. Either way the initiator
 * moves IKE to UDP 4500 (Main Mode message 5, Aggressive Mode message 3), the
 * responder follows, and ESP is UDP-encapsulated. What was found is kept on
 * the ISAKMP SA (it outlives the exchange).
 */
import type { Buffer } from 'node:buffer';
import { PayloadType } from '../../../../../codecs/isakmp/constants.js';
import { ipv4ToBuffer } from '../../../../../codecs/isakmp/id.js';
import type { NatDPayload, Payload } from '../../../../../codecs/isakmp/types.js';
import type { HashAlgorithm } from '../../../../crypto/algorithms.js';
import { equalBytes } from '../../../../crypto/prf.js';
import type { Endpoint } from '../../../types.js';
import { natDetectionHash } from '../../crypto/natd.js';
import { NAT_T_PORT } from '../../nat-t.js';
import type { IsakmpSa } from '../../sa/isakmp-sa.js';
import type { IkeContext } from '../context.js';

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

/** NAT-D payloads to send with the key exchange, when both sides do NAT-T. */
export function natDToSend(sa: IsakmpSa): Payload[] {
  if (!sa.nat.negotiated || !sa.suite) return [];
  return natDPayloads(sa.suite.hash, sa.ckyI, sa.ckyR, sa.local, sa.remote);
}

/** Reads the peer's NAT-D payloads and logs what they say. */
export function processNatD(ctx: IkeContext, sa: IsakmpSa, payloads: readonly Payload[], from: Endpoint, to: Endpoint): void {
  if (!sa.nat.negotiated || !sa.suite) return;
  const found = checkNatD(sa.suite.hash, sa.ckyI, sa.ckyR, payloads, from, to);
  if (!found) return;
  ctx.out.sa(sa.connId, 'processing NAT-D payload');
  sa.nat.localBehindNat = found.localBehindNat;
  sa.nat.peerBehindNat = found.peerBehindNat;
  if (found.localBehindNat && found.peerBehindNat) ctx.out.sa(sa.connId, 'NAT found, both nodes inside NAT');
  else if (found.localBehindNat) ctx.out.sa(sa.connId, 'My hash no match - this node inside NAT');
  else if (found.peerBehindNat) ctx.out.sa(sa.connId, 'His hash no match - this node outside NAT');
  else ctx.out.sa(sa.connId, 'No NAT Found for self or peer');
}

/** Whether IKE must move to UDP 4500 now. */
export function natDetected(sa: IsakmpSa): boolean {
  return sa.nat.negotiated && (sa.nat.localBehindNat || sa.nat.peerBehindNat);
}

/** Initiator: moves to UDP 4500 (both ends) before the first encrypted message. */
export function floatPorts(ctx: IkeContext, sa: IsakmpSa): void {
  if (sa.nat.floated) return;
  sa.nat.floated = true;
  sa.local = { ip: sa.local.ip, port: NAT_T_PORT };
  sa.remote = { ip: sa.remote.ip, port: NAT_T_PORT };
  ctx.out.isakmp(`ISAKMP: local port ${NAT_T_PORT}, remote port ${NAT_T_PORT}`);
}

/** Responder: follows the initiator to the endpoint its message came from (port 4500, NAT mapping). */
export function followPeer(ctx: IkeContext, sa: IsakmpSa, from: Endpoint, to: Endpoint): void {
  if (to.port !== NAT_T_PORT) return;
  if (!sa.nat.floated) {
    sa.nat.floated = true;
    ctx.out.isakmp(`ISAKMP: local port ${to.port}, remote port ${from.port}`);
  }
  sa.local = { ip: sa.local.ip, port: to.port };
  sa.remote = { ip: from.ip, port: from.port };
}
