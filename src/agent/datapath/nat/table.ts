/**
 * The NAT translation table, as `show ip nat translations` lists it: simple
 * entries (address only: `--- IG IL --- ---`, static or allocated from a pool)
 * and extended entries (one flow: protocol, both addresses and ports). Pure:
 * time comes in with each call.
 *
 * Entries are found from both sides in O(1): an outbound packet by (protocol,
 * inside local, outside), an inbound one by (protocol, inside global,
 * outside). Global addresses and ports are allocated as IOS does
 * (docs/research/ios-12.2-notes.md, section 1): a pool gives the first free
 * address; overload (PAT) keeps the inside port when it is free on that
 * global address, else takes the first free one of its group (1-511,
 * 512-1023, 1024-65535), else moves to the next address of the pool.
 *
 * Bounded: at most MAX_ENTRIES dynamic entries (IOS 12.2 has no limit, its
 * `ip nat translation max-entries` came in 12.3(4)T; this one is ours, see
 * docs/architecture.md). A full table refuses new translations; it never
 * pushes out a live one.
 */
import type { NatMapping, NatPoolPolicy } from './policy.js';

export const MAX_ENTRIES = 16384;

/** Ports of IKE and NAT-T on the router's own addresses: never handed out by PAT there. */
const RESERVED_UDP = new Set([500, 4500]);

export interface NatEntry {
  readonly id: number;
  readonly kind: 'simple' | 'extended';
  readonly static: boolean;
  /** 0 for simple entries. */
  readonly protocol: number;
  readonly insideLocal: number;
  readonly insideLocalPort: number;
  readonly insideGlobal: number;
  readonly insideGlobalPort: number;
  /** Outside address and port (outside local = outside global: no outside translation); 0 for simple entries and static ports. */
  readonly outside: number;
  readonly outsidePort: number;
  /** The outside port as the outside sees it (ICMP: the global identifier). */
  readonly outsideGlobalPort: number;
  readonly mapping: NatMapping | null;
  readonly created: number;
  used: number;
  /** Idle time after which the entry goes, in ms; null: never. */
  timeout: number | null;
  /** TCP: a FIN or RST was seen (the finrst timeout applies). */
  closing: boolean;
  /** TCP: nothing came back from outside yet (the syn timeout applies). */
  synOnly: boolean;
}

export interface NatCounters {
  hits: number;
  misses: number;
  expired: number;
  /** New translations refused because the table was full. */
  tableFull: number;
}

/** What an outbound flow looks like to the table. */
export interface FlowKey {
  protocol: number;
  local: number;
  localPort: number;
  outside: number;
  outsidePort: number;
}

const key = (protocol: number, a: number, ap: number, b: number, bp: number) => `${protocol}|${a}|${ap}|${b}|${bp}`;
const portKey = (protocol: number, address: number, port: number) => `${protocol}|${address}|${port}`;

function portGroup(port: number): [number, number] {
  if (port < 512) return [1, 511];
  if (port < 1024) return [512, 1023];
  return [1024, 65535];
}

export class NatTable {
  private nextId = 1;
  private readonly simpleByLocal = new Map<number, NatEntry>();
  private readonly simpleByGlobal = new Map<number, NatEntry>();
  private readonly byOut = new Map<string, NatEntry>();
  private readonly byIn = new Map<string, NatEntry>();
  /** Static port mappings: (protocol, local, port) and (protocol, global, port). */
  private readonly staticOut = new Map<string, NatEntry>();
  private readonly staticIn = new Map<string, NatEntry>();
  /** (protocol, global address, port) in use by an extended entry. */
  private readonly portsInUse = new Set<string>();
  /** Global address -> simple dynamic entries holding it. */
  private readonly poolInUse = new Map<number, NatEntry>();
  private dynamicCount = 0;
  readonly counters: NatCounters = { hits: 0, misses: 0, expired: 0, tableFull: 0 };

  constructor(
    /** Router's own addresses (UDP 500 and 4500 are never allocated on them). */
    private readonly isRouterAddress: (address: number) => boolean = () => false,
    private readonly maxEntries = MAX_ENTRIES,
  ) {}

  get size(): number {
    return this.simpleByLocal.size + this.byOut.size + this.staticOut.size;
  }

  /** Every entry, statics first, in creation order. */
  entries(): NatEntry[] {
    const all = [...this.simpleByLocal.values(), ...this.staticOut.values(), ...this.byOut.values()];
    return all.sort((a, b) => Number(b.static) - Number(a.static) || a.id - b.id);
  }

  // ------------------------------------------------------------ statics

  /** Replace the static entries (the configuration changed). */
  setStatics(statics: readonly { protocol: number | null; local: number; localPort: number; global: number | null; globalPort: number }[], now: number): void {
    for (const e of [...this.simpleByLocal.values()].filter((x) => x.static)) this.dropSimple(e);
    for (const e of [...this.staticOut.values()]) this.dropStaticPort(e);
    for (const s of statics) {
      if (s.global === null) continue;
      if (s.protocol === null) {
        if (this.simpleByLocal.has(s.local) || this.simpleByGlobal.has(s.global)) continue;
        const e = this.make(
          {
            kind: 'simple',
            static: true,
            protocol: 0,
            insideLocal: s.local,
            insideLocalPort: 0,
            insideGlobal: s.global,
            insideGlobalPort: 0,
            outside: 0,
            outsidePort: 0,
            outsideGlobalPort: 0,
            mapping: null,
          },
          now,
          null,
        );
        this.simpleByLocal.set(e.insideLocal, e);
        this.simpleByGlobal.set(e.insideGlobal, e);
      } else {
        const out = portKey(s.protocol, s.local, s.localPort);
        const inn = portKey(s.protocol, s.global, s.globalPort);
        if (this.staticOut.has(out) || this.staticIn.has(inn)) continue;
        const e = this.make(
          {
            kind: 'extended',
            static: true,
            protocol: s.protocol,
            insideLocal: s.local,
            insideLocalPort: s.localPort,
            insideGlobal: s.global,
            insideGlobalPort: s.globalPort,
            outside: 0,
            outsidePort: 0,
            outsideGlobalPort: 0,
            mapping: null,
          },
          now,
          null,
        );
        this.staticOut.set(out, e);
        this.staticIn.set(inn, e);
        this.portsInUse.add(inn);
      }
    }
  }

  // ------------------------------------------------------------ lookups

  /** The entry an outbound packet of this flow uses: its own flow, a static port mapping, or a simple entry of its source. */
  findOutbound(f: FlowKey): NatEntry | undefined {
    return (
      this.byOut.get(key(f.protocol, f.local, f.localPort, f.outside, f.outsidePort)) ??
      this.staticOut.get(portKey(f.protocol, f.local, f.localPort)) ??
      this.simpleByLocal.get(f.local)
    );
  }

  /** The entry an inbound packet (from `outside`, to `global`) belongs to. */
  findInbound(protocol: number, global: number, globalPort: number, outside: number, outsidePort: number): NatEntry | undefined {
    return (
      this.byIn.get(key(protocol, global, globalPort, outside, outsidePort)) ??
      this.staticIn.get(portKey(protocol, global, globalPort)) ??
      this.simpleByGlobal.get(global)
    );
  }

  /** Whether an address is a global address in use (so a packet to it is NAT's business). */
  holdsGlobal(address: number): boolean {
    return this.simpleByGlobal.has(address) || this.poolInUse.has(address);
  }

  // ------------------------------------------------------------ allocation

  private full(): boolean {
    if (this.dynamicCount < this.maxEntries) return false;
    this.counters.tableFull++;
    return true;
  }

  /** A simple entry for `local` from a pool (dynamic NAT without overload); null when the pool is exhausted or the table full. */
  allocateSimple(local: number, pool: NatPoolPolicy, mapping: NatMapping, now: number, timeout: number | null): NatEntry | null {
    if (this.full()) return null;
    for (let a = pool.start; a <= pool.end; a++) {
      if (this.poolInUse.has(a) || this.simpleByGlobal.has(a)) continue;
      const e = this.make(
        {
          kind: 'simple',
          static: false,
          protocol: 0,
          insideLocal: local,
          insideLocalPort: 0,
          insideGlobal: a,
          insideGlobalPort: 0,
          outside: 0,
          outsidePort: 0,
          outsideGlobalPort: 0,
          mapping,
        },
        now,
        timeout,
      );
      this.simpleByLocal.set(local, e);
      this.simpleByGlobal.set(a, e);
      this.poolInUse.set(a, e);
      this.dynamicCount++;
      return e;
    }
    return null;
  }

  private portFree(protocol: number, address: number, port: number): boolean {
    if (protocol === 17 && RESERVED_UDP.has(port) && this.isRouterAddress(address)) return false;
    return !this.portsInUse.has(portKey(protocol, address, port)) && !this.simpleByGlobal.has(address);
  }

  private pickPort(protocol: number, address: number, wanted: number): number | null {
    if (protocol !== 6 && protocol !== 17 && protocol !== 1) return this.portFree(protocol, address, 0) ? 0 : null;
    if (wanted !== 0 && this.portFree(protocol, address, wanted)) return wanted;
    const [lo, hi] = portGroup(wanted);
    for (let p = lo; p <= hi; p++) if (this.portFree(protocol, address, p)) return p;
    return null;
  }

  /**
   * An extended entry for one flow (overload, PAT): the global address is the
   * interface's or a pool's, the port the inside port if free. `outsideGlobalPort`
   * is the port the outside sees for the outside end (ICMP: the translated identifier).
   */
  allocateExtended(f: FlowKey, globals: readonly number[], mapping: NatMapping, now: number, timeout: number | null): NatEntry | null {
    if (this.full()) return null;
    for (const address of globals) {
      const port = this.pickPort(f.protocol, address, f.localPort);
      if (port === null) continue;
      const icmp = f.protocol === 1;
      const e = this.make(
        {
          kind: 'extended',
          static: false,
          protocol: f.protocol,
          insideLocal: f.local,
          insideLocalPort: f.localPort,
          insideGlobal: address,
          insideGlobalPort: port,
          outside: f.outside,
          outsidePort: f.outsidePort,
          outsideGlobalPort: icmp ? port : f.outsidePort,
          mapping,
        },
        now,
        timeout,
      );
      this.addExtended(e);
      this.dynamicCount++;
      return e;
    }
    return null;
  }

  /** A flow through a simple entry that also needs its own extended entry: not kept (the simple entry carries it). */
  private addExtended(e: NatEntry): void {
    this.byOut.set(key(e.protocol, e.insideLocal, e.insideLocalPort, e.outside, e.outsidePort), e);
    this.byIn.set(key(e.protocol, e.insideGlobal, e.insideGlobalPort, e.outside, e.outsideGlobalPort), e);
    this.portsInUse.add(portKey(e.protocol, e.insideGlobal, e.insideGlobalPort));
  }

  private make(fields: Omit<NatEntry, 'id' | 'created' | 'used' | 'timeout' | 'closing' | 'synOnly'>, now: number, timeout: number | null): NatEntry {
    return {
      ...fields,
      id: this.nextId++,
      created: now,
      used: now,
      timeout,
      closing: false,
      synOnly: fields.protocol === 6 && fields.kind === 'extended' && !fields.static,
    };
  }

  // ------------------------------------------------------------ removal

  private dropSimple(e: NatEntry): void {
    this.simpleByLocal.delete(e.insideLocal);
    this.simpleByGlobal.delete(e.insideGlobal);
    if (this.poolInUse.get(e.insideGlobal) === e) this.poolInUse.delete(e.insideGlobal);
    if (!e.static) this.dynamicCount--;
  }

  private dropStaticPort(e: NatEntry): void {
    this.staticOut.delete(portKey(e.protocol, e.insideLocal, e.insideLocalPort));
    const inn = portKey(e.protocol, e.insideGlobal, e.insideGlobalPort);
    this.staticIn.delete(inn);
    this.portsInUse.delete(inn);
  }

  private dropExtended(e: NatEntry): void {
    this.byOut.delete(key(e.protocol, e.insideLocal, e.insideLocalPort, e.outside, e.outsidePort));
    this.byIn.delete(key(e.protocol, e.insideGlobal, e.insideGlobalPort, e.outside, e.outsideGlobalPort));
    this.portsInUse.delete(portKey(e.protocol, e.insideGlobal, e.insideGlobalPort));
    this.dynamicCount--;
  }

  private drop(e: NatEntry): void {
    if (e.kind === 'simple') this.dropSimple(e);
    else if (e.static) this.dropStaticPort(e);
    else this.dropExtended(e);
  }

  /** When an entry goes (ms), or null: never. */
  static expiresAt(e: NatEntry): number | null {
    return e.timeout === null ? null : e.used + e.timeout;
  }

  /** Entries whose idle time ran out are removed and counted ("Expired translations"). */
  sweep(now: number): number {
    let n = 0;
    for (const e of [...this.simpleByLocal.values(), ...this.byOut.values()]) {
      const at = NatTable.expiresAt(e);
      if (e.static || at === null || at > now) continue;
      this.drop(e);
      n++;
    }
    this.counters.expired += n;
    return n;
  }

  /** `clear ip nat translation *`: every dynamic entry goes; static ones stay. */
  clearDynamic(): number {
    let n = 0;
    for (const e of [...this.simpleByLocal.values(), ...this.byOut.values()]) {
      if (e.static) continue;
      this.drop(e);
      n++;
    }
    return n;
  }

  /** How many dynamic entries a mapping holds (show ip nat statistics' refcount). */
  refcount(mapping: NatMapping): number {
    let n = 0;
    for (const e of [...this.simpleByLocal.values(), ...this.byOut.values()]) if (e.mapping?.label === mapping.label) n++;
    return n;
  }

  /** Addresses of a pool held by entries (show ip nat statistics' allocated). */
  allocatedIn(pool: NatPoolPolicy): number {
    const held = new Set<number>();
    for (const e of [...this.simpleByLocal.values(), ...this.byOut.values()])
      if (!e.static && e.insideGlobal >= pool.start && e.insideGlobal <= pool.end) held.add(e.insideGlobal);
    return held.size;
  }
}
