/**
 * The lab image on every engine of a swarm without a registry: `docker save`
 * from the builder (where the image was built), streamed into `docker load`
 * on each member that lacks the tag, one member at a time, with the bytes
 * sent shown as progress. A member that has the tag is left alone.
 */
import { PassThrough } from 'node:stream';
import { DockerError } from '../docker/engine.js';
import type { DockerodeEngine } from '../docker/dockerode.js';
import type { FederatedEngine, Member } from './federated.js';

export interface CopyReport {
  copied: string[];
  present: string[];
}

const mb = (n: number) => `${(n / 1e6).toFixed(0)} MB`;

/** Copy `tag` from the builder to every member that lacks it; `progress` gets one line per step and every 10% or so. */
export async function distributeImage(fed: FederatedEngine, tag: string, progress: (line: string) => void): Promise<CopyReport> {
  const report: CopyReport = { copied: [], present: [] };
  const builder = fed.builder as Partial<DockerodeEngine>;
  for (const m of fed.members) {
    if (await m.engine.imageExists(tag)) {
      report.present.push(m.ref.name);
      continue;
    }
    if (!builder.docker) throw new DockerError(`${tag} is missing on ${m.ref.name}, and the builder engine cannot export images`);
    await copyImage(builder as DockerodeEngine, m, tag, progress);
    report.copied.push(m.ref.name);
  }
  return report;
}

async function copyImage(from: DockerodeEngine, to: Member, tag: string, progress: (line: string) => void): Promise<void> {
  const size = ((await from.docker.getImage(tag).inspect()) as { Size?: number }).Size ?? 0;
  progress(`${to.ref.name}: loading ${tag} (${mb(size)})`);
  const source = (await from.docker.getImage(tag).get()) as NodeJS.ReadableStream;
  const counted = new PassThrough();
  let sent = 0;
  let shown = 0;
  counted.on('data', (chunk: Buffer) => {
    sent += chunk.length;
    if (size > 0 && sent - shown >= size / 10) {
      shown = sent;
      progress(`${to.ref.name}: ${mb(sent)} of about ${mb(size)}`);
    }
  });
  source.pipe(counted);
  let reply: NodeJS.ReadableStream;
  try {
    reply = (await to.engine.docker.loadImage(counted, { quiet: true })) as NodeJS.ReadableStream;
  } catch (e) {
    throw new DockerError(`cannot load ${tag} into ${to.ref.name}: ${(e as Error).message}`, e);
  }
  const text = await new Promise<string>((resolve, reject) => {
    const parts: Buffer[] = [];
    reply.on('data', (c: Buffer) => parts.push(Buffer.from(c)));
    reply.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    reply.on('error', reject);
  });
  if (/"error"/.test(text)) throw new DockerError(`loading ${tag} into ${to.ref.name} failed: ${text.trim()}`);
  if (!(await to.engine.imageExists(tag))) throw new DockerError(`loading ${tag} into ${to.ref.name} ended without the image: ${text.trim()}`);
  progress(`${to.ref.name}: ${tag} loaded (${mb(sent)})`);
}
