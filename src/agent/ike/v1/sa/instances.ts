/**
 * The dynamic crypto map instances, IOS's "tedtag 11 ... dynamic (created
 * from dynamic map ted-map/10)": one per template entry and peer, numbered
 * from the template's sequence number up (the seed: template 10, first
 * instance 11). A number is free again when its instance goes, and the
 * lowest free one is taken next, so the numbers stay within the template's
 * number plus the instances alive, and never pass 65535, the largest
 * sequence number IOS takes. Found by key and by peer in constant time;
 * numbering costs O(log n).
 */
import type { CryptoMapRef } from '../../types.js';
import type { DynamicInstance } from './ipsec-sa.js';

/** The largest crypto map sequence number (IOS: `crypto map NAME <1-65535>`). */
export const MAX_SEQ = 65535;

/** One instance per crypto map entry (with its dynamic-map entry) and peer. */
export function instanceKey(ref: CryptoMapRef, peer: string): string {
  return `${ref.map}|${ref.seq}|${ref.dynamic?.map ?? ''}/${ref.dynamic?.seq ?? ''}|${peer}`;
}

function heapPush(h: number[], v: number): void {
  let i = h.push(v) - 1;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (h[p]! <= v) break;
    h[i] = h[p]!;
    i = p;
  }
  h[i] = v;
}

function heapPop(h: number[]): number | undefined {
  const top = h[0];
  const last = h.pop();
  if (h.length === 0 || last === undefined) return top;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= h.length) break;
    const c = l + 1 < h.length && h[l + 1]! < h[l]! ? l + 1 : l;
    if (h[c]! >= last) break;
    h[i] = h[c]!;
    i = c;
  }
  h[i] = last;
  return top;
}

export class DynamicInstances {
  private readonly byKey = new Map<string, DynamicInstance>();
  private readonly byPeer = new Map<string, Set<string>>();
  /** Sequence numbers in use, per crypto map. */
  private readonly used = new Map<string, Set<number>>();
  /** Per crypto map and template: numbers given back (a min-heap), and the next never used. */
  private readonly freed = new Map<string, number[]>();
  private readonly next = new Map<string, number>();

  get size(): number {
    return this.byKey.size;
  }

  values(): IterableIterator<DynamicInstance> {
    return this.byKey.values();
  }

  get(key: string): DynamicInstance | undefined {
    return this.byKey.get(key);
  }

  /** The instances of a peer. */
  ofPeer(peer: string): DynamicInstance[] {
    return [...(this.byPeer.get(peer) ?? [])].map((k) => this.byKey.get(k)!);
  }

  /** The lowest free number above the template's, none of `configured`; null past 65535. */
  number(map: string, templateSeq: number, configured: ReadonlySet<number>): number | null {
    const used = this.used.get(map) ?? new Set<number>();
    const tk = `${map}|${templateSeq}`;
    const freed = this.freed.get(tk) ?? [];
    for (let s = heapPop(freed); s !== undefined; s = heapPop(freed)) {
      if (!used.has(s) && !configured.has(s)) return s;
    }
    let n = this.next.get(tk) ?? templateSeq + 1;
    while (used.has(n) || configured.has(n)) n++;
    if (n > MAX_SEQ) return null;
    this.next.set(tk, n + 1);
    return n;
  }

  add(key: string, i: DynamicInstance): void {
    this.byKey.set(key, i);
    let keys = this.byPeer.get(i.peer);
    if (!keys) this.byPeer.set(i.peer, (keys = new Set()));
    keys.add(key);
    let used = this.used.get(i.map);
    if (!used) this.used.set(i.map, (used = new Set()));
    used.add(i.seq);
  }

  remove(key: string): void {
    const i = this.byKey.get(key);
    if (!i) return;
    this.byKey.delete(key);
    const keys = this.byPeer.get(i.peer)!;
    keys.delete(key);
    if (keys.size === 0) this.byPeer.delete(i.peer);
    const used = this.used.get(i.map)!;
    used.delete(i.seq);
    if (used.size === 0) this.used.delete(i.map);
    const tk = `${i.map}|${i.templateSeq}`;
    let freed = this.freed.get(tk);
    if (!freed) this.freed.set(tk, (freed = []));
    heapPush(freed, i.seq);
  }
}
