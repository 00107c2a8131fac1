/**
 * Quick Mode (RFC 2409 5.5): the working state of one exchange, owned by
 * its QuickMode task, and the steps both roles share: sending, SPI
 * allocation lines, decrypting a message and splitting its HASH off,
 * dropping bad ones, and the validate lines.
 */
import { Buffer } from 'node:buffer';
import { ExchangeType, NotifyType, PayloadType } from '../../../../../codecs/isakmp/constants.js';
import { IsakmpError } from '../../../../../codecs/isakmp/errors.js';
import type { Payload } from '../../../../../codecs/isakmp/types.js';
import type { IkeContext, QuickModeEnd } from '../context.js';
import type { Inbound } from '../exchange.js';
import type { DhKeyPair } from '../../../../crypto/dh.js';
import { keyEngineMessage, signed32 } from '../../debug.js';
import { errorText, notifyOf, quickModeDropLog } from '../../notify.js';
import type { IsakmpSa } from '../../sa/isakmp-sa.js';
import type { FlowRequest } from '../../sa/ipsec-sa.js';
import type { TransformSetPolicy } from '../../../policy.js';
import type { Retransmitter, WireMessage } from '../../../retransmit.js';
import type { CryptoMapRef, IpsecSaSpec, Proxies, Role } from '../../../types.js';
import type { NegotiatedIpsec } from './proposal.js';

export const QM = ExchangeType.QUICK_MODE;
export const NONCE_SIZE = 20;

/** What one Quick Mode knows while it runs (IOS: a "node" of the ISAKMP SA). */
export class QmState {
  /** The message this side waits for: QM2 (initiator), QM3 (responder), QM4 (initiator, commit bit); null once over. */
  expect: 'QM2' | 'QM3' | 'QM4' | null;
  /** The commit bit is in use (commit.ts): the responder sends CONNECTED after QM3, the initiator installs on it. */
  commit = false;
  /** Initiator with the commit bit: the pair negotiated, installed when CONNECTED comes. */
  held: IpsecSaSpec | null = null;
  niB: Buffer = Buffer.alloc(0);
  nrB: Buffer = Buffer.alloc(0);
  /** Our PFS key pair and g(qm)^xy. */
  pfs: DhKeyPair | null = null;
  pfsShared: Buffer | undefined;
  peerSpi = 0;
  /** Initiator: the transform sets offered, in proposal order. */
  offeredSets: readonly TransformSetPolicy[] = [];
  negotiated: NegotiatedIpsec | null = null;
  /** Our last message, until the answer comes. */
  retransmit: Retransmitter | null = null;
  /** Whether ID payloads travel (always for us as initiator; as the peer chose when responding). */
  withIds = true;

  constructor(
    readonly messageId: number,
    readonly role: Role,
    readonly proxies: Proxies,
    readonly ref: CryptoMapRef,
    readonly iface: string,
    /** Initiator: the flow asked for (its rekey target, its pending entry). */
    readonly flow: FlowRequest | null,
    /** The IV for the next message of this exchange. */
    public iv: Buffer,
    /** Our inbound SPI. */
    readonly ourSpi: number,
  ) {
    this.expect = role === 'initiator' ? 'QM2' : 'QM3';
  }
}

/** The cleanup a failed Quick Mode leaves to the engine. */
export function endOf(st: QmState): QuickModeEnd {
  return { role: st.role, flow: st.flow, spi: st.ourSpi };
}

/** A message ID or SPI as IOS prints it (signed). */
export function s32(n: number): number {
  return signed32(n);
}

/** Emits a Quick Mode message with IOS's "sending packet" line. */
export function sendQm(ctx: IkeContext, sa: IsakmpSa, message: Buffer): WireMessage {
  const w = sa.wire(message);
  ctx.out.sa(sa.connId, `sending packet to ${sa.remote.ip} (${sa.roleChar}) ${sa.state}`);
  ctx.out.push({ kind: 'send', ...w, connId: sa.connId });
  return w;
}

/** A fresh inbound SPI, with "asking for 1 spis from ipsec" when asked. */
export function allocateSpi(ctx: IkeContext, sa: IsakmpSa, announce: boolean): number {
  if (announce) ctx.out.sa(sa.connId, 'asking for 1 spis from ipsec');
  return ctx.spi();
}

/** IOS's SPI allocation lines. */
export function spiLines(ctx: IkeContext, sa: IsakmpSa, spi: number): void {
  ctx.out.ipsec('IPSEC(key_engine): got a queue event...');
  ctx.out.ipsec(`IPSEC(spi_response): getting spi ${spi >>> 0} for SA from ${sa.local.ip} to ${sa.remote.ip} for prot 3`);
  ctx.out.isakmp('ISAKMP: received ke message (2/1)');
}

/** Decrypts a Quick Mode message and splits HASH from the rest. Throws typed errors. */
export function open(sa: IsakmpSa, m: Inbound, iv: Buffer): { hash: Buffer; payloads: Payload[]; rest: Buffer; nextIv: Buffer } {
  const d = sa.decrypt(m.header, m.body, iv);
  const first = d.payloads[0];
  if (first?.type !== PayloadType.HASH) throw new IsakmpError(NotifyType.INVALID_HASH_INFORMATION, 'Quick Mode message does not start with HASH');
  const rest = d.payloads.length > 1 ? d.plaintext.subarray(d.offsets[1]!, d.end) : Buffer.alloc(0);
  return { hash: (first as { data: Buffer }).data, payloads: d.payloads.slice(1), rest, nextIv: d.nextIv };
}

type Opened = ReturnType<typeof open>;

/**
 * Decrypts a Quick Mode message and checks its HASH against `expected(rest)`
 * (HASH(1), (2) or (3)); a message that fails is dropped with IOS's log line
 * and null comes back (IVs untouched).
 */
export function openVerified(ctx: IkeContext, sa: IsakmpSa, m: Inbound, iv: Buffer, which: string, expected: (rest: Buffer) => Buffer): Opened | null {
  let opened: Opened;
  try {
    opened = open(sa, m, iv);
  } catch (err) {
    dropBad(ctx, sa, m, err);
    return null;
  }
  ctx.out.engine(`CryptoEngine0: generate hmac context for conn id ${sa.connId}`);
  const want = expected(opened.rest);
  if (want.length !== opened.hash.length || !want.equals(opened.hash)) {
    dropBad(ctx, sa, m, new IsakmpError(NotifyType.INVALID_HASH_INFORMATION, `${which} does not verify`));
    return null;
  }
  return opened;
}

/** Drops a Quick Mode message that does not decrypt or authenticate (IVs untouched). */
export function dropBad(ctx: IkeContext, sa: IsakmpSa, m: Inbound, err: unknown): void {
  const notify = notifyOf(err);
  ctx.out.log(quickModeDropLog(notify, m.from.ip));
  ctx.out.drop(m.from, notify, errorText(err));
}

/** The first payload of a type. */
export function find<T extends Payload>(payloads: readonly Payload[], type: number): T | undefined {
  return payloads.find((p) => p.type === type) as T | undefined;
}

/** "validate proposal 0", "atts are acceptable.", IPSEC(validate_proposal_request). */
export function validateLines(ctx: IkeContext, sa: IsakmpSa, proxies: Proxies, transform: string): void {
  ctx.out.isakmp('validate proposal 0');
  ctx.out.sa(sa.connId, 'atts are acceptable.');
  ctx.out.ipsec(
    keyEngineMessage('IPSEC(validate_proposal_request): proposal part #1,', {
      direction: 'INBOUND',
      local: sa.local.ip,
      remote: sa.remote.ip,
      localProxy: proxies.local,
      remoteProxy: proxies.remote,
      transform,
      lifeSeconds: 0,
      lifeKilobytes: 0,
      spi: 0,
      connId: 0,
      keysize: 0,
      flags: 0x4,
    }),
  );
  ctx.out.isakmp('validate proposal request 0');
}
