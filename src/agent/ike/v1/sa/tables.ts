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

/** What the views need: the tables and the policy in force. */
export interface EngineSnapshot {
  readonly tables: EngineTables;
  readonly policy: IkePolicy;
}
