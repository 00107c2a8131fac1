/**
 * The responder's side of Tunnel Endpoint Discovery (docs/ted.md): a probe
 * for a host behind one of our `discover` crypto map entries, addressed to
 * us or crossing us, is answered at once from our IKE address to the
 * initiator's, with the seed's lines. One message in, one out, nothing kept:
 * IOS creates a PEER_DISCOVERY SA for it and throws it away in the same
 * breath ("delete_me flag/throw"), so no task outlives the call.
 */
import { IdType } from '../../../../../codecs/isakmp/constants.js';
import { stringifyIdType } from '../../../../../codecs/isakmp/names.js';
import { encodeTedReply, replyFor, type TedProbe } from '../../../../../codecs/ted/messages.js';
import type { IkeAction, ProxyId } from '../../../types.js';
import { idPayloadLines, proxyNet, signed32 } from '../../debug.js';
import { IKE_PORT } from '../../nat-t.js';
import type { IkeContext } from '../context.js';

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

/** Who answers: the conn id of the throwaway SA, our IKE address, the proxy our ACL protects. */
export interface ProbeResponse {
  readonly connId: number;
  readonly ikeAddress: string;
  readonly responderProxy: ProxyId;
}

/** Logs like the seed and sends the reply from our IKE address to the initiator's. */
export function answerProbe(ctx: IkeContext, probe: TedProbe, ipSource: string, a: ProbeResponse): IkeAction {
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
  ctx.out.isakmp(
    `src (him) ${probe.localProxy.idType}, ${proxyNet(probe.localProxy)} to dst (me) ${rp ? `${rp.idType}, ${proxyNet(rp)}` : '0, 0.0.0.0/0.0.0.0'}`,
  );
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
