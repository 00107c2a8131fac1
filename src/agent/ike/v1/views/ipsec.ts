/**
 * `show crypto ipsec sa`: per interface and crypto map, the flows (local and
 * remote ident, current peer, crypto endpoints) with their inbound and
 * outbound ESP SAs. Packet counters come from the datapath, keyed by SPI.
 */
import { ESP_CIPHERS, ESP_INTEGRITY } from '../../../esp/algorithms.js';
import type { IpsecRecord } from '../sa/ipsec-sa.js';
import type { EngineSnapshot } from '../sa/tables.js';
import type { Endpoint, ProxyId, Proxies } from '../../types.js';

/** "(13.13.13.0/255.255.255.0/0/0)": a range shows its first address and, as `mask`, its last. */
export interface IdentView {
  readonly addr: string;
  readonly mask: string;
  readonly prot: number;
  readonly port: number;
  readonly range: boolean;
}

/** A proxy as "addr/mask/prot/port". */
export function identOf(p: ProxyId): IdentView {
  switch (p.idType) {
    case 1:
      return { addr: p.address, mask: '255.255.255.255', prot: p.protocol, port: p.port, range: false };
    case 4:
      return { addr: p.address, mask: p.mask, prot: p.protocol, port: p.port, range: false };
    case 7:
      return { addr: p.start, mask: p.end, prot: p.protocol, port: p.port, range: true };
  }
}

export interface EspSaView {
  readonly direction: 'inbound' | 'outbound';
  readonly spi: number;
  /** "esp-des esp-md5-hmac". */
  readonly transform: string;
  /** "Tunnel" or "Tunnel UDP-Encaps" (IOS: "in use settings ={Tunnel, }"). */
  readonly inUseSettings: 'Tunnel' | 'Tunnel UDP-Encaps';
  readonly slot: 0;
  readonly connId: number;
  readonly flowId: number;
  readonly cryptoMap: string;
  readonly installedAt: number;
  readonly expiresAt: number;
  readonly lifetime: { readonly seconds: number; readonly kilobytes: number };
  /** Inner bytes counted so far on this direction (noteTraffic). */
  readonly bytes: number;
  /** IOS "remaining key lifetime (k/sec)". */
  readonly remaining: { readonly kilobytes: number; readonly seconds: number };
  readonly ivSize: number;
  readonly replayDetection: boolean;
  /** Being replaced by a rekeyed pair. */
  readonly replaced: boolean;
}

export interface IpsecFlowView {
  readonly localIdent: IdentView;
  readonly remoteIdent: IdentView;
  readonly proxies: Proxies;
  readonly currentPeer: string;
  readonly localEndpoint: Endpoint;
  readonly remoteEndpoint: Endpoint;
  /** SPI of the newest outbound SA ("current outbound spi: B326CBE6"). */
  readonly currentOutboundSpi: number;
  readonly inbound: EspSaView[];
  readonly outbound: EspSaView[];
}

export interface IpsecInterfaceView {
  readonly interface: string;
  readonly cryptoMap: string;
  /** "local addr. 11.11.11.1". */
  readonly localAddress: string;
  readonly flows: IpsecFlowView[];
}

function espView(r: IpsecRecord, direction: 'inbound' | 'outbound', now: number): EspSaView {
  const s = r.spec;
  const d = direction === 'inbound' ? s.inbound : s.outbound;
  const bytes = direction === 'inbound' ? r.bytesIn : r.bytesOut;
  return {
    direction,
    spi: d.spi,
    transform: s.transform,
    inUseSettings: s.udpEncapsulation ? 'Tunnel UDP-Encaps' : 'Tunnel',
    slot: 0,
    connId: d.connId,
    flowId: d.flowId,
    cryptoMap: s.cryptoMap.map,
    installedAt: r.installedAt,
    expiresAt: r.expiresAt,
    lifetime: s.lifetime,
    bytes,
    remaining: {
      kilobytes: Math.max(0, s.lifetime.kilobytes - Math.floor(Math.max(r.bytesIn, r.bytesOut) / 1024)),
      seconds: Math.max(0, Math.floor((r.expiresAt - now) / 1000)),
    },
    ivSize: ESP_CIPHERS[s.cipher].ivSize,
    replayDetection: ESP_INTEGRITY[s.integrity].icvSize > 0,
    replaced: r.replacedBy !== null,
  };
}

function flowKeyOf(r: IpsecRecord): string {
  const p = r.spec.proxies;
  return `${r.spec.peer}|${JSON.stringify(identOf(p.local))}|${JSON.stringify(identOf(p.remote))}`;
}

/** Every interface with a crypto map, its map and the SAs negotiated for it, grouped by flow. */
export function ipsecSaView(s: EngineSnapshot, now: number): IpsecInterfaceView[] {
  const out: IpsecInterfaceView[] = [];
  const records = [...s.tables.ipsec.values()].sort((a, b) => a.installedAt - b.installedAt || a.spec.inbound.connId - b.spec.inbound.connId);
  for (const iface of s.policy.interfaces) {
    if (!iface.cryptoMap) continue;
    const map = s.policy.cryptoMaps.find((m) => m.name === iface.cryptoMap);
    // with `crypto map NAME local-address IFACE` the interfaces carrying the map share its SAs, and each lists them
    const shared = map?.localAddress != null;
    const mine = records.filter((r) => r.spec.cryptoMap.map === iface.cryptoMap && (shared || r.spec.interface === iface.name || r.spec.interface === ''));
    const flows = new Map<string, IpsecRecord[]>();
    for (const r of mine) {
      const k = flowKeyOf(r);
      flows.set(k, [...(flows.get(k) ?? []), r]);
    }
    out.push({
      interface: iface.name,
      cryptoMap: iface.cryptoMap,
      localAddress: map?.localAddress ?? iface.address,
      flows: [...flows.values()].map((rs) => {
        // the pair that carries the flow: the newest not superseded (a rekey's old pair, or the loser of a simultaneous negotiation, is)
        const newest = rs.filter((r) => r.replacedBy === null).pop() ?? rs[rs.length - 1]!;
        return {
          localIdent: identOf(newest.spec.proxies.local),
          remoteIdent: identOf(newest.spec.proxies.remote),
          proxies: newest.spec.proxies,
          currentPeer: newest.spec.peer,
          localEndpoint: newest.spec.local,
          remoteEndpoint: newest.spec.remote,
          currentOutboundSpi: newest.spec.outbound.spi,
          inbound: rs.map((r) => espView(r, 'inbound', now)),
          outbound: rs.map((r) => espView(r, 'outbound', now)),
        };
      }),
    });
  }
  return out;
}

/** Remaining lifetime of the pair holding `inboundSpi`, as IOS prints it (k/sec), or null. */
export function remainingLifetime(s: EngineSnapshot, inboundSpi: number, now: number): { kilobytes: number; seconds: number } | null {
  const r = s.tables.ipsec.get(inboundSpi);
  return r ? espView(r, 'inbound', now).remaining : null;
}
