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
 *
 * One task per exchange: it knows the message it expects next and owns the
 * phase-1 working state (Phase1); the IOS state it writes on the SA is what
 * the debug lines and `show crypto isakmp sa` print.
 */
import type { Buffer } from 'node:buffer';
import { payloadBody } from '../../../../../codecs/isakmp/chain.js';
import { ExchangeType, NotifyType, PayloadType } from '../../../../../codecs/isakmp/constants.js';
import { IsakmpError } from '../../../../../codecs/isakmp/errors.js';
import type { HashPayload, IdPayload, NotifyPayload, Payload, SaPayload } from '../../../../../codecs/isakmp/types.js';
import { equalBytes } from '../../../../crypto/prf.js';
import { errorText, IosLog, notifyOf } from '../../notify.js';
import type { IsakmpSa } from '../../sa/isakmp-sa.js';
import type { IkeContext } from '../context.js';
import type { Exchange, Inbound, Status } from '../exchange.js';
import { noProposalChosen } from './failures.js';
import { floatPorts, followPeer, natDetected, natDToSend, processNatD } from './nat-detection.js';
import { checkPeerId, localIdPayload, localIdTypeName, logLocalId } from './identity.js';
import { initialContactPayload, Phase1 } from './phase1.js';
import { phase1AnswerPayload, phase1SaPayload, selectPhase1 } from './proposal.js';
import { firstVendorIds, keVendorIds, processVendorIds } from './vendor.js';
import type { WireMessage } from '../../../retransmit.js';

const MM = ExchangeType.IDENTITY_PROTECTION;

type Expect = 'MM1' | 'MM2' | 'MM3' | 'MM4' | 'MM5' | 'MM6';

export class MainMode implements Exchange {
  private readonly p1: Phase1;

  private constructor(
    private readonly sa: IsakmpSa,
    /** The message this side waits for next. */
    private expect: Expect,
  ) {
    this.p1 = new Phase1(sa);
  }

  /** We start: MM1 offers every pre-share policy as one transform of one proposal. */
  static initiate(ctx: IkeContext, sa: IsakmpSa): MainMode {
    const mm = new MainMode(sa, 'MM2');
    const policies = ctx.policy.phase1.filter((p) => p.authentication === 'pre-share');
    const sa1 = phase1SaPayload(policies);
    mm.p1.saiB = payloadBody(sa1);
    mm.p1.send(ctx, sa.clear(MM, [sa1, ...firstVendorIds(ctx, null)]), { expectReply: true });
    return mm;
  }

  /** The peer starts: the task takes MM1 next. */
  static respond(sa: IsakmpSa): MainMode {
    return new MainMode(sa, 'MM1');
  }

  process(ctx: IkeContext, m: Inbound): Status {
    switch (this.expect) {
      case 'MM1':
        if (!m.encrypted) return this.mm1(ctx, m);
        break;
      case 'MM2':
        if (!m.encrypted) return this.mm2(ctx, m);
        break;
      case 'MM3':
        if (!m.encrypted) return this.mm3(ctx, m);
        break;
      case 'MM4':
        if (!m.encrypted) return this.mm4(ctx, m);
        break;
      case 'MM5':
        if (m.encrypted) return this.mm5(ctx, m);
        break;
      case 'MM6':
        if (m.encrypted) return this.mm6(ctx, m);
        break;
    }
    ctx.out.sa(this.sa.connId, `unexpected Main Mode message in state ${this.sa.state}, ignored`);
    ctx.out.drop(m.from, NotifyType.INVALID_EXCHANGE_TYPE, `Main Mode message not expected in ${this.sa.state}`);
    return 'running';
  }

  deadline(): number | null {
    return this.p1.deadline();
  }

  tick(ctx: IkeContext): Status {
    return this.p1.tick(ctx);
  }

  /** Our last message went out again as the answer to a duplicate (see Phase1.resent). */
  resent(now: number, sent: readonly WireMessage[]): void {
    this.p1.resent(now, sent);
  }

  /** An encrypted message for the SA (an Informational) that cannot be read before phase 1 completes. */
  unreadable(ctx: IkeContext, m: Inbound, err: unknown): Status {
    return this.p1.unreadable(ctx, m, err, true);
  }

  abort(): void {
    this.p1.stopRetransmitting();
  }

  /** RFC 2409 5: MM1 (responder), the initiator's offer. */
  private mm1(ctx: IkeContext, m: Inbound): Status {
    const sa = this.sa;
    let offer: SaPayload;
    try {
      offer = saPayloadOf(m);
    } catch (err) {
      return noProposalChosen(ctx, sa, m, notifyOf(err), errorText(err));
    }
    ctx.out.sa(sa.connId, 'processing SA payload. message ID = 0');
    this.p1.lookupPsk(ctx);
    const suite = selectPhase1(ctx.out, sa.connId, offer, ctx.policy.phase1, { pskAvailable: this.p1.psk !== null });
    processVendorIds(ctx, sa, m.payloads);
    if (!suite) return noProposalChosen(ctx, sa, m, NotifyType.NO_PROPOSAL_CHOSEN, 'no offered transform matches a policy');
    sa.suite = suite;
    this.p1.saiB = payloadBody(offer);
    ctx.out.engine('CryptoEngine0: generate alg parameter');
    ctx.out.engine('CRYPTO_ENGINE: Dh phase 1 status: 0');
    ctx.out.engine('CRYPTO_ENGINE: Dh phase 1 status: 0');
    ctx.out.sa(sa.connId, `SA is doing pre-shared key authentication using id type ${localIdTypeName(ctx)}`);
    sa.state = 'MM_SA_SETUP';
    const answer = sa.clear(MM, [phase1AnswerPayload(suite.proposalNumber, suite.transform), ...firstVendorIds(ctx, sa)]);
    this.p1.send(ctx, answer, { expectReply: true, inReplyTo: m.message });
    this.expect = 'MM3';
    return 'running';
  }

  /** RFC 2409 5: MM2 (initiator), the transform the responder chose. */
  private mm2(ctx: IkeContext, m: Inbound): Status {
    const sa = this.sa;
    let answer: SaPayload;
    try {
      answer = saPayloadOf(m);
    } catch (err) {
      ctx.out.drop(m.from, notifyOf(err), errorText(err));
      return 'running';
    }
    sa.ckyR = m.header.responderCookie;
    ctx.out.sa(sa.connId, 'processing SA payload. message ID = 0');
    this.p1.lookupPsk(ctx);
    const offered = ctx.policy.phase1.filter((p) => p.authentication === 'pre-share');
    const suite =
      answer.proposals.length === 1 && answer.proposals[0]!.transforms.length === 1
        ? selectPhase1(ctx.out, sa.connId, answer, offered, { pskAvailable: this.p1.psk !== null })
        : null;
    if (!suite) {
      ctx.out.sa(sa.connId, 'SA not acceptable!');
      ctx.phase1Gone(sa, 'SA not acceptable', { notify: NotifyType.NO_PROPOSAL_CHOSEN, why: 'the responder chose a transform that was not offered' });
      return 'done';
    }
    sa.suite = suite;
    processVendorIds(ctx, sa, m.payloads);
    ctx.out.engine('CryptoEngine0: generate alg parameter');
    const keNonce = this.p1.makeKeNonce(ctx);
    ctx.out.engine('CRYPTO_ENGINE: Dh phase 1 status: 0');
    ctx.out.engine('CRYPTO_ENGINE: Dh phase 1 status: 0');
    ctx.out.sa(sa.connId, `SA is doing pre-shared key authentication using id type ${localIdTypeName(ctx)}`);
    sa.state = 'MM_SA_SETUP';
    const mm3 = sa.clear(MM, [...keNonce, ...keVendorIds(ctx), ...natDToSend(sa)]);
    this.p1.send(ctx, mm3, { expectReply: true, inReplyTo: m.message });
    this.expect = 'MM4';
    return 'running';
  }

  /** RFC 2409 5: MM3 (responder), the initiator's KE and nonce. */
  private mm3(ctx: IkeContext, m: Inbound): Status {
    const sa = this.sa;
    ctx.out.sa(sa.connId, 'processing KE payload. message ID = 0');
    try {
      this.p1.takePeerKeNonce(m.payloads);
    } catch (err) {
      ctx.out.log(IosLog.badMessage(m.from.ip));
      ctx.out.drop(m.from, notifyOf(err), errorText(err));
      return 'running';
    }
    ctx.out.engine('CryptoEngine0: generate alg parameter');
    const keNonce = this.p1.makeKeNonce(ctx);
    ctx.out.sa(sa.connId, 'processing NONCE payload. message ID = 0');
    this.p1.lookupPsk(ctx);
    if (!this.p1.psk) {
      ctx.phase1Gone(sa, 'no pre-shared key', { notify: NotifyType.AUTHENTICATION_FAILED, why: `no pre-shared key for ${sa.remote.ip}` });
      return 'done';
    }
    this.p1.deriveKeys(ctx);
    processVendorIds(ctx, sa, m.payloads);
    processNatD(ctx, sa, m.payloads, m.from, m.to);
    sa.state = 'MM_KEY_EXCH';
    const mm4 = sa.clear(MM, [...keNonce, ...keVendorIds(ctx), ...natDToSend(sa)]);
    this.p1.send(ctx, mm4, { expectReply: true, inReplyTo: m.message });
    this.expect = 'MM5';
    return 'running';
  }

  /** RFC 2409 5: MM4 (initiator), the responder's KE and nonce; MM5 carries our identity. */
  private mm4(ctx: IkeContext, m: Inbound): Status {
    const sa = this.sa;
    ctx.out.sa(sa.connId, 'processing KE payload. message ID = 0');
    try {
      this.p1.takePeerKeNonce(m.payloads);
    } catch (err) {
      ctx.out.log(IosLog.badMessage(m.from.ip));
      ctx.out.drop(m.from, notifyOf(err), errorText(err));
      return 'running';
    }
    ctx.out.engine('CryptoEngine0: generate alg parameter');
    ctx.out.sa(sa.connId, 'processing NONCE payload. message ID = 0');
    this.p1.lookupPsk(ctx);
    if (!this.p1.psk) {
      ctx.phase1Gone(sa, 'no pre-shared key', { notify: NotifyType.AUTHENTICATION_FAILED, why: `no pre-shared key for ${sa.remote.ip}` });
      return 'done';
    }
    this.p1.deriveKeys(ctx);
    processVendorIds(ctx, sa, m.payloads);
    processNatD(ctx, sa, m.payloads, m.from, m.to);
    if (natDetected(sa)) floatPorts(ctx, sa);
    const id = localIdPayload(ctx, sa);
    logLocalId(ctx, sa, PayloadType.HASH);
    ctx.out.engine(`CryptoEngine0: generate hmac context for conn id ${sa.connId}`);
    const payloads: Payload[] = [id, { type: PayloadType.HASH, data: this.p1.ownHash(payloadBody(id)) }];
    if (ctx.policy.initialContact && !ctx.hasOtherSas(sa)) payloads.push(initialContactPayload(sa));
    const { message, nextIv } = sa.encrypt(MM, payloads, this.p1.iv);
    this.p1.iv = nextIv;
    sa.state = 'MM_KEY_EXCH';
    this.p1.send(ctx, message, { expectReply: true, inReplyTo: m.message });
    this.expect = 'MM6';
    return 'running';
  }

  /** Reads IDx and HASH of message 5/6 and checks the hash; throws AUTHENTICATION-FAILED. */
  private authenticate(ctx: IkeContext, payloads: readonly Payload[]): void {
    const sa = this.sa;
    const id = payloads.find((p): p is IdPayload => p.type === PayloadType.ID);
    const hash = payloads.find((p): p is HashPayload => p.type === PayloadType.HASH);
    if (!id || !hash) throw new IsakmpError(NotifyType.PAYLOAD_MALFORMED, 'ID or HASH payload missing');
    ctx.out.sa(sa.connId, 'processing ID payload. message ID = 0');
    ctx.out.sa(sa.connId, 'processing HASH payload. message ID = 0');
    ctx.out.engine(`CryptoEngine0: generate hmac context for conn id ${sa.connId}`);
    if (!equalBytes(this.p1.peerHash(payloadBody(id)), hash.data)) {
      throw new IsakmpError(NotifyType.AUTHENTICATION_FAILED, `${sa.role === 'initiator' ? 'HASH_R' : 'HASH_I'} does not verify`);
    }
    checkPeerId(id);
  }

  /** Decrypts message 5/6 and authenticates the peer; a Status when the message was dropped instead (see Phase1.unreadable). */
  private openAuthenticated(ctx: IkeContext, m: Inbound): { payloads: Payload[]; nextIv: Buffer } | Status {
    let decrypted;
    try {
      decrypted = this.sa.decrypt(m.header, m.body, this.p1.iv);
    } catch (err) {
      return this.p1.unreadable(ctx, m, err);
    }
    try {
      this.authenticate(ctx, decrypted.payloads);
    } catch (err) {
      // A hash that does not verify may be a corrupted packet as well as a wrong key: counted like one.
      return this.p1.unreadable(ctx, m, err);
    }
    return decrypted;
  }

  /** RFC 2409 5: MM5 (responder), the initiator's identity; MM6 answers with ours and the SA is up. */
  private mm5(ctx: IkeContext, m: Inbound): Status {
    const sa = this.sa;
    const opened = this.openAuthenticated(ctx, m);
    if (typeof opened === 'string') return opened;
    this.p1.iv = opened.nextIv;
    followPeer(ctx, sa, m.from, m.to);
    ctx.out.sa(sa.connId, `SA has been authenticated with ${sa.remote.ip}`);
    initialContactIn(ctx, sa, opened.payloads);
    const id = localIdPayload(ctx, sa);
    logLocalId(ctx, sa, PayloadType.HASH);
    ctx.out.engine(`CryptoEngine0: generate hmac context for conn id ${sa.connId}`);
    ctx.out.engine('CryptoEngine0: clear dh number for conn id 1');
    const { message, nextIv } = sa.encrypt(MM, [id, { type: PayloadType.HASH, data: this.p1.ownHash(payloadBody(id)) }], this.p1.iv);
    this.p1.iv = nextIv;
    sa.lastPhase1Block = nextIv;
    sa.state = 'QM_IDLE';
    this.p1.send(ctx, message, { expectReply: false, inReplyTo: m.message });
    ctx.phase1Established(sa);
    return 'done';
  }

  /** RFC 2409 5: MM6 (initiator), the responder's identity; the SA is up. */
  private mm6(ctx: IkeContext, m: Inbound): Status {
    const sa = this.sa;
    const opened = this.openAuthenticated(ctx, m);
    if (typeof opened === 'string') return opened;
    this.p1.iv = opened.nextIv;
    sa.lastPhase1Block = opened.nextIv;
    sa.remember(m.message, []);
    ctx.out.sa(sa.connId, `SA has been authenticated with ${sa.remote.ip}`);
    initialContactIn(ctx, sa, opened.payloads);
    sa.state = 'QM_IDLE';
    this.p1.stopRetransmitting();
    ctx.phase1Established(sa);
    return 'done';
  }
}

function saPayloadOf(m: Inbound): SaPayload {
  const sa = m.payloads.find((p): p is SaPayload => p.type === PayloadType.SA);
  if (!sa) throw new IsakmpError(NotifyType.PAYLOAD_MALFORMED, 'no SA payload');
  return sa;
}

/** INITIAL-CONTACT in the last message: the peer rebooted, older SAs with it go. */
function initialContactIn(ctx: IkeContext, sa: IsakmpSa, payloads: readonly Payload[]): void {
  if (payloads.some((p) => p.type === PayloadType.NOTIFY && (p as NotifyPayload).notifyType === NotifyType.INITIAL_CONTACT)) {
    ctx.out.sa(sa.connId, 'processing NOTIFY INITIAL_CONTACT protocol 1');
    ctx.initialContact(sa);
  }
}
