/**
 * The engine's tables: ISAKMP SAs, TED discovery SAs, installed IPsec SA
 * pairs, the dynamic crypto map instances IOS creates (TED: "tedtag 11 ...
 * dynamic (created from dynamic map ted-map/10)"), and flows being
 * negotiated. The views (views/) read these; only the engine writes them.
 * Nothing here belongs to a running exchange: the tasks keep their own
 * working state (exchanges/).
 */
import type { Phase1Sa } from './isakmp-sa.js';
import type { IkePolicy } from '../../policy.js';
import type { IpsecSaSpec, Proxies } from '../../types.js';

/** IOS's PEER_DISCOVERY SA while a TED probe waits for its reply (`show crypto isakmp sa` lists it). */
export interface DiscoverySa {
  readonly connId: number;
  /** The host whose packet triggered discovery (the probe's IP source). */
  readonly source: string;
  /** The destination host the probe goes to. */
  readonly target: string;
  readonly createdAt: number;
}

/** An installed IPsec SA pair. */
export interface IpsecRecord {
  readonly spec: IpsecSaSpec;
  readonly installedAt: number;
  /** Hard expiry (seconds lifetime). */
  readonly expiresAt: number;
  /** When this side starts the rekey (IPsec initiator only; null when not planned). */
  rekeyAt: number | null;
  /** A rekey negotiation is running. */
  rekeying: boolean;
  /** Inbound SPI of the pair that replaced this one. */
  replacedBy: number | null;
  /** Scheduled deletion after a replacement was installed. */
  deleteAt: number | null;
  /** Inner-packet bytes counted by the datapath (noteTraffic). */
  bytesIn: number;
  bytesOut: number;
  lastUsed: number;
}

/** A crypto map entry IOS created from a dynamic map template for one peer and flow. */
export interface DynamicInstance {
  readonly map: string;
  readonly seq: number;
  /** Sequence number of the `crypto map NAME SEQ ipsec-isakmp dynamic DMAP` template. */
  readonly templateSeq: number;
  readonly dynamic: { readonly map: string; readonly seq: number };
  readonly peer: string;
  readonly proxies: Proxies;
  readonly aclName: string | null;
  readonly createdAt: number;
  /** 'ted' when created by discovery, 'negotiated' when a peer negotiated against the template. */
  readonly origin: 'ted' | 'negotiated';
}

/** Work IOS does a little after "deleting SA": "purging SA.", "CryptoEngine0: delete connection N". */
export interface Purge {
  readonly at: number;
  readonly lines: readonly { readonly facility: 'isakmp' | 'engine'; readonly text: string }[];
}

/** A flow being negotiated (TED probe, phase 1, or Quick Mode), so that a second acquire does not start another. */
export interface PendingFlow {
  readonly since: number;
  readonly peer: string | null;
}

export interface EngineTables {
  readonly phase1: Map<number, Phase1Sa>;
  readonly probes: Map<number, DiscoverySa>;
  /** By inbound SPI. */
  readonly ipsec: Map<number, IpsecRecord>;
  readonly instances: DynamicInstance[];
  readonly pending: Map<string, PendingFlow>;
  readonly purges: Purge[];
}

export function newTables(): EngineTables {
  return { phase1: new Map(), probes: new Map(), ipsec: new Map(), instances: [], pending: new Map(), purges: [] };
}

/** What the views need: the tables and the policy in force. */
export interface EngineSnapshot {
  readonly tables: EngineTables;
  readonly policy: IkePolicy;
}
