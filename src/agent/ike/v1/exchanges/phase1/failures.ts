/**
 * How a phase-1 responder refuses, with IOS's words: no acceptable proposal
 * (or an unusable first message) gives "no offers accepted!", "phase 1 SA
 * policy not acceptable!", %CRYPTO-6-IKMP_MODE_FAILURE, and a cleartext
 * Informational NO-PROPOSAL-CHOSEN to the initiator (RFC 2408 5.5: before
 * keys exist, notifications go unprotected); the SA is gone. Unreadable
 * encrypted messages are counted by the exchange (Phase1.unreadable).
 */
import { Buffer } from 'node:buffer';
import { Doi, ExchangeType, NotifyType, PayloadType, ProtocolId } from '../../../../../codecs/isakmp/constants.js';
import type { Payload } from '../../../../../codecs/isakmp/types.js';
import { IosLog } from '../../notify.js';
import type { IsakmpSa } from '../../sa/isakmp-sa.js';
import type { IkeContext } from '../context.js';
import type { Inbound, Status } from '../exchange.js';

/** Sends a cleartext Informational with one notify about this SA (protocol ISAKMP, SPI = both cookies). */
export function sendUnencryptedNotify(ctx: IkeContext, sa: IsakmpSa, notifyType: number): void {
  const n: Payload = {
    type: PayloadType.NOTIFY,
    doi: Doi.IPSEC,
    protocol: ProtocolId.ISAKMP,
    spi: Buffer.concat([sa.ckyI, sa.ckyR]),
    notifyType,
    data: Buffer.alloc(0),
  };
  const message = sa.clear(ExchangeType.INFORMATIONAL, [n], ctx.messageId(sa));
  const w = sa.wire(message);
  ctx.out.sa(sa.connId, `sending packet to ${sa.remote.ip} (${sa.roleChar}) ${sa.state}`);
  ctx.out.push({ kind: 'send', ...w, connId: sa.connId });
}

/** The responder refuses every offered transform (or the first message is unusable): the SA is gone. */
export function noProposalChosen(ctx: IkeContext, sa: IsakmpSa, m: Inbound, notify: number, why: string): Status {
  const mode = sa.mode === 'main' ? 'Main' : 'Aggressive';
  ctx.out.sa(sa.connId, 'no offers accepted!');
  ctx.out.sa(sa.connId, `phase 1 SA policy not acceptable! (local ${m.to.ip} remote ${m.from.ip})`);
  ctx.out.log(IosLog.modeFailure(mode, m.from.ip));
  sendUnencryptedNotify(ctx, sa, NotifyType.NO_PROPOSAL_CHOSEN);
  ctx.phase1Gone(sa, 'phase 1 SA policy not acceptable', { notify, why });
  return 'done';
}

/** The peer's first message names no identity IOS takes (identity.ts): INVALID-ID-INFORMATION in clear, the SA is gone. */
export function badIdentity(ctx: IkeContext, sa: IsakmpSa, m: Inbound, why: string): Status {
  ctx.out.sa(sa.connId, `ID payload not acceptable from ${m.from.ip}`);
  ctx.out.log(IosLog.modeFailure(sa.mode === 'main' ? 'Main' : 'Aggressive', m.from.ip));
  sendUnencryptedNotify(ctx, sa, NotifyType.INVALID_ID_INFORMATION);
  ctx.phase1Gone(sa, 'identity not acceptable', { notify: NotifyType.INVALID_ID_INFORMATION, why });
  return 'done';
}
