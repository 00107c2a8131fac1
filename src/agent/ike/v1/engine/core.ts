/**
 * The engine's mutable core, shared by the modules that implement it
 * (acquire, receive, discovery, lifecycle, timers): the policy in force, the
 * SA tables, the task manager of each ISAKMP SA and the task of each TED
 * probe, the SPIs in use, IOS's connection and flow id counters, the
 * counters of what the bounded tables refused (bounds.ts), and what keeps
 * the work of one datagram, packet or timer the same however many SAs and
 * peers the router has:
 *
 * - the ISAKMP SAs by cookies and by peer (sa-index.ts), the IPsec pairs by
 *   outbound SPI, flow, peer and crypto map flow (ipsec-index.ts), the TED
 *   probes by cookie;
 * - the agenda (agenda.ts): the deadline of every SA, probe, IPsec pair and
 *   purge line. Whatever may move a deadline marks its key (`touch`): every
 *   call through `tasks(sa)` or `probe(id)`, a traffic note, an install,
 *   delete or rekey. At the end of every engine call, and before the next
 *   deadline is read, the marked keys get their deadlines again (`flush`).
 */
import type { Buffer } from 'node:buffer';
import type { IkePolicy } from '../../policy.js';
import type { TedProbe } from '../exchanges/ted/probe.js';
import type { IsakmpSa } from '../sa/isakmp-sa.js';
import type { IpsecRecord } from '../sa/ipsec-sa.js';
import { newCounters, newTables, type EngineCounters, type EngineTables, type Purge } from '../sa/tables.js';
import type { CryptoMapRef, Proxies } from '../../types.js';
import { flowKey } from '../../proxies.js';
import { Agenda } from './agenda.js';
import { IpsecIndex } from './ipsec-index.js';
import { SaIndex } from './sa-index.js';
import { TaskManager } from './task-manager.js';

/** When a pair needs the clock: expiry, its deletion after a replacement, its rekey. */
function ipsecDeadline(r: IpsecRecord): number {
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
  /** The probe task of each discovery SA in `t.probes`, by conn id, and by initiator cookie (hex). */
  private readonly probeTasks = new Map<number, TedProbe>();
  private readonly probeCookies = new Map<string, TedProbe>();
  readonly index = new SaIndex();
  readonly ipsec = new IpsecIndex();
  readonly agenda = new Agenda();
  /** Agenda keys whose deadline may have moved: "s" SA, "p" probe, "i" IPsec pair, by conn id or inbound SPI. */
  private readonly dirty = new Set<string>();
  readonly usedSpis = new Set<number>();
  /** ISAKMP conn ids: 1, 2, ... (the seed: the probe SA is 1, Main Mode 2). */
  private nextConnId = 1;
  /** IPsec conn ids: 2000, 2001, ... */
  nextIpsecConnId = 2000;
  /** IPsec flow ids: 1, 2, ... */
  nextFlowId = 1;
  private nextPurge = 1;
  /** ISAKMP SAs not established yet (IkeLimits.phase1InNegotiation). */
  inNegotiation = 0;

  constructor(public policy: IkePolicy) {}

  connId(): number {
    return this.nextConnId++;
  }

  // ------------------------------------------------------------ ISAKMP SAs

  /** Enters a new ISAKMP SA and gives it a task manager. */
  addSa(sa: IsakmpSa): TaskManager {
    const tasks = new TaskManager(sa);
    this.t.isakmp.set(sa.connId, sa);
    this.managers.set(sa.connId, tasks);
    this.index.add(sa);
    if (!sa.established) this.inNegotiation++;
    this.touch(`s${sa.connId}`);
    return tasks;
  }

  /** Removes an ISAKMP SA and its task manager. */
  removeSa(sa: IsakmpSa): void {
    if (this.t.isakmp.get(sa.connId) !== sa) return;
    this.t.isakmp.delete(sa.connId);
    this.managers.delete(sa.connId);
    this.index.remove(sa);
    if (!sa.established) this.inNegotiation--;
    this.touch(`s${sa.connId}`);
  }

  /** Phase 1 completed on an SA in the table: it no longer counts as in negotiation. */
  noteEstablished(sa: IsakmpSa): void {
    if (this.t.isakmp.get(sa.connId) === sa) this.inNegotiation--;
  }

  /** The task manager of an ISAKMP SA in the table (whatever it is asked may move the SA's deadline). */
  tasks(sa: IsakmpSa): TaskManager {
    const m = this.managers.get(sa.connId);
    if (!m) throw new Error(`no task manager for ISAKMP SA ${sa.connId}`);
    this.touch(`s${sa.connId}`);
    return m;
  }

  /** The live SAs with a peer address, in conn id order. */
  peerSas(ip: string): IsakmpSa[] {
    return this.index.peer(ip).filter((sa) => !sa.deleted);
  }

  // ------------------------------------------------------------ TED probes

  /** Enters a TED probe: its discovery SA in the table, the task beside it. */
  addProbe(probe: TedProbe): void {
    this.t.probes.set(probe.connId, probe.sa);
    this.probeTasks.set(probe.connId, probe);
    this.probeCookies.set(probe.initiatorCookie.toString('hex'), probe);
    this.touch(`p${probe.connId}`);
  }

  /** Removes a TED probe and its discovery SA. */
  removeProbe(probe: TedProbe): void {
    this.t.probes.delete(probe.connId);
    this.probeTasks.delete(probe.connId);
    const key = probe.initiatorCookie.toString('hex');
    if (this.probeCookies.get(key) === probe) this.probeCookies.delete(key);
    this.touch(`p${probe.connId}`);
  }

  /** The running TED probe a reply with this initiator cookie answers. */
  probeByCookie(cookie: Buffer): TedProbe | undefined {
    return this.probeCookies.get(cookie.toString('hex'));
  }

  /** The running probe of a discovery SA (its deadline will be read again). */
  probe(connId: number): TedProbe | undefined {
    const p = this.probeTasks.get(connId);
    if (p) this.touch(`p${connId}`);
    return p;
  }

  // ------------------------------------------------------------ IPsec pairs

  /** Enters an installed IPsec pair; its inbound SPI stays taken while it lives. */
  addIpsec(r: IpsecRecord): void {
    this.t.ipsec.set(r.spec.inbound.spi, r);
    this.usedSpis.add(r.spec.inbound.spi);
    this.ipsec.add(r);
    this.touchIpsec(r);
  }

  /** Removes an IPsec pair and frees its inbound SPI. */
  removeIpsec(r: IpsecRecord): void {
    const spi = r.spec.inbound.spi;
    if (this.t.ipsec.get(spi) !== r) return;
    this.t.ipsec.delete(spi);
    this.usedSpis.delete(spi);
    this.ipsec.remove(r);
    this.touchIpsec(r);
  }

  // ------------------------------------------------------------ purge lines

  /** Enters a purge line; at most `limits.purges` wait: the oldest are handed back to be printed now. */
  addPurge(p: Purge): Purge[] {
    const early: Purge[] = [];
    for (const [n, old] of this.t.purges) {
      if (this.t.purges.size < this.policy.limits.purges) break;
      this.t.purges.delete(n);
      this.agenda.delete(`u${n}`);
      early.push(old);
    }
    const n = this.nextPurge++;
    this.t.purges.set(n, p);
    this.agenda.set(`u${n}`, p.at);
    return early;
  }

  /** Takes a purge out of the table. */
  takePurge(n: number): Purge | undefined {
    const p = this.t.purges.get(n);
    this.t.purges.delete(n);
    return p;
  }

  // ------------------------------------------------------------ timers

  /** Marks a key whose deadline may have moved ("s" SA, "p" probe, "i" IPsec pair). */
  touch(key: string): void {
    this.dirty.add(key);
  }

  touchIpsec(r: IpsecRecord): void {
    this.dirty.add(`i${r.spec.inbound.spi}`);
  }

  /** Every key: after a policy change (DPD and NAT keepalive timers read the policy). */
  touchAll(): void {
    for (const id of this.managers.keys()) this.dirty.add(`s${id}`);
    for (const id of this.probeTasks.keys()) this.dirty.add(`p${id}`);
    for (const spi of this.t.ipsec.keys()) this.dirty.add(`i${spi}`);
  }

  /** Reads the deadline of every marked key again (and files an SA that followed its peer to another address). */
  flush(): void {
    for (const key of this.dirty) {
      const id = Number(key.slice(1));
      switch (key[0]) {
        case 's': {
          const sa = this.t.isakmp.get(id);
          const m = this.managers.get(id);
          if (sa && !sa.deleted) this.index.follow(sa);
          this.agenda.set(key, sa && m && !sa.deleted ? m.deadline(this.policy) : null);
          break;
        }
        case 'p':
          this.agenda.set(key, this.probeTasks.get(id)?.deadline() ?? null);
          break;
        case 'i': {
          const r = this.t.ipsec.get(id);
          this.agenda.set(key, r ? ipsecDeadline(r) : null);
          break;
        }
      }
    }
    this.dirty.clear();
  }
}

/** "tedtag/10/ted-map/10": a crypto map entry as a key. */
export function refText(ref: CryptoMapRef): string {
  return `${ref.map}/${ref.seq}${ref.dynamic ? `/${ref.dynamic.map}/${ref.dynamic.seq}` : ''}`;
}

/** The key of a flow under a crypto map entry: "tedtag/10/ted-map/10|13.13.13.0/255.255.255.0:0:0>...". */
export function flowRefKey(ref: CryptoMapRef, proxies: Proxies): string {
  return `${refText(ref)}|${flowKey(proxies)}`;
}

/** A stable stand-in for the SA's memory address IOS prints ("sa=82687F70"). */
export function pseudoAddress(connId: number): string {
  return (0x82687f00 + connId * 0x70).toString(16).toUpperCase();
}
