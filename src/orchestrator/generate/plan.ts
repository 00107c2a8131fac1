/**
 * `testbed generate`: the options of a generated TED lab, checked, and its
 * address plan (docs/topology.md, "Generated TED labs"). Pure.
 *
 *   site i (1..N)   LAN 10.<i div 256>.<i mod 256>.0/24: spoke<i> .1 (FastEthernet0/1), h<i> .10
 *   shared WAN      172.16.0.0/16: spoke<i> at 172.16.<i div 256>.<i mod 256> (FastEthernet0/0)
 *   core WAN        segment g (1..G) 172.16.g.0/24: the core .1, its k-th spoke .(k+1)
 *   every site      inside 10.0.0.0/8, the supernet of the `supernet` ACLs
 */

export type Shape = 'shared' | 'core';
export type AclStyle = 'supernet' | 'per-peer';
export type SuiteName = 'seed' | 'aes128' | 'aes256-pfs';

export const SHAPES: readonly Shape[] = ['shared', 'core'];
export const ACL_STYLES: readonly AclStyle[] = ['supernet', 'per-peer'];

/** A protection suite: the ISAKMP policy's values (null: IOS's default, left out as show running-config does), the transform set, PFS. */
export interface Suite {
  readonly name: SuiteName;
  readonly description: string;
  readonly isakmp: { readonly encryption: string | null; readonly hash: string | null; readonly group: string | null };
  readonly transforms: string;
  readonly pfs: string | null;
}

export const SUITES: Readonly<Record<SuiteName, Suite>> = {
  seed: {
    name: 'seed',
    description: "the seed's: IKE DES/SHA-1/group 1 (the policy defaults), ESP DES/MD5",
    isakmp: { encryption: null, hash: null, group: null },
    transforms: 'esp-des esp-md5-hmac',
    pfs: null,
  },
  aes128: {
    name: 'aes128',
    description: 'IKE AES-128/SHA-1/group 2, ESP AES-128/SHA-1',
    isakmp: { encryption: 'aes', hash: 'sha', group: '2' },
    transforms: 'esp-aes esp-sha-hmac',
    pfs: null,
  },
  'aes256-pfs': {
    name: 'aes256-pfs',
    description: 'IKE AES-256/SHA-256/group 14, ESP AES-256/SHA-256, PFS group 14',
    isakmp: { encryption: 'aes 256', hash: 'sha256', group: '14' },
    transforms: 'esp-aes 256 esp-sha256-hmac',
    pfs: 'group14',
  },
};

export interface TedLabOptions {
  /** Number of spokes (sites), 2 to MAX_SPOKES. */
  spokes: number;
  shape?: Shape;
  acl?: AclStyle;
  suite?: SuiteName;
  /** Spokes per core WAN segment (shape core; default: at least 4, at most 16 segments). */
  perSegment?: number;
  /** Lab name (default ted-<shape>-<spokes>). */
  name?: string;
  /** The topology file's `$schema` reference for editors, relative to the output folder; none when absent. */
  schema?: string;
}

export const MAX_SPOKES = 1000;
/** The core's WAN interfaces the default spreads spokes over, at most. */
export const MAX_DEFAULT_SEGMENTS = 16;
/** Spokes per core segment the default puts together, at least. */
export const MIN_DEFAULT_PER_SEGMENT = 4;
/** Host addresses .2 to .254 of a /24 segment, the core holding .1. */
export const MAX_PER_SEGMENT = 253;
const MAX_SEGMENTS = 255;

export class GenerateError extends Error {
  override name = 'GenerateError';
}

export interface Site {
  /** 1..N */
  readonly n: number;
  readonly router: string;
  readonly host: string;
  /** The LAN's network address (a /24). */
  readonly lan: string;
  readonly gateway: string;
  readonly hostIp: string;
  /** The spoke's WAN address (its IKE identity) and mask. */
  readonly wan: string;
  readonly wanMask: string;
  /** The link its FastEthernet0/0 is on. */
  readonly wanLink: string;
  /** Shape core: the core's address on that segment (the spoke's default route). */
  readonly coreAddress: string | null;
}

export interface Segment {
  /** 1..G: the link wan<g>, the core's interface g. */
  readonly g: number;
  readonly link: string;
  readonly network: string;
  readonly coreAddress: string;
  readonly coreInterface: string;
  readonly sites: readonly Site[];
}

export interface TedPlan {
  readonly name: string;
  readonly shape: Shape;
  readonly acl: AclStyle;
  readonly suite: Suite;
  readonly schema: string | null;
  readonly sites: readonly Site[];
  /** Shape core: the WAN segments behind the core; shape shared: none (one link, `wan`). */
  readonly segments: readonly Segment[];
  readonly perSegment: number | null;
  /** The supernet of every site's LAN, as the `supernet` ACLs name it. */
  readonly supernet: { readonly network: string; readonly wildcard: string; readonly prefix: string };
  /** The ordered pairs the tests ping (the first pings the second): all of them up to CHECK_ALL_PAIRS_UP_TO spokes. */
  readonly pairs: readonly (readonly [Site, Site])[];
}

/** Up to this many spokes the tests ping every pair (12 spokes: 66 pairs); beyond, a ring and its chords. */
export const CHECK_ALL_PAIRS_UP_TO = 12;

const dotted = (a: number, b: number, c: number, d: number) => `${a}.${b}.${c}.${d}`;
const hi = (i: number) => Math.floor(i / 256);
const lo = (i: number) => i % 256;

function intOption(value: number | undefined, what: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min || value > max)
    throw new GenerateError(`${what} must be a whole number from ${min} to ${max}, not ${String(value)}`);
  return value;
}

function oneOf<T extends string>(value: T | undefined, allowed: readonly T[], what: string, fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value)) throw new GenerateError(`${what} must be ${allowed.join(' or ')}, not "${String(value)}"`);
  return value;
}

/** Core interface g (1-based): the two onboard ports, then a network module's ports in slot 1. */
export function coreInterface(g: number): string {
  return g <= 2 ? `FastEthernet0/${g - 1}` : `FastEthernet1/${g - 3}`;
}

/** The default number of spokes per core segment: at least 4 to a segment, at most 16 segments. */
export function defaultPerSegment(spokes: number): number {
  return Math.max(MIN_DEFAULT_PER_SEGMENT, Math.ceil(spokes / MAX_DEFAULT_SEGMENTS));
}

/** The pairs the tests ping: every pair (lower number first) up to 12 spokes, else each spoke to the next and to the one opposite. */
export function checkedPairs(sites: readonly Site[]): [Site, Site][] {
  const n = sites.length;
  const pairs: [Site, Site][] = [];
  if (n <= CHECK_ALL_PAIRS_UP_TO) {
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) pairs.push([sites[i]!, sites[j]!]);
    return pairs;
  }
  const seen = new Set<string>();
  const add = (a: number, b: number) => {
    const key = a < b ? `${a}-${b}` : `${b}-${a}`;
    if (seen.has(key)) return;
    seen.add(key);
    pairs.push([sites[a]!, sites[b]!]);
  };
  for (let i = 0; i < n; i++) add(i, (i + 1) % n);
  for (let i = 0; i < n; i++) add(i, (i + Math.floor(n / 2)) % n);
  return pairs;
}

/** Check the options and lay out the lab's addresses. Throws GenerateError with what is wrong. */
export function planTedLab(opts: TedLabOptions): TedPlan {
  if (opts.spokes === undefined) throw new GenerateError('the number of spokes is missing');
  const spokes = intOption(opts.spokes, 'the number of spokes', 2, MAX_SPOKES)!;
  const shape = oneOf(opts.shape, SHAPES, 'the shape', 'shared');
  const acl = oneOf(opts.acl, ACL_STYLES, 'the ACL style', 'supernet');
  const suiteName = oneOf(opts.suite, Object.keys(SUITES) as SuiteName[], 'the suite', 'seed');
  if (opts.perSegment !== undefined && shape !== 'core')
    throw new GenerateError('spokes per segment only apply to the core shape (the shared shape has one WAN segment)');
  const perSegment = shape === 'core' ? (intOption(opts.perSegment, 'spokes per segment', 1, MAX_PER_SEGMENT) ?? defaultPerSegment(spokes)) : null;
  const name = opts.name ?? `ted-${shape}-${spokes}`;
  if (!/^[a-z0-9][a-z0-9-]{0,23}$/.test(name))
    throw new GenerateError(`lab name "${name}" must be lower-case letters, digits and dashes (at most 24), starting with a letter or digit`);
  const segmentCount = perSegment ? Math.ceil(spokes / perSegment) : 0;
  if (segmentCount > MAX_SEGMENTS)
    throw new GenerateError(
      `${spokes} spokes at ${perSegment} per segment need ${segmentCount} core segments; the address plan has ${MAX_SEGMENTS} (172.16.1.0/24 to 172.16.255.0/24): put more spokes on a segment`,
    );

  const sites: Site[] = [];
  for (let n = 1; n <= spokes; n++) {
    const g = perSegment ? Math.ceil(n / perSegment) : 0;
    const k = perSegment ? n - (g - 1) * perSegment : 0;
    sites.push({
      n,
      router: `spoke${n}`,
      host: `h${n}`,
      lan: dotted(10, hi(n), lo(n), 0),
      gateway: dotted(10, hi(n), lo(n), 1),
      hostIp: dotted(10, hi(n), lo(n), 10),
      wan: perSegment ? dotted(172, 16, g, k + 1) : dotted(172, 16, hi(n), lo(n)),
      wanMask: perSegment ? '255.255.255.0' : '255.255.0.0',
      wanLink: perSegment ? `wan${g}` : 'wan',
      coreAddress: perSegment ? dotted(172, 16, g, 1) : null,
    });
  }
  const segments: Segment[] = [];
  for (let g = 1; g <= segmentCount; g++) {
    segments.push({
      g,
      link: `wan${g}`,
      network: dotted(172, 16, g, 0),
      coreAddress: dotted(172, 16, g, 1),
      coreInterface: coreInterface(g),
      sites: sites.slice((g - 1) * perSegment!, g * perSegment!),
    });
  }
  return {
    name,
    shape,
    acl,
    suite: SUITES[suiteName],
    schema: opts.schema ?? null,
    sites,
    segments,
    perSegment,
    supernet: { network: '10.0.0.0', wildcard: '0.255.255.255', prefix: '10.0.0.0/8' },
    pairs: checkedPairs(sites),
  };
}
