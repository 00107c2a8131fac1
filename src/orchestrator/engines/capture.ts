/**
 * Captures of a lab spread over a swarm: one capture container per engine
 * (on that engine's network), tcpdump on each bridge of the lab there, and
 * on br0 inside the namespace of each overlay network the engine has a
 * container on. A bridge link is written to LINK.pcap as on one engine; an
 * overlay link to LINK@ENGINE.pcap per engine, merged into LINK.pcap
 * (lab/capture.ts mergeCaptureParts).
 *
 * Docker removes an overlay's namespace on an engine when the engine's last
 * container leaves the network (a cut, a restart) and makes a new one on the
 * next attach; a tcpdump in the old one sees nothing more. Each capture of an
 * overlay prints the inode of the namespace it is in; after the L2 fix-up
 * (which reports the namespaces as they are now), followSwarmCapture starts
 * a capture in every namespace nobody captures yet, into LINK@ENGINE~N.pcap.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ARTIFACTS_LABEL, ENGINE_LABEL, LAB_LABEL, LINK_LABEL, OWNER_LABEL, OWNER_VALUE, ROLE_LABEL } from '../../contract/labels.js';
import { mergeCaptureParts, parsePartName, pcapName, pcapPartName, startCaptureContainer } from '../lab/capture.js';
import { captureContainerName } from '../lab/naming.js';
import type { FederatedEngine } from './federated.js';
import { localOverlays, type OverlayNamespace } from './overlay-l2.js';

/** Start capturing every link of `lab` on every engine; link -> the pcap to read. */
export async function startSwarmCapture(fed: FederatedEngine, lab: string, image: string, artifacts: string): Promise<Record<string, string>> {
  const nets = await fed.listNetworks({ [OWNER_LABEL]: OWNER_VALUE, [LAB_LABEL]: lab });
  const files: Record<string, string> = {};
  for (const m of fed.members) {
    const specs: { source: string; file: string }[] = [];
    for (const n of nets) {
      if (n.driver === 'overlay' || n.labels[ENGINE_LABEL] !== m.ref.name || !n.bridgeName) continue;
      const link = n.labels[LINK_LABEL] ?? n.name;
      specs.push({ source: n.bridgeName, file: pcapName(link) });
      files[link] = join(artifacts, pcapName(link));
    }
    const overlays = await localOverlays(fed, m, lab);
    for (const o of overlays) {
      specs.push({ source: `@${o.ns}`, file: pcapPartName(o.link, m.ref.name) });
      files[o.link] = join(artifacts, pcapName(o.link));
    }
    if (specs.length === 0) continue;
    const netnsDir = overlays.length > 0 ? await fed.netnsDir(m, overlays[0]!.container) : undefined;
    await startCaptureContainer(m.engine, { lab, image, artifacts, specs, ...(netnsDir ? { netnsDir } : {}), labels: { [ENGINE_LABEL]: m.ref.name } });
  }
  await mergeCaptureParts(artifacts);
  return files;
}

/** The namespaces a capture container's log says it captures: "netns NAME INODE" lines. */
export function capturedNamespaces(log: string): { ns: string; inode: string }[] {
  return [...log.matchAll(/^netns (\S+) (\d+)$/gm)].map((m) => ({ ns: m[1]!, inode: m[2]! }));
}

/**
 * While `lab` is being captured: a capture in each overlay namespace of
 * `namespaces` (the fix-up's, as they are now) that no capture container of
 * its engine is in, into the link's next part on that engine; returns one
 * line per capture started. Nothing when the lab is not being captured.
 */
export async function followSwarmCapture(fed: FederatedEngine, lab: string, image: string, namespaces: readonly OverlayNamespace[]): Promise<string[]> {
  const captures = (await fed.listContainers({ [OWNER_LABEL]: OWNER_VALUE, [LAB_LABEL]: lab, [ROLE_LABEL]: 'capture' })).filter((c) => c.state === 'running');
  const artifacts = captures.find((c) => c.labels[ARTIFACTS_LABEL])?.labels[ARTIFACTS_LABEL];
  if (!artifacts) return [];
  const seen = new Set<string>();
  for (const c of captures) for (const { ns, inode } of capturedNamespaces(await fed.logs(c.id))) seen.add(`${c.labels[ENGINE_LABEL]}/${ns}/${inode}`);
  const files = await readdir(artifacts).catch(() => [] as string[]);
  const lines: string[] = [];
  for (const o of namespaces) {
    if (seen.has(`${o.engine}/${o.ns}/${o.inode}`)) continue;
    const m = fed.member(o.engine);
    const taken = files.map(parsePartName).filter((p) => p && p.link === o.link && p.engine === o.engine);
    const n = Math.max(0, ...taken.map((p) => p!.n)) + 1;
    const file = pcapPartName(o.link, o.engine, n);
    await startCaptureContainer(m.engine, {
      lab,
      image,
      artifacts,
      specs: [{ source: `@${o.ns}`, file }],
      netnsDir: await fed.netnsDir(m, o.container),
      labels: { [ENGINE_LABEL]: o.engine },
      name: `${captureContainerName(lab)}-${o.ns}-${o.inode}`,
    });
    files.push(file);
    lines.push(`${o.engine}: ${o.link}: capturing again in its new namespace (${o.ns}, ${file})`);
  }
  return lines;
}
