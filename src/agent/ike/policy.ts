/**
 * What the IKE engine needs from the router's configuration, and the adapter
 * from the IOS model (src/ios/config/types.ts). The engine never reads
 * RouterConfig itself: after a reconfiguration the agent builds a new
 * IkePolicy and hands it to `engine.setPolicy` (established SAs stay).
 */
import { parseIpv4 } from '../../codecs/net/address.js';
import { aclMatches, matchingEntry, type PacketTuple } from '../../ios/acl/match.js';
import type { AccessList, AclRule, CryptoMapEntry, DynamicMapEntry, PfsGroup, RouterConfig, TransformSet } from '../../ios/config/types.js';
import { effectiveLifetime, findAccessList } from '../../ios/config/types.js';
import { ESP_CIPHERS, ESP_INTEGRITY, type EspCipherName, type EspIntegrityName } from '../esp/algorithms.js';
import type { CipherName, HashName } from '../crypto/algorithms.js';
import { DEFAULT_LIMITS, type IkeLimits } from './limits.js';
import { IOS_TIMERS, type IkeTimers } from './retransmit.js';
import type { CryptoMapRef, PacketInfo } from './types.js';

/** `crypto isakmp policy N`, resolved. */
export interface Phase1Policy {
  readonly priority: number;
  readonly cipher: CipherName;
  readonly hash: HashName;
  /** Diffie-Hellman group (1, 2, 5, 14). */
  readonly group: number;
  readonly authentication: 'pre-share' | 'rsa-sig' | 'rsa-encr';
  readonly lifetimeSeconds: number;
}

/** `crypto isakmp key KEY address A MASK`. */
export interface PresharedKey {
  readonly key: string;
  readonly address: string;
  readonly mask: string;
}

/** `crypto ipsec transform-set NAME ...` when it is ESP (AH-only sets are not emulated and left out). */
export interface TransformSetPolicy {
  readonly name: string;
  readonly cipher: EspCipherName;
  readonly integrity: EspIntegrityName;
  readonly mode: 'tunnel' | 'transport';
  /** "esp-des esp-md5-hmac", as `show crypto ipsec sa` prints it. */
  readonly text: string;
}

/** One crypto map entry; a `dynamic DMAP` entry is expanded into one per dynamic-map entry. */
export interface CryptoMapEntryPolicy {
  readonly ref: CryptoMapRef;
  readonly kind: 'static' | 'dynamic';
  /** `discover` on the crypto map line (TED). */
  readonly discover: boolean;
  /** `set peer` addresses, in order (the first one is tried). */
  readonly peers: readonly string[];
  readonly aclName: string | null;
  readonly acl: AccessList | null;
  readonly transformSets: readonly TransformSetPolicy[];
  readonly transformSetNames: readonly string[];
  /** `set pfs groupN`. */
  readonly pfsGroup: number | null;
  readonly lifetime: { readonly seconds: number; readonly kilobytes: number };
}

export interface CryptoMapPolicy {
  readonly name: string;
  /** Interfaces the map is applied to, with their primary address. */
  readonly interfaces: readonly { readonly name: string; readonly address: string }[];
  /** `crypto map NAME local-address IFACE`: the IKE address to use, if set. */
  readonly localAddress: string | null;
  readonly entries: readonly CryptoMapEntryPolicy[];
}

export interface IkePolicy {
  readonly hostname: string;
  /** False after `no crypto isakmp`: nothing is negotiated. */
  readonly isakmpEnabled: boolean;
  /** Priority order. */
  readonly phase1: readonly Phase1Policy[];
  readonly keys: readonly PresharedKey[];
  /** `crypto isakmp peer address A` + `set aggressive-mode password P`: IOS initiates Aggressive Mode to A with P. */
  readonly aggressivePeers: readonly { readonly address: string; readonly password: string }[];
  readonly aggressiveModeDisabled: boolean;
  /** `crypto isakmp keepalive S R [periodic]`: DPD every S seconds, retries R seconds apart. */
  readonly keepalive: { readonly seconds: number; readonly retrySeconds: number; readonly periodic: boolean } | null;
  /** NAT traversal (RFC 3947): IOS 12.3(2)T and later have it on unless `no crypto ipsec nat-transparency udp-encapsulation`. */
  readonly natTraversal: boolean;
  /** `crypto isakmp nat keepalive S`. */
  readonly natKeepaliveSeconds: number | null;
  /** Send INITIAL-CONTACT in the last phase-1 message when no other SA with the peer exists. */
  readonly initialContact: boolean;
  readonly transformSets: readonly TransformSetPolicy[];
  readonly cryptoMaps: readonly CryptoMapPolicy[];
  /** Interfaces with an address (for the local IKE endpoint of a crypto map). */
  readonly interfaces: readonly { readonly name: string; readonly address: string; readonly mask: string; readonly cryptoMap: string | null }[];
  readonly timers: IkeTimers;
  /** How large the engine's tables may grow (limits.ts). */
  readonly limits: IkeLimits;
}

export interface PolicyOptions {
  /** Default true (IOS 12.3(2)T+ behaviour; a strongSwan peer with kernel-libipsec needs it). */
  readonly natTraversal?: boolean;
  /** Default false: the seed's IOS 12.2(27) sends no INITIAL-CONTACT. */
  readonly initialContact?: boolean;
  readonly timers?: Partial<IkeTimers>;
  readonly limits?: Partial<IkeLimits>;
}

const PHASE1_CIPHER: Record<string, CipherName> = { des: 'des-cbc', '3des': '3des-cbc' };
const PHASE1_HASH: Record<string, HashName> = { md5: 'md5', sha: 'sha1', sha256: 'sha256' };
const PFS_GROUP: Record<PfsGroup, number> = { group1: 1, group2: 2, group5: 5, group14: 14 };

function phase1Cipher(encryption: string, keyLength: number | null): CipherName {
  if (encryption === 'aes') return `aes${keyLength ?? 128}-cbc` as CipherName;
  return PHASE1_CIPHER[encryption] ?? 'des-cbc';
}

/** An ESP transform set as the engine uses it, or null when it is not ESP with a cipher (AH is not emulated). */
export function transformSetPolicy(ts: TransformSet): TransformSetPolicy | null {
  let cipher: EspCipherName | null = null;
  let integrity: EspIntegrityName = 'none';
  for (const t of ts.transforms) {
    if (t.kind === 'ah') return null;
    if (t.kind === 'esp-cipher') {
      cipher = t.name === 'esp-des' ? 'des' : t.name === 'esp-3des' ? '3des' : t.name === 'esp-null' ? 'null' : (`aes${t.keyBits ?? 128}` as EspCipherName);
    } else {
      integrity = t.name === 'esp-md5-hmac' ? 'hmac-md5-96' : t.name === 'esp-sha-hmac' ? 'hmac-sha1-96' : 'hmac-sha256-128';
    }
  }
  if (cipher === null) return null;
  if (cipher === 'null' && integrity === 'none') return null;
  return { name: ts.name, cipher, integrity, mode: ts.mode, text: transformText(cipher, integrity) };
}

/** "esp-des esp-md5-hmac", "esp-aes 256 esp-sha-hmac". */
export function transformText(cipher: EspCipherName, integrity: EspIntegrityName): string {
  const auth = ESP_INTEGRITY[integrity].iosName;
  return auth ? `${ESP_CIPHERS[cipher].iosName} ${auth}` : ESP_CIPHERS[cipher].iosName;
}

function entryPolicy(
  config: RouterConfig,
  sets: readonly TransformSetPolicy[],
  ref: CryptoMapRef,
  kind: 'static' | 'dynamic',
  discover: boolean,
  body: CryptoMapEntry | DynamicMapEntry,
): CryptoMapEntryPolicy {
  const acl = body.matchAddress ? findAccessList(config, body.matchAddress) ?? null : null;
  return {
    ref,
    kind,
    discover,
    peers: [...body.peers],
    aclName: body.matchAddress,
    acl,
    transformSetNames: [...body.transformSets],
    transformSets: body.transformSets.map((n) => sets.find((s) => s.name === n)).filter((s): s is TransformSetPolicy => s !== undefined),
    pfsGroup: body.pfs ? PFS_GROUP[body.pfs] : null,
    lifetime: effectiveLifetime(config, body),
  };
}

/** Builds the engine's policy from the IOS model. */
export function policyFromConfig(config: RouterConfig, options: PolicyOptions = {}): IkePolicy {
  const c = config.crypto;
  const transformSets = c.transformSets.map(transformSetPolicy).filter((t): t is TransformSetPolicy => t !== null);
  const interfaces = config.interfaces
    .filter((i) => i.address !== null && !i.shutdown)
    .map((i) => ({ name: i.name, address: i.address!.address, mask: i.address!.mask, cryptoMap: i.cryptoMap }));
  const mapNames = [...new Set(c.cryptoMaps.map((m) => m.name))];
  const cryptoMaps: CryptoMapPolicy[] = mapNames.map((name) => {
    const entries: CryptoMapEntryPolicy[] = [];
    for (const e of c.cryptoMaps.filter((m) => m.name === name && m.mode === 'ipsec-isakmp').sort((a, b) => a.seq - b.seq)) {
      if (e.dynamic) {
        for (const d of c.dynamicMaps.filter((m) => m.name === e.dynamic!.map).sort((a, b) => a.seq - b.seq)) {
          const ref = { map: name, seq: e.seq, dynamic: { map: d.name, seq: d.seq } };
          entries.push(entryPolicy(config, transformSets, ref, 'dynamic', e.dynamic.discover, d));
        }
      } else {
        entries.push(entryPolicy(config, transformSets, { map: name, seq: e.seq }, 'static', false, e));
      }
    }
    const local = c.cryptoMapLocalAddress.find((l) => l.map === name);
    const localIface = local ? interfaces.find((i) => i.name === local.interface) : undefined;
    return {
      name,
      interfaces: interfaces.filter((i) => i.cryptoMap === name).map((i) => ({ name: i.name, address: i.address })),
      localAddress: localIface?.address ?? null,
      entries,
    };
  });
  return {
    hostname: config.hostname,
    isakmpEnabled: c.isakmpEnabled,
    phase1: c.isakmpPolicies.map((p) => ({
      priority: p.priority,
      cipher: phase1Cipher(p.encryption, p.keyLength),
      hash: PHASE1_HASH[p.hash] ?? 'sha1',
      group: p.group,
      authentication: p.authentication,
      lifetimeSeconds: p.lifetime,
    })),
    keys: c.isakmpKeys.map((k) => ({ key: k.key, address: k.address, mask: k.mask })),
    aggressivePeers: c.isakmpPeers
      .filter((p) => p.aggressiveModePassword !== null)
      .map((p) => ({ address: p.address, password: p.aggressiveModePassword! })),
    aggressiveModeDisabled: c.aggressiveModeDisabled,
    keepalive: c.isakmpKeepalive ? { seconds: c.isakmpKeepalive.seconds, retrySeconds: c.isakmpKeepalive.retries, periodic: c.isakmpKeepalive.mode === 'periodic' } : null,
    natTraversal: options.natTraversal ?? true,
    natKeepaliveSeconds: c.isakmpNatKeepalive,
    initialContact: options.initialContact ?? false,
    transformSets,
    cryptoMaps,
    interfaces,
    timers: { ...IOS_TIMERS, ...options.timers },
    limits: { ...DEFAULT_LIMITS, ...options.limits },
  };
}

// ------------------------------------------------------------------ lookups

/**
 * The pre-shared key for a peer: an aggressive-mode password for exactly that
 * address first, then the `crypto isakmp key` with the longest mask that
 * covers it (the wildcard 0.0.0.0 0.0.0.0 last).
 */
export function presharedKeyFor(policy: IkePolicy, peer: string): string | null {
  const agg = policy.aggressivePeers.find((p) => p.address === peer);
  if (agg) return agg.password;
  const ip = parseIpv4(peer);
  let best: PresharedKey | null = null;
  let bestMask = -1;
  for (const k of policy.keys) {
    const mask = parseIpv4(k.mask);
    if (((ip & mask) >>> 0) !== ((parseIpv4(k.address) & mask) >>> 0)) continue;
    if (best === null || mask >>> 0 > bestMask) {
      best = k;
      bestMask = mask >>> 0;
    }
  }
  return best?.key ?? null;
}

/** The crypto map called `name`. */
export function cryptoMapByName(policy: IkePolicy, name: string): CryptoMapPolicy | undefined {
  return policy.cryptoMaps.find((m) => m.name === name);
}

/** The crypto map applied to an interface. */
export function cryptoMapOnInterface(policy: IkePolicy, iface: string): CryptoMapPolicy | undefined {
  const name = policy.interfaces.find((i) => i.name === iface)?.cryptoMap;
  return name ? cryptoMapByName(policy, name) : undefined;
}

/** The IKE address of a crypto map: its local-address interface, else the first interface it is applied to. */
export function mapLocalAddress(map: CryptoMapPolicy): string | null {
  return map.localAddress ?? map.interfaces[0]?.address ?? null;
}

/** Whether two references name the same entry (dynamic-map entry included). */
export function sameRef(a: CryptoMapRef, b: CryptoMapRef): boolean {
  return a.map === b.map && a.seq === b.seq && a.dynamic?.map === b.dynamic?.map && a.dynamic?.seq === b.dynamic?.seq;
}

/** A crypto map entry by reference. */
export function findEntry(policy: IkePolicy, ref: CryptoMapRef): { map: CryptoMapPolicy; entry: CryptoMapEntryPolicy } | undefined {
  const map = cryptoMapByName(policy, ref.map);
  const entry = map?.entries.find((e) => sameRef(e.ref, ref));
  return map && entry ? { map, entry } : undefined;
}

function tuple(p: PacketInfo): PacketTuple {
  return { protocol: p.protocol, source: p.source, destination: p.destination, sourcePort: p.sourcePort, destinationPort: p.destinationPort };
}

/**
 * The crypto map entry that protects an outbound packet on `iface`: the first
 * entry (by sequence number) whose ACL permits it, with the rule that matched.
 * A deny, or no match, moves on to the next entry.
 */
export function entryForPacket(
  policy: IkePolicy,
  iface: string,
  packet: PacketInfo,
): { map: CryptoMapPolicy; entry: CryptoMapEntryPolicy; rule: AclRule } | null {
  const map = cryptoMapOnInterface(policy, iface);
  if (!map) return null;
  for (const entry of map.entries) {
    if (!entry.acl) continue;
    if (aclMatches(entry.acl, tuple(packet)) !== 'permit') continue;
    const rule = matchingEntry(entry.acl, tuple(packet));
    if (rule) return { map, entry, rule };
  }
  return null;
}
