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
 * caller; nothing here does I/O.
 */
import { Buffer } from 'node:buffer';
import { doAcquire } from './engine/acquire.js';
import type { IkeContext } from './exchanges/context.js';
import { Core } from './engine/core.js';
import { generateDhKeyPair, type DhGroup, type DhKeyPair } from '../../crypto/dh.js';
import { Out } from './debug.js';
import { doTransitProbe } from './engine/discovery.js';
import { errorText, notifyOf } from './notify.js';
import type { IkePolicy } from '../policy.js';
import { doReceive } from './engine/receive.js';
import {
  deleteIpsec,
  deletePhase1,
  hasOtherSas,
  initialContact,
  installIpsec,
  peerDead,
  peerDeleted,
  phase1Established,
  phase1Gone,
  quickModeFailed,
  responderEntry,
  startRekey,
} from './engine/lifecycle.js';
import type { EngineSnapshot } from './sa/tables.js';
import { doTick, nextDeadline } from './engine/timers.js';
import type { AcquireTrigger, Datagram, Endpoint, IkeAction, RandomSource, TrafficNote, TransitProbe, TransitVerdict } from '../types.js';
import { cryptoMapView, engineConnectionRows, ipsecSaView, isakmpSaRows, keyMaterial, type CryptoMapView, type EngineConnectionRow, type IpsecInterfaceView, type IsakmpSaRow, type KeyMaterial } from './views/index.js';

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

/** Draws until `ok` (a broken random source that never satisfies it is an error, not a hang). */
function draw<T>(next: () => T, ok: (v: T) => boolean): T {
  for (let i = 0; i < 1000; i++) {
    const v = next();
    if (ok(v)) return v;
  }
  throw new Error('the random source keeps returning unusable values');
}

/** One per router. Every method takes the current time in ms and returns the actions to carry out, in order. */
export class IkeEngine {
  private readonly core: Core;
  private readonly random: RandomSource;
  private readonly dhSource: ((group: DhGroup) => DhKeyPair) | undefined;

  constructor(options: IkeEngineOptions) {
    this.core = new Core(options.policy);
    this.random = options.random;
    this.dhSource = options.dh;
  }

  /** New configuration: new negotiations use it; established SAs stay as they are. */
  setPolicy(policy: IkePolicy): void {
    this.core.policy = policy;
  }

  /** The tables and policy, for the views (views/). */
  snapshot(): EngineSnapshot {
    return { tables: this.core.t, policy: this.core.policy };
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
    return this.run(now, null, (ctx) => {
      for (const n of list) {
        const rec = n.direction === 'inbound' ? this.core.t.ipsec.get(n.spi) : [...this.core.t.ipsec.values()].find((r) => r.spec.outbound.spi === n.spi);
        if (!rec) continue;
        if (n.direction === 'inbound') rec.bytesIn += n.bytes;
        else rec.bytesOut += n.bytes;
        rec.lastUsed = now;
        for (const sa of this.core.t.isakmp.values()) {
          if (sa.remote.ip !== rec.spec.peer) continue;
          if (n.direction === 'inbound') {
            sa.liveness.lastInbound = now;
            sa.liveness.outboundSinceInbound = false;
          } else sa.liveness.outboundSinceInbound = true;
        }
        const used = Math.max(rec.bytesIn, rec.bytesOut);
        const limit = rec.spec.lifetime.kilobytes * 1024;
        if (used >= limit) {
          deleteIpsec(this.core, ctx, rec, 'kilobyte lifetime expired', true);
        } else if (used >= limit * this.core.policy.timers.rekeyVolumeFraction && !rec.rekeying && rec.replacedBy === null) {
          startRekey(this.core, ctx, rec);
        }
      }
    });
  }

  /** `clear crypto sa [peer A | map M]`: deletes the IPsec SAs and tells the peers. */
  clearIpsec(filter: IpsecFilter, now: number): IkeAction[] {
    return this.run(now, null, (ctx) => {
      for (const rec of [...this.core.t.ipsec.values()]) {
        if (filter.peer && rec.spec.peer !== filter.peer) continue;
        if (filter.map && rec.spec.cryptoMap.map !== filter.map) continue;
        deleteIpsec(this.core, ctx, rec, 'clear crypto sa', true);
      }
    });
  }

  /** `clear crypto isakmp [conn-id]`: deletes ISAKMP SAs and tells the peers. */
  clearIsakmp(connId: number | undefined, now: number): IkeAction[] {
    return this.run(now, null, (ctx) => {
      for (const sa of [...this.core.t.isakmp.values()]) {
        if (connId !== undefined && sa.connId !== connId) continue;
        deletePhase1(this.core, ctx, sa, 'Manual clear', true);
      }
    });
  }

  // --------------------------------------------------------------- plumbing

  private run(now: number, from: Endpoint | null, body: (ctx: IkeContext) => void): IkeAction[] {
    const out = new Out();
    const ctx = this.context(now, out);
    try {
      body(ctx);
    } catch (err) {
      out.drop(from, notifyOf(err), `internal error: ${errorText(err)}`);
    }
    return out.actions;
  }

  private context(now: number, out: Out): IkeContext {
    const bytes = (n: number): Buffer => {
      const b = this.random(n);
      if (b.length !== n) throw new Error(`random source returned ${b.length} bytes, wanted ${n}`);
      return Buffer.from(b);
    };
    const engine = this;
    const ctx: IkeContext = {
      policy: this.core.policy,
      now,
      out,
      bytes,
      cookie: () => draw(() => bytes(8), (c) => !c.every((x) => x === 0)),
      messageId: (sa) => draw(() => bytes(4).readUInt32BE(0), (id) => id !== 0 && !engine.core.tasks(sa).usesMessageId(id)),
      spi: () => {
        const spi = draw(() => bytes(4).readUInt32BE(0), (x) => x > 255 && !engine.core.usedSpis.has(x));
        engine.core.usedSpis.add(spi);
        return spi;
      },
      releaseSpi: (spi) => {
        engine.core.usedSpis.delete(spi);
      },
      dh: (group: DhGroup) => {
        if (engine.dhSource) return engine.dhSource(group);
        const priv = bytes(32);
        priv[0] = (priv[0]! & 0x7f) | 0x40;
        return generateDhKeyPair(group, priv);
      },
      ipsecIds: () => ({ connId: engine.core.nextIpsecConnId++, flowId: engine.core.nextFlowId++ }),
      phase1Established: (sa) => phase1Established(engine.core, ctx, sa),
      phase1Gone: (sa, reason, failure) => phase1Gone(engine.core, ctx, sa, reason, failure),
      deletePhase1: (sa, reason, notifyPeer) => deletePhase1(engine.core, ctx, sa, reason, notifyPeer),
      hasOtherSas: (sa) => hasOtherSas(engine.core, sa),
      initialContact: (sa) => initialContact(engine.core, ctx, sa),
      responderEntry: (sa, proxies) => responderEntry(engine.core, sa, proxies),
      installIpsec: (sa, flow, spec) => installIpsec(engine.core, ctx, sa, flow, spec),
      quickModeFailed: (sa, end, notify, why) => quickModeFailed(engine.core, ctx, sa, end, notify, why),
      peerDeleted: (sa, d) => peerDeleted(engine.core, ctx, sa, d),
      peerDead: (sa) => peerDead(engine.core, ctx, sa),
    };
    return ctx;
  }
}
