/**
 * The initiator's side of Tunnel Endpoint Discovery (docs/ted.md for the
 * messages) as a task: IOS's PEER_DISCOVERY SA (conn id 1 in the seed)
 * sends a probe toward the destination host of the packet that needs
 * protection, resends it, and takes the reply of the router that protects
 * that host. The task owns the probe, its retransmission and the flow it
 * discovers for; the engine (engine/discovery.ts) keeps the discovery SA in
 * its table, starts IKE with the peer found, or gives up. The lines are the
 * seed's.
 */
import type { Buffer } from 'node:buffer';
import { IdType } from '../../../../../codecs/isakmp/constants.js';
import { TED_IOS_LOG_PAYLOAD_TYPE } from '../../../../../codecs/ted/constants.js';
import { decodeTed, encodeTedProbe, matchTedReply, type TedProbe as TedProbeMessage, type TedReply } from '../../../../../codecs/ted/messages.js';
import type { CryptoMapEntryPolicy } from '../../../policy.js';
import { proxyWithin } from '../../../proxies.js';
import { Retransmitter } from '../../../retransmit.js';
import type { PacketInfo } from '../../../types.js';
import { idPayloadLines, keyEngineMessage, proxyNet } from '../../debug.js';
import { IKE_PORT } from '../../nat-t.js';
import type { FlowRequest } from '../../sa/ipsec-sa.js';
import type { DiscoverySa } from '../../sa/tables.js';
import type { IkeContext } from '../context.js';
import type { Exchange, Status } from '../exchange.js';

/** What discovery starts from: the packet, its flow and crypto map entry, our IKE address, the way out. */
export interface ProbeRequest {
  readonly connId: number;
  readonly packet: PacketInfo;
  readonly flow: FlowRequest;
  readonly entry: CryptoMapEntryPolicy;
  readonly localIke: string;
  readonly iface: string;
  readonly nextHop: string;
}

/** A reply to our probe, and the address it came from. */
export interface ProbeAnswer {
  readonly reply: TedReply;
  readonly from: string;
}

export class TedProbe implements Exchange<ProbeAnswer> {
  private readonly retransmit: Retransmitter;

  private constructor(
    /** The PEER_DISCOVERY SA as `show crypto isakmp sa` lists it. */
    readonly sa: DiscoverySa,
    private readonly probe: TedProbeMessage,
    /** The flow to negotiate once the peer is known. */
    readonly flow: FlowRequest,
    private readonly packet: PacketInfo,
    /** Our IKE address. */
    readonly localIke: string,
    /** "FastEthernet0/0:11.11.11.2": interface and next hop toward the target. */
    private readonly via: string,
    private readonly message: Buffer,
    ctx: IkeContext,
  ) {
    const to = { ip: packet.destination, port: IKE_PORT };
    this.retransmit = new Retransmitter(ctx.policy.timers.probe, ctx.now, [{ from: { ip: packet.source, port: IKE_PORT }, to, payload: message }]);
  }

  /** Starts discovery for a flow: the seed's "tunnel discover request" lines and the probe. */
  static initiate(ctx: IkeContext, r: ProbeRequest): TedProbe {
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
    const probe = decodeTed(message) as TedProbeMessage;
    const sa: DiscoverySa = { connId: r.connId, source: r.packet.source, target: r.packet.destination, createdAt: ctx.now };
    const p = new TedProbe(sa, probe, r.flow, r.packet, r.localIke, via, message, ctx);
    ctx.out.sa(r.connId, 'beginning peer discovery exchange');
    p.send(ctx);
    return p;
  }

  get connId(): number {
    return this.sa.connId;
  }

  /** The probe's initiator cookie: a reply carries it back. */
  get initiatorCookie(): Buffer {
    return this.probe.initiatorCookie;
  }

  /** Whether a reply with our cookie answers this probe (mirrored identities). */
  answeredBy(reply: TedReply): boolean {
    return matchTedReply(this.probe, reply);
  }

  /** The flow to negotiate with the peer found: the responder's proxy when it lies inside what our ACL asked for. */
  flowAfter(reply: TedReply): FlowRequest {
    const asked = this.flow.proxies;
    const remote = proxyWithin(reply.responderProxy, asked.remote) ? reply.responderProxy : asked.remote;
    return { ...this.flow, proxies: { local: asked.local, remote } };
  }

  private send(ctx: IkeContext): void {
    ctx.out.sa(this.sa.connId, `sending packet to ${this.sa.target} (I) PEER_DISCOVERY via ${this.via}`);
    ctx.out.push({
      kind: 'send-probe',
      ipSource: this.packet.source,
      ipDestination: this.sa.target,
      sourcePort: IKE_PORT,
      destinationPort: IKE_PORT,
      payload: this.message,
      connId: this.sa.connId,
    });
  }

  /** The reply (already matched by `answeredBy`): the seed's lines; discovery is over. */
  process(ctx: IkeContext, a: ProbeAnswer): Status {
    const c = this.sa.connId;
    const reply = a.reply;
    ctx.out.sa(c, `received packet from ${a.from} (I) PEER_DISCOVERY`);
    for (let i = 0; i < reply.vendorIds.length; i++) {
      ctx.out.sa(c, 'processing vendor id payload');
      ctx.out.sa(c, 'speaking to another IOS box!');
    }
    ctx.out.sa(c, 'processing ID payload. message ID = 0');
    ctx.out.isakmp(`ISAKMP:received payload type ${TED_IOS_LOG_PAYLOAD_TYPE}`);
    ctx.out.sa(c, 'received response to my peer discovery probe!');
    const i = reply.initiatorProxy;
    const r = reply.responderProxy;
    ctx.out.sa(c, `ted negotiated proxies: ${i.protocol} ${proxyNet(i)}:${i.port}, ${proxyNet(r)}:${r.port}`);
    ctx.out.sa(c, `initiating IKE to ${reply.ikeAddress} in response to probe.`);
    return 'done';
  }

  deadline(): number {
    return this.retransmit.nextAt;
  }

  /** Resends the probe when due; 'done' when the last resend went unanswered (the engine gives up). */
  tick(ctx: IkeContext): Status {
    const r = this.retransmit;
    if (!r.due(ctx.now)) return 'running';
    if (r.exhausted) return 'done';
    r.fire(ctx.now);
    const c = this.sa.connId;
    ctx.out.sa(c, 'retransmitting phase 1 PEER_DISCOVERY...');
    ctx.out.sa(c, `incrementing error counter on sa, attempt ${r.retransmits} of ${r.policy.maxRetransmits}: retransmit phase 1`);
    ctx.out.sa(c, 'retransmitting phase 1 PEER_DISCOVERY');
    this.send(ctx);
    return 'running';
  }

  abort(): void {}
}
