/**
 * Aggressive Mode with pre-shared keys (RFC 2409 5, 5.4; RFC 3947 for NAT-D):
 *
 *   Initiator                                       Responder
 *   AM1  HDR, SA, KE, Ni, IDii, VID        ->       (N) NEW SA
 *        (I) AG_NO_STATE      <-  AM2  HDR, SA, KE, Nr, IDir, HASH_R, VID [, NAT-D]   (R) AG_INIT_EXCH
 *   AM3  HDR*, HASH_I [, NAT-D] [, N]      ->       (port 4500 when a NAT was found)
 *        QM_IDLE                                    QM_IDLE
 *
 * The KE of message 1 fixes the DH group, so the initiator offers only the
 * policies with its first policy's group. Message 3 is encrypted (IOS and
 * strongSwan both accept it so); a cleartext one is accepted too.
 */
import { payloadBody } from '../../../../../codecs/isakmp/chain.js';
import { ExchangeType, NotifyType, PayloadType } from '../../../../../codecs/isakmp/constants.js';
import { IsakmpError } from '../../../../../codecs/isakmp/errors.js';
import type { HashPayload, IdPayload, KePayload, NotifyPayload, Payload, SaPayload } from '../../../../../codecs/isakmp/types.js';
import { dhGroupById, DH_GROUPS } from '../../../../crypto/dh.js';
import { phase1Iv } from '../../crypto/iv.js';
import { equalBytes } from '../../../../crypto/prf.js';
import type { IkeContext } from '../context.js';
import type { Inbound } from '../exchange.js';
import { presharedKeyFor } from '../../../policy.js';
import {
  deriveKeys,
  firstVendorIds,
  floatPorts,
  followPeer,
  initialContactPayload,
  keVendorIds,
  localIdPayload,
  logLocalId,
  lookupPsk,
  makeKeNonce,
  natDetected,
  natDToSend,
  ownHash,
  peerHash,
  processNatD,
  processVendorIds,
  sendPhase1,
  takePeerKeNonce,
} from './phase1.js';
import { badEncryptedMessage, noProposalChosen } from './failures.js';
import { errorText, IosLog, notifyOf } from '../../notify.js';
import { phase1AnswerPayload, phase1SaPayload, selectPhase1 } from './proposal.js';
import type { Phase1Sa } from '../../sa/isakmp-sa.js';

const AM = ExchangeType.AGGRESSIVE;

/** Sends AM1. */
export function startAggressiveMode(ctx: IkeContext, sa: Phase1Sa): void {
  const all = ctx.policy.phase1.filter((p) => p.authentication === 'pre-share');
  const group = dhGroupById(all[0]!.group);
  const policies = all.filter((p) => p.group === group.id);
  const offer = phase1SaPayload(policies);
  sa.saiB = payloadBody(offer);
  ctx.out.engine('CryptoEngine0: generate alg parameter');
  const keNonce = makeKeNonce(ctx, sa, group);
  ctx.out.engine('CRYPTO_ENGINE: Dh phase 1 status: 0');
  ctx.out.sa(sa.connId, 'SA is doing pre-shared key authentication using id type ID_IPV4_ADDR');
  const id = localIdPayload(sa);
  logLocalId(ctx, sa, PayloadType.VENDOR_ID);
  sa.firstFrom = sa.local;
  sa.firstTo = sa.remote;
  const message = sa.clear(AM, [offer, ...keNonce, id, ...firstVendorIds(ctx, null), ...keVendorIds(ctx)]);
  sendPhase1(ctx, sa, message, { expectReply: true });
}

/** One Aggressive Mode message for an SA (message 1 for a fresh responder SA). */
export function handleAggressiveMode(ctx: IkeContext, sa: Phase1Sa, m: Inbound): void {
  if (sa.role === 'initiator' && sa.state === 'AG_NO_STATE' && !m.encrypted) return initiatorAm2(ctx, sa, m);
  if (sa.role === 'responder' && sa.state === 'AG_NO_STATE' && !m.encrypted) return responderAm1(ctx, sa, m);
  if (sa.role === 'responder' && sa.state === 'AG_INIT_EXCH') return responderAm3(ctx, sa, m);
  ctx.out.sa(sa.connId, `unexpected Aggressive Mode message in state ${sa.state}, ignored`);
  ctx.out.drop(m.from, NotifyType.INVALID_EXCHANGE_TYPE, `Aggressive Mode message not expected in ${sa.state}`);
}

function find<T extends Payload>(payloads: readonly Payload[], type: number): T | undefined {
  return payloads.find((p) => p.type === type) as T | undefined;
}

function responderAm1(ctx: IkeContext, sa: Phase1Sa, m: Inbound): void {
  const offer = find<SaPayload>(m.payloads, PayloadType.SA);
  const ke = find<KePayload>(m.payloads, PayloadType.KE);
  const id = find<IdPayload>(m.payloads, PayloadType.ID);
  if (!offer || !ke || !id || !m.payloads.some((p) => p.type === PayloadType.NONCE)) {
    return noProposalChosen(ctx, sa, m, NotifyType.PAYLOAD_MALFORMED, 'Aggressive Mode message 1 lacks SA, KE, Nonce or ID');
  }
  if (ctx.policy.aggressiveModeDisabled) {
    ctx.out.sa(sa.connId, 'Aggressive mode is disabled');
    return noProposalChosen(ctx, sa, m, NotifyType.NO_PROPOSAL_CHOSEN, 'crypto isakmp aggressive-mode disable');
  }
  ctx.out.sa(sa.connId, 'processing SA payload. message ID = 0');
  lookupPsk(ctx, sa, presharedKeyFor(ctx.policy, sa.remote.ip));
  const group = DH_GROUPS.find((g) => g.size === ke.data.length);
  const suite = group ? selectPhase1(ctx.out, sa.connId, offer, ctx.policy.phase1, { pskAvailable: sa.psk !== null, group: group.id }) : null;
  if (!suite) return noProposalChosen(ctx, sa, m, NotifyType.NO_PROPOSAL_CHOSEN, 'no offered transform matches a policy');
  sa.suite = suite;
  sa.saiB = payloadBody(offer);
  sa.firstFrom = m.from;
  sa.firstTo = m.to;
  ctx.out.sa(sa.connId, 'processing KE payload. message ID = 0');
  ctx.out.sa(sa.connId, 'processing NONCE payload. message ID = 0');
  try {
    takePeerKeNonce(ctx, sa, m.payloads);
  } catch (err) {
    return noProposalChosen(ctx, sa, m, notifyOf(err), errorText(err));
  }
  ctx.out.sa(sa.connId, 'processing ID payload. message ID = 0');
  sa.peerIdB = payloadBody(id);
  processVendorIds(ctx, sa, m.payloads);
  ctx.out.engine('CryptoEngine0: generate alg parameter');
  const keNonce = makeKeNonce(ctx, sa);
  ctx.out.engine('CRYPTO_ENGINE: Dh phase 1 status: 0');
  ctx.out.engine('CRYPTO_ENGINE: Dh phase 1 status: 0');
  ctx.out.sa(sa.connId, 'SA is doing pre-shared key authentication using id type ID_IPV4_ADDR');
  deriveKeys(ctx, sa);
  const myId = localIdPayload(sa);
  logLocalId(ctx, sa, PayloadType.HASH);
  ctx.out.engine(`CryptoEngine0: generate hmac context for conn id ${sa.connId}`);
  const hash: Payload = { type: PayloadType.HASH, data: ownHash(sa, payloadBody(myId)) };
  sa.state = 'AG_INIT_EXCH';
  const answer = sa.clear(AM, [
    phase1AnswerPayload(suite.proposalNumber, suite.transform),
    ...keNonce,
    myId,
    hash,
    ...firstVendorIds(ctx, sa),
    ...keVendorIds(ctx),
    ...natDToSend(sa),
  ]);
  sendPhase1(ctx, sa, answer, { expectReply: true, inReplyTo: m.message });
}

function initiatorAm2(ctx: IkeContext, sa: Phase1Sa, m: Inbound): void {
  const answer = find<SaPayload>(m.payloads, PayloadType.SA);
  const id = find<IdPayload>(m.payloads, PayloadType.ID);
  const hash = find<HashPayload>(m.payloads, PayloadType.HASH);
  if (!answer || !id || !hash) {
    ctx.out.drop(m.from, NotifyType.PAYLOAD_MALFORMED, 'Aggressive Mode message 2 lacks SA, ID or HASH');
    return;
  }
  sa.ckyR = m.header.responderCookie;
  ctx.out.sa(sa.connId, 'processing SA payload. message ID = 0');
  lookupPsk(ctx, sa, presharedKeyFor(ctx.policy, sa.remote.ip));
  const offered = ctx.policy.phase1.filter((p) => p.authentication === 'pre-share' && p.group === sa.dh!.group.id);
  const suite =
    answer.proposals.length === 1 && answer.proposals[0]!.transforms.length === 1
      ? selectPhase1(ctx.out, sa.connId, answer, offered, { pskAvailable: sa.psk !== null, group: sa.dh!.group.id })
      : null;
  if (!suite) {
    ctx.out.sa(sa.connId, 'SA not acceptable!');
    ctx.phase1Gone(sa, 'SA not acceptable', { notify: NotifyType.NO_PROPOSAL_CHOSEN, why: 'the responder chose a transform that was not offered' });
    return;
  }
  sa.suite = suite;
  ctx.out.sa(sa.connId, 'processing KE payload. message ID = 0');
  ctx.out.sa(sa.connId, 'processing NONCE payload. message ID = 0');
  try {
    takePeerKeNonce(ctx, sa, m.payloads);
  } catch (err) {
    ctx.phase1Gone(sa, 'bad key exchange', { notify: notifyOf(err), why: errorText(err) });
    return;
  }
  deriveKeys(ctx, sa);
  ctx.out.sa(sa.connId, 'processing ID payload. message ID = 0');
  ctx.out.sa(sa.connId, 'processing HASH payload. message ID = 0');
  ctx.out.engine(`CryptoEngine0: generate hmac context for conn id ${sa.connId}`);
  if (!equalBytes(peerHash(sa, payloadBody(id)), hash.data)) {
    ctx.out.log(IosLog.authFail(m.from.ip));
    ctx.phase1Gone(sa, 'authentication failed', { notify: NotifyType.AUTHENTICATION_FAILED, why: 'HASH_R does not verify: pre-shared key mismatch?' });
    return;
  }
  ctx.out.sa(sa.connId, `SA has been authenticated with ${sa.remote.ip}`);
  processVendorIds(ctx, sa, m.payloads);
  processNatD(ctx, sa, m.payloads, m.from, m.to);
  const natd = natDToSend(sa);
  if (natDetected(sa)) floatPorts(ctx, sa);
  ctx.out.engine(`CryptoEngine0: generate hmac context for conn id ${sa.connId}`);
  const payloads: Payload[] = [{ type: PayloadType.HASH, data: ownHash(sa, payloadBody(localIdPayload(sa))) }, ...natd];
  if (ctx.policy.initialContact && !ctx.hasOtherSas(sa)) payloads.push(initialContactPayload(sa));
  const { message, nextIv } = sa.encrypt(AM, payloads, sa.iv);
  sa.iv = nextIv;
  sa.lastPhase1Block = nextIv;
  sa.state = 'AG_INIT_EXCH';
  sendPhase1(ctx, sa, message, { expectReply: false, inReplyTo: m.message });
  sa.state = 'QM_IDLE';
  ctx.phase1Established(sa);
}

function responderAm3(ctx: IkeContext, sa: Phase1Sa, m: Inbound): void {
  let payloads: Payload[];
  let nextIv = sa.iv;
  if (m.encrypted) {
    try {
      const d = sa.decrypt(m.header, m.body, sa.iv);
      payloads = d.payloads;
      nextIv = d.nextIv;
    } catch (err) {
      return badEncryptedMessage(ctx, sa, m, err);
    }
  } else {
    payloads = m.payloads;
  }
  const hash = find<HashPayload>(payloads, PayloadType.HASH);
  if (!hash) return badEncryptedMessage(ctx, sa, m, new IsakmpError(NotifyType.PAYLOAD_MALFORMED, 'no HASH payload'));
  ctx.out.sa(sa.connId, 'processing HASH payload. message ID = 0');
  ctx.out.engine(`CryptoEngine0: generate hmac context for conn id ${sa.connId}`);
  if (!equalBytes(peerHash(sa, sa.peerIdB), hash.data)) {
    return badEncryptedMessage(ctx, sa, m, new IsakmpError(NotifyType.AUTHENTICATION_FAILED, 'HASH_I does not verify'));
  }
  sa.iv = nextIv;
  sa.lastPhase1Block = m.encrypted ? nextIv : phase1Iv(sa.suite!.hash, sa.suite!.cipher, sa.gxi, sa.gxr);
  // The NAT-D of message 3 describe the addresses of message 1 (before any move to 4500).
  if (sa.firstFrom && sa.firstTo) processNatD(ctx, sa, payloads, sa.firstFrom, sa.firstTo);
  followPeer(ctx, sa, m.from, m.to);
  ctx.out.sa(sa.connId, `SA has been authenticated with ${sa.remote.ip}`);
  if (payloads.some((p) => p.type === PayloadType.NOTIFY && (p as NotifyPayload).notifyType === NotifyType.INITIAL_CONTACT)) {
    ctx.out.sa(sa.connId, 'processing NOTIFY INITIAL_CONTACT protocol 1');
    ctx.initialContact(sa);
  }
  sa.remember(m.message, []);
  sa.retransmit = null;
  sa.state = 'QM_IDLE';
  ctx.phase1Established(sa);
}
