/**
 * Packet captures: one pcap per link, written by tcpdump on the link's bridge
 * from a small container in the host's network namespace, into the lab's
 * artifacts folder. Classic pcap (not pcapng), so Wireshark, tshark and
 * pcap-parser all read it; written packet by packet (-U), so a test can read
 * a capture while the lab runs.
 */
import { mkdir, rename, stat } from 'node:fs/promises';
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
  tcpdump -i "$br" --immediate-mode -U -n -s 0 -Z root -w "/artifacts/$file" 2>>/artifacts/capture.log &
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

/** Keep an earlier capture of the same link instead of overwriting it. */
async function keepPrevious(dir: string, file: string): Promise<void> {
  const path = join(dir, file);
  const st = await stat(path).catch(() => null);
  if (!st) return;
  const stamp = st.mtime.toISOString().replace(/[:]/g, '').replace(/\..*$/, '');
  await rename(path, join(dir, file.replace(/\.pcap$/, `.${stamp}.pcap`))).catch(() => undefined);
}

export async function startCapture(engine: Engine, lab: string, image: string, artifacts: string, targets: CaptureTarget[]): Promise<Record<string, string>> {
  await mkdir(artifacts, { recursive: true });
  for (const t of targets) await keepPrevious(artifacts, pcapName(t.link));
  const owner = process.getuid && process.getgid ? `${process.getuid()}:${process.getgid()}` : '';
  const id = await engine.createContainer({
    name: captureContainerName(lab),
    hostname: 'capture',
    image,
    cmd: ['sh', '-c', CAPTURE_SCRIPT, 'capture', ...targets.map((t) => `${t.bridge}=${pcapName(t.link)}`)],
    env: { OWNER: owner },
    labels: { ...ownerLabels(lab, 'capture'), [ARTIFACTS_LABEL]: artifacts },
    endpoints: [],
    hostNetwork: true,
    capAdd: ['NET_ADMIN', 'NET_RAW'],
    devices: [],
    sysctls: {},
    binds: { [artifacts]: '/artifacts' },
    stopTimeoutSeconds: 10,
  });
  await engine.startContainer(id);
  // tcpdump writes the pcap file header as soon as it is capturing
  const files = Object.fromEntries(targets.map((t) => [t.link, join(artifacts, pcapName(t.link))]));
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
  return list.length;
}
