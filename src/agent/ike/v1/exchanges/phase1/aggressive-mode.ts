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
 * strongSwan both accept it so); a cleartext one is accepted too. One task
 * per exchange: besides the phase-1 working state (Phase1) it keeps the
 * initiator's ID body (IDii_b, for HASH_I) and the endpoints of message 1
 * (the NAT-D of message 3 refers to them).
 */
import { Buffer } from 'node:buffer';
import { payloadBody } from '../../../../../codecs/isakmp/chain.js';
import { ExchangeType, NotifyType, PayloadType } from '../../../../../codecs/isakmp/constants.js';
import { IsakmpError } from '../../../../../codecs/isakmp/errors.js';
import type { HashPayload, IdPayload, KePayload, NotifyPayload, Payload, SaPayload } from '../../../../../codecs/isakmp/types.js';
import { dhGroupById, DH_GROUPS } from '../../../../crypto/dh.js';
import { equalBytes } from '../../../../crypto/prf.js';
import type { Endpoint } from '../../../types.js';
import { phase1Iv } from '../../crypto/iv.js';
import { errorText, IosLog, notifyOf } from '../../notify.js';
import type { IsakmpSa } from '../../sa/isakmp-sa.js';
import type { IkeContext } from '../context.js';
import type { Exchange, Inbound, Status } from '../exchange.js';
import { badIdentity, noProposalChosen } from './failures.js';
import { floatPorts, followPeer, natDetected, natDToSend, processNatD } from './nat-detection.js';
import { checkPeerId, localIdPayload, localIdTypeName, logLocalId } from './identity.js';
import { initialContactPayload, Phase1 } from './phase1.js';
import { phase1AnswerPayload, phase1SaPayload, selectPhase1 } from './proposal.js';
import { firstVendorIds, keVendorIds, processVendorIds } from './vendor.js';
import type { WireMessage } from '../../../retransmit.js';

const AM = ExchangeType.AGGRESSIVE;

type Expect = 'AM1' | 'AM2' | 'AM3';

export class AggressiveMode implements Exchange {
  private readonly p1: Phase1;
  /** Responder: the initiator's ID body (IDii_b) from message 1, for HASH_I. */
  private peerIdB: Buffer = Buffer.alloc(0);
  /** The endpoints of message 1 as sent/received (the NAT-D of message 3 describe them). */
  private firstFrom: Endpoint | null = null;
  private firstTo: Endpoint | null = null;

  private constructor(
    private readonly sa: IsakmpSa,
    /** The message this side waits for next. */
    private expect: Expect,
  ) {
    this.p1 = new Phase1(sa);
  }

  /** We start: AM1 with the policies of the first policy's DH group, our KE, nonce and identity. */
  static initiate(ctx: IkeContext, sa: IsakmpSa): AggressiveMode {
    const am = new AggressiveMode(sa, 'AM2');
    const p1 = am.p1;
    const all = ctx.policy.phase1.filter((p) => p.authentication === 'pre-share');
    const group = dhGroupById(all[0]!.group);
    const policies = all.filter((p) => p.group === group.id);
    const offer = phase1SaPayload(policies);
    p1.saiB = payloadBody(offer);
    ctx.out.engine('CryptoEngine0: generate alg parameter');
    const keNonce = p1.makeKeNonce(ctx, group);
    ctx.out.engine('CRYPTO_ENGINE: Dh phase 1 status: 0');
    ctx.out.sa(sa.connId, `SA is doing pre-shared key authentication using id type ${localIdTypeName(ctx)}`);
    const id = localIdPayload(ctx, sa);
    logLocalId(ctx, sa, PayloadType.VENDOR_ID);
    am.firstFrom = sa.local;
    am.firstTo = sa.remote;
    const message = sa.clear(AM, [offer, ...keNonce, id, ...firstVendorIds(ctx, null), ...keVendorIds(ctx)]);
    p1.send(ctx, message, { expectReply: true });
    return am;
  }

  /** The peer starts: the task takes AM1 next. */
  static respond(sa: IsakmpSa): AggressiveMode {
    return new AggressiveMode(sa, 'AM1');
  }

  process(ctx: IkeContext, m: Inbound): Status {
    if (this.expect === 'AM2' && !m.encrypted) return this.am2(ctx, m);
    if (this.expect === 'AM1' && !m.encrypted) return this.am1(ctx, m);
    if (this.expect === 'AM3') return this.am3(ctx, m);
    ctx.out.sa(this.sa.connId, `unexpected Aggressive Mode message in state ${this.sa.state}, ignored`);
    ctx.out.drop(m.from, NotifyType.INVALID_EXCHANGE_TYPE, `Aggressive Mode message not expected in ${this.sa.state}`);
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

  /** RFC 2409 5: AM1 (responder): offer, KE, nonce and identity in one; AM2 answers with ours and HASH_R. */
  private am1(ctx: IkeContext, m: Inbound): Status {
    const sa = this.sa;
    const p1 = this.p1;
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
    p1.lookupPsk(ctx);
    const group = DH_GROUPS.find((g) => g.size === ke.data.length);
    const suite = group ? selectPhase1(ctx.out, sa.connId, offer, ctx.policy.phase1, { pskAvailable: p1.psk !== null, group: group.id }) : null;
    if (!suite) return noProposalChosen(ctx, sa, m, NotifyType.NO_PROPOSAL_CHOSEN, 'no offered transform matches a policy');
    sa.suite = suite;
    p1.saiB = payloadBody(offer);
    this.firstFrom = m.from;
    this.firstTo = m.to;
    ctx.out.sa(sa.connId, 'processing KE payload. message ID = 0');
    ctx.out.sa(sa.connId, 'processing NONCE payload. message ID = 0');
    try {
      p1.takePeerKeNonce(m.payloads);
    } catch (err) {
      return noProposalChosen(ctx, sa, m, notifyOf(err), errorText(err));
    }
    ctx.out.sa(sa.connId, 'processing ID payload. message ID = 0');
    try {
      checkPeerId(id);
    } catch (err) {
      return badIdentity(ctx, sa, m, errorText(err));
    }
    this.peerIdB = payloadBody(id);
    processVendorIds(ctx, sa, m.payloads);
    ctx.out.engine('CryptoEngine0: generate alg parameter');
    const keNonce = p1.makeKeNonce(ctx);
    ctx.out.engine('CRYPTO_ENGINE: Dh phase 1 status: 0');
    ctx.out.engine('CRYPTO_ENGINE: Dh phase 1 status: 0');
    ctx.out.sa(sa.connId, `SA is doing pre-shared key authentication using id type ${localIdTypeName(ctx)}`);
    p1.deriveKeys(ctx);
    const myId = localIdPayload(ctx, sa);
    logLocalId(ctx, sa, PayloadType.HASH);
    ctx.out.engine(`CryptoEngine0: generate hmac context for conn id ${sa.connId}`);
    const hash: Payload = { type: PayloadType.HASH, data: p1.ownHash(payloadBody(myId)) };
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
    p1.send(ctx, answer, { expectReply: true, inReplyTo: m.message });
    this.expect = 'AM3';
    return 'running';
  }

  /** RFC 2409 5: AM2 (initiator): the responder's choice, KE, nonce, identity and HASH_R; AM3 carries HASH_I and the SA is up. */
  private am2(ctx: IkeContext, m: Inbound): Status {
    const sa = this.sa;
    const p1 = this.p1;
    const answer = find<SaPayload>(m.payloads, PayloadType.SA);
    const id = find<IdPayload>(m.payloads, PayloadType.ID);
    const hash = find<HashPayload>(m.payloads, PayloadType.HASH);
    if (!answer || !id || !hash) {
      ctx.out.drop(m.from, NotifyType.PAYLOAD_MALFORMED, 'Aggressive Mode message 2 lacks SA, ID or HASH');
      return 'running';
    }
    sa.ckyR = m.header.responderCookie;
    ctx.out.sa(sa.connId, 'processing SA payload. message ID = 0');
    p1.lookupPsk(ctx);
    const offered = ctx.policy.phase1.filter((p) => p.authentication === 'pre-share' && p.group === p1.dh!.group.id);
    const suite =
      answer.proposals.length === 1 && answer.proposals[0]!.transforms.length === 1
        ? selectPhase1(ctx.out, sa.connId, answer, offered, { pskAvailable: p1.psk !== null, group: p1.dh!.group.id })
        : null;
    if (!suite) {
      ctx.out.sa(sa.connId, 'SA not acceptable!');
      ctx.phase1Gone(sa, 'SA not acceptable', { notify: NotifyType.NO_PROPOSAL_CHOSEN, why: 'the responder chose a transform that was not offered' });
      return 'done';
    }
    sa.suite = suite;
    ctx.out.sa(sa.connId, 'processing KE payload. message ID = 0');
    ctx.out.sa(sa.connId, 'processing NONCE payload. message ID = 0');
    try {
      p1.takePeerKeNonce(m.payloads);
    } catch (err) {
      ctx.phase1Gone(sa, 'bad key exchange', { notify: notifyOf(err), why: errorText(err) });
      return 'done';
    }
    p1.deriveKeys(ctx);
    ctx.out.sa(sa.connId, 'processing ID payload. message ID = 0');
    ctx.out.sa(sa.connId, 'processing HASH payload. message ID = 0');
    ctx.out.engine(`CryptoEngine0: generate hmac context for conn id ${sa.connId}`);
    if (!equalBytes(p1.peerHash(payloadBody(id)), hash.data)) {
      ctx.out.log(IosLog.authFail(m.from.ip));
      ctx.phase1Gone(sa, 'authentication failed', { notify: NotifyType.AUTHENTICATION_FAILED, why: 'HASH_R does not verify: pre-shared key mismatch?' });
      return 'done';
    }
    try {
      checkPeerId(id);
    } catch (err) {
      ctx.phase1Gone(sa, 'bad identity', { notify: notifyOf(err), why: errorText(err) });
      return 'done';
    }
    ctx.out.sa(sa.connId, `SA has been authenticated with ${sa.remote.ip}`);
    processVendorIds(ctx, sa, m.payloads);
    processNatD(ctx, sa, m.payloads, m.from, m.to);
    const natd = natDToSend(sa);
    if (natDetected(sa)) floatPorts(ctx, sa);
    ctx.out.engine(`CryptoEngine0: generate hmac context for conn id ${sa.connId}`);
    const payloads: Payload[] = [{ type: PayloadType.HASH, data: p1.ownHash(payloadBody(localIdPayload(ctx, sa))) }, ...natd];
    if (ctx.policy.initialContact && !ctx.hasOtherSas(sa)) payloads.push(initialContactPayload(sa));
    const { message, nextIv } = sa.encrypt(AM, payloads, p1.iv);
    p1.iv = nextIv;
    sa.lastPhase1Block = nextIv;
    sa.state = 'AG_INIT_EXCH';
    p1.send(ctx, message, { expectReply: false, inReplyTo: m.message });
    sa.state = 'QM_IDLE';
    ctx.phase1Established(sa);
    return 'done';
  }

  /** RFC 2409 5: AM3 (responder): HASH_I (and NAT-D); the SA is up. */
  private am3(ctx: IkeContext, m: Inbound): Status {
    const sa = this.sa;
    const p1 = this.p1;
    let payloads: Payload[];
    let nextIv = p1.iv;
    if (m.encrypted) {
      try {
        const d = sa.decrypt(m.header, m.body, p1.iv);
        payloads = d.payloads;
        nextIv = d.nextIv;
      } catch (err) {
        return p1.unreadable(ctx, m, err);
      }
    } else {
      payloads = m.payloads;
    }
    const hash = find<HashPayload>(payloads, PayloadType.HASH);
    if (!hash) return p1.unreadable(ctx, m, new IsakmpError(NotifyType.PAYLOAD_MALFORMED, 'no HASH payload'));
    ctx.out.sa(sa.connId, 'processing HASH payload. message ID = 0');
    ctx.out.engine(`CryptoEngine0: generate hmac context for conn id ${sa.connId}`);
    if (!equalBytes(p1.peerHash(this.peerIdB), hash.data)) {
      return p1.unreadable(ctx, m, new IsakmpError(NotifyType.AUTHENTICATION_FAILED, 'HASH_I does not verify'));
    }
    p1.iv = nextIv;
    sa.lastPhase1Block = m.encrypted ? nextIv : phase1Iv(sa.suite!.hash, sa.suite!.cipher, p1.gxi, p1.gxr);
    // The NAT-D of message 3 describe the addresses of message 1 (before any move to 4500).
    if (this.firstFrom && this.firstTo) processNatD(ctx, sa, payloads, this.firstFrom, this.firstTo);
    followPeer(ctx, sa, m.from, m.to);
    ctx.out.sa(sa.connId, `SA has been authenticated with ${sa.remote.ip}`);
    if (payloads.some((p) => p.type === PayloadType.NOTIFY && (p as NotifyPayload).notifyType === NotifyType.INITIAL_CONTACT)) {
      ctx.out.sa(sa.connId, 'processing NOTIFY INITIAL_CONTACT protocol 1');
      ctx.initialContact(sa);
    }
    sa.remember(m.message, []);
    p1.stopRetransmitting();
    sa.state = 'QM_IDLE';
    ctx.phase1Established(sa);
    return 'done';
  }
}

function find<T extends Payload>(payloads: readonly Payload[], type: number): T | undefined {
  return payloads.find((p) => p.type === type) as T | undefined;
}
