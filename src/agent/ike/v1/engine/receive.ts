/**
 * `engine.receive`: one IKE datagram addressed to the router. Finds the
 * ISAKMP SA by cookies (or creates a responder SA for a first message),
 * answers duplicates from the stored reply without processing them again,
 * and hands the message to the exchange it belongs to; encrypted
 * Informationals (notify, delete, DPD) are handled here.
 */
import { Buffer } from 'node:buffer';
import { ExchangeType, Flags, NotifyType, PayloadType, ProtocolId } from '../../../../codecs/isakmp/constants.js';
import { UnequalPayloadLengthsError } from '../../../../codecs/isakmp/errors.js';
import { decodeHeader } from '../../../../codecs/isakmp/header.js';
import { decodeMessage } from '../../../../codecs/isakmp/message.js';
import type { DeletePayload, NotifyPayload, Payload } from '../../../../codecs/isakmp/types.js';
import { isTedMessage } from '../../../../codecs/ted/messages.js';
import type { IkeContext } from '../exchanges/context.js';
import type { Inbound } from '../exchanges/exchange.js';
import type { Core } from './core.js';
import { hexSpi, signed32 } from '../debug.js';
import { receiveTed } from './discovery.js';
import { dpdNotify } from '../exchanges/dpd.js';
import { openInformational } from '../exchanges/informational.js';
import { unframeIke } from '../nat-t.js';
import { errorText, IosLog, iosNotifyName, notifyOf } from '../notify.js';
import { Phase1Sa } from '../sa/isakmp-sa.js';
import { deleteIpsec, deletePhase1, initialContact, phase1Gone } from './lifecycle.js';
import type { Datagram, Endpoint } from '../../types.js';

/** The ISAKMP SA a message belongs to: by both cookies, an initiator still waiting for the responder cookie, or a retransmitted first message. */
export function findSa(core: Core, h: { initiatorCookie: Buffer; responderCookie: Buffer }, from: Endpoint): Phase1Sa | undefined {
  const zero = h.responderCookie.every((b) => b === 0);
  for (const sa of core.t.phase1.values()) {
    if (sa.deleted || !sa.ckyI.equals(h.initiatorCookie)) continue;
    if (sa.ckyR.equals(h.responderCookie)) return sa;
    if (sa.role === 'initiator' && sa.ckyR.every((b) => b === 0)) return sa;
    if (zero && sa.role === 'responder' && sa.remote.ip === from.ip) return sa;
  }
  return undefined;
}

/** One datagram to the router: TED, a new responder SA, a duplicate, or a message of a running exchange. */
export function doReceive(core: Core, ctx: IkeContext, d: Datagram): void {
  const msg = unframeIke(d.payload, d.to.port);
  if (msg === null) {
    if (!(d.payload.length === 1 && d.payload[0] === 0xff)) ctx.out.drop(d.from, 0, 'UDP/4500 payload without the non-ESP marker (ESP?) given to the IKE engine');
    return;
  }
  if (isTedMessage(msg)) return receiveTed(core, ctx, msg, d);
  let header;
  let payloads: Payload[] = [];
  try {
    header = decodeHeader(msg);
    if (header.length !== msg.length) throw new UnequalPayloadLengthsError(`ISAKMP header length ${header.length}, datagram ${msg.length} bytes`);
    if (!(header.flags & Flags.ENCRYPTION)) payloads = decodeMessage(msg).payloads;
  } catch (err) {
    ctx.out.log(IosLog.badMessage(d.from.ip));
    ctx.out.drop(d.from, notifyOf(err), errorText(err));
    return;
  }
  const m: Inbound = { header, message: msg, body: msg.subarray(28), payloads, encrypted: (header.flags & Flags.ENCRYPTION) !== 0, from: d.from, to: d.to };
  let sa = findSa(core, header, d.from);
  if (!sa) {
    const first = header.exchangeType === ExchangeType.IDENTITY_PROTECTION || header.exchangeType === ExchangeType.AGGRESSIVE;
    if (!first || !header.responderCookie.every((b) => b === 0) || m.encrypted || header.messageId !== 0) {
      ctx.out.log(IosLog.noSa(d.from.ip));
      ctx.out.drop(d.from, NotifyType.INVALID_COOKIE, 'no SA for these cookies');
      return;
    }
    if (!core.policy.isakmpEnabled) {
      ctx.out.drop(d.from, NotifyType.NO_PROPOSAL_CHOSEN, 'ISAKMP is disabled');
      return;
    }
    ctx.out.sa(0, `received packet from ${d.from.ip} (N) NEW SA`);
    ctx.out.isakmp(`ISAKMP: local port ${d.to.port}, remote port ${d.from.port}`);
    sa = new Phase1Sa(core.connId(), 'responder', header.exchangeType === ExchangeType.AGGRESSIVE ? 'aggressive' : 'main', header.initiatorCookie, d.to, d.from, ctx.now);
    sa.ckyR = ctx.cookie();
    core.addSa(sa).respond(ctx, m);
    return;
  }
  const dup = sa.duplicateOf(msg);
  if (dup) {
    const phase = header.exchangeType === ExchangeType.QUICK_MODE ? 2 : 1;
    ctx.out.sa(sa.connId, `received packet from ${d.from.ip} (${sa.roleChar}) ${sa.state}`);
    ctx.out.sa(sa.connId, `phase ${phase} packet is a duplicate of a previous packet.`);
    if (dup.length > 0) {
      ctx.out.sa(sa.connId, `retransmitting due to retransmit phase ${phase}`);
      for (const w of dup) {
        ctx.out.sa(sa.connId, `sending packet to ${w.to.ip} (${sa.roleChar}) ${sa.state}`);
        ctx.out.push({ kind: 'send', ...w, connId: sa.connId });
      }
    }
    return;
  }
  ctx.out.sa(sa.connId, `received packet from ${d.from.ip} (${sa.roleChar}) ${sa.state}`);
  const before = ctx.out.actions.length;
  switch (header.exchangeType) {
    case ExchangeType.IDENTITY_PROTECTION:
      if (core.tasks(sa).phase1Message(ctx, m, 'main')) return;
      break;
    case ExchangeType.AGGRESSIVE:
      if (core.tasks(sa).phase1Message(ctx, m, 'aggressive')) return;
      break;
    case ExchangeType.QUICK_MODE:
      if (!sa.established) break;
      core.tasks(sa).quickMode(ctx, m);
      noteAlive(core, ctx, sa, before);
      return;
    case ExchangeType.INFORMATIONAL:
      informationalIn(core, ctx, sa, m);
      noteAlive(core, ctx, sa, before);
      return;
  }
  ctx.out.drop(d.from, NotifyType.INVALID_EXCHANGE_TYPE, `exchange type ${header.exchangeType} not expected on conn ${sa.connId} in ${sa.state}`);
}

/** An authenticated message from the peer proves it alive (DPD). */
export function noteAlive(core: Core, ctx: IkeContext, sa: Phase1Sa, before: number): void {
  if (ctx.out.actions.slice(before).some((a) => a.kind === 'drop')) return;
  sa.dpd.lastInbound = ctx.now;
  sa.dpd.outboundSinceInbound = false;
}

/** An Informational: cleartext error notifies before keys exist; encrypted notifies, deletes and DPD afterwards. */
export function informationalIn(core: Core, ctx: IkeContext, sa: Phase1Sa, m: Inbound): void {
  if (!m.encrypted) {
    if (sa.established) {
      ctx.out.drop(m.from, NotifyType.INVALID_FLAGS, 'cleartext Informational on an established SA');
      return;
    }
    const n = m.payloads.find((p): p is NotifyPayload => p.type === PayloadType.NOTIFY);
    if (!n || n.notifyType >= 8192) {
      ctx.out.drop(m.from, NotifyType.PAYLOAD_MALFORMED, 'cleartext Informational without an error notify');
      return;
    }
    ctx.out.sa(sa.connId, `processing NOTIFY ${iosNotifyName(n.notifyType)} protocol ${n.protocol}`);
    phase1Gone(core, ctx, sa, `notify ${iosNotifyName(n.notifyType)} received`, { notify: n.notifyType, why: `the peer answered ${iosNotifyName(n.notifyType)}` });
    return;
  }
  if (!sa.keys) {
    ctx.out.drop(m.from, NotifyType.PAYLOAD_MALFORMED, 'encrypted Informational before keys exist');
    return;
  }
  let payloads: Payload[];
  try {
    payloads = openInformational(sa, m);
  } catch (err) {
    if (!sa.established) {
      // the peer's keys differ from ours (a wrong pre-shared key): its error notify is unreadable
      core.tasks(sa).unreadable(ctx, m, err);
      return;
    }
    ctx.out.log(IosLog.badMessage(m.from.ip));
    ctx.out.drop(m.from, notifyOf(err), errorText(err));
    return;
  }
  const mid = signed32(m.header.messageId);
  ctx.out.sa(sa.connId, `processing HASH payload. message ID = ${mid}`);
  const replies = [];
  for (const p of payloads) {
    if (p.type === PayloadType.NOTIFY) {
      const n = p as NotifyPayload;
      if (n.notifyType === NotifyType.R_U_THERE || n.notifyType === NotifyType.R_U_THERE_ACK) {
        const w = dpdNotify(ctx, sa, n);
        if (w) replies.push(w);
        continue;
      }
      ctx.out.sa(sa.connId, `processing NOTIFY ${iosNotifyName(n.notifyType)} protocol ${n.protocol}`);
      if (n.notifyType === NotifyType.INITIAL_CONTACT) initialContact(core, ctx, sa);
      else if (n.notifyType < 8192) core.tasks(sa).errorNotify(ctx, n);
    } else if (p.type === PayloadType.DELETE) {
      ctx.out.sa(sa.connId, `processing DELETE payload. message ID = ${mid}`);
      deleteIn(core, ctx, sa, p as DeletePayload);
    }
  }
  if (!sa.deleted) sa.remember(m.message, replies);
}

/** A Delete from the peer: its ISAKMP SA (both cookies) or ESP SAs (by SPI, either direction). */
export function deleteIn(core: Core, ctx: IkeContext, sa: Phase1Sa, d: DeletePayload): void {
  if (d.protocol === ProtocolId.ISAKMP) {
    for (const spi of d.spis) {
      if (spi.length !== 16) continue;
      const target = [...core.t.phase1.values()].find((s) => Buffer.concat([s.ckyI, s.ckyR]).equals(spi));
      if (target) deletePhase1(core, ctx, target, 'P1 delete notify (in)', false);
    }
    return;
  }
  if (d.protocol !== ProtocolId.ESP) return;
  ctx.out.ipsec("IPSEC(key_engine_delete_sas): rec'd delete notify from ISAKMP");
  for (const b of d.spis) {
    if (b.length !== 4) continue;
    const spi = b.readUInt32BE(0);
    const rec = [...core.t.ipsec.values()].find((r) => r.spec.peer === sa.remote.ip && (r.spec.outbound.spi === spi || r.spec.inbound.spi === spi));
    if (!rec) continue;
    ctx.out.ipsec(`IPSEC(key_engine_delete_sas): delete SA with spi ${hexSpi(spi)}/50 for ${sa.remote.ip}`);
    deleteIpsec(core, ctx, rec, 'delete notify from peer', false);
  }
}
