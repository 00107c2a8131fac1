/**
 * Packet captures: one pcap per link, written by tcpdump on the link's bridge
 * from a small container in the host's network namespace, into the lab's
 * artifacts folder. Classic pcap (not pcapng), so Wireshark, tshark and
 * pcap-parser all read it; written packet by packet (-U), so a test can read
 * a capture while the lab runs. On a swarm (src/orchestrator/engines) each
 * engine captures its own bridges, and each overlay link in the overlay's
 * namespace ("@namespace" targets) into LINK@ENGINE.pcap; those parts are
 * merged into LINK.pcap (capture/merge.ts) when the capture is read and
 * when it stops. The capture of an overlay namespace prints which namespace
 * it is in ("netns NAME INODE"); when Docker makes that namespace anew, the
 * link is captured there again into LINK@ENGINE~2.pcap, ~3 ... (engines/
 * capture.ts followSwarmCapture), and an engine's parts are joined first.
 */
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { concatCaptures, mergeCaptures, readRawPcap, writeRawPcap } from '../capture/merge.js';
import { join } from 'node:path';
import type { Engine } from '../docker/engine.js';
import { ARTIFACTS_LABEL, LAB_LABEL, OWNER_LABEL, OWNER_VALUE, ownerLabels, ROLE_LABEL } from '../../contract/labels.js';
import { captureContainerName } from './naming.js';

export interface CaptureTarget {
  link: string;
  bridge: string;
}

export const CAPTURE_SCRIPT = `
set -u
pids=""
for spec in "$@"; do
  br=\${spec%%=*}; file=\${spec#*=}
  case "$br" in
    @*) echo "netns \${br#@} $(stat -L -c %i "/run/netns/\${br#@}" 2>/dev/null || echo -)"
        nsenter --net="/run/netns/\${br#@}" tcpdump -i br0 --immediate-mode -U -n -s 0 -Z root -w "/artifacts/$file" 2>>/artifacts/capture.log & ;;
    *) tcpdump -i "$br" --immediate-mode -U -n -s 0 -Z root -w "/artifacts/$file" 2>>/artifacts/capture.log & ;;
  esac
  pids="$pids $!"
done
finish() {
  kill -INT $pids 2>/dev/null
  wait
  [ -n "\${OWNER:-}" ] && chown "$OWNER" /artifacts/*.pcap /artifacts/capture.log 2>/dev/null
  exit 0
}
trap finish TERM INT
echo capture-ready
wait
`;

export function pcapName(link: string): string {
  return `${link}.pcap`;
}

/** Keep an earlier file of the same name (a link's capture, a router's key journal) under its time, instead of overwriting it. */
export async function keepPrevious(dir: string, file: string): Promise<void> {
  const path = join(dir, file);
  const st = await stat(path).catch(() => null);
  if (!st) return;
  const stamp = st.mtime.toISOString().replace(/[:]/g, '').replace(/\..*$/, '');
  await rename(path, join(dir, file.replace(/(\.[^.]+)$/, `.${stamp}$1`))).catch(() => undefined);
}

export async function startCapture(engine: Engine, lab: string, image: string, artifacts: string, targets: CaptureTarget[]): Promise<Record<string, string>> {
  const files = await startCaptureContainer(engine, { lab, image, artifacts, specs: targets.map((t) => ({ source: t.bridge, file: pcapName(t.link) })) });
  return Object.fromEntries(targets.map((t) => [t.link, files[pcapName(t.link)]!]));
}

export interface CaptureContainer {
  lab: string;
  image: string;
  artifacts: string;
  /** A bridge name, or "@namespace" for br0 in that namespace (mounted at /run/netns); the file in the artifacts folder. */
  specs: { source: string; file: string }[];
  /** The engine's netns directory, for "@namespace" sources. */
  netnsDir?: string;
  labels?: Record<string, string>;
  /** The container's name (default: the lab's capture container name). */
  name?: string;
}

/** One capture container (host network of its engine) writing one file per spec; resolves once every file has its header: file -> path. */
export async function startCaptureContainer(engine: Engine, c: CaptureContainer): Promise<Record<string, string>> {
  const { lab, image, artifacts } = c;
  await mkdir(artifacts, { recursive: true });
  for (const t of c.specs) await keepPrevious(artifacts, t.file);
  const owner = process.getuid && process.getgid ? `${process.getuid()}:${process.getgid()}` : '';
  const id = await engine.createContainer({
    name: c.name ?? captureContainerName(lab),
    hostname: 'capture',
    image,
    cmd: ['sh', '-c', CAPTURE_SCRIPT, 'capture', ...c.specs.map((t) => `${t.source}=${t.file}`)],
    env: { OWNER: owner },
    labels: { ...ownerLabels(lab, 'capture'), [ARTIFACTS_LABEL]: artifacts, ...c.labels },
    endpoints: [],
    hostNetwork: true,
    // nsenter into an overlay's namespace needs SYS_ADMIN
    capAdd: ['NET_ADMIN', 'NET_RAW', ...(c.netnsDir ? ['SYS_ADMIN'] : [])],
    devices: [],
    sysctls: {},
    binds: { [artifacts]: '/artifacts', ...(c.netnsDir ? { [c.netnsDir]: '/run/netns' } : {}) },
    stopTimeoutSeconds: 10,
  });
  await engine.startContainer(id);
  // tcpdump writes the pcap file header as soon as it is capturing
  const files = Object.fromEntries(c.specs.map((t) => [t.file, join(artifacts, t.file)]));
  const deadline = Date.now() + 15000;
  for (const path of Object.values(files)) {
    for (;;) {
      const st = await stat(path).catch(() => null);
      if (st && st.size >= 24) break;
      if (Date.now() > deadline) {
        const logs = await engine.logs(id).catch(() => '');
        throw new Error(`capture did not start: ${path} was not created within 15 s. ${logs.trim()}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return files;
}

/** A link's capture from one engine of a swarm (merged into pcapName(link)); the `n`th on that engine when its namespace was made anew. */
export function pcapPartName(link: string, engine: string, n = 1): string {
  return n <= 1 ? `${link}@${engine}.pcap` : `${link}@${engine}~${n}.pcap`;
}

/** LINK@ENGINE.pcap or LINK@ENGINE~N.pcap; null for anything else, earlier captures kept with a time stamp too. */
export function parsePartName(file: string): { link: string; engine: string; n: number } | null {
  const m = /^(.+)@([^@/~]+)(?:~(\d+))?\.pcap$/.exec(file);
  // an earlier capture's part, kept by keepPrevious (LINK@ENGINE.<time>.pcap), is not a part
  if (!m || /\.\d{4}-\d{2}-\d{2}T\d{6}$/.test(m[2]!)) return null;
  return { link: m[1]!, engine: m[2]!, n: m[3] ? Number(m[3]) : 1 };
}

/** Merge the per-engine parts of each link in `dir` into LINK.pcap; returns the links merged. */
export async function mergeCaptureParts(dir: string, onlyLink?: string): Promise<string[]> {
  const files = await readdir(dir).catch(() => [] as string[]);
  // link -> engine -> its parts in the order they were taken
  const groups = new Map<string, Map<string, { n: number; file: string }[]>>();
  for (const file of files) {
    const p = parsePartName(file);
    if (!p || (onlyLink && p.link !== onlyLink)) continue;
    const engines = groups.get(p.link) ?? new Map<string, { n: number; file: string }[]>();
    engines.set(p.engine, [...(engines.get(p.engine) ?? []), { n: p.n, file }]);
    groups.set(p.link, engines);
  }
  for (const [link, engines] of groups) {
    const caps = [];
    for (const engine of [...engines.keys()].sort()) {
      const parts = [];
      for (const { file } of engines.get(engine)!.sort((a, b) => a.n - b.n)) {
        const buf = await readFile(join(dir, file));
        if (buf.length >= 24) parts.push(readRawPcap(buf));
      }
      if (parts.length > 0) caps.push(concatCaptures(parts));
    }
    if (caps.length === 0) continue;
    const tmp = join(dir, `.${pcapName(link)}.${process.pid}.tmp`);
    await writeFile(tmp, writeRawPcap(mergeCaptures(caps)));
    await rename(tmp, join(dir, pcapName(link)));
  }
  return [...groups.keys()];
}

/** Stop captures gracefully (so the last packets are flushed), then remove their containers. */
export async function stopCapture(engine: Engine, lab?: string): Promise<number> {
  const labels: Record<string, string> = { [OWNER_LABEL]: OWNER_VALUE, [ROLE_LABEL]: 'capture' };
  if (lab) labels[LAB_LABEL] = lab;
  const list = await engine.listContainers(labels);
  await Promise.all(
    list.map(async (c) => {
      if (c.state === 'running') await engine.stopContainer(c.id, 10);
      await engine.removeContainer(c.id);
    }),
  );
  for (const dir of new Set(list.map((c) => c.labels[ARTIFACTS_LABEL]).filter((d): d is string => !!d))) await mergeCaptureParts(dir);
  return list.length;
}
