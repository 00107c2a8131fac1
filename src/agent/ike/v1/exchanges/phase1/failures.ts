/**
 * How phase 1 fails, with IOS's words:
 *
 * - no acceptable proposal: "no offers accepted!", "phase 1 SA policy not
 *   acceptable!", %CRYPTO-6-IKMP_MODE_FAILURE, and a cleartext Informational
 *   NO-PROPOSAL-CHOSEN to the initiator (RFC 2408 5.5: before keys exist,
 *   notifications go unprotected);
 * - an encrypted message that does not decrypt into payloads, or whose hash
 *   does not verify: %CRYPTO-4-IKMP_BAD_MESSAGE, the message is dropped and
 *   counted; a retransmission may still succeed (a corrupted packet). After
 *   the same message fails repeatedly the SA fails with AUTHENTICATION-FAILED: the
 *   keys differ, which with pre-shared keys means the keys do not match.
 */
import { Buffer } from 'node:buffer';
import { Doi, ExchangeType, NotifyType, PayloadType, ProtocolId } from '../../../../../codecs/isakmp/constants.js';
import type { Payload } from '../../../../../codecs/isakmp/types.js';
import type { IkeContext } from '../context.js';
import type { Inbound } from '../exchange.js';
import { errorText, IosLog, iosNotifyName, notifyOf } from '../../notify.js';
import { digestOf, type Phase1Sa } from '../../sa/isakmp-sa.js';

/** Sends a cleartext Informational with one notify about this SA (protocol ISAKMP, SPI = both cookies). */
export function sendUnencryptedNotify(ctx: IkeContext, sa: Phase1Sa, notifyType: number): void {
  const n: Payload = { type: PayloadType.NOTIFY, doi: Doi.IPSEC, protocol: ProtocolId.ISAKMP, spi: Buffer.concat([sa.ckyI, sa.ckyR]), notifyType, data: Buffer.alloc(0) };
  const message = sa.clear(ExchangeType.INFORMATIONAL, [n], ctx.messageId(sa));
  const w = sa.wire(message);
  ctx.out.sa(sa.connId, `sending packet to ${sa.remote.ip} (${sa.roleChar}) ${sa.state}`);
  ctx.out.push({ kind: 'send', ...w, connId: sa.connId });
}

/** The responder refuses every offered transform (or the SA payload is unusable). */
export function noProposalChosen(ctx: IkeContext, sa: Phase1Sa, m: Inbound, notify: number, why: string): void {
  const mode = sa.mode === 'main' ? 'Main' : 'Aggressive';
  ctx.out.sa(sa.connId, 'no offers accepted!');
  ctx.out.sa(sa.connId, `phase 1 SA policy not acceptable! (local ${m.to.ip} remote ${m.from.ip})`);
  ctx.out.log(IosLog.modeFailure(mode, m.from.ip));
  sendUnencryptedNotify(ctx, sa, NotifyType.NO_PROPOSAL_CHOSEN);
  ctx.phase1Gone(sa, 'phase 1 SA policy not acceptable', { notify, why });
}

/**
 * An encrypted phase-1 message that fails to decrypt, parse or authenticate.
 * `anyMessage`: count every such message, not only repeats of one: a peer
 * that answers our encrypted message with encrypted notifies we cannot read
 * (strongSwan sends PAYLOAD-MALFORMED under its own keys, each time with a
 * new message ID) has other keys than ours.
 */
export function badEncryptedMessage(ctx: IkeContext, sa: Phase1Sa, m: Inbound, err: unknown, anyMessage = false): void {
  sa.badMessages++;
  const digest = digestOf(m.message);
  const repeats = anyMessage ? sa.badMessages : (sa.badDigests.get(digest) ?? 0) + 1;
  sa.badDigests.set(digest, (sa.badDigests.get(digest) ?? 0) + 1);
  ctx.out.log(IosLog.badMessage(m.from.ip));
  ctx.out.sa(sa.connId, `incrementing error counter on sa: ${iosNotifyName(notifyOf(err))}`);
  ctx.out.drop(m.from, notifyOf(err), errorText(err));
  if (repeats < ctx.policy.timers.badMessageRepeats) return;
  ctx.out.log(IosLog.authFail(m.from.ip));
  ctx.phase1Gone(sa, 'authentication failed', {
    notify: NotifyType.AUTHENTICATION_FAILED,
    why: `${anyMessage ? `${repeats} encrypted messages` : `the same encrypted message ${repeats} times`} from ${m.from.ip} failed: pre-shared key mismatch? (${errorText(err)})`,
  });
}
