/**
 * strongSwan gateways in benchmark labs (bench:interop, bench:tunnel):
 * charon settings for a run (a strongswan.conf fragment, then a restart),
 * which plugin implements each ESP algorithm (charon uses the first one
 * registered: `swanctl --list-algs` lists them in that order), the loaded
 * plugins, and charon's CPU time per thread.
 */
import type { Lab } from '../../src/orchestrator/index.js';
import { containerSh } from './lab-bench.js';

/** Terminates every IKE_SA of a node (and so its CHILD_SAs). */
export const SWAN_TERMINATE =
  'for id in $(swanctl --list-sas --raw | grep -o "uniqueid=[0-9]*" | cut -d= -f2); do swanctl --terminate --ike-id $id --force >/dev/null; done; true';

/** Where a run's settings go: included by the strongswan.conf the node writes at boot, after its own settings, so they win. */
export const BENCH_SETTINGS = '/etc/strongswan.d/zz-bench.conf';

/** charon with the openssl plugin loaded first, so it implements every algorithm it has (the plugins' order decides otherwise). */
export const PIN_OPENSSL = 'charon {\n  plugins {\n    openssl {\n      load = 10\n    }\n  }\n}\n';

/** Writes a strongswan.conf fragment (or removes it: '') on the nodes and restarts them, so charon reads it. */
export async function swanSettings(lab: Lab, nodes: readonly string[], conf: string): Promise<void> {
  for (const n of nodes) {
    if (conf) await lab.sh(n, `cat > ${BENCH_SETTINGS} <<'EOF'\n${conf}EOF`);
    else await lab.sh(n, `rm -f ${BENCH_SETTINGS}`);
  }
  await Promise.all(nodes.map((n) => lab.restart(n)));
}

/** `swanctl --list-algs`: algorithm type -> entries "NAME[plugin]" in the order charon tries them. */
export function parseListAlgs(text: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  let type = '';
  for (const line of text.split('\n')) {
    const head = /^(\S[^:]*):$/.exec(line);
    if (head) {
      type = head[1]!;
      out[type] = [];
    } else if (type && /^\s+\S+\[\S+\]$/.test(line)) out[type]!.push(line.trim());
  }
  return out;
}

/** The plugin charon uses for an algorithm (the first registered), e.g. ("AES_CBC", ...) -> "aesni". */
export function pluginFor(algs: Record<string, string[]>, algorithm: string): string | null {
  for (const list of Object.values(algs)) {
    const hit = list.find((e) => e.startsWith(`${algorithm}[`));
    if (hit) return /\[(\S+)\]$/.exec(hit)![1]!;
  }
  return null;
}

export interface SwanCrypto {
  /** "loaded plugins:" of `swanctl --stats`, in load order. */
  plugins: string;
  /** Algorithm -> the plugin that implements it for ESP (kernel-libipsec asks charon's crypto factory). */
  esp: Record<string, string | null>;
}

export const ESP_ALGORITHMS = ['AES_CBC', 'DES_CBC', 'HMAC_SHA1_96', 'HMAC_MD5_96'];

export async function swanCrypto(lab: Lab, node: string): Promise<SwanCrypto> {
  const stats = await lab.sh(node, 'swanctl --stats');
  const algs = parseListAlgs(await lab.sh(node, 'swanctl --list-algs'));
  return {
    plugins: /loaded plugins: (.*)/.exec(stats)?.[1]?.trim() ?? '',
    esp: Object.fromEntries(ESP_ALGORITHMS.map((a) => [a, pluginFor(algs, a)])),
  };
}

/** CPU time (clock ticks, user + system) of each of charon's threads, by thread id. */
export async function charonThreadTicks(lab: Lab, node: string): Promise<Map<number, number>> {
  const out = await containerSh(
    lab,
    node,
    'for p in /proc/[0-9]*; do [ "$(cat $p/comm 2>/dev/null)" = charon ] && for t in $p/task/*; do echo "${t##*/} $(cut -d" " -f14,15 $t/stat)"; done; done; true',
  );
  const ticks = new Map<number, number>();
  for (const line of out.split('\n')) {
    const [tid, utime, stime] = line.trim().split(/\s+/).map(Number);
    if (tid && Number.isFinite(utime) && Number.isFinite(stime)) ticks.set(tid, utime! + stime!);
  }
  return ticks;
}

/** The busiest threads between two readings, as shares of one core over `seconds` (clock ticks of 1/100 s), highest first. */
export function busiestThreads(before: Map<number, number>, after: Map<number, number>, seconds: number, top = 5): number[] {
  return [...after]
    .map(([tid, t]) => (t - (before.get(tid) ?? 0)) / (seconds * 100))
    .sort((a, b) => b - a)
    .slice(0, top);
}
