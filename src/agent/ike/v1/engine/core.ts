/**
 * The engine's mutable core, shared by the modules that implement it
 * (acquire, receive, discovery, lifecycle, timers): the policy in force, the
 * SA tables, the task manager of each ISAKMP SA and the task of each TED
 * probe, the SPIs in use, IOS's connection and flow id counters, and what
 * keeps the cost of one input independent of the tables' size: the SAs by
 * cookies and by peer (sa-index.ts) and the deadlines in a heap
 * (deadlines.ts). Whatever may move an SA's or a pair's deadline marks it
 * (`tasks(sa)`, `touch`, `touchIpsec`); the marks are settled before the
 * next deadline is read.
 */
import type { Buffer } from 'node:buffer';
import type { IkePolicy } from '../../policy.js';
import type { TedProbe } from '../exchanges/ted/probe.js';
import type { IsakmpSa } from '../sa/isakmp-sa.js';
import type { IpsecRecord } from '../sa/ipsec-sa.js';
import { newCounters, newTables, type EngineCounters, type EngineTables } from '../sa/tables.js';
import type { CryptoMapRef } from '../../types.js';
import { DeadlineQueue } from './deadlines.js';
import { SaIndex } from './sa-index.js';
import { TaskManager } from './task-manager.js';

/** Work done so far, for tests that count it (no timing). */
export interface EngineWork {
  /** ISAKMP SAs examined: cookie and peer lookups, deadlines recomputed. */
  readonly sasVisited: number;
  /** Deadline heap entries examined at its top (current or stale). */
  readonly deadlineVisits: number;
  /** Deadline heap levels moved (O(log n) per change). */
  readonly siftSteps: number;
}

/** The deadline of an IPsec pair: expiry, scheduled deletion, or the rekey this side starts. */
export function ipsecDeadline(r: IpsecRecord): number {
  let at = r.expiresAt;
  if (r.deleteAt !== null && r.deleteAt < at) at = r.deleteAt;
  if (!r.rekeying && r.replacedBy === null && r.rekeyAt !== null && r.rekeyAt < at) at = r.rekeyAt;
  return at;
}

/** State shared by the engine's modules. */
export class Core {
  readonly t: EngineTables = newTables();
  readonly counters: EngineCounters = newCounters();
  /** When each counter last made a log line (bounds.ts: once a minute). */
  readonly loggedAt = new Map<string, number>();
  /** The task manager of each ISAKMP SA in `t.isakmp`, by conn id. */
  private readonly managers = new Map<number, TaskManager>();
  /** The probe task of each discovery SA in `t.probes`, by conn id. */
  private readonly probeTasks = new Map<number, TedProbe>();
  /** The same probes by initiator cookie (hex): a TED reply finds its probe in one lookup. */
  private readonly probeCookies = new Map<string, TedProbe>();
  readonly index = new SaIndex();
  private readonly saDeadlines = new DeadlineQueue<number>();
  private readonly ipsecDeadlines = new DeadlineQueue<number>();
  /** IPsec pairs by flow, oldest first, and the flows of each peer (sa/peer.ts). */
  private readonly flowPairs = new Map<string, IpsecRecord[]>();
  private readonly peerFlows = new Map<string, Set<string>>();
  private readonly dirtySas = new Set<IsakmpSa>();
  private readonly dirtyIpsec = new Set<number>();
  private deadlinesComputed = 0;
  readonly usedSpis = new Set<number>();
  /** ISAKMP conn ids: 1, 2, ... (the seed: the probe SA is 1, Main Mode 2). */
  private nextConnId = 1;
  /** IPsec conn ids: 2000, 2001, ... */
  nextIpsecConnId = 2000;
  /** IPsec flow ids: 1, 2, ... */
  nextFlowId = 1;
  /** ISAKMP SAs not established yet (IkeLimits.phase1InNegotiation). */
  inNegotiation = 0;

  constructor(private currentPolicy: IkePolicy) {}

  get policy(): IkePolicy {
    return this.currentPolicy;
  }

  /** A new policy may move every deadline (DPD settings, timers). */
  set policy(p: IkePolicy) {
    this.currentPolicy = p;
    for (const sa of this.t.isakmp.values()) this.dirtySas.add(sa);
  }

  connId(): number {
    return this.nextConnId++;
  }

  /** Enters a new ISAKMP SA and gives it a task manager. */
  addSa(sa: IsakmpSa): TaskManager {
    const tasks = new TaskManager(sa);
    this.t.isakmp.set(sa.connId, sa);
    this.managers.set(sa.connId, tasks);
    this.index.add(sa);
    if (!sa.established) this.inNegotiation++;
    this.dirtySas.add(sa);
    return tasks;
  }

  /** Removes an ISAKMP SA and its task manager. */
  removeSa(sa: IsakmpSa): void {
    if (this.t.isakmp.get(sa.connId) !== sa) return;
    this.t.isakmp.delete(sa.connId);
    this.managers.delete(sa.connId);
    this.index.remove(sa);
    if (!sa.established) this.inNegotiation--;
    this.saDeadlines.delete(sa.connId);
    this.dirtySas.delete(sa);
  }

  /** Phase 1 completed on an SA in the table: it no longer counts as in negotiation. */
  noteEstablished(sa: IsakmpSa): void {
    if (this.t.isakmp.get(sa.connId) === sa) this.inNegotiation--;
  }

  /** The SAs with a peer address (any state). */
  peerSas(ip: string): readonly IsakmpSa[] {
    return this.index.peer(ip).filter((sa) => !sa.deleted);
  }

  /** The running TED probe a reply with this initiator cookie answers. */
  probeByCookie(cookie: Buffer): TedProbe | undefined {
    return this.probeCookies.get(cookie.toString('hex'));
  }

  /** Enters a TED probe: its discovery SA in the table, the task beside it. */
  addProbe(probe: TedProbe): void {
    this.t.probes.set(probe.connId, probe.sa);
    this.probeTasks.set(probe.connId, probe);
    this.probeCookies.set(probe.initiatorCookie.toString('hex'), probe);
  }

  /** Removes a TED probe and its discovery SA. */
  removeProbe(probe: TedProbe): void {
    this.t.probes.delete(probe.connId);
    this.probeTasks.delete(probe.connId);
    const key = probe.initiatorCookie.toString('hex');
    if (this.probeCookies.get(key) === probe) this.probeCookies.delete(key);
  }

  /** The running TED probes, oldest first. */
  probes(): TedProbe[] {
    return [...this.probeTasks.values()];
  }

  /** The task manager of an ISAKMP SA in the table (whatever it is asked may move the SA's deadline). */
  tasks(sa: IsakmpSa): TaskManager {
    const m = this.managers.get(sa.connId);
    if (!m) throw new Error(`no task manager for ISAKMP SA ${sa.connId}`);
    this.dirtySas.add(sa);
    this.index.follow(sa);
    return m;
  }

  /** Enters an installed IPsec pair. */
  addIpsec(r: IpsecRecord): void {
    this.t.ipsec.set(r.spec.inbound.spi, r);
    const pairs = this.flowPairs.get(r.flow);
    if (pairs) pairs.push(r);
    else this.flowPairs.set(r.flow, [r]);
    let flows = this.peerFlows.get(r.peerKey);
    if (!flows) {
      flows = new Set();
      this.peerFlows.set(r.peerKey, flows);
    }
    flows.add(r.flow);
    this.dirtyIpsec.add(r.spec.inbound.spi);
  }

  /** Removes an IPsec pair. */
  removeIpsec(r: IpsecRecord): void {
    const spi = r.spec.inbound.spi;
    if (this.t.ipsec.get(spi) !== r) return;
    this.t.ipsec.delete(spi);
    this.dirtyIpsec.add(spi);
    const pairs = (this.flowPairs.get(r.flow) ?? []).filter((x) => x !== r);
    if (pairs.length > 0) {
      this.flowPairs.set(r.flow, pairs);
      return;
    }
    this.flowPairs.delete(r.flow);
    const flows = this.peerFlows.get(r.peerKey);
    flows?.delete(r.flow);
    if (flows?.size === 0) this.peerFlows.delete(r.peerKey);
  }

  /** The pairs of a flow, oldest first. */
  pairsOf(flow: string): readonly IpsecRecord[] {
    return this.flowPairs.get(flow) ?? [];
  }

  /** The pairs negotiated with a peer (sa/peer.ts key). */
  ipsecOfPeer(peer: string): IpsecRecord[] {
    return [...(this.peerFlows.get(peer) ?? [])].flatMap((f) => this.flowPairs.get(f) ?? []);
  }

  /** Flows with IPsec pairs, with one peer or in all. */
  flowCount(peer?: string): number {
    return peer === undefined ? this.flowPairs.size : (this.peerFlows.get(peer)?.size ?? 0);
  }

  /** Something outside the task manager moved the SA's deadline (its liveness). */
  touch(sa: IsakmpSa): void {
    this.dirtySas.add(sa);
  }

  /** An IPsec pair was added, changed or removed. */
  touchIpsec(inboundSpi: number): void {
    this.dirtyIpsec.add(inboundSpi);
  }

  /** Recomputes the deadlines marked since the last call. */
  private settle(): void {
    for (const sa of this.dirtySas) {
      const m = this.t.isakmp.get(sa.connId) === sa ? this.managers.get(sa.connId) : undefined;
      this.deadlinesComputed++;
      this.saDeadlines.set(sa.connId, m && !sa.deleted ? m.deadline(this.currentPolicy) : null);
    }
    this.dirtySas.clear();
    for (const spi of this.dirtyIpsec) {
      const r = this.t.ipsec.get(spi);
      this.ipsecDeadlines.set(spi, r ? ipsecDeadline(r) : null);
    }
    this.dirtyIpsec.clear();
  }

  /** The earliest deadline of the ISAKMP SAs' tasks and of the IPsec pairs, or null. */
  nextSaDeadline(): number | null {
    this.settle();
    const a = this.saDeadlines.peek();
    const b = this.ipsecDeadlines.peek();
    return a === null ? b : b === null ? a : Math.min(a, b);
  }

  /** The ISAKMP SAs whose tasks are due at `now`, in creation order. */
  dueSas(now: number): IsakmpSa[] {
    this.settle();
    const due: IsakmpSa[] = [];
    for (const id of this.saDeadlines.takeDue(now)) {
      const sa = this.t.isakmp.get(id);
      if (sa) {
        due.push(sa);
        this.dirtySas.add(sa);
      }
    }
    return due.sort((a, b) => a.connId - b.connId);
  }

  /** The IPsec pairs due at `now` (expiry, deletion, rekey), in installation order. */
  dueIpsec(now: number): IpsecRecord[] {
    this.settle();
    const due: IpsecRecord[] = [];
    for (const spi of this.ipsecDeadlines.takeDue(now)) {
      const r = this.t.ipsec.get(spi);
      if (r) {
        due.push(r);
        this.dirtyIpsec.add(spi);
      }
    }
    return due.sort((a, b) => a.installedAt - b.installedAt || a.spec.inbound.connId - b.spec.inbound.connId);
  }

  /** Work done so far (tests). */
  work(): EngineWork {
    return {
      sasVisited: this.index.visited + this.deadlinesComputed,
      deadlineVisits: this.saDeadlines.visits + this.ipsecDeadlines.visits,
      siftSteps: this.saDeadlines.siftSteps + this.ipsecDeadlines.siftSteps,
    };
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
