/**
 * What a container costs, from its cgroup (cgroup v1 with Docker's cgroupfs
 * driver: /sys/fs/cgroup/<controller>/docker/<id>/): memory.usage_in_bytes
 * and memory.stat, and cpuacct.usage (CPU nanoseconds) for CPU over a window.
 */
import { readFile } from 'node:fs/promises';

const CGROUP = process.env.TESTBED_CGROUP_ROOT ?? '/sys/fs/cgroup';

export interface Memory {
  /** memory.usage_in_bytes: everything charged to the container, page cache included. */
  usage: number;
  /** memory.stat total_rss: anonymous memory (heaps, stacks). */
  rss: number;
  /** memory.stat total_cache: page cache charged to it (files it read first, tmpfs). */
  cache: number;
  /** usage - total_inactive_file: what `docker stats` shows on cgroup v1. */
  workingSet: number;
}

export async function memoryOf(id: string): Promise<Memory> {
  const dir = `${CGROUP}/memory/docker/${id}`;
  const usage = Number((await readFile(`${dir}/memory.usage_in_bytes`, 'utf8')).trim());
  const stat = new Map(
    (await readFile(`${dir}/memory.stat`, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [k, v] = l.split(' ');
        return [k!, Number(v)] as const;
      }),
  );
  const inactiveFile = stat.get('total_inactive_file') ?? 0;
  return { usage, rss: stat.get('total_rss') ?? 0, cache: stat.get('total_cache') ?? 0, workingSet: Math.max(0, usage - inactiveFile) };
}

/** CPU time the container has used so far, in ns. */
export async function cpuNs(id: string): Promise<number> {
  return Number((await readFile(`${CGROUP}/cpuacct/docker/${id}/cpuacct.usage`, 'utf8')).trim());
}

/** Whether this machine has the cgroup v1 files the bench reads. */
export async function cgroupV1(id: string): Promise<boolean> {
  return memoryOf(id).then(
    () => true,
    () => false,
  );
}

/** CPU used by a set of containers over `windowMs`, in percent of one core (100 = one core busy). */
export async function cpuPercent(ids: string[], windowMs: number): Promise<{ total: number; each: Map<string, number> }> {
  const before = await Promise.all(ids.map(cpuNs));
  const t0 = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, windowMs));
  const after = await Promise.all(ids.map(cpuNs));
  const elapsedNs = Number(process.hrtime.bigint() - t0);
  const each = new Map(ids.map((id, i) => [id, ((after[i]! - before[i]!) / elapsedNs) * 100]));
  return { total: [...each.values()].reduce((a, b) => a + b, 0), each };
}
