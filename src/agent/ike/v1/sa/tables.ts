/**
 * The engine's tables: ISAKMP SAs, TED discovery SAs, installed IPsec SA
 * pairs, the dynamic crypto map instances IOS creates (TED: "tedtag 11 ...
 * dynamic (created from dynamic map ted-map/10)"), the flows being
 * negotiated, and IOS's delayed purge lines. The views (views/) read these;
 * only the engine writes them. Nothing here belongs to a running exchange:
 * the tasks keep their own working state (exchanges/).
 */
import type { IkePolicy } from '../../policy.js';
import type { IsakmpSa } from './isakmp-sa.js';
import type { IpsecRecord } from './ipsec-sa.js';
import { DynamicInstances } from './instances.js';
import { PendingFlows } from './pending.js';

/** IOS's PEER_DISCOVERY SA while a TED probe waits for its reply (`show crypto isakmp sa` lists it). */
export interface DiscoverySa {
  readonly connId: number;
  /** The host whose packet triggered discovery (the probe's IP source). */
  readonly source: string;
  /** The destination host the probe goes to. */
  readonly target: string;
  readonly createdAt: number;
}

/** Work IOS does a little after "deleting SA": "purging SA.", "CryptoEngine0: delete connection N". */
export interface Purge {
  readonly at: number;
  readonly connId: number;
  readonly lines: readonly { readonly facility: 'isakmp' | 'engine'; readonly text: string }[];
}

export interface EngineTables {
  /** By conn id. */
  readonly isakmp: Map<number, IsakmpSa>;
  /** By conn id. */
  readonly probes: Map<number, DiscoverySa>;
  /** By inbound SPI. */
  readonly ipsec: Map<number, IpsecRecord>;
  /** By crypto map, template entry and peer (instanceKey). */
  readonly instances: DynamicInstances;
  readonly pending: PendingFlows;
  /** By sequence number, in order. */
  readonly purges: Map<number, Purge>;
}

export function newTables(): EngineTables {
  return { isakmp: new Map(), probes: new Map(), ipsec: new Map(), instances: new DynamicInstances(), pending: new PendingFlows(), purges: new Map() };
}

/**
 * What the engine refused or cut short because a table was full
 * (IkeLimits, limits.ts), and the hostile input it ignored; each count has
 * its debug line and a rate-limited log message (engine/bounds.ts).
 */
export interface EngineCounters {
  /** First messages (MM1, AM1) dropped: `phase1InNegotiation` ISAKMP SAs were in negotiation. */
  phase1InNegotiationIn: number;
  /** Our own phase-1 initiations refused for the same reason (the flow fails). */
  phase1InNegotiationOut: number;
  /** ISAKMP SAs deleted as soon as they were up: the peer already had `phase1PerPeer`. */
  phase1PerPeer: number;
  /** Quick Modes refused: `quickModesPerSa` already ran on that ISAKMP SA. */
  quickModesPerSa: number;
  /** IPsec pairs deleted because their flow had `ipsecPairsPerFlow` (the oldest replaced one goes). */
  ipsecPairsPerFlow: number;
  /** Quick Modes refused for a new flow: the peer had `ipsecFlowsPerPeer` flows. */
  ipsecFlowsPerPeer: number;
  /** Quick Modes refused for a new flow: `ipsecFlows` flows in all. */
  ipsecFlows: number;
  /** Acquires refused: `pendingFlows` flows in negotiation. */
  pendingFlows: number;
  /** Purge lines printed early: `purges` were waiting. */
  purges: number;
  /** Unreadable phase-1 messages forgotten: `badDigests` were counted on that exchange. */
  badDigests: number;
  /** Deletes and INITIAL-CONTACT notifies that named SAs of another peer, ignored. */
  foreignDeletes: number;
}

export type EngineCounter = keyof EngineCounters;

export function newCounters(): EngineCounters {
  return {
    phase1InNegotiationIn: 0,
    phase1InNegotiationOut: 0,
    phase1PerPeer: 0,
    quickModesPerSa: 0,
    ipsecPairsPerFlow: 0,
    ipsecFlowsPerPeer: 0,
    ipsecFlows: 0,
    pendingFlows: 0,
    purges: 0,
    badDigests: 0,
    foreignDeletes: 0,
  };
}

/** What the views need: the tables, the policy in force and the counters. */
export interface EngineSnapshot {
  readonly tables: EngineTables;
  readonly policy: IkePolicy;
  readonly counters: Readonly<EngineCounters>;
}
