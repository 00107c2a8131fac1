/**
 * Values filed under IPv4 address ranges, found by an address they cover in
 * work that does not grow with the number of values: a range that is a
 * prefix (what subnet and host proxies are) is filed under its network and
 * length, so a lookup tries at most the 33 prefix lengths in use; a range
 * that is not a prefix (an IPV4_ADDR_RANGE proxy off the bit boundaries, rare)
 * is kept in a short list that every lookup scans. The datapath finds the SA
 * pair for a packet with it, the IKE engine the flow being negotiated for a
 * destination. Pure.
 */

/** 2^32: network and prefix length in one number key. */
const SPAN = 0x1_0000_0000;

function prefixLength(start: number, end: number): number {
  const size = end - start + 1;
  if (size <= 0 || size > SPAN) return -1;
  const bits = Math.log2(size);
  if (!Number.isInteger(bits) || start % size !== 0) return -1;
  return 32 - bits;
}

function maskOf(length: number): number {
  return length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
}

export class RangeIndex<T> {
  private readonly prefixes = new Map<number, Set<T>>();
  /** How many values are filed under each prefix length (lengths with none are skipped). */
  private readonly perLength = new Array<number>(33).fill(0);
  private lengths: number[] = [];
  private readonly others = new Map<T, readonly [number, number]>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Files `value` under the range [start, end] (unsigned 32-bit addresses). */
  add(range: readonly [number, number], value: T): void {
    const len = prefixLength(range[0], range[1]);
    if (len < 0) {
      if (!this.others.has(value)) this.count++;
      this.others.set(value, range);
      return;
    }
    const key = len * SPAN + range[0];
    let set = this.prefixes.get(key);
    if (!set) this.prefixes.set(key, (set = new Set()));
    if (set.has(value)) return;
    set.add(value);
    this.count++;
    if (this.perLength[len]!++ === 0) this.lengths = this.perLength.flatMap((n, l) => (n > 0 ? [l] : [])).reverse();
  }

  /** Removes `value` from under the range it was filed with. */
  delete(range: readonly [number, number], value: T): void {
    const len = prefixLength(range[0], range[1]);
    if (len < 0) {
      if (this.others.delete(value)) this.count--;
      return;
    }
    const key = len * SPAN + range[0];
    const set = this.prefixes.get(key);
    if (!set?.delete(value)) return;
    this.count--;
    if (set.size === 0) this.prefixes.delete(key);
    if (--this.perLength[len]! === 0) this.lengths = this.perLength.flatMap((n, l) => (n > 0 ? [l] : [])).reverse();
  }

  /** Every value whose range covers `address`, most specific prefix first, then the other ranges. */
  *covering(address: number): Generator<T> {
    for (const len of this.lengths) {
      const set = this.prefixes.get(len * SPAN + ((address & maskOf(len)) >>> 0));
      if (set) yield* set;
    }
    for (const [value, [start, end]] of this.others) if (address >= start && address <= end) yield value;
  }
}
