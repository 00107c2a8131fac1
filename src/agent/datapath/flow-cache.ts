/**
 * The datapath's flow cache: per flow (source, destination, interface,
 * protocol, ports), what the exact crypto check decided, so the next packet
 * of the flow costs two map lookups and a short scan. Pure.
 *
 * Bounded (docs/architecture.md): 16,384 flows in all, 1,024 per source and
 * 16 per source/destination pair. When a bound is reached the oldest entries
 * go first: the pair's oldest flow, the source's oldest pair, the oldest
 * source's oldest pair. Maps keep insertion order, so every eviction is
 * O(1) and a packet's cost does not grow with the cache.
 */
import type { Peek } from './packet.js';

export const FLOW_CACHE_LIMITS = { total: 16_384, perSource: 1_024, perPair: 16 } as const;

export interface FlowCacheLimits {
  total: number;
  perSource: number;
  perPair: number;
}

interface Flow<T> {
  iface: string;
  protocol: number;
  sourcePort: number | undefined;
  destinationPort: number | undefined;
  value: T;
}

interface Source<T> {
  /** Flows of this source, over all its pairs. */
  count: number;
  byDestination: Map<number, Flow<T>[]>;
}

export type FlowPacket = Pick<Peek, 'source' | 'destination' | 'protocol' | 'sourcePort' | 'destinationPort'>;

export class FlowCache<T> {
  private readonly bySource = new Map<number, Source<T>>();
  private total = 0;
  /** Flows pushed out by a bound. */
  evictions = 0;
  private readonly limits: FlowCacheLimits;

  constructor(limits: Partial<FlowCacheLimits> = {}) {
    this.limits = { ...FLOW_CACHE_LIMITS, ...limits };
  }

  get size(): number {
    return this.total;
  }

  /** Flows held for one source. */
  sizeOf(source: number): number {
    return this.bySource.get(source)?.count ?? 0;
  }

  get(p: FlowPacket, iface: string): T | undefined {
    const flows = this.bySource.get(p.source)?.byDestination.get(p.destination);
    if (!flows) return undefined;
    for (const f of flows) {
      if (f.iface === iface && f.protocol === p.protocol && f.sourcePort === p.sourcePort && f.destinationPort === p.destinationPort) return f.value;
    }
    return undefined;
  }

  /** Remember a flow the cache does not hold (call `get` first). */
  set(p: FlowPacket, iface: string, value: T): void {
    const src = this.bySource.get(p.source);
    const pair = src?.byDestination.get(p.destination);
    if (src && pair && pair.length >= this.limits.perPair) {
      pair.shift();
      src.count--;
      this.total--;
      this.evictions++;
    } else {
      if (src && src.count >= this.limits.perSource) this.evictOldestPair(p.source, src);
      if (this.total >= this.limits.total) {
        const oldest = this.bySource.entries().next().value as [number, Source<T>] | undefined;
        if (oldest) this.evictOldestPair(oldest[0], oldest[1]);
      }
    }
    let s = this.bySource.get(p.source);
    if (!s) {
      s = { count: 0, byDestination: new Map() };
      this.bySource.set(p.source, s);
    }
    let flows = s.byDestination.get(p.destination);
    if (!flows) {
      flows = [];
      s.byDestination.set(p.destination, flows);
    }
    flows.push({ iface, protocol: p.protocol, sourcePort: p.sourcePort, destinationPort: p.destinationPort, value });
    s.count++;
    this.total++;
  }

  clear(): void {
    this.bySource.clear();
    this.total = 0;
  }

  private evictOldestPair(source: number, s: Source<T>): void {
    const first = s.byDestination.entries().next().value as [number, Flow<T>[]] | undefined;
    if (!first) return;
    s.byDestination.delete(first[0]);
    s.count -= first[1].length;
    this.total -= first[1].length;
    this.evictions += first[1].length;
    if (s.byDestination.size === 0) this.bySource.delete(source);
  }
}
