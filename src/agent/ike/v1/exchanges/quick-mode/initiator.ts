/**
 * Quick Mode initiator (RFC 2409 5.5): QM1 with the transform sets of the
 * crypto map entry as proposals, the proxies from its ACL, PFS when set;
 * QM2 checked (the chosen proposal must be one we offered with an SPI that
 * is not reserved, the proxies ours, RESPONDER-LIFETIME honoured unless it
 * says 0), the SAs installed, QM3 sent; when the responder set the commit
 * bit, the SAs wait for its CONNECTED in QM4 (commit.ts).
 */
import { Buffer } from 'node:buffer';
import { decodeAttributes } from '../../../../../codecs/isakmp/attributes.js';
import { encodePayloads, payloadBody } from '../../../../../codecs/isakmp/chain.js';
import { IpsecAttr, LifeType, NotifyType, PayloadType } from '../../../../../codecs/isakmp/constants.js';
import { ipv4IdPayload } from '../../../../../codecs/isakmp/id.js';
import { Reader } from '../../../../../codecs/isakmp/reader.js';
import type { IdPayload, KePayload, NotifyPayload, Payload, SaPayload } from '../../../../../codecs/isakmp/types.js';
import type { IkeContext } from '../context.js';
import type { Inbound, Status } from '../exchange.js';
import { dhGroupById } from '../../../../crypto/dh.js';
import { quickModeHash1, quickModeHash2, quickModeHash3 } from '../../crypto/hashes.js';
import { errorText, iosNotifyName, notifyOf } from '../../notify.js';
import type { IsakmpSa } from '../../sa/isakmp-sa.js';
import type { FlowRequest } from '../../sa/ipsec-sa.js';
import type { CryptoMapEntryPolicy } from '../../../policy.js';
import { Retransmitter } from '../../../retransmit.js';
import { allocateSpi, endOf, find, NONCE_SIZE, openVerified, QM, QmState, s32, sendQm, spiLines, validateLines } from './shared.js';
import { buildSpec, creatingLines, keyEngineLines, specProblem } from './install.js';
import { commitBit, commitFlags, noteCommit, readConnected } from './commit.js';
import { validSpi } from '../../../../esp/validate.js';
import { DEFAULT_IPSEC_SECONDS, isUdpEncaps, type Lifetime, logIpsecTransform, quickModeOffer, readIpsecTransform } from './proposal.js';

/** RFC 2409 5.5: QM1 for a flow (we are the Quick Mode initiator, whatever our phase-1 role); the exchange's state, waiting for QM2. */
export function initiatorQm1(ctx: IkeContext, sa: IsakmpSa, flow: FlowRequest, entry: CryptoMapEntryPolicy, firstAfterPhase1: boolean): QmState {
  const suite = sa.suite!;
  const messageId = ctx.messageId(sa);
  ctx.out.sa(sa.connId, `beginning Quick Mode exchange, M-ID of ${s32(messageId)}`);
  let spi = flow.spi;
  if (spi === null) {
    spi = allocateSpi(ctx, sa, true);
    ctx.out.sa(sa.connId, "had to get SPI's from ipsec.");
    if (firstAfterPhase1) ctx.out.engine('CryptoEngine0: clear dh number for conn id 1');
    spiLines(ctx, sa, spi);
  }
  const qm = new QmState(messageId, 'initiator', flow.proxies, flow.ref, flow.interface, flow, Buffer.alloc(0), spi);
  qm.offeredSets = entry.transformSets;
  const udp = sa.nat.floated;
  const rest: Payload[] = [quickModeOffer(entry.transformSets, spi, entry.lifetime, entry.pfsGroup, udp)];
  qm.niB = ctx.bytes(NONCE_SIZE);
  rest.push({ type: PayloadType.NONCE, data: qm.niB });
  if (entry.pfsGroup !== null) {
    qm.pfs = ctx.dh(dhGroupById(entry.pfsGroup));
    rest.push({ type: PayloadType.KE, data: qm.pfs.publicValue });
  }
  rest.push(ipv4IdPayload(flow.proxies.local), ipv4IdPayload(flow.proxies.remote));
  const hash = quickModeHash1(suite.hash, sa.keys!.skeyidA, messageId, encodePayloads(rest));
  ctx.out.engine(`CryptoEngine0: generate hmac context for conn id ${sa.connId}`);
  const { message, nextIv } = sa.encrypt(QM, [{ type: PayloadType.HASH, data: hash }, ...rest], sa.exchangeIv(messageId), messageId);
  qm.iv = nextIv;
  const w = sendQm(ctx, sa, message);
  // The Quick Mode that follows our Aggressive Mode message 3 (which gets no answer) is resent sooner the first time.
  const early = firstAfterPhase1 && sa.mode === 'aggressive' && sa.role === 'initiator' ? ctx.policy.timers.quickAfterAggressiveMs : undefined;
  qm.retransmit = new Retransmitter(ctx.policy.timers.phase2, ctx.now, [w], early);
  return qm;
}

/** Applies a RESPONDER-LIFETIME notify (RFC 2407 4.6.3.1): the shorter lifetimes win. */
export function readResponderLifetime(n: NotifyPayload, lifetime: Lifetime): Lifetime {
  let seconds = lifetime.seconds;
  let kilobytes = lifetime.kilobytes;
  try {
    let type: number | null = null;
    for (const a of decodeAttributes(new Reader(n.data, 0, n.data.length, 'RESPONDER-LIFETIME'))) {
      const v = typeof a.value === 'number' ? a.value : NaN;
      if (a.type === IpsecAttr.LIFE_TYPE) type = v;
      // a duration of 0 cannot be the shorter lifetime: ignored like a malformed notify
      else if (a.type === IpsecAttr.LIFE_DURATION && Number.isFinite(v) && v > 0) {
        if (type === LifeType.SECONDS) seconds = Math.min(seconds, v);
        if (type === LifeType.KILOBYTES) kilobytes = Math.min(kilobytes, v);
      }
    }
  } catch {
    // a malformed RESPONDER-LIFETIME leaves our lifetimes as they are
  }
  return { seconds, kilobytes };
}

/** RFC 2409 5.5: QM2 received: check it, install the pair, send QM3. 'running' when the message was dropped (a retransmission may follow). */
export function initiatorQm2(ctx: IkeContext, sa: IsakmpSa, qm: QmState, m: Inbound): Status {
  const mid = qm.messageId;
  const opened = openVerified(ctx, sa, m, qm.iv, 'HASH(2)', (rest) => quickModeHash2(sa.suite!.hash, sa.keys!.skeyidA, mid, qm.niB, rest));
  if (!opened) return 'running';
  const p = opened.payloads;
  ctx.out.sa(sa.connId, `processing HASH payload. message ID = ${s32(mid)}`);
  ctx.out.sa(sa.connId, `processing SA payload. message ID = ${s32(mid)}`);
  const answer = find<SaPayload>(p, PayloadType.SA);
  const nonce = find<Payload>(p, PayloadType.NONCE);
  const ke = find<KePayload>(p, PayloadType.KE);
  const ids = p.filter((x): x is IdPayload => x.type === PayloadType.ID);
  const proposal = answer?.proposals.length === 1 ? answer.proposals[0]! : undefined;
  const t = proposal?.transforms.length === 1 ? proposal.transforms[0]! : undefined;
  const set = proposal ? qm.offeredSets[proposal.number - 1] : undefined;
  const failQm = (notify: number, why: string): Status => {
    ctx.out.sa(sa.connId, `phase 2 SA policy not acceptable! (local ${sa.local.ip} remote ${sa.remote.ip})`);
    qm.expect = null;
    ctx.quickModeFailed(sa, endOf(qm), notify, why);
    return 'done';
  };
  if (!proposal || !t || !set || !nonce || proposal.spi.length !== 4)
    return failQm(NotifyType.NO_PROPOSAL_CHOSEN, 'the answer is not one of the offered proposals');
  // RFC 2408 5.5: an invalid SPI discards the proposal (INVALID-SPI); RFC 4303 2.1: 0-255 are reserved
  if (!validSpi(proposal.spi.readUInt32BE(0))) return failQm(NotifyType.INVALID_SPI, `the responder chose the reserved SPI ${proposal.spi.readUInt32BE(0)}`);
  ctx.out.sa(sa.connId, `Checking IPSec proposal ${proposal.number}`);
  logIpsecTransform(ctx.out, proposal.protocol, t);
  const o = readIpsecTransform(proposal.protocol, t);
  if (o.problem !== null || o.cipher !== set.cipher || o.integrity !== set.integrity) {
    ctx.out.sa(sa.connId, 'atts not acceptable.');
    return failQm(NotifyType.NO_PROPOSAL_CHOSEN, `the responder chose a transform that was not offered (${o.problem ?? 'other algorithms'})`);
  }
  validateLines(ctx, sa, qm.proxies, set.text);
  ctx.out.sa(sa.connId, `processing NONCE payload. message ID = ${s32(mid)}`);
  qm.nrB = payloadBody(nonce);
  if (qm.pfs) {
    if (!ke) return failQm(NotifyType.INVALID_KEY_INFORMATION, 'PFS was offered but the answer has no KE');
    ctx.out.sa(sa.connId, `processing KE payload. message ID = ${s32(mid)}`);
    try {
      qm.pfsShared = qm.pfs.computeShared(ke.data);
    } catch (err) {
      return failQm(notifyOf(err), errorText(err));
    }
  }
  for (let i = 0; i < ids.length; i++) ctx.out.sa(sa.connId, `processing ID payload. message ID = ${s32(mid)}`);
  if (ids.length === 2) {
    const idci = ipv4IdPayload(qm.proxies.local);
    const idcr = ipv4IdPayload(qm.proxies.remote);
    if (!payloadBody(ids[0]!).equals(payloadBody(idci)) || !payloadBody(ids[1]!).equals(payloadBody(idcr))) {
      return failQm(NotifyType.INVALID_ID_INFORMATION, 'the responder changed the proxies');
    }
  }
  let lifetime: Lifetime = { seconds: o.lifetime.seconds ?? DEFAULT_IPSEC_SECONDS, kilobytes: o.lifetime.kilobytes ?? Number.MAX_SAFE_INTEGER };
  for (const n of p.filter((x): x is NotifyPayload => x.type === PayloadType.NOTIFY)) {
    ctx.out.sa(sa.connId, `processing NOTIFY ${iosNotifyName(n.notifyType)} protocol ${n.protocol}`);
    if (n.notifyType === NotifyType.RESPONDER_LIFETIME) lifetime = readResponderLifetime(n, lifetime);
  }
  qm.iv = opened.nextIv;
  qm.peerSpi = proposal.spi.readUInt32BE(0);
  qm.negotiated = {
    transformSet: set,
    cipher: set.cipher,
    integrity: set.integrity,
    udpEncapsulation: isUdpEncaps(o.encaps),
    lifetime,
    pfsGroup: o.group,
    proposalNumber: proposal.number,
    transform: t,
  };
  if (!ctx.admitIpsec(sa, qm.proxies)) return failQm(NotifyType.NO_PROPOSAL_CHOSEN, 'too many IPsec flows: the pair is not installed');
  ctx.out.engine(`CryptoEngine0: generate hmac context for conn id ${sa.connId}`);
  const spec = buildSpec(ctx, sa, qm);
  const problem = specProblem(spec);
  if (problem !== null) return failQm(NotifyType.NO_PROPOSAL_CHOSEN, problem);
  // RFC 2408 3.1: the responder set the commit bit: QM3 goes out, the pair waits for its CONNECTED (QM4)
  qm.commit = commitBit(m);
  if (qm.commit) noteCommit(ctx, sa, qm);
  else creatingLines(ctx, sa, spec);
  const hash3 = quickModeHash3(sa.suite!.hash, sa.keys!.skeyidA, mid, qm.niB, qm.nrB);
  const { message, nextIv } = sa.encrypt(QM, [{ type: PayloadType.HASH, data: hash3 }], qm.iv, mid, commitFlags(qm));
  const w = sendQm(ctx, sa, message);
  sa.remember(m.message, [w], qm.ourSpi);
  if (qm.commit) {
    qm.iv = nextIv;
    qm.held = spec;
    qm.expect = 'QM4';
    qm.retransmit = new Retransmitter(ctx.policy.timers.phase2, ctx.now, [w]);
    return 'running';
  }
  qm.retransmit = null;
  qm.expect = null;
  ctx.out.sa(sa.connId, `deleting node ${s32(mid)} error FALSE reason ""`);
  keyEngineLines(ctx, spec);
  ctx.installIpsec(sa, qm.flow, spec);
  return 'done';
}

/**
 * RFC 2408 3.1: QM4 with CONNECTED received (the responder set the commit
 * bit): the pair held since QM2 is installed. 'running' when the message was
 * dropped (QM3 is resent until CONNECTED comes or the schedule gives up).
 */
export function initiatorQm4(ctx: IkeContext, sa: IsakmpSa, qm: QmState, m: Inbound): Status {
  if (!qm.held || !readConnected(ctx, sa, qm, m)) return 'running';
  sa.remember(m.message, []);
  return installHeld(ctx, sa, qm);
}

/** The responder's CONNECTED arrived (QM4, or an Informational): the pair held since QM2 is installed. */
export function installHeld(ctx: IkeContext, sa: IsakmpSa, qm: QmState): Status {
  const spec = qm.held;
  if (!spec) return 'running';
  qm.retransmit = null;
  qm.expect = null;
  qm.held = null;
  if (!ctx.admitIpsec(sa, qm.proxies)) {
    ctx.quickModeFailed(sa, endOf(qm), NotifyType.NO_PROPOSAL_CHOSEN, 'too many IPsec flows: the pair is not installed');
    return 'done';
  }
  creatingLines(ctx, sa, spec);
  ctx.out.sa(sa.connId, `deleting node ${s32(qm.messageId)} error FALSE reason ""`);
  keyEngineLines(ctx, spec);
  ctx.installIpsec(sa, qm.flow, spec);
  return 'done';
}
