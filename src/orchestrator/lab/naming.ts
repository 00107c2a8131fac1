/**
 * Names of everything a lab creates on the host (its ownership labels are in
 * src/contract/labels.ts), and the throwaway subnets Docker's networks get. Pure.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { formatIpv4, parseIpv4 } from '../../codecs/net/address.js';

export const LAB_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,23}$/;

export function containerName(lab: string, node: string): string {
  return `tb-${lab}-${node}`;
}

export function captureContainerName(lab: string): string {
  return `tb-${lab}--capture`;
}

/** The directory of this machine a node's key journal is bound to (contract/keys.ts), in the lab's artifacts. */
export function keysHostDir(artifacts: string, node: string): string {
  return join(artifacts, 'keys', node);
}

/** The helper that impairs a node's links (src/orchestrator/impair), in the node's network namespace. */
export function impairContainerName(lab: string, node: string): string {
  return `tb-${lab}--impair-${node}`;
}

export function networkName(lab: string, link: string): string {
  return `tb-${lab}-${link}`;
}

/** Linux bridge names are at most 15 characters: "tb" and 12 hex digits of a hash. */
export function bridgeName(lab: string, link: string): string {
  return `tb${createHash('sha256').update(`${lab}/${link}`).digest('hex').slice(0, 12)}`;
}

/** The comment that marks the lab's iptables rules. */
export function firewallComment(lab: string): string {
  return `testbed:${lab}`;
}

// ------------------------------------------------------------------ subnets

/** RFC 2544's benchmarking range: never routed, never used by Docker's own pools. */
export const LAB_POOL = { network: parseIpv4('198.18.0.0'), prefixLength: 15 };

interface Block {
  start: number;
  size: number;
}

function toBlock(cidr: string): Block | null {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(cidr);
  if (!m) return null;
  const len = Number(m[2]);
  return { start: parseIpv4(m[1]!), size: 2 ** (32 - len) };
}

function overlaps(a: Block, b: Block): boolean {
  return a.start < b.start + b.size && b.start < a.start + a.size;
}

/** Smallest prefix (at most /28) with room for the bridge's gateway and `endpoints` containers. */
export function prefixLengthFor(endpoints: number): number {
  let len = 28;
  while (len > 16 && 2 ** (32 - len) - 2 < endpoints + 1) len--;
  return len;
}

export interface Allocation {
  subnet: string;
  gateway: string;
  /** One address per endpoint, in order. */
  addresses: string[];
}

/**
 * Pick a free block for each request inside the lab pool, avoiding `inUse`.
 * `seed` spreads concurrent labs over the pool so they rarely race for the
 * same block; Docker refuses overlaps anyway and the caller retries.
 */
export function allocateSubnets(requests: number[], inUse: string[], seed: string): Allocation[] {
  const taken = inUse.map(toBlock).filter((b): b is Block => b !== null);
  const poolSize = 2 ** (32 - LAB_POOL.prefixLength);
  const offset = (parseInt(createHash('sha256').update(seed).digest('hex').slice(0, 8), 16) % (poolSize / 16)) * 16;
  const result: Allocation[] = [];
  for (const endpoints of requests) {
    const len = prefixLengthFor(endpoints);
    const size = 2 ** (32 - len);
    let found: Block | null = null;
    for (let i = 0; i < poolSize; i += size) {
      const start = LAB_POOL.network + ((Math.floor(offset / size) * size + i) % poolSize);
      const candidate = { start, size };
      if (!taken.some((t) => overlaps(t, candidate))) {
        found = candidate;
        break;
      }
    }
    if (!found) throw new Error(`no free /${len} left in 198.18.0.0/15 for a lab network`);
    taken.push(found);
    result.push({
      subnet: `${formatIpv4(found.start)}/${len}`,
      gateway: formatIpv4(found.start + 1),
      addresses: Array.from({ length: endpoints }, (_, k) => formatIpv4(found!.start + 2 + k)),
    });
  }
  return result;
}
