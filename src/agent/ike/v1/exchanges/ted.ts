/**
 * Tunnel Endpoint Discovery in the engine (docs/ted.md for the messages):
 * the initiator's PEER_DISCOVERY SA (conn id 1 in the seed) that sends the
 * probe toward the destination host and waits for the reply, and the
 * responder's answer to a probe crossing it. The lines are the seed's.
 */
import type { Buffer } from 'node:buffer';
import { IdType } from '../../../../codecs/isakmp/constants.js';
import { stringifyIdType } from '../../../../codecs/isakmp/names.js';
import { TED_IOS_LOG_PAYLOAD_TYPE } from '../../../../codecs/ted/constants.js';
import { decodeTed, encodeTedProbe, encodeTedReply, replyFor, type TedProbe, type TedReply } from '../../../../codecs/ted/messages.js';
import type { IkeContext } from './context.js';
import { idPayloadLines, keyEngineMessage, proxyNet, signed32 } from '../debug.js';
import type { FlowRequest } from '../sa/isakmp-sa.js';
import type { CryptoMapEntryPolicy } from '../../policy.js';
import { IKE_PORT } from '../nat-t.js';
import { Retransmitter } from '../../retransmit.js';
import type { IkeAction, PacketInfo, ProxyId } from '../../types.js';

/** The initiator's PEER_DISCOVERY SA. */
export class ProbeSa {
  readonly retransmit: Retransmitter;

  constructor(
    readonly connId: number,
    readonly probe: TedProbe,
    readonly flow: FlowRequest,
    readonly packet: PacketInfo,
    readonly localIke: string,
    /** "FastEthernet0/0:11.11.11.2": interface and next hop toward the target. */
    readonly via: string,
    readonly message: Buffer,
    readonly createdAt: number,
    ctx: IkeContext,
  ) {
    this.retransmit = new Retransmitter(ctx.policy.timers.probe, ctx.now, [{ from: { ip: packet.source, port: IKE_PORT }, to: { ip: packet.destination, port: IKE_PORT }, payload: message }]);
  }

  get target(): string {
    return this.packet.destination;
  }
}

function sendProbe(ctx: IkeContext, p: ProbeSa): void {
  ctx.out.sa(p.connId, `sending packet to ${p.target} (I) PEER_DISCOVERY via ${p.via}`);
  ctx.out.push({ kind: 'send-probe', ipSource: p.packet.source, ipDestination: p.target, sourcePort: IKE_PORT, destinationPort: IKE_PORT, payload: p.message, connId: p.connId });
}

export interface ProbeRequest {
  readonly connId: number;
  readonly packet: PacketInfo;
  readonly flow: FlowRequest;
  readonly entry: CryptoMapEntryPolicy;
  readonly localIke: string;
  readonly iface: string;
  readonly nextHop: string;
}

/** Starts discovery for a flow: the seed's "tunnel discover request" lines and the probe. */
export function startProbe(ctx: IkeContext, r: ProbeRequest): ProbeSa {
  const set = r.entry.transformSets[0];
  const via = `${r.iface}:${r.nextHop}`;
  ctx.out.ipsec(
    keyEngineMessage(
      'IPSEC(tunnel discover request): ,',
      {
        direction: 'INBOUND',
        local: r.packet.source,
        remote: r.packet.destination,
        localProxy: r.flow.proxies.local,
        remoteProxy: { idType: IdType.IPV4_ADDR, address: r.localIke, protocol: 0, port: 0 },
        transform: set?.text ?? '',
        lifeSeconds: r.entry.lifetime.seconds,
        lifeKilobytes: r.entry.lifetime.kilobytes,
        spi: 0,
        connId: 0,
        keysize: 0,
        flags: 0x4004,
      },
      ` dest=${via}`,
    ),
  );
  ctx.out.isakmp('ISAKMP: received ke message (1/1)');
  ctx.out.isakmp('ISAKMP: GOT A PEER DISCOVERY MESSAGE FROM THE SA MANAGER!!!');
  const transformId = set ? { des: 2, '3des': 3, aes128: 12, aes192: 12, aes256: 12, null: 11 }[set.cipher] : 0;
  const hmac = set ? { 'hmac-md5-96': 1, 'hmac-sha1-96': 2, 'hmac-sha256-128': 5, none: 0 }[set.integrity] : 0;
  ctx.out.isakmp(`src = ${r.packet.source} to ${r.packet.destination}, protocol 3, transform ${transformId}, hmac ${hmac}`);
  ctx.out.isakmp(`proxy source is ${proxyNet(r.flow.proxies.local)} and my address (not used now) is ${r.localIke}`);
  ctx.out.isakmp('ISAKMP: local port 500, remote port 500');
  ctx.out.sa(r.connId, 'no idb in request');
  for (const line of idPayloadLines(r.connId, 5, IdType.IPV4_ADDR, 17, 500, 8)) ctx.out.isakmp(line);
  ctx.out.isakmp(`1st ID is ${r.localIke}`);
  ctx.out.isakmp(`2nd ID is ${proxyNet(r.flow.proxies.local)}`);
  const cookie = ctx.cookie();
  const message = encodeTedProbe({ initiatorCookie: cookie, ikeAddress: r.localIke, localProxy: r.flow.proxies.local, targetHost: r.packet.destination });
  const probe = decodeTed(message) as TedProbe;
  const p = new ProbeSa(r.connId, probe, r.flow, r.packet, r.localIke, via, message, ctx.now, ctx);
  ctx.out.sa(r.connId, 'beginning peer discovery exchange');
  sendProbe(ctx, p);
  return p;
}

/** Resends the probe when due; true when it gave up (the caller deletes the SA). */
export function probeTick(ctx: IkeContext, p: ProbeSa): boolean {
  const r = p.retransmit;
  if (!r.due(ctx.now)) return false;
  if (r.exhausted) return true;
  r.fire(ctx.now);
  ctx.out.sa(p.connId, 'retransmitting phase 1 PEER_DISCOVERY...');
  ctx.out.sa(p.connId, `incrementing error counter on sa, attempt ${r.retransmits} of ${r.policy.maxRetransmits}: retransmit phase 1`);
  ctx.out.sa(p.connId, 'retransmitting phase 1 PEER_DISCOVERY');
  sendProbe(ctx, p);
  return false;
}

/** The initiator's lines for a matching reply. */
export function replyLines(ctx: IkeContext, p: ProbeSa, reply: TedReply, from: string): void {
  ctx.out.sa(p.connId, `received packet from ${from} (I) PEER_DISCOVERY`);
  for (let i = 0; i < reply.vendorIds.length; i++) {
    ctx.out.sa(p.connId, 'processing vendor id payload');
    ctx.out.sa(p.connId, 'speaking to another IOS box!');
  }
  ctx.out.sa(p.connId, 'processing ID payload. message ID = 0');
  ctx.out.isakmp(`ISAKMP:received payload type ${TED_IOS_LOG_PAYLOAD_TYPE}`);
  ctx.out.sa(p.connId, 'received response to my peer discovery probe!');
  const i = reply.initiatorProxy;
  const r = reply.responderProxy;
  ctx.out.sa(p.connId, `ted negotiated proxies: ${i.protocol} ${proxyNet(i)}:${i.port}, ${proxyNet(r)}:${r.port}`);
  ctx.out.sa(p.connId, `initiating IKE to ${reply.ikeAddress} in response to probe.`);
}

function idText(p: ProxyId): string {
  const name = stringifyIdType(p.idType);
  switch (p.idType) {
    case 1:
      return `${name} src ${p.address} prot ${p.protocol} port ${p.port}`;
    case 4:
      return `${name} src ${p.address} /${p.mask} prot ${p.protocol} port ${p.port}`;
    case 7:
      return `${name} src ${p.start}-${p.end} prot ${p.protocol} port ${p.port}`;
  }
}

export interface ProbeAnswer {
  readonly connId: number;
  readonly ikeAddress: string;
  readonly responderProxy: ProxyId;
}

/** The responder: logs like the seed and sends the reply from our IKE address to the initiator's. */
export function answerProbe(ctx: IkeContext, probe: TedProbe, ipSource: string, a: ProbeAnswer): IkeAction {
  const c = a.connId;
  ctx.out.sa(0, `received packet from ${ipSource} (N) NEW SA`);
  ctx.out.isakmp('ISAKMP: local port 500, remote port 500');
  for (let i = 0; i < probe.vendorIds.length; i++) {
    ctx.out.sa(c, 'processing vendor id payload');
    ctx.out.sa(c, 'speaking to another IOS box!');
  }
  ctx.out.sa(c, 'processing ID payload. message ID = 0');
  // IOS prints a stray number for the second ID (the message ID on the wire is 0).
  ctx.out.sa(c, `processing ID payload. message ID = ${signed32(probe.initiatorCookie.readUInt32BE(4) | 0x80000000)}`);
  ctx.out.isakmp(`ISAKMP (${c}): ${idText(probe.localProxy)}`);
  ctx.out.sa(c, 'processing vendor id payload');
  ctx.out.sa(c, 'responding to peer discovery probe!');
  ctx.out.isakmp(`peer's address is ${probe.ikeAddress}`);
  const rp = probe.remoteProxy;
  ctx.out.isakmp(`src (him) ${probe.localProxy.idType}, ${proxyNet(probe.localProxy)} to dst (me) ${rp ? `${rp.idType}, ${proxyNet(rp)}` : '0, 0.0.0.0/0.0.0.0'}`);
  const version = Math.min(probe.version, 3);
  ctx.out.sa(c, `peer can handle TED V${version}: changing source to ${probe.ikeAddress} and dest to ${a.ikeAddress}`);
  for (const line of idPayloadLines(c, 239, IdType.IPV4_ADDR, 17, 500, 8)) ctx.out.isakmp(line);
  const payload = encodeTedReply(replyFor(probe, { responderCookie: ctx.cookie(), ikeAddress: a.ikeAddress, responderProxy: a.responderProxy }));
  ctx.out.sa(c, `sending packet to ${probe.ikeAddress} (R) PEER_DISCOVERY`);
  const send: IkeAction = { kind: 'send', from: { ip: a.ikeAddress, port: IKE_PORT }, to: { ip: probe.ikeAddress, port: probe.ikePort }, payload, connId: c };
  ctx.out.push(send);
  ctx.out.sa(c, 'peer does not do paranoid keepalives.');
  ctx.out.sa(c, `deleting SA reason "delete_me flag/throw" state (R) PEER_DISCOVERY (peer ${probe.ikeAddress}) input queue 0`);
  ctx.out.sa(c, 'deleting node 0 error TRUE reason "delete_me flag/throw"');
  return send;
}

