/**
 * Captures of a lab spread over a swarm: one capture container per engine
 * (on that engine's network), tcpdump on each bridge of the lab there, and
 * on br0 inside the namespace of each overlay network the engine has a
 * container on. A bridge link is written to LINK.pcap as on one engine; an
 * overlay link to LINK@ENGINE.pcap per engine, merged into LINK.pcap
 * (lab/capture.ts mergeCaptureParts).
 */
import { join } from 'node:path';
import { ENGINE_LABEL, LAB_LABEL, LINK_LABEL, OWNER_LABEL, OWNER_VALUE } from '../../contract/labels.js';
import { mergeCaptureParts, pcapName, pcapPartName, startCaptureContainer } from '../lab/capture.js';
import type { FederatedEngine } from './federated.js';
import { localOverlays } from './overlay-l2.js';

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
