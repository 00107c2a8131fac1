/**
 * Counting work, not time: while `fn` runs, every element any Map, Set or
 * Array yields to an iteration (for-of, spread, values(), forEach ...) and
 * the length of every array a callback method (filter, find, some, map,
 * sort ...) walks is counted. A loop over a table that grows with the
 * number of peers shows up as a count that grows with it; hashed lookups
 * (get, has) cost nothing here, and neither do indexed reads (a binary
 * heap's sifting, O(log n), is not counted). The prototypes are patched for
 * the duration of the call only; `fn` must be synchronous.
 */

type Iterish = { next(): IteratorResult<unknown> };

const ITERATORS = ['values', 'keys', 'entries', Symbol.iterator] as const;
const WALKERS = [
  'filter',
  'find',
  'findIndex',
  'findLast',
  'findLastIndex',
  'some',
  'every',
  'forEach',
  'map',
  'flatMap',
  'reduce',
  'reduceRight',
  'sort',
  'indexOf',
  'lastIndexOf',
  'includes',
  'join',
] as const;

export function countWork<T>(fn: () => T): { result: T; work: number } {
  let work = 0;
  const restore: (() => void)[] = [];
  const patch = (proto: object, name: string | symbol, wrap: (orig: (...args: unknown[]) => unknown) => (...args: unknown[]) => unknown) => {
    const desc = Object.getOwnPropertyDescriptor(proto, name);
    if (!desc || typeof desc.value !== 'function') return;
    const orig = desc.value as (...args: unknown[]) => unknown;
    Object.defineProperty(proto, name, { ...desc, value: wrap(orig) });
    restore.push(() => Object.defineProperty(proto, name, desc));
  };
  const counting = (it: Iterish): Iterish & Iterable<unknown> => ({
    next() {
      const r = it.next();
      if (!r.done) work++;
      return r;
    },
    [Symbol.iterator]() {
      return this;
    },
  });
  for (const proto of [Map.prototype, Set.prototype, Array.prototype]) {
    for (const name of ITERATORS) {
      patch(
        proto,
        name,
        (orig) =>
          function (this: unknown, ...args: unknown[]) {
            return counting(orig.apply(this, args) as Iterish);
          },
      );
    }
  }
  for (const proto of [Map.prototype, Set.prototype]) {
    patch(
      proto,
      'forEach',
      (orig) =>
        function (this: Map<unknown, unknown> | Set<unknown>, ...args: unknown[]) {
          work += this.size;
          return orig.apply(this, args);
        },
    );
  }
  for (const name of WALKERS) {
    patch(
      Array.prototype,
      name,
      (orig) =>
        function (this: unknown[], ...args: unknown[]) {
          work += this.length;
          return orig.apply(this, args);
        },
    );
  }
  try {
    return { result: fn(), work };
  } finally {
    for (const r of restore.reverse()) r();
  }
}
