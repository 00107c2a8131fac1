/**
 * The commit bit in Quick Mode (ISAKMP header flag C, 0x02; RFC 2408 3.1):
 * the exchange gets a fourth message, in which the responder tells the
 * initiator that its SAs are in place,
 *
 *   QM4  HDR*(C), HASH(4), N(CONNECTED)     HASH(4) = prf(SKEYID_a, M-ID | N)
 *
 * under the Quick Mode's message ID and IV chain (the form ipsec-tools'
 * racoon sends, quick_r3send, and z/OS IKE documents as "Quick mode with
 * commit bit"; RFC 2408 3.1 calls it an Informational Exchange under the
 * phase-2 message ID, which an initiator takes as well: the task manager
 * hands such a CONNECTED to the waiting Quick Mode). IOS 12.2 between two IOS routers runs Quick Mode in
 * three messages (the seed's debug output); what it does when a peer sets
 * the bit is not published, so the engine does what the RFC asks and says
 * so: one `%TESTBED-5-IKE_COMMIT_BIT` log line per ISAKMP SA, and a debug
 * line for each Quick Mode that uses it. docs/architecture.md, "The commit
 * bit", has the sources.
 */
import { encodePayloads } from '../../../../../codecs/isakmp/chain.js';
import { Flags, NotifyType, PayloadType, ProtocolId } from '../../../../../codecs/isakmp/constants.js';
import { IsakmpError } from '../../../../../codecs/isakmp/errors.js';
import type { NotifyPayload } from '../../../../../codecs/isakmp/types.js';
import type { WireMessage } from '../../../retransmit.js';
import { informationalHash } from '../../crypto/hashes.js';
import { iosNotifyName } from '../../notify.js';
import type { IsakmpSa } from '../../sa/isakmp-sa.js';
import type { IkeContext } from '../context.js';
import type { Inbound } from '../exchange.js';
import { notifyPayload, spiBytes } from '../informational.js';
import { dropBad, find, openVerified, QM, type QmState, s32, sendQm } from './shared.js';

/** Whether a message carries the commit bit. */
export function commitBit(m: Inbound): boolean {
  return (m.header.flags & Flags.COMMIT) !== 0;
}

/** The header flags our next message of this Quick Mode carries besides E: C while the bit is in use (echoed, as racoon does). */
export function commitFlags(qm: QmState): number {
  return qm.commit ? Flags.COMMIT : 0;
}

/** The peer set the commit bit: a debug line for this Quick Mode, and once per ISAKMP SA a log line saying that this is the RFC, not observed IOS behaviour. */
export function noteCommit(ctx: IkeContext, sa: IsakmpSa, qm: QmState): void {
  const what = qm.role === 'responder' ? 'the SAs are installed on QM3, then CONNECTED is sent' : 'the SAs wait for the CONNECTED notify';
  ctx.out.sa(sa.connId, `commit bit set by peer, message ID = ${s32(qm.messageId)}: ${what} (RFC 2408 3.1; emulated, IOS 12.2 behaviour not documented)`);
  if (sa.commitNoted) return;
  sa.commitNoted = true;
  ctx.out.log(
    `%TESTBED-5-IKE_COMMIT_BIT: peer ${sa.remote.ip} set the ISAKMP commit bit in Quick Mode: emulated as RFC 2408 3.1 (CONNECTED notify); what IOS 12.2 does is not documented`,
  );
}

/** Responder: QM4 with the CONNECTED notify (our inbound SPI), after the SAs were installed. Returns the datagram (kept as the reply to QM3). */
export function sendConnected(ctx: IkeContext, sa: IsakmpSa, qm: QmState): WireMessage {
  const n = notifyPayload(ProtocolId.ESP, spiBytes(qm.ourSpi), NotifyType.CONNECTED);
  const hash = informationalHash(sa.suite!.hash, sa.keys!.skeyidA, qm.messageId, encodePayloads([n]));
  ctx.out.engine(`CryptoEngine0: generate hmac context for conn id ${sa.connId}`);
  const { message, nextIv } = sa.encrypt(QM, [{ type: PayloadType.HASH, data: hash }, n], qm.iv, qm.messageId, Flags.COMMIT);
  qm.iv = nextIv;
  ctx.out.sa(sa.connId, `sending NOTIFY ${iosNotifyName(NotifyType.CONNECTED)} protocol ${ProtocolId.ESP}, message ID = ${s32(qm.messageId)}`);
  return sendQm(ctx, sa, message);
}

/**
 * Initiator: QM4 received. True when HASH(4) verifies and it carries the
 * CONNECTED notify; a message that does not verify is dropped (a
 * retransmission of QM3 may still bring the real one).
 */
export function readConnected(ctx: IkeContext, sa: IsakmpSa, qm: QmState, m: Inbound): boolean {
  const mid = qm.messageId;
  const opened = openVerified(ctx, sa, m, qm.iv, 'HASH(4)', (rest) => informationalHash(sa.suite!.hash, sa.keys!.skeyidA, mid, rest));
  if (!opened) return false;
  ctx.out.sa(sa.connId, `processing HASH payload. message ID = ${s32(mid)}`);
  const n = find<NotifyPayload>(opened.payloads, PayloadType.NOTIFY);
  if (n?.notifyType !== NotifyType.CONNECTED) {
    dropBad(ctx, sa, m, new IsakmpError(NotifyType.PAYLOAD_MALFORMED, 'Quick Mode message 4 without the CONNECTED notify'));
    return false;
  }
  ctx.out.sa(sa.connId, `processing NOTIFY ${iosNotifyName(n.notifyType)} protocol ${n.protocol}`);
  qm.iv = opened.nextIv;
  return true;
}
