/**
 * What Main Mode and Aggressive Mode share (RFC 2409 5; strongSwan's
 * ikev1/phase1.c): the working state of a phase-1 exchange until the ISAKMP
 * SA is established (the pre-shared key, SAi_b, our DH pair and both public
 * values, both nonces, the phase-1 IV chain, our last message for
 * retransmission, the unreadable messages counted), and the steps both modes
 * take with it: sending, nonces and key exchange, key derivation, the
 * identity payload, HASH_I/HASH_R, retransmission and giving up.
 *
 * The suite, the keys and the last phase-1 CBC block go on the ISAKMP SA:
 * they outlive the exchange. IV rule: `iv` only moves forward after a
 * message was processed successfully; a message that fails to decrypt or
 * authenticate leaves it untouched, so a retransmission still decrypts.
 */
import { Buffer } from 'node:buffer';
import { payloadBody } from '../../../../../codecs/isakmp/chain.js';
import { NotifyType, PayloadType } from '../../../../../codecs/isakmp/constants.js';
import { IsakmpError } from '../../../../../codecs/isakmp/errors.js';
import type { Payload } from '../../../../../codecs/isakmp/types.js';
import type { DhGroup, DhKeyPair } from '../../../../crypto/dh.js';
import { presharedKeyFor } from '../../../policy.js';
import { Retransmitter, type WireMessage } from '../../../retransmit.js';
import { hashI, hashR, type Phase1HashInput } from '../../crypto/hashes.js';
import { phase1Iv } from '../../crypto/iv.js';
import { derivePhase1Keys } from '../../crypto/keys.js';
import { errorText, IosLog, iosNotifyName, notifyOf } from '../../notify.js';
import type { IsakmpSa } from '../../sa/isakmp-sa.js';
import { digestOf } from '../../sa/replies.js';
import type { IkeContext } from '../context.js';
import type { Inbound, Status } from '../exchange.js';

export const NONCE_SIZE = 20;

/** The working state and shared steps of one Main or Aggressive Mode exchange. */
export class Phase1 {
  /** The pre-shared key for the peer, once looked up (null: none configured). */
  psk: Buffer | null = null;
  /** Initiator's SA payload body (SAi_b), input of HASH_I/HASH_R. */
  saiB: Buffer = Buffer.alloc(0);
  dh: DhKeyPair | null = null;
  gxi: Buffer = Buffer.alloc(0);
  gxr: Buffer = Buffer.alloc(0);
  niB: Buffer = Buffer.alloc(0);
  nrB: Buffer = Buffer.alloc(0);
  /** Current phase-1 IV (before the first encrypted message: hash(g^xi | g^xr)). */
  iv: Buffer = Buffer.alloc(0);
  /** Our last message while an answer is due. */
  private retransmit: Retransmitter | null = null;
  /** Undecryptable / unauthenticated messages received, in all and per message (see IkeTimers.badMessageRepeats); at most `limits.badDigests` kept, the most recent last. */
  private badMessages = 0;
  private readonly badDigests = new Map<string, number>();

  constructor(readonly sa: IsakmpSa) {}

  /**
   * Sends a phase-1 message: logs "sending packet to X (I) STATE", emits the
   * datagram, remembers it as the answer to `inReplyTo` (duplicates get it
   * again), and arms the retransmission timer when an answer is expected.
   */
  send(ctx: IkeContext, message: Buffer, opts: { expectReply: boolean; inReplyTo?: Buffer }): WireMessage {
    const sa = this.sa;
    const w = sa.wire(message);
    ctx.out.sa(sa.connId, `sending packet to ${sa.remote.ip} (${sa.roleChar}) ${sa.state}`);
    ctx.out.push({ kind: 'send', ...w, connId: sa.connId });
    if (opts.inReplyTo) sa.remember(opts.inReplyTo, [w]);
    this.retransmit = opts.expectReply ? new Retransmitter(ctx.policy.timers.phase1, ctx.now, [w]) : null;
    return w;
  }

  /** The last message needs no more resending (the exchange is complete). */
  stopRetransmitting(): void {
    this.retransmit = null;
  }

  deadline(): number | null {
    return this.retransmit?.nextAt ?? null;
  }

  /** Our last message went out again as the answer to the peer's duplicate: the timer's next resend waits one interval from now. */
  resent(now: number, sent: readonly WireMessage[]): void {
    if (this.retransmit?.holds(sent)) this.retransmit.sentAgain(now);
  }

  /**
   * Resends our last message when due, unless it went out less than one
   * interval ago as the answer to a duplicate ("retransmission skipped");
   * after the last resend the SA dies ("death by retransmission P1 sa").
   */
  tick(ctx: IkeContext): Status {
    const sa = this.sa;
    const r = this.retransmit;
    if (!r || !r.due(ctx.now)) return 'running';
    const since = r.skip(ctx.now);
    if (since !== null) {
      ctx.out.sa(sa.connId, `retransmission skipped for phase 1 (time since last transmission ${since})`);
      r.postpone();
      return 'running';
    }
    if (r.exhausted) {
      ctx.phase1Gone(sa, 'death by retransmission P1 sa', {
        notify: 0,
        why: `no answer from ${sa.remote.ip} after ${r.retransmits} retransmissions in ${sa.state}`,
      });
      return 'done';
    }
    r.fire(ctx.now);
    ctx.out.sa(sa.connId, `retransmitting phase 1 ${sa.state}...`);
    ctx.out.sa(sa.connId, `incrementing error counter on sa, attempt ${r.retransmits} of ${r.policy.maxRetransmits}: retransmit phase 1`);
    ctx.out.sa(sa.connId, `retransmitting phase 1 ${sa.state}`);
    for (const w of r.messages) {
      ctx.out.sa(sa.connId, `sending packet to ${w.to.ip} (${sa.roleChar}) ${sa.state}`);
      ctx.out.push({ kind: 'send', ...w, connId: sa.connId });
    }
    return 'running';
  }

  /** PSK lookup with IOS's line ("No pre-shared key" when none). */
  lookupPsk(ctx: IkeContext): void {
    const sa = this.sa;
    const key = presharedKeyFor(ctx.policy, sa.remote.ip);
    if (key === null) {
      ctx.out.sa(sa.connId, `No pre-shared key with ${sa.remote.ip}!`);
      this.psk = null;
      return;
    }
    ctx.out.sa(sa.connId, `found peer pre-shared key matching ${sa.remote.ip}`);
    this.psk = Buffer.from(key, 'latin1');
  }

  /** Generates our DH pair and nonce; returns the KE and Nonce payloads. */
  makeKeNonce(ctx: IkeContext, group: DhGroup = this.sa.suite!.group): Payload[] {
    const dh = ctx.dh(group);
    this.dh = dh;
    const nonce = ctx.bytes(NONCE_SIZE);
    if (this.sa.role === 'initiator') {
      this.gxi = dh.publicValue;
      this.niB = nonce;
    } else {
      this.gxr = dh.publicValue;
      this.nrB = nonce;
    }
    return [
      { type: PayloadType.KE, data: dh.publicValue },
      { type: PayloadType.NONCE, data: nonce },
    ];
  }

  /** Takes the peer's KE and Nonce (throws INVALID-KEY-INFORMATION / PAYLOAD-MALFORMED). */
  takePeerKeNonce(payloads: readonly Payload[], group: DhGroup = this.sa.suite!.group): void {
    const ke = payloads.find((p) => p.type === PayloadType.KE);
    const nonce = payloads.find((p) => p.type === PayloadType.NONCE);
    if (!ke || !nonce) throw new IsakmpError(NotifyType.PAYLOAD_MALFORMED, 'KE or Nonce payload missing');
    const keData = (ke as { data: Buffer }).data;
    const nonceB = payloadBody(nonce);
    if (nonceB.length < 8 || nonceB.length > 256) throw new IsakmpError(NotifyType.PAYLOAD_MALFORMED, `nonce of ${nonceB.length} bytes`);
    if (keData.length !== group.size) {
      throw new IsakmpError(NotifyType.INVALID_KEY_INFORMATION, `KE of ${keData.length} bytes, group ${group.id} needs ${group.size}`);
    }
    if (this.sa.role === 'initiator') {
      this.gxr = keData;
      this.nrB = nonceB;
    } else {
      this.gxi = keData;
      this.niB = nonceB;
    }
  }

  /** g^xy and SKEYID... onto the SA, the first phase-1 IV, with IOS's engine lines. */
  deriveKeys(ctx: IkeContext): void {
    const sa = this.sa;
    const suite = sa.suite!;
    const gxy = this.dh!.computeShared(sa.role === 'initiator' ? this.gxr : this.gxi);
    ctx.out.engine(`CryptoEngine0: create ISAKMP SKEYID for conn id ${sa.connId}`);
    sa.setKeys(derivePhase1Keys({ hash: suite.hash, cipher: suite.cipher, psk: this.psk!, niB: this.niB, nrB: this.nrB, gxy, ckyI: sa.ckyI, ckyR: sa.ckyR }));
    this.iv = phase1Iv(suite.hash, suite.cipher, this.gxi, this.gxr);
    sa.lastPhase1Block = this.iv;
    ctx.out.sa(sa.connId, 'SKEYID state generated');
  }

  private hashInput(): Phase1HashInput {
    const sa = this.sa;
    return { hash: sa.suite!.hash, skeyid: sa.keys!.skeyid, gxi: this.gxi, gxr: this.gxr, ckyI: sa.ckyI, ckyR: sa.ckyR, saiB: this.saiB };
  }

  /** The HASH this side sends: HASH_I for the initiator, HASH_R for the responder. */
  ownHash(idB: Buffer): Buffer {
    return this.sa.role === 'initiator' ? hashI(this.hashInput(), idB) : hashR(this.hashInput(), idB);
  }

  /** The HASH the peer must have sent over its ID body. */
  peerHash(peerIdB: Buffer): Buffer {
    return this.sa.role === 'initiator' ? hashR(this.hashInput(), peerIdB) : hashI(this.hashInput(), peerIdB);
  }

  /**
   * An encrypted message that fails to decrypt, parse or authenticate
   * (%CRYPTO-4-IKMP_BAD_MESSAGE): dropped and counted; a retransmission may
   * still succeed (a corrupted packet). When the same message failed
   * `badMessageRepeats` times the SA fails with AUTHENTICATION-FAILED: the
   * keys differ, which with pre-shared keys means the keys do not match.
   * `anyMessage`: count every such message, not only repeats of one: a peer
   * that answers our encrypted message with encrypted notifies we cannot read
   * (strongSwan sends PAYLOAD-MALFORMED under its own keys, each time with a
   * new message ID) has other keys than ours. 'done' when the SA failed.
   */
  unreadable(ctx: IkeContext, m: Inbound, err: unknown, anyMessage = false): Status {
    const sa = this.sa;
    this.badMessages++;
    const digest = digestOf(m.message);
    const seen = (this.badDigests.get(digest) ?? 0) + 1;
    const repeats = anyMessage ? this.badMessages : seen;
    this.badDigests.delete(digest);
    this.badDigests.set(digest, seen);
    // bounded: forged garbage never repeats, so the oldest distinct message is the one to forget
    const limit = ctx.policy.limits.badDigests;
    for (const old of this.badDigests.keys()) {
      if (this.badDigests.size <= limit) break;
      this.badDigests.delete(old);
      ctx.refused('badDigests', `${limit} unreadable messages counted on conn ${sa.connId}: the oldest forgotten`);
    }
    ctx.out.log(IosLog.badMessage(m.from.ip));
    ctx.out.sa(sa.connId, `incrementing error counter on sa: ${iosNotifyName(notifyOf(err))}`);
    ctx.out.drop(m.from, notifyOf(err), errorText(err));
    if (repeats < ctx.policy.timers.badMessageRepeats) return 'running';
    ctx.out.log(IosLog.authFail(m.from.ip));
    ctx.phase1Gone(sa, 'authentication failed', {
      notify: NotifyType.AUTHENTICATION_FAILED,
      why: `${anyMessage ? `${repeats} encrypted messages` : `the same encrypted message ${repeats} times`} from ${m.from.ip} failed: pre-shared key mismatch? (${errorText(err)})`,
    });
    return 'done';
  }
}

/** The INITIAL-CONTACT notify (RFC 2407 4.6.3.3): protocol ISAKMP, SPI = both cookies. */
export function initialContactPayload(sa: IsakmpSa): Payload {
  return {
    type: PayloadType.NOTIFY,
    doi: 1,
    protocol: 1,
    spi: Buffer.concat([sa.ckyI, sa.ckyR]),
    notifyType: NotifyType.INITIAL_CONTACT,
    data: Buffer.alloc(0),
  };
}
