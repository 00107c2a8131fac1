/**
 * The engine's mutable core, shared by the modules that implement it
 * (acquire, receive, discovery, sa-table, timers): the policy in force, the
 * tables, the SPIs in use, and IOS's connection and flow id counters.
 */
import type { IkePolicy } from '../../policy.js';
import { newTables, type EngineTables } from '../sa/tables.js';
import type { CryptoMapRef } from '../../types.js';

/** State shared by the engine's modules. */
export class Core {
  readonly t: EngineTables = newTables();
  readonly usedSpis = new Set<number>();
  /** ISAKMP conn ids: 1, 2, ... (the seed: the probe SA is 1, Main Mode 2). */
  private nextConnId = 1;
  /** IPsec conn ids: 2000, 2001, ... */
  nextIpsecConnId = 2000;
  /** IPsec flow ids: 1, 2, ... */
  nextFlowId = 1;

  constructor(public policy: IkePolicy) {}

  connId(): number {
    return this.nextConnId++;
  }
}

/** "tedtag/10/ted-map/10": a crypto map entry as a key. */
export function refText(ref: CryptoMapRef): string {
  return `${ref.map}/${ref.seq}${ref.dynamic ? `/${ref.dynamic.map}/${ref.dynamic.seq}` : ''}`;
}

/** A stable stand-in for the SA's memory address IOS prints ("sa=82687F70"). */
export function pseudoAddress(connId: number): string {
  return (0x82687f00 + connId * 0x70).toString(16).toUpperCase();
}
