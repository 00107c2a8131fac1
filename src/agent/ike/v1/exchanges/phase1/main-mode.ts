/**
 * Main Mode with pre-shared keys (RFC 2409 5, 5.4), both roles, with the
 * states and debug lines of IOS 12.2:
 *
 *   Initiator                              Responder
 *   MM1  HDR, SA [, VID]          ->       (N) NEW SA
 *        (I) MM_NO_STATE          <-  MM2  HDR, SA [, VID]        (R) MM_SA_SETUP
 *   MM3  HDR, KE, Ni, VID [, NAT-D]  ->
 *        (I) MM_SA_SETUP          <-  MM4  HDR, KE, Nr, VID [, NAT-D]  (R) MM_KEY_EXCH
 *   MM5  HDR*, IDii, HASH_I [, N]    ->    (port 4500 when a NAT was found)
 *        (I) MM_KEY_EXCH          <-  MM6  HDR*, IDir, HASH_R     (R) QM_IDLE
 *        QM_IDLE
 */
import { ExchangeType, NotifyType, PayloadType } from '../../../../../codecs/isakmp/constants.js';
import { payloadBody } from '../../../../../codecs/isakmp/chain.js';
import { IsakmpError } from '../../../../../codecs/isakmp/errors.js';
import type { HashPayload, IdPayload, NotifyPayload, Payload, SaPayload } from '../../../../../codecs/isakmp/types.js';
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
import { phase1AnswerPayload, phase1SaPayload, selectPhase1 } from './proposal.js';
import type { Phase1Sa } from '../../sa/isakmp-sa.js';
import { badEncryptedMessage, noProposalChosen } from './failures.js';
import { errorText, IosLog, notifyOf } from '../../notify.js';

const MM = ExchangeType.IDENTITY_PROTECTION;

/** Sends MM1: every pre-share policy as one transform of one proposal. */
export function startMainMode(ctx: IkeContext, sa: Phase1Sa): void {
  const policies = ctx.policy.phase1.filter((p) => p.authentication === 'pre-share');
  const sa1 = phase1SaPayload(policies);
  sa.saiB = payloadBody(sa1);
  const message = sa.clear(MM, [sa1, ...firstVendorIds(ctx, null)]);
  sendPhase1(ctx, sa, message, { expectReply: true });
}

/** One Main Mode message for an existing SA (or MM1 for a fresh responder SA). */
export function handleMainMode(ctx: IkeContext, sa: Phase1Sa, m: Inbound): void {
  if (sa.role === 'initiator') {
    if (sa.state === 'MM_NO_STATE' && !m.encrypted) return initiatorMm2(ctx, sa, m);
    if (sa.state === 'MM_SA_SETUP' && !m.encrypted) return initiatorMm4(ctx, sa, m);
    if (sa.state === 'MM_KEY_EXCH' && m.encrypted) return initiatorMm6(ctx, sa, m);
  } else {
    if (sa.state === 'MM_NO_STATE' && !m.encrypted) return responderMm1(ctx, sa, m);
    if (sa.state === 'MM_SA_SETUP' && !m.encrypted) return responderMm3(ctx, sa, m);
    if (sa.state === 'MM_KEY_EXCH' && m.encrypted) return responderMm5(ctx, sa, m);
  }
  ctx.out.sa(sa.connId, `unexpected Main Mode message in state ${sa.state}, ignored`);
  ctx.out.drop(m.from, NotifyType.INVALID_EXCHANGE_TYPE, `Main Mode message not expected in ${sa.state}`);
}

function saPayloadOf(m: Inbound): SaPayload {
  const sa = m.payloads.find((p): p is SaPayload => p.type === PayloadType.SA);
  if (!sa) throw new IsakmpError(NotifyType.PAYLOAD_MALFORMED, 'no SA payload');
  return sa;
}

function responderMm1(ctx: IkeContext, sa: Phase1Sa, m: Inbound): void {
  let offer: SaPayload;
  try {
    offer = saPayloadOf(m);
  } catch (err) {
    return noProposalChosen(ctx, sa, m, notifyOf(err), errorText(err));
  }
  ctx.out.sa(sa.connId, 'processing SA payload. message ID = 0');
  lookupPsk(ctx, sa, presharedKeyFor(ctx.policy, sa.remote.ip));
  const suite = selectPhase1(ctx.out, sa.connId, offer, ctx.policy.phase1, { pskAvailable: sa.psk !== null });
  processVendorIds(ctx, sa, m.payloads);
  if (!suite) return noProposalChosen(ctx, sa, m, NotifyType.NO_PROPOSAL_CHOSEN, 'no offered transform matches a policy');
  sa.suite = suite;
  sa.saiB = payloadBody(offer);
  ctx.out.engine('CryptoEngine0: generate alg parameter');
  ctx.out.engine('CRYPTO_ENGINE: Dh phase 1 status: 0');
  ctx.out.engine('CRYPTO_ENGINE: Dh phase 1 status: 0');
  ctx.out.sa(sa.connId, 'SA is doing pre-shared key authentication using id type ID_IPV4_ADDR');
  sa.state = 'MM_SA_SETUP';
  const answer = sa.clear(MM, [phase1AnswerPayload(suite.proposalNumber, suite.transform), ...firstVendorIds(ctx, sa)]);
  sendPhase1(ctx, sa, answer, { expectReply: true, inReplyTo: m.message });
}

function initiatorMm2(ctx: IkeContext, sa: Phase1Sa, m: Inbound): void {
  let answer: SaPayload;
  try {
    answer = saPayloadOf(m);
  } catch (err) {
    ctx.out.drop(m.from, notifyOf(err), errorText(err));
    return;
  }
  sa.ckyR = m.header.responderCookie;
  ctx.out.sa(sa.connId, 'processing SA payload. message ID = 0');
  lookupPsk(ctx, sa, presharedKeyFor(ctx.policy, sa.remote.ip));
  const offered = ctx.policy.phase1.filter((p) => p.authentication === 'pre-share');
  const suite = answer.proposals.length === 1 && answer.proposals[0]!.transforms.length === 1
    ? selectPhase1(ctx.out, sa.connId, answer, offered, { pskAvailable: sa.psk !== null })
    : null;
  if (!suite) {
    ctx.out.sa(sa.connId, 'SA not acceptable!');
    ctx.phase1Gone(sa, 'SA not acceptable', { notify: NotifyType.NO_PROPOSAL_CHOSEN, why: 'the responder chose a transform that was not offered' });
    return;
  }
  sa.suite = suite;
  processVendorIds(ctx, sa, m.payloads);
  ctx.out.engine('CryptoEngine0: generate alg parameter');
  const keNonce = makeKeNonce(ctx, sa);
  ctx.out.engine('CRYPTO_ENGINE: Dh phase 1 status: 0');
  ctx.out.engine('CRYPTO_ENGINE: Dh phase 1 status: 0');
  ctx.out.sa(sa.connId, 'SA is doing pre-shared key authentication using id type ID_IPV4_ADDR');
  sa.state = 'MM_SA_SETUP';
  const mm3 = sa.clear(MM, [...keNonce, ...keVendorIds(ctx), ...natDToSend(sa)]);
  sendPhase1(ctx, sa, mm3, { expectReply: true, inReplyTo: m.message });
}

function responderMm3(ctx: IkeContext, sa: Phase1Sa, m: Inbound): void {
  ctx.out.sa(sa.connId, 'processing KE payload. message ID = 0');
  try {
    takePeerKeNonce(ctx, sa, m.payloads);
  } catch (err) {
    ctx.out.log(IosLog.badMessage(m.from.ip));
    ctx.out.drop(m.from, notifyOf(err), errorText(err));
    return;
  }
  ctx.out.engine('CryptoEngine0: generate alg parameter');
  const keNonce = makeKeNonce(ctx, sa);
  ctx.out.sa(sa.connId, 'processing NONCE payload. message ID = 0');
  lookupPsk(ctx, sa, presharedKeyFor(ctx.policy, sa.remote.ip));
  if (!sa.psk) {
    ctx.phase1Gone(sa, 'no pre-shared key', { notify: NotifyType.AUTHENTICATION_FAILED, why: `no pre-shared key for ${sa.remote.ip}` });
    return;
  }
  deriveKeys(ctx, sa);
  processVendorIds(ctx, sa, m.payloads);
  processNatD(ctx, sa, m.payloads, m.from, m.to);
  sa.state = 'MM_KEY_EXCH';
  const mm4 = sa.clear(MM, [...keNonce, ...keVendorIds(ctx), ...natDToSend(sa)]);
  sendPhase1(ctx, sa, mm4, { expectReply: true, inReplyTo: m.message });
}

function initiatorMm4(ctx: IkeContext, sa: Phase1Sa, m: Inbound): void {
  ctx.out.sa(sa.connId, 'processing KE payload. message ID = 0');
  try {
    takePeerKeNonce(ctx, sa, m.payloads);
  } catch (err) {
    ctx.out.log(IosLog.badMessage(m.from.ip));
    ctx.out.drop(m.from, notifyOf(err), errorText(err));
    return;
  }
  ctx.out.engine('CryptoEngine0: generate alg parameter');
  ctx.out.sa(sa.connId, 'processing NONCE payload. message ID = 0');
  lookupPsk(ctx, sa, presharedKeyFor(ctx.policy, sa.remote.ip));
  if (!sa.psk) {
    ctx.phase1Gone(sa, 'no pre-shared key', { notify: NotifyType.AUTHENTICATION_FAILED, why: `no pre-shared key for ${sa.remote.ip}` });
    return;
  }
  deriveKeys(ctx, sa);
  processVendorIds(ctx, sa, m.payloads);
  processNatD(ctx, sa, m.payloads, m.from, m.to);
  if (natDetected(sa)) floatPorts(ctx, sa);
  const id = localIdPayload(sa);
  logLocalId(ctx, sa, PayloadType.HASH);
  ctx.out.engine(`CryptoEngine0: generate hmac context for conn id ${sa.connId}`);
  const payloads: Payload[] = [id, { type: PayloadType.HASH, data: ownHash(sa, payloadBody(id)) }];
  if (ctx.policy.initialContact && !ctx.hasOtherSas(sa)) payloads.push(initialContactPayload(sa));
  const { message, nextIv } = sa.encrypt(MM, payloads, sa.iv);
  sa.iv = nextIv;
  sa.state = 'MM_KEY_EXCH';
  sendPhase1(ctx, sa, message, { expectReply: true, inReplyTo: m.message });
}

/** Reads IDx and HASH of message 5/6 and checks the hash; throws AUTHENTICATION-FAILED. */
function authenticate(ctx: IkeContext, sa: Phase1Sa, payloads: readonly Payload[]): void {
  const id = payloads.find((p): p is IdPayload => p.type === PayloadType.ID);
  const hash = payloads.find((p): p is HashPayload => p.type === PayloadType.HASH);
  if (!id || !hash) throw new IsakmpError(NotifyType.PAYLOAD_MALFORMED, 'ID or HASH payload missing');
  ctx.out.sa(sa.connId, 'processing ID payload. message ID = 0');
  ctx.out.sa(sa.connId, 'processing HASH payload. message ID = 0');
  ctx.out.engine(`CryptoEngine0: generate hmac context for conn id ${sa.connId}`);
  if (!equalBytes(peerHash(sa, payloadBody(id)), hash.data)) {
    throw new IsakmpError(NotifyType.AUTHENTICATION_FAILED, `${sa.role === 'initiator' ? 'HASH_R' : 'HASH_I'} does not verify`);
  }
}

function initialContactIn(ctx: IkeContext, sa: Phase1Sa, payloads: readonly Payload[]): void {
  if (payloads.some((p) => p.type === PayloadType.NOTIFY && (p as NotifyPayload).notifyType === NotifyType.INITIAL_CONTACT)) {
    ctx.out.sa(sa.connId, 'processing NOTIFY INITIAL_CONTACT protocol 1');
    ctx.initialContact(sa);
  }
}

function responderMm5(ctx: IkeContext, sa: Phase1Sa, m: Inbound): void {
  let decrypted;
  try {
    decrypted = sa.decrypt(m.header, m.body, sa.iv);
  } catch (err) {
    return badEncryptedMessage(ctx, sa, m, err);
  }
  try {
    authenticate(ctx, sa, decrypted.payloads);
  } catch (err) {
    // A hash that does not verify may be a corrupted packet as well as a wrong key: counted like one.
    return badEncryptedMessage(ctx, sa, m, err);
  }
  sa.iv = decrypted.nextIv;
  followPeer(ctx, sa, m.from, m.to);
  ctx.out.sa(sa.connId, `SA has been authenticated with ${sa.remote.ip}`);
  initialContactIn(ctx, sa, decrypted.payloads);
  const id = localIdPayload(sa);
  logLocalId(ctx, sa, PayloadType.HASH);
  ctx.out.engine(`CryptoEngine0: generate hmac context for conn id ${sa.connId}`);
  ctx.out.engine('CryptoEngine0: clear dh number for conn id 1');
  const { message, nextIv } = sa.encrypt(MM, [id, { type: PayloadType.HASH, data: ownHash(sa, payloadBody(id)) }], sa.iv);
  sa.iv = nextIv;
  sa.lastPhase1Block = nextIv;
  sa.state = 'QM_IDLE';
  sendPhase1(ctx, sa, message, { expectReply: false, inReplyTo: m.message });
  ctx.phase1Established(sa);
}

function initiatorMm6(ctx: IkeContext, sa: Phase1Sa, m: Inbound): void {
  let decrypted;
  try {
    decrypted = sa.decrypt(m.header, m.body, sa.iv);
  } catch (err) {
    return badEncryptedMessage(ctx, sa, m, err);
  }
  try {
    authenticate(ctx, sa, decrypted.payloads);
  } catch (err) {
    // A hash that does not verify may be a corrupted packet as well as a wrong key: counted like one.
    return badEncryptedMessage(ctx, sa, m, err);
  }
  sa.iv = decrypted.nextIv;
  sa.lastPhase1Block = decrypted.nextIv;
  sa.remember(m.message, []);
  ctx.out.sa(sa.connId, `SA has been authenticated with ${sa.remote.ip}`);
  initialContactIn(ctx, sa, decrypted.payloads);
  sa.state = 'QM_IDLE';
  sa.retransmit = null;
  ctx.phase1Established(sa);
}
