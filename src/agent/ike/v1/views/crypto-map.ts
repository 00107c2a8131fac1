/**
 * `show crypto map`: the configured entries (static, dynamic templates with
 * "Discover enabled") and the instances IOS creates from a template for a
 * peer ("tedtag 11 ... dynamic (created from dynamic map ted-map/10)").
 */
import { formatIpv4 } from '../../../../codecs/net/address.js';
import type { AccessList } from '../../../../ios/config/types.js';
import { proxyRange } from '../../proxies.js';
import type { EngineSnapshot } from '../sa/tables.js';
import type { CryptoMapRef, ProxyId, Proxies } from '../../types.js';

export type CryptoMapEntryView =
  | {
      readonly kind: 'static';
      readonly seq: number;
      readonly peers: readonly string[];
      readonly aclName: string | null;
      readonly acl: AccessList | null;
      readonly currentPeer: string | null;
      readonly lifetime: { readonly seconds: number; readonly kilobytes: number };
      readonly pfsGroup: number | null;
      readonly transformSets: readonly string[];
    }
  | {
      /** `crypto map NAME SEQ ipsec-isakmp dynamic DMAP [discover]`. */
      readonly kind: 'template';
      readonly seq: number;
      readonly dynamicMap: string;
      readonly discover: boolean;
    }
  | {
      /** An entry IOS created from the template for a peer ("tedtag 11"). */
      readonly kind: 'instance';
      readonly seq: number;
      readonly peer: string;
      readonly aclName: string | null;
      /** The instance's access list, one line per flow with the peer: "access-list permit ip 13.13.13.0 0.0.0.255 12.12.12.0 0.0.0.255". */
      readonly aclLines: readonly string[];
      readonly flows: readonly Proxies[];
      readonly createdFrom: { readonly map: string; readonly seq: number };
      readonly currentPeer: string;
      readonly lifetime: { readonly seconds: number; readonly kilobytes: number };
      readonly pfsGroup: number | null;
      readonly transformSets: readonly string[];
      readonly origin: 'ted' | 'negotiated';
    };

export interface CryptoMapView {
  readonly name: string;
  readonly interfaces: readonly string[];
  readonly localAddress: string | null;
  readonly entries: CryptoMapEntryView[];
}

/** "13.13.13.0 0.0.0.255", "host 1.1.1.1", "any", "range" as the smallest covering prefix. */
function aclAddressText(p: ProxyId): string {
  const [start, end] = proxyRange(p);
  if (start === end) return `host ${formatIpv4(start)}`;
  if (start === 0 && end === 0xffffffff) return 'any';
  let wildcard = (start ^ end) >>> 0;
  while (((wildcard + 1) & wildcard) !== 0) wildcard = (wildcard | (wildcard >>> 1)) >>> 0;
  return `${formatIpv4((start & ~wildcard) >>> 0)} ${formatIpv4(wildcard)}`;
}

function protoText(n: number): string {
  return n === 0 ? 'ip' : n === 6 ? 'tcp' : n === 17 ? 'udp' : n === 1 ? 'icmp' : String(n);
}

/** The ACL line IOS shows for a dynamic instance: "access-list permit ip 13.13.13.0 0.0.0.255 12.12.12.0 0.0.0.255". */
export function proxiesAclText(p: Proxies): string {
  const sp = p.local.port ? ` eq ${p.local.port}` : '';
  const dp = p.remote.port ? ` eq ${p.remote.port}` : '';
  return `access-list permit ${protoText(p.local.protocol || p.remote.protocol)} ${aclAddressText(p.local)}${sp} ${aclAddressText(p.remote)}${dp}`;
}

/** Every crypto map with its entries (static, templates, instances) in sequence order. */
export function cryptoMapView(s: EngineSnapshot): CryptoMapView[] {
  const live = [...s.tables.ipsec.values()];
  return s.policy.cryptoMaps.map((map) => {
    const entries: CryptoMapEntryView[] = [];
    const seen = new Set<number>();
    for (const e of map.entries) {
      if (e.kind === 'dynamic') {
        if (seen.has(e.ref.seq)) continue;
        seen.add(e.ref.seq);
        entries.push({ kind: 'template', seq: e.ref.seq, dynamicMap: e.ref.dynamic!.map, discover: e.discover });
      } else {
        const current = live.filter((r) => sameStatic(r.spec.cryptoMap, e.ref)).sort((a, b) => b.installedAt - a.installedAt)[0];
        entries.push({
          kind: 'static',
          seq: e.ref.seq,
          peers: e.peers,
          aclName: e.aclName,
          acl: e.acl,
          currentPeer: current?.spec.peer ?? null,
          lifetime: e.lifetime,
          pfsGroup: e.pfsGroup,
          transformSets: e.transformSetNames,
        });
      }
    }
    for (const i of s.tables.instances.values()) {
      if (i.map !== map.name) continue;
      const tmpl = map.entries.find((e) => e.ref.seq === i.templateSeq && e.ref.dynamic?.map === i.dynamic.map && e.ref.dynamic?.seq === i.dynamic.seq);
      entries.push({
        kind: 'instance',
        seq: i.seq,
        peer: i.peer,
        aclName: i.aclName,
        aclLines: i.flows.map(proxiesAclText),
        flows: [...i.flows],
        createdFrom: i.dynamic,
        currentPeer: i.peer,
        lifetime: tmpl?.lifetime ?? { seconds: 3600, kilobytes: 4608000 },
        pfsGroup: tmpl?.pfsGroup ?? null,
        transformSets: tmpl?.transformSetNames ?? [],
        origin: i.origin,
      });
    }
    entries.sort((a, b) => a.seq - b.seq);
    return { name: map.name, interfaces: map.interfaces.map((i) => i.name), localAddress: map.localAddress, entries };
  });
}

function sameStatic(a: CryptoMapRef, b: CryptoMapRef): boolean {
  return a.map === b.map && a.seq === b.seq && !a.dynamic && !b.dynamic;
}
