/**
 * The engine's mutable core, shared by the modules that implement it
 * (acquire, receive, discovery, lifecycle, timers): the policy in force, the
 * SA tables, the task manager of each ISAKMP SA and the task of each TED
 * probe, the SPIs in use, IOS's connection and flow id counters, and the
 * indexes and timers that keep the work of one datagram, packet or timer the
 * same however many peers the router has:
 *
 * - ISAKMP SAs by initiator cookie and by peer, IPsec pairs by peer, by
 *   outbound SPI and by flow, TED probes by cookie;
 * - the agenda (agenda.ts): the deadline of every SA, probe, IPsec pair and
 *   purge line. Whatever may move a deadline marks its key (`touch`); at the
 *   end of every engine call the marked keys get their deadlines again
 *   (`flush`). Everything that changes a task manager goes through `tasks()`,
 *   which marks its SA.
 */
import type { IkePolicy } from '../../policy.js';
import type { TedProbe } from '../exchanges/ted/probe.js';
import type { IsakmpSa } from '../sa/isakmp-sa.js';
import type { IpsecRecord } from '../sa/ipsec-sa.js';
import { newTables, type EngineTables, type Purge } from '../sa/tables.js';
import type { CryptoMapRef, Proxies } from '../../types.js';
import { flowKey } from '../../proxies.js';
import { Agenda } from './agenda.js';
import { TaskManager } from './task-manager.js';

function hex(b: Buffer): string {
  return b.toString('hex');
}

function addTo<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  let s = m.get(k);
  if (!s) m.set(k, (s = new Set()));
  s.add(v);
}

function removeFrom<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  const s = m.get(k);
  if (!s) return;
  s.delete(v);
  if (s.size === 0) m.delete(k);
}

const NONE: ReadonlySet<never> = new Set();

/** The key of a flow under a crypto map entry: "tedtag/10/ted-map/10|13.13.13.0/255.255.255.0:0:0>...". */
export function flowRefKey(ref: CryptoMapRef, proxies: Proxies): string {
  return `${refText(ref)}|${flowKey(proxies)}`;
}

/** When a pair needs the clock: expiry, its deletion after a replacement, its rekey. */
export function ipsecDeadline(r: IpsecRecord): number {
  let at = r.expiresAt;
  if (r.deleteAt !== null && r.deleteAt < at) at = r.deleteAt;
  if (!r.rekeying && r.replacedBy === null && r.rekeyAt !== null && r.rekeyAt < at) at = r.rekeyAt;
  return at;
}

/** State shared by the engine's modules. */
export class Core {
  readonly t: EngineTables = newTables();
  /** The task manager of each ISAKMP SA in `t.isakmp`, by conn id. */
  private readonly managers = new Map<number, TaskManager>();
  /** The probe task of each discovery SA in `t.probes`, by conn id. */
  private readonly probeTasks = new Map<number, TedProbe>();
  private readonly probesByCookie = new Map<string, TedProbe>();
  private readonly saByCookie = new Map<string, Set<IsakmpSa>>();
  private readonly saByPeer = new Map<string, Set<IsakmpSa>>();
  /** The peer address each SA is filed under (a responder may follow its peer to another address). */
  private readonly filedPeer = new Map<IsakmpSa, string>();
  private readonly ipsecByPeer = new Map<string, Set<IpsecRecord>>();
  private readonly ipsecByOutbound = new Map<number, IpsecRecord>();
  private readonly ipsecByFlow = new Map<string, Set<IpsecRecord>>();
  readonly agenda = new Agenda();
  private readonly dirty = new Set<string>();
  readonly usedSpis = new Set<number>();
  /** ISAKMP conn ids: 1, 2, ... (the seed: the probe SA is 1, Main Mode 2). */
  private nextConnId = 1;
  /** IPsec conn ids: 2000, 2001, ... */
  nextIpsecConnId = 2000;
  /** IPsec flow ids: 1, 2, ... */
  nextFlowId = 1;
  private nextPurge = 1;

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
    addTo(this.saByCookie, hex(sa.ckyI), sa);
    this.filePeer(sa);
    this.touch(`s${sa.connId}`);
    return tasks;
  }

  /** Removes an ISAKMP SA and its task manager. */
  removeSa(sa: IsakmpSa): void {
    this.t.isakmp.delete(sa.connId);
    this.managers.delete(sa.connId);
    removeFrom(this.saByCookie, hex(sa.ckyI), sa);
    const peer = this.filedPeer.get(sa);
    if (peer !== undefined) removeFrom(this.saByPeer, peer, sa);
    this.filedPeer.delete(sa);
    this.touch(`s${sa.connId}`);
  }

  private filePeer(sa: IsakmpSa): void {
    const was = this.filedPeer.get(sa);
    if (was === sa.remote.ip) return;
    if (was !== undefined) removeFrom(this.saByPeer, was, sa);
    addTo(this.saByPeer, sa.remote.ip, sa);
    this.filedPeer.set(sa, sa.remote.ip);
  }

  /** The task manager of an ISAKMP SA in the table (its deadline will be read again). */
  tasks(sa: IsakmpSa): TaskManager {
    const m = this.managers.get(sa.connId);
    if (!m) throw new Error(`no task manager for ISAKMP SA ${sa.connId}`);
    this.touch(`s${sa.connId}`);
    return m;
  }

  /** The ISAKMP SAs (deleted ones included) whose initiator cookie is `cookie`. */
  sasByCookie(cookie: Buffer): ReadonlySet<IsakmpSa> {
    return this.saByCookie.get(hex(cookie)) ?? NONE;
  }

  /** The ISAKMP SAs with a peer, in conn id order. */
  sasWith(peer: string): IsakmpSa[] {
    return [...(this.saByPeer.get(peer) ?? NONE)].sort((a, b) => a.connId - b.connId);
  }

  // ------------------------------------------------------------ TED probes

  /** Enters a TED probe: its discovery SA in the table, the task beside it. */
  addProbe(probe: TedProbe): void {
    this.t.probes.set(probe.connId, probe.sa);
    this.probeTasks.set(probe.connId, probe);
    this.probesByCookie.set(hex(probe.initiatorCookie), probe);
    this.touch(`p${probe.connId}`);
  }

  /** Removes a TED probe and its discovery SA. */
  removeProbe(probe: TedProbe): void {
    this.t.probes.delete(probe.connId);
    this.probeTasks.delete(probe.connId);
    this.probesByCookie.delete(hex(probe.initiatorCookie));
    this.touch(`p${probe.connId}`);
  }

  /** The running probe with this initiator cookie. */
  probeByCookie(cookie: Buffer): TedProbe | undefined {
    return this.probesByCookie.get(hex(cookie));
  }

  /** The running probe of a discovery SA (its deadline will be read again). */
  probe(connId: number): TedProbe | undefined {
    const p = this.probeTasks.get(connId);
    if (p) this.touch(`p${connId}`);
    return p;
  }

  get probeCount(): number {
    return this.probeTasks.size;
  }

  // ------------------------------------------------------------ IPsec pairs

  addIpsec(r: IpsecRecord): void {
    const s = r.spec;
    this.t.ipsec.set(s.inbound.spi, r);
    this.usedSpis.add(s.inbound.spi);
    addTo(this.ipsecByPeer, s.peer, r);
    this.ipsecByOutbound.set(s.outbound.spi, r);
    addTo(this.ipsecByFlow, flowRefKey(s.cryptoMap, s.proxies), r);
    this.touchIpsec(r);
  }

  removeIpsec(r: IpsecRecord): void {
    const s = r.spec;
    this.t.ipsec.delete(s.inbound.spi);
    this.usedSpis.delete(s.inbound.spi);
    removeFrom(this.ipsecByPeer, s.peer, r);
    if (this.ipsecByOutbound.get(s.outbound.spi) === r) this.ipsecByOutbound.delete(s.outbound.spi);
    removeFrom(this.ipsecByFlow, flowRefKey(s.cryptoMap, s.proxies), r);
    this.touchIpsec(r);
  }

  /** The pairs with a peer, oldest first. */
  ipsecWith(peer: string): IpsecRecord[] {
    return [...(this.ipsecByPeer.get(peer) ?? NONE)];
  }

  /** The pair whose outbound SPI is `spi`. */
  ipsecByOutboundSpi(spi: number): IpsecRecord | undefined {
    return this.ipsecByOutbound.get(spi);
  }

  /** The pairs of a flow under a crypto map entry (flowRefKey). */
  ipsecOfFlow(key: string): ReadonlySet<IpsecRecord> {
    return this.ipsecByFlow.get(key) ?? NONE;
  }

  // ------------------------------------------------------------ purge lines

  addPurge(p: Purge): void {
    const n = this.nextPurge++;
    this.t.purges.set(n, p);
    this.agenda.set(`u${n}`, p.at);
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

  /** Reads the deadline of every marked key again (and files a responder that followed its peer). */
  flush(): void {
    for (const key of this.dirty) {
      const id = Number(key.slice(1));
      switch (key[0]) {
        case 's': {
          const sa = this.t.isakmp.get(id);
          const m = this.managers.get(id);
          if (sa && !sa.deleted) this.filePeer(sa);
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

/** A stable stand-in for the SA's memory address IOS prints ("sa=82687F70"). */
export function pseudoAddress(connId: number): string {
  return (0x82687f00 + connId * 0x70).toString(16).toUpperCase();
}
