/**
 * `engine.receive`: one IKE datagram addressed to the router. TED messages
 * go to discovery; an ISAKMP message is decoded as far as its header, its
 * SA is found by cookies (or a responder SA is created for a first
 * message), and the SA's task manager takes it from there.
 */
import type { Buffer } from 'node:buffer';
import { ExchangeType, Flags, NotifyType } from '../../../../codecs/isakmp/constants.js';
import { UnequalPayloadLengthsError } from '../../../../codecs/isakmp/errors.js';
import { decodeHeader } from '../../../../codecs/isakmp/header.js';
import { decodeMessage } from '../../../../codecs/isakmp/message.js';
import type { Payload } from '../../../../codecs/isakmp/types.js';
import { isTedMessage } from '../../../../codecs/ted/messages.js';
import type { Datagram, Endpoint } from '../../types.js';
import type { IkeContext } from '../exchanges/context.js';
import type { Inbound } from '../exchanges/exchange.js';
import { unframeIke } from '../nat-t.js';
import { errorText, IosLog, notifyOf } from '../notify.js';
import { IsakmpSa } from '../sa/isakmp-sa.js';
import { admitPhase1 } from './bounds.js';
import type { Core } from './core.js';
import { receiveTed } from './discovery.js';

/** The ISAKMP SA a message belongs to: a few map lookups (sa-index.ts), whatever the size of the table. */
export function findSa(core: Core, h: { initiatorCookie: Buffer; responderCookie: Buffer }, from: Endpoint): IsakmpSa | undefined {
  return core.index.find(h, from);
}

/** One datagram to the router: TED, a new responder SA, or a message for an SA's task manager. */
export function doReceive(core: Core, ctx: IkeContext, d: Datagram): void {
  const msg = unframeIke(d.payload, d.to.port);
  if (msg === null) {
    if (!(d.payload.length === 1 && d.payload[0] === 0xff))
      ctx.out.drop(d.from, 0, 'UDP/4500 payload without the non-ESP marker (ESP?) given to the IKE engine');
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
  const sa = findSa(core, header, d.from);
  if (sa) {
    core.tasks(sa).receive(ctx, m);
    return;
  }
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
  // bounded: a flood of first messages (spoofed sources need no key) must not grow the table
  if (!admitPhase1(core, ctx, 'in', d.from.ip)) {
    ctx.out.drop(d.from, 0, `${core.policy.limits.phase1InNegotiation} ISAKMP SAs in negotiation: first message dropped`);
    return;
  }
  ctx.out.sa(0, `received packet from ${d.from.ip} (N) NEW SA`);
  ctx.out.isakmp(`ISAKMP: local port ${d.to.port}, remote port ${d.from.port}`);
  const responder = new IsakmpSa(
    core.connId(),
    'responder',
    header.exchangeType === ExchangeType.AGGRESSIVE ? 'aggressive' : 'main',
    header.initiatorCookie,
    d.to,
    d.from,
    ctx.now,
  );
  do responder.ckyR = ctx.cookie();
  while (core.index.hasPair(responder.ckyI, responder.ckyR));
  core.addSa(responder).respond(ctx, m);
}
