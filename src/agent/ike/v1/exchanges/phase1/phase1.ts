/**
 * Pieces shared by Main Mode and Aggressive Mode (RFC 2409 5): sending with
 * IOS's "sending packet" line and the retransmission timer, vendor IDs,
 * NAT-D, nonces and key exchange, key derivation, the identity payload and
 * HASH_I/HASH_R.
 */
import { Buffer } from 'node:buffer';
import { IdType, NotifyType, PayloadType, VendorIdHex } from '../../../../../codecs/isakmp/constants.js';
import { payloadBody } from '../../../../../codecs/isakmp/chain.js';
import { IsakmpError } from '../../../../../codecs/isakmp/errors.js';
import { ipv4IdPayload } from '../../../../../codecs/isakmp/id.js';
import type { IdPayload, Payload, VendorIdPayload } from '../../../../../codecs/isakmp/types.js';
import { derivePhase1Keys } from '../../crypto/keys.js';
import { hashI, hashR, type Phase1HashInput } from '../../crypto/hashes.js';
import { phase1Iv } from '../../crypto/iv.js';
import type { IkeContext } from '../context.js';
import { idPayloadLines } from '../../debug.js';
import { checkNatD, natDPayloads, NAT_T_PORT, NAT_T_RFC3947_VENDOR_ID } from '../../nat-t.js';
import { Retransmitter, type WireMessage } from '../../../retransmit.js';
import type { Endpoint } from '../../../types.js';
import type { DhGroup } from '../../../../crypto/dh.js';
import type { Phase1Sa } from '../../sa/isakmp-sa.js';

export const CISCO_UNITY_VID = Buffer.from(VendorIdHex.CISCO_UNITY, 'hex');
export const DPD_VID = Buffer.from(VendorIdHex.DPD, 'hex');
export const NONCE_SIZE = 20;

/**
 * Sends a phase-1 message: logs "sending packet to X (I) STATE", emits the
 * datagram, remembers it as the answer to `inReplyTo` (duplicates get it
 * again), and arms the retransmission timer when an answer is expected.
 */
export function sendPhase1(ctx: IkeContext, sa: Phase1Sa, message: Buffer, opts: { expectReply: boolean; inReplyTo?: Buffer }): WireMessage {
  const w = sa.wire(message);
  ctx.out.sa(sa.connId, `sending packet to ${sa.remote.ip} (${sa.roleChar}) ${sa.state}`);
  ctx.out.push({ kind: 'send', ...w, connId: sa.connId });
  if (opts.inReplyTo) sa.remember(opts.inReplyTo, [w]);
  sa.retransmit = opts.expectReply ? new Retransmitter(ctx.policy.timers.phase1, ctx.now, [w]) : null;
  return w;
}

/** Vendor IDs of the first message (and its answer): RFC 3947 NAT-T when enabled. */
export function firstVendorIds(ctx: IkeContext, answering: Phase1Sa | null): Payload[] {
  if (!ctx.policy.natTraversal) return [];
  if (answering && !answering.peerVendor.natT) return [];
  return [{ type: PayloadType.VENDOR_ID, data: NAT_T_RFC3947_VENDOR_ID }];
}

/** Vendor IDs that travel with the key exchange: Cisco Unity ("speaking to another IOS box!"), DPD when keepalives are on. */
export function keVendorIds(ctx: IkeContext): Payload[] {
  const out: Payload[] = [{ type: PayloadType.VENDOR_ID, data: CISCO_UNITY_VID }];
  if (ctx.policy.keepalive) out.push({ type: PayloadType.VENDOR_ID, data: DPD_VID });
  return out;
}

/** Logs and records the peer's vendor IDs. */
export function processVendorIds(ctx: IkeContext, sa: Phase1Sa, payloads: readonly Payload[]): void {
  for (const p of payloads) {
    if (p.type !== PayloadType.VENDOR_ID) continue;
    const v = p as VendorIdPayload;
    ctx.out.sa(sa.connId, 'processing vendor id payload');
    if (v.data.equals(CISCO_UNITY_VID)) {
      sa.peerVendor.unity = true;
      ctx.out.sa(sa.connId, 'speaking to another IOS box!');
    } else if (v.data.equals(DPD_VID)) {
      sa.peerVendor.dpd = true;
      ctx.out.sa(sa.connId, 'vendor ID is DPD');
    } else if (v.data.equals(NAT_T_RFC3947_VENDOR_ID)) {
      sa.peerVendor.natT = true;
      ctx.out.sa(sa.connId, 'vendor ID is NAT-T RFC 3947');
    } else {
      ctx.out.sa(sa.connId, 'vendor ID is unknown');
    }
  }
  sa.nat.negotiated = ctx.policy.natTraversal && sa.peerVendor.natT;
}

/** NAT-D payloads to send with the key exchange, when both sides do NAT-T. */
export function natDToSend(sa: Phase1Sa): Payload[] {
  if (!sa.nat.negotiated || !sa.suite) return [];
  return natDPayloads(sa.suite.hash, sa.ckyI, sa.ckyR, sa.local, sa.remote);
}

/** Reads the peer's NAT-D payloads and logs what they say. */
export function processNatD(ctx: IkeContext, sa: Phase1Sa, payloads: readonly Payload[], from: Endpoint, to: Endpoint): void {
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
export function natDetected(sa: Phase1Sa): boolean {
  return sa.nat.negotiated && (sa.nat.localBehindNat || sa.nat.peerBehindNat);
}

/** Initiator: moves to UDP 4500 (both ends) before the first encrypted message. */
export function floatPorts(ctx: IkeContext, sa: Phase1Sa): void {
  if (sa.nat.floated) return;
  sa.nat.floated = true;
  sa.local = { ip: sa.local.ip, port: NAT_T_PORT };
  sa.remote = { ip: sa.remote.ip, port: NAT_T_PORT };
  ctx.out.isakmp(`ISAKMP: local port ${NAT_T_PORT}, remote port ${NAT_T_PORT}`);
}

/** Responder: follows the initiator to the endpoint its message came from (port 4500, NAT mapping). */
export function followPeer(ctx: IkeContext, sa: Phase1Sa, from: Endpoint, to: Endpoint): void {
  if (to.port !== NAT_T_PORT) return;
  if (!sa.nat.floated) {
    sa.nat.floated = true;
    ctx.out.isakmp(`ISAKMP: local port ${to.port}, remote port ${from.port}`);
  }
  sa.local = { ip: sa.local.ip, port: to.port };
  sa.remote = { ip: from.ip, port: from.port };
}

/** Our identity: ID_IPV4_ADDR, protocol 17, port 500, our IKE address. */
export function localIdPayload(sa: Phase1Sa): IdPayload {
  return ipv4IdPayload({ idType: IdType.IPV4_ADDR, address: sa.local.ip, protocol: 17, port: 500 });
}

/** Logs the ID payload the way IOS does before sending it ("ISAKMP (2): ID payload ..."). */
export function logLocalId(ctx: IkeContext, sa: Phase1Sa, next: number): void {
  for (const line of idPayloadLines(sa.connId, next, IdType.IPV4_ADDR, 17, 500, 8)) ctx.out.isakmp(line);
}

/** Generates our DH pair and nonce; returns the KE and Nonce payloads. */
export function makeKeNonce(ctx: IkeContext, sa: Phase1Sa, group: DhGroup = sa.suite!.group): Payload[] {
  const dh = ctx.dh(group);
  sa.dh = dh;
  const nonce = ctx.bytes(NONCE_SIZE);
  if (sa.role === 'initiator') {
    sa.gxi = dh.publicValue;
    sa.niB = nonce;
  } else {
    sa.gxr = dh.publicValue;
    sa.nrB = nonce;
  }
  return [
    { type: PayloadType.KE, data: dh.publicValue },
    { type: PayloadType.NONCE, data: nonce },
  ];
}

/** Takes the peer's KE and Nonce (throws INVALID-KEY-INFORMATION / PAYLOAD-MALFORMED). */
export function takePeerKeNonce(ctx: IkeContext, sa: Phase1Sa, payloads: readonly Payload[], group: DhGroup = sa.suite!.group): void {
  const ke = payloads.find((p) => p.type === PayloadType.KE);
  const nonce = payloads.find((p) => p.type === PayloadType.NONCE);
  if (!ke || !nonce) throw new IsakmpError(NotifyType.PAYLOAD_MALFORMED, 'KE or Nonce payload missing');
  const keData = (ke as { data: Buffer }).data;
  const nonceB = payloadBody(nonce);
  if (nonceB.length < 8 || nonceB.length > 256) throw new IsakmpError(NotifyType.PAYLOAD_MALFORMED, `nonce of ${nonceB.length} bytes`);
  if (keData.length !== group.size) {
    throw new IsakmpError(NotifyType.INVALID_KEY_INFORMATION, `KE of ${keData.length} bytes, group ${group.id} needs ${group.size}`);
  }
  if (sa.role === 'initiator') {
    sa.gxr = keData;
    sa.nrB = nonceB;
  } else {
    sa.gxi = keData;
    sa.niB = nonceB;
  }
}

/** g^xy and SKEYID..., with IOS's engine lines. */
export function deriveKeys(ctx: IkeContext, sa: Phase1Sa): void {
  const suite = sa.suite!;
  const gxy = sa.dh!.computeShared(sa.role === 'initiator' ? sa.gxr : sa.gxi);
  ctx.out.engine(`CryptoEngine0: create ISAKMP SKEYID for conn id ${sa.connId}`);
  sa.setKeys(derivePhase1Keys({ hash: suite.hash, cipher: suite.cipher, psk: sa.psk!, niB: sa.niB, nrB: sa.nrB, gxy, ckyI: sa.ckyI, ckyR: sa.ckyR }));
  sa.iv = phase1Iv(suite.hash, suite.cipher, sa.gxi, sa.gxr);
  sa.lastPhase1Block = sa.iv;
  ctx.out.sa(sa.connId, 'SKEYID state generated');
}

function hashInput(sa: Phase1Sa): Phase1HashInput {
  return { hash: sa.suite!.hash, skeyid: sa.keys!.skeyid, gxi: sa.gxi, gxr: sa.gxr, ckyI: sa.ckyI, ckyR: sa.ckyR, saiB: sa.saiB };
}

/** The HASH this side sends: HASH_I for the initiator, HASH_R for the responder. */
export function ownHash(sa: Phase1Sa, idB: Buffer): Buffer {
  return sa.role === 'initiator' ? hashI(hashInput(sa), idB) : hashR(hashInput(sa), idB);
}

/** The HASH the peer must have sent over its ID body. */
export function peerHash(sa: Phase1Sa, peerIdB: Buffer): Buffer {
  return sa.role === 'initiator' ? hashR(hashInput(sa), peerIdB) : hashI(hashInput(sa), peerIdB);
}

/** PSK lookup with IOS's line; null (and "No pre-shared key") when none. */
export function lookupPsk(ctx: IkeContext, sa: Phase1Sa, key: string | null): void {
  if (key === null) {
    ctx.out.sa(sa.connId, `No pre-shared key with ${sa.remote.ip}!`);
    sa.psk = null;
    return;
  }
  ctx.out.sa(sa.connId, `found peer pre-shared key matching ${sa.remote.ip}`);
  sa.psk = Buffer.from(key, 'latin1');
}

/** The INITIAL-CONTACT notify (RFC 2407 4.6.3.3): protocol ISAKMP, SPI = both cookies. */
export function initialContactPayload(sa: Phase1Sa): Payload {
  return {
    type: PayloadType.NOTIFY,
    doi: 1,
    protocol: 1,
    spi: Buffer.concat([sa.ckyI, sa.ckyR]),
    notifyType: NotifyType.INITIAL_CONTACT,
    data: Buffer.alloc(0),
  };
}
