/**
 * Quick Mode responder (RFC 2409 5.5): QM1 is checked against the crypto
 * map entry whose ACL mirrors the proposed proxies (INVALID-ID-INFORMATION,
 * "proxy identities not supported", when none) and against its transform
 * sets (NO-PROPOSAL-CHOSEN); a proposal with a reserved SPI (0-255) is
 * discarded (INVALID-SPI when nothing else is left), a transform with a
 * lifetime of 0 is not acceptable. QM2 answers, QM3 installs the SAs,
 * after the same check the datapath makes (install.ts, specProblem); a
 * commit bit in QM1 adds QM4, CONNECTED (commit.ts).
 */
import { Buffer } from 'node:buffer';
import { ESP_CIPHERS, ESP_INTEGRITY } from '../../../../esp/algorithms.js';
import { encodeAttributes } from '../../../../../codecs/isakmp/attributes.js';
import { encodePayloads, payloadBody } from '../../../../../codecs/isakmp/chain.js';
import { NotifyType, PayloadType, ProtocolId } from '../../../../../codecs/isakmp/constants.js';
import { IsakmpError } from '../../../../../codecs/isakmp/errors.js';
import { parseIpv4Id } from '../../../../../codecs/isakmp/id.js';
import type { IdPayload, KePayload, Payload, SaPayload, Transform } from '../../../../../codecs/isakmp/types.js';
import type { IkeContext } from '../context.js';
import type { Inbound, Status } from '../exchange.js';
import { dhGroupById } from '../../../../crypto/dh.js';
import { quickModeHash1, quickModeHash2, quickModeHash3 } from '../../crypto/hashes.js';
import { deleteEspPayload, Informational, notifyPayload, spiBytes } from '../informational.js';
import { validSpi } from '../../../../esp/validate.js';
import { errorText, IosLog, iosNotifyName, notifyName, notifyOf } from '../../notify.js';
import type { IsakmpSa } from '../../sa/isakmp-sa.js';
import type { TransformSetPolicy } from '../../../policy.js';
import { hostProxy } from '../../../proxies.js';
import { Retransmitter } from '../../../retransmit.js';
import type { Proxies } from '../../../types.js';
import { allocateSpi, endOf, find, NONCE_SIZE, openVerified, QM, QmState, s32, sendQm, spiLines, validateLines } from './shared.js';
import { buildSpec, creatingLines, keyEngineLines, specProblem } from './install.js';
import { commitBit, commitFlags, noteCommit, sendConnected } from './commit.js';
import {
  DEFAULT_IPSEC_SECONDS,
  isUdpEncaps,
  type Lifetime,
  logIpsecTransform,
  quickModeAnswer,
  readIpsecTransform,
  responderLifetimeAttributes,
} from './proposal.js';

/** Our view of the proposed proxies: IDcr is our side; without IDs, the IKE endpoints. */
export function readProxies(sa: IsakmpSa, ids: readonly IdPayload[]): Proxies {
  if (ids.length === 0) return { local: hostProxy(sa.local.ip), remote: hostProxy(sa.remote.ip) };
  if (ids.length !== 2) throw new IsakmpError(NotifyType.INVALID_ID_INFORMATION, `Quick Mode carries ${ids.length} ID payloads`);
  // IDci is the initiator's side: our remote when we respond.
  return { local: parseIpv4Id(ids[1]!), remote: parseIpv4Id(ids[0]!) };
}

/**
 * RFC 2409 5.5: QM1 received: choose a proposal for a matching crypto map entry and answer
 * QM2; the exchange's state, waiting for QM3. Null when the message was
 * dropped or refused (with a notify): no exchange runs then.
 */
export function responderQm1(ctx: IkeContext, sa: IsakmpSa, m: Inbound): QmState | null {
  const mid = m.header.messageId;
  const opened = openVerified(ctx, sa, m, sa.exchangeIv(mid), 'HASH(1)', (rest) => quickModeHash1(sa.suite!.hash, sa.keys!.skeyidA, mid, rest));
  if (!opened) return null;
  const p = opened.payloads;
  ctx.out.sa(sa.connId, `processing HASH payload. message ID = ${s32(mid)}`);
  const offer = find<SaPayload>(p, PayloadType.SA);
  const nonce = find<Payload>(p, PayloadType.NONCE);
  const ke = find<KePayload>(p, PayloadType.KE);
  const ids = p.filter((x): x is IdPayload => x.type === PayloadType.ID);
  const fail = (notify: number, why: string, spi: Buffer): null => {
    ctx.out.sa(sa.connId, `phase 2 SA policy not acceptable! (local ${sa.local.ip} remote ${sa.remote.ip})`);
    ctx.out.log(IosLog.modeFailure('Quick', sa.remote.ip));
    const w = Informational.send(ctx, sa, [notifyPayload(ProtocolId.ESP, spi, notify)]);
    sa.remember(m.message, [w]);
    ctx.out.sa(sa.connId, `deleting node ${s32(mid)} error TRUE reason "${iosNotifyName(notify)}"`);
    ctx.out.push({ kind: 'fail', phase: 2, connId: sa.connId, peer: sa.remote.ip, notify, notifyName: notifyName(notify), reason: why });
    return null;
  };
  if (!offer || !nonce) return fail(NotifyType.PAYLOAD_MALFORMED, 'Quick Mode message 1 lacks SA or Nonce', Buffer.alloc(0));
  const firstSpi = offer.proposals[0]?.spi ?? Buffer.alloc(0);
  ctx.out.sa(sa.connId, `processing SA payload. message ID = ${s32(mid)}`);
  let proxies: Proxies;
  try {
    proxies = readProxies(sa, ids);
  } catch (err) {
    return fail(NotifyType.INVALID_ID_INFORMATION, errorText(err), firstSpi);
  }
  const hit = ctx.responderEntry(sa, proxies);
  let chosen: { number: number; transform: Transform; set: TransformSetPolicy; offered: ReturnType<typeof readIpsecTransform>; spi: number } | null = null;
  let proxyRefused = false;
  let spiRefused = false;
  for (const proposal of offer.proposals) {
    ctx.out.sa(sa.connId, `Checking IPSec proposal ${proposal.number}`);
    // RFC 2408 5.5: a proposal with an invalid SPI is discarded (INVALID-SPI); RFC 4303 2.1: 0-255 are reserved
    if (proposal.spi.length === 4 && !validSpi(proposal.spi.readUInt32BE(0))) {
      ctx.out.sa(sa.connId, `proposal ${proposal.number} has the reserved SPI ${proposal.spi.readUInt32BE(0)}`);
      spiRefused = true;
      continue;
    }
    for (const t of proposal.transforms) {
      logIpsecTransform(ctx.out, proposal.protocol, t);
      const o = readIpsecTransform(proposal.protocol, t);
      if (o.problem !== null || o.cipher === null || o.integrity === null || proposal.spi.length !== 4) {
        ctx.out.sa(sa.connId, 'atts not acceptable.');
        continue;
      }
      const text = `${ESP_CIPHERS[o.cipher].iosName}${ESP_INTEGRITY[o.integrity].iosName ? ` ${ESP_INTEGRITY[o.integrity].iosName}` : ''}`;
      validateLines(ctx, sa, proxies, text);
      if (!hit) {
        ctx.out.ipsec('IPSEC(validate_transform_proposal): proxy identities not supported');
        ctx.out.sa(sa.connId, 'IPSec policy invalidated proposal');
        proxyRefused = true;
        continue;
      }
      const set = hit.entry.transformSets.find((s) => s.cipher === o.cipher && s.integrity === o.integrity);
      const encapsOk = isUdpEncaps(o.encaps) ? sa.nat.negotiated : true;
      const pfsOk =
        (hit.entry.pfsGroup === null || o.group === hit.entry.pfsGroup) &&
        (o.group === null || (ke !== undefined && ke.data.length === safeGroupSize(o.group)));
      if (!set || !encapsOk || !pfsOk) {
        const hmac = ESP_INTEGRITY[o.integrity].authAttribute;
        ctx.out.ipsec(`IPSEC(validate_transform_proposal): transform proposal (prot 3, trans ${t.id}, hmac_alg ${hmac}) not supported`);
        ctx.out.sa(sa.connId, 'IPSec policy invalidated proposal');
        continue;
      }
      chosen = { number: proposal.number, transform: t, set, offered: o, spi: proposal.spi.readUInt32BE(0) };
      break;
    }
    if (chosen) break;
  }
  if (!chosen || !hit) {
    const notify = proxyRefused ? NotifyType.INVALID_ID_INFORMATION : spiRefused ? NotifyType.INVALID_SPI : NotifyType.NO_PROPOSAL_CHOSEN;
    const why = proxyRefused ? 'proxy identities not supported' : spiRefused ? 'the proposed SPI is reserved (0-255)' : 'no proposal matches a transform set';
    return fail(notify, why, firstSpi);
  }
  // bounded: a new flow only while the peer and the router have room (engine/bounds.ts)
  if (!ctx.admitIpsec(sa, proxies)) return fail(NotifyType.NO_PROPOSAL_CHOSEN, 'too many IPsec flows', firstSpi);
  ctx.out.sa(sa.connId, `processing NONCE payload. message ID = ${s32(mid)}`);
  if (ke) ctx.out.sa(sa.connId, `processing KE payload. message ID = ${s32(mid)}`);
  for (let i = 0; i < ids.length; i++) ctx.out.sa(sa.connId, `processing ID payload. message ID = ${s32(mid)}`);

  // Lifetime: the shorter of the proposal's and ours; tell the initiator when ours is shorter.
  const ours = hit.entry.lifetime;
  const proposedSeconds = chosen.offered.lifetime.seconds ?? DEFAULT_IPSEC_SECONDS;
  const proposedKb = chosen.offered.lifetime.kilobytes ?? ours.kilobytes;
  const lifetime: Lifetime = { seconds: Math.min(proposedSeconds, ours.seconds), kilobytes: Math.min(proposedKb, ours.kilobytes) };
  const shorter = { seconds: ours.seconds < proposedSeconds, kilobytes: ours.kilobytes < proposedKb };

  const ourSpi = allocateSpi(ctx, sa, true);
  spiLines(ctx, sa, ourSpi);
  const qm = new QmState(mid, 'responder', proxies, hit.entry.ref, hit.iface, null, opened.nextIv, ourSpi);
  qm.withIds = ids.length === 2;
  qm.commit = commitBit(m);
  if (qm.commit) noteCommit(ctx, sa, qm);
  qm.niB = payloadBody(nonce);
  qm.nrB = ctx.bytes(NONCE_SIZE);
  qm.peerSpi = chosen.spi;
  const rest: Payload[] = [quickModeAnswer(chosen.number, chosen.transform, ourSpi), { type: PayloadType.NONCE, data: qm.nrB }];
  if (chosen.offered.group !== null && ke) {
    try {
      qm.pfs = ctx.dh(dhGroupById(chosen.offered.group));
      qm.pfsShared = qm.pfs.computeShared(ke.data);
    } catch (err) {
      ctx.releaseSpi(ourSpi);
      return fail(notifyOf(err), errorText(err), firstSpi);
    }
    rest.push({ type: PayloadType.KE, data: qm.pfs.publicValue });
  }
  if (qm.withIds) rest.push(ids[0]!, ids[1]!);
  if (shorter.seconds || shorter.kilobytes) {
    rest.push(
      notifyPayload(ProtocolId.ESP, spiBytes(chosen.spi), NotifyType.RESPONDER_LIFETIME, encodeAttributes(responderLifetimeAttributes(lifetime, shorter))),
    );
  }
  qm.negotiated = {
    transformSet: chosen.set,
    cipher: chosen.offered.cipher!,
    integrity: chosen.offered.integrity!,
    udpEncapsulation: isUdpEncaps(chosen.offered.encaps),
    lifetime,
    pfsGroup: chosen.offered.group,
    proposalNumber: chosen.number,
    transform: chosen.transform,
  };
  const hash = quickModeHash2(sa.suite!.hash, sa.keys!.skeyidA, mid, qm.niB, encodePayloads(rest));
  ctx.out.engine(`CryptoEngine0: generate hmac context for conn id ${sa.connId}`);
  const { message, nextIv } = sa.encrypt(QM, [{ type: PayloadType.HASH, data: hash }, ...rest], qm.iv, mid, commitFlags(qm));
  qm.iv = nextIv;
  const w = sendQm(ctx, sa, message);
  sa.remember(m.message, [w], qm.ourSpi);
  qm.retransmit = new Retransmitter(ctx.policy.timers.phase2, ctx.now, [w]);
  return qm;
}

/** The public value size of a DH group, -1 when unsupported. */
export function safeGroupSize(id: number): number {
  try {
    return dhGroupById(id).size;
  } catch {
    return -1;
  }
}

/**
 * RFC 2409 5.5: QM3 received: install the pair; with the commit bit (RFC
 * 2408 3.1), then QM4 with CONNECTED, which a retransmitted QM3 gets again.
 * 'running' when the message was dropped (a retransmission may follow).
 */
export function responderQm3(ctx: IkeContext, sa: IsakmpSa, qm: QmState, m: Inbound): Status {
  const mid = qm.messageId;
  const opened = openVerified(ctx, sa, m, qm.iv, 'HASH(3)', () => quickModeHash3(sa.suite!.hash, sa.keys!.skeyidA, mid, qm.niB, qm.nrB));
  if (!opened) return 'running';
  qm.iv = opened.nextIv;
  qm.retransmit = null;
  qm.expect = null;
  const spec = buildSpec(ctx, sa, qm);
  // another Quick Mode may have taken the last room meanwhile: the initiator installed on QM2, so it hears a Delete
  const refusal = ctx.admitIpsec(sa, qm.proxies) ? specProblem(spec) : 'too many IPsec flows';
  if (refusal !== null) {
    sa.remember(m.message, []);
    Informational.send(ctx, sa, [deleteEspPayload([qm.ourSpi])]);
    ctx.out.sa(sa.connId, `deleting node ${s32(mid)} error TRUE reason "${refusal}"`);
    ctx.quickModeFailed(sa, endOf(qm), NotifyType.NO_PROPOSAL_CHOSEN, refusal);
    return 'done';
  }
  creatingLines(ctx, sa, spec);
  ctx.out.sa(sa.connId, `deleting node ${s32(mid)} error FALSE reason "quick mode done (await()"`);
  keyEngineLines(ctx, spec);
  ctx.installIpsec(sa, null, spec);
  sa.remember(m.message, qm.commit ? [sendConnected(ctx, sa, qm)] : []);
  return 'done';
}
