/**
 * The router's IKE engine: one per router, pure. It owns every ISAKMP SA,
 * TED probe SA and IPsec SA pair, and turns inputs into actions:
 *
 *   acquire(trigger, now)            a packet needs protection and has no SA
 *   receive(datagram, now)           IKE on UDP 500/4500 addressed to us
 *   receiveTransitProbe(probe, now)  a TED probe crossing the router
 *   tick(now) / nextDeadline()       retransmissions, lifetimes, rekeys, DPD
 *   noteTraffic(notes, now)          datapath byte counts (kilobyte lifetimes, DPD)
 *   clearIpsec / clearIsakmp         `clear crypto sa`, `clear crypto isakmp`
 *   setPolicy(policy)                reconfiguration (existing SAs stay)
 *
 * and the read-only views in views/. Time and randomness come in from the
 * caller; nothing here does I/O. The machinery is in engine/ (each ISAKMP
 * SA's task manager, the SA lifecycle, timers, TED), the exchanges in
 * exchanges/, the SA model in sa/.
 */
import type { DhGroup, DhKeyPair } from '../../crypto/dh.js';
import type { IkePolicy } from '../policy.js';
import type { AcquireTrigger, Datagram, Endpoint, IkeAction, RandomSource, TrafficNote, TransitProbe, TransitVerdict } from '../types.js';
import { doAcquire } from './engine/acquire.js';
import { engineCall, type Sources } from './engine/call.js';
import { Core } from './engine/core.js';
import { clearProbe, doTransitProbe } from './engine/discovery.js';
import { deleteIpsec, deletePhase1 } from './engine/lifecycle.js';
import { doReceive } from './engine/receive.js';
import { doTick, nextDeadline } from './engine/timers.js';
import { noteTraffic } from './engine/traffic.js';
import type { IkeContext } from './exchanges/context.js';
import type { EngineCounters, EngineSnapshot } from './sa/tables.js';
import {
  cryptoMapView,
  engineConnectionRows,
  ipsecSaView,
  isakmpSaRows,
  isakmpKeyRow,
  keyMaterial,
  type CryptoMapView,
  type EngineConnectionRow,
  type IpsecInterfaceView,
  type IsakmpKeyRow,
  type IsakmpSaRow,
  type KeyMaterial,
} from './views/index.js';

/** The policy in force and the random source (8-byte cookies, nonces, SPIs, message IDs, DH private values). */
export interface IkeEngineOptions {
  readonly policy: IkePolicy;
  readonly random: RandomSource;
  /**
   * Where Diffie-Hellman key pairs come from: by default generated on the
   * spot from `random`; the agent passes a pool that computes them ahead,
   * off the negotiation's critical path.
   */
  readonly dh?: (group: DhGroup) => DhKeyPair;
}

/** `clear crypto sa [peer A]` / `clear crypto sa map NAME`. */
export interface IpsecFilter {
  readonly peer?: string;
  readonly map?: string;
}

/** One per router. Every method takes the current time in ms and returns the actions to carry out, in order. */
export class IkeEngine {
  private readonly core: Core;
  private readonly sources: Sources;

  constructor(options: IkeEngineOptions) {
    this.core = new Core(options.policy);
    this.sources = { random: options.random, dh: options.dh };
  }

  /** New configuration: new negotiations use it; established SAs stay as they are. */
  setPolicy(policy: IkePolicy): void {
    this.core.policy = policy;
    this.core.touchAll();
    this.core.flush();
  }

  /** The tables and policy, for the views (views/). */
  snapshot(): EngineSnapshot {
    return { tables: this.core.t, policy: this.core.policy, counters: this.core.counters };
  }

  /** What the bounded tables refused so far, and the foreign deletes ignored (also in the debug log). */
  counters(): Readonly<EngineCounters> {
    return { ...this.core.counters };
  }

  /** `show crypto isakmp sa`. */
  isakmpSas(): IsakmpSaRow[] {
    return isakmpSaRows(this.snapshot());
  }

  /** `show crypto ipsec sa` (remaining lifetimes computed at `now`). */
  ipsecSas(now: number): IpsecInterfaceView[] {
    return ipsecSaView(this.snapshot(), now);
  }

  /** `show crypto map`, with the dynamic instances. */
  cryptoMaps(): CryptoMapView[] {
    return cryptoMapView(this.snapshot());
  }

  /** `show crypto engine connections active`. */
  engineConnections(): EngineConnectionRow[] {
    return engineConnectionRows(this.snapshot());
  }

  /** Keys for Wireshark (ikev1_decryption_table, esp_sa). */
  keys(): KeyMaterial {
    return keyMaterial(this.snapshot());
  }

  /** The key row of one ISAKMP SA (by connection id), null when it is gone or has no keys yet. */
  isakmpKeys(connId: number): IsakmpKeyRow | null {
    const sa = this.core.t.isakmp.get(connId);
    return sa ? isakmpKeyRow(sa) : null;
  }

  // ------------------------------------------------------------ public API

  /** An outbound packet matched a crypto map and has no IPsec SA: start what it takes. */
  acquire(trigger: AcquireTrigger, now: number): IkeAction[] {
    return this.run(now, null, (ctx) => doAcquire(this.core, ctx, trigger));
  }

  /** An IKE datagram addressed to this router (UDP 500 or 4500). */
  receive(d: Datagram, now: number): IkeAction[] {
    return this.run(now, d.from, (ctx) => doReceive(this.core, ctx, d));
  }

  /** A UDP/500 datagram crossing the router: answer it when it is a TED probe for traffic we protect. */
  receiveTransitProbe(p: TransitProbe, now: number): TransitVerdict {
    let verdict: TransitVerdict['verdict'] = 'forward';
    const actions = this.run(now, { ip: p.ipSource, port: 500 }, (ctx) => {
      verdict = doTransitProbe(this.core, ctx, p) ? 'handled' : 'forward';
    });
    return { verdict, actions };
  }

  /** Timers: retransmissions, probe timeouts, DPD, lifetimes and rekeys, purges. */
  tick(now: number): IkeAction[] {
    return this.run(now, null, (ctx) => doTick(this.core, ctx));
  }

  /** The earliest time `tick` has work, or null. */
  nextDeadline(): number | null {
    return nextDeadline(this.core);
  }

  /** Bytes counted by the datapath per SA: kilobyte lifetimes (rekey at 90 %, delete at 100 %) and DPD liveness. */
  noteTraffic(notes: TrafficNote | readonly TrafficNote[], now: number): IkeAction[] {
    const list = Array.isArray(notes) ? (notes as readonly TrafficNote[]) : [notes as TrafficNote];
    return this.run(now, null, (ctx) => noteTraffic(this.core, ctx, list));
  }

  /** `clear crypto sa [peer A | map M]`: deletes those IPsec SAs (only those) and tells their peers. */
  clearIpsec(filter: IpsecFilter, now: number): IkeAction[] {
    return this.run(now, null, (ctx) => {
      const records = filter.peer !== undefined ? this.core.ipsec.atAddress(filter.peer) : [...this.core.t.ipsec.values()];
      for (const rec of records) {
        if (filter.map !== undefined && rec.spec.cryptoMap.map !== filter.map) continue;
        deleteIpsec(this.core, ctx, rec, 'clear crypto sa', true);
      }
    });
  }

  /**
   * `clear crypto isakmp [conn-id]`: deletes ISAKMP SAs and tells the peers. A TED probe waiting
   * for its reply is listed by `show crypto isakmp sa` (PEER_DISCOVERY), so it goes too (no peer
   * holds state for it: nothing to tell); the next packet of its flow starts a new probe.
   */
  clearIsakmp(connId: number | undefined, now: number): IkeAction[] {
    return this.run(now, null, (ctx) => {
      for (const sa of [...this.core.t.isakmp.values()]) {
        if (connId !== undefined && sa.connId !== connId) continue;
        deletePhase1(this.core, ctx, sa, 'Manual clear', true);
      }
      for (const id of [...this.core.t.probes.keys()]) if (connId === undefined || id === connId) clearProbe(this.core, ctx, id);
    });
  }

  // --------------------------------------------------------------- plumbing

  private run(now: number, from: Endpoint | null, body: (ctx: IkeContext) => void): IkeAction[] {
    return engineCall(this.core, this.sources, now, from, body);
  }
}
