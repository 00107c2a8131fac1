/**
 * Vendor IDs in phase 1, a step Main and Aggressive Mode both take: what
 * this side announces (RFC 3947 NAT-T in the first message, Cisco Unity and
 * RFC 3706 DPD with the key exchange) and what the peer's say, recorded on
 * the ISAKMP SA (DPD and NAT-T outlive the exchange).
 */
import { Buffer } from 'node:buffer';
import { PayloadType, VendorIdHex } from '../../../../../codecs/isakmp/constants.js';
import type { Payload, VendorIdPayload } from '../../../../../codecs/isakmp/types.js';
import { NAT_T_RFC3947_VENDOR_ID } from '../../crypto/natd.js';
import type { IsakmpSa } from '../../sa/isakmp-sa.js';
import type { IkeContext } from '../context.js';

export const CISCO_UNITY_VID = Buffer.from(VendorIdHex.CISCO_UNITY, 'hex');
export const DPD_VID = Buffer.from(VendorIdHex.DPD, 'hex');

/** Vendor IDs of the first message (and its answer): RFC 3947 NAT-T when enabled (answering: only when the peer sent it). */
export function firstVendorIds(ctx: IkeContext, answering: IsakmpSa | null): Payload[] {
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

/** Logs and records the peer's vendor IDs; NAT-T is negotiated when both sides announced it. */
export function processVendorIds(ctx: IkeContext, sa: IsakmpSa, payloads: readonly Payload[]): void {
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
