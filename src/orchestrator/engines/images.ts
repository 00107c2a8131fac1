/**
 * The lab image on every engine of a swarm. A member that has the tag is
 * left alone. With a registry (TESTBED_REGISTRY, registry.ts) the builder
 * (where the image was built) tags it HOST[:PORT][/PATH]/<repository>:<tag>,
 * pushes it once, and each member lacking the tag pulls that name and tags
 * it as the lab tag (the registry's name is then removed again, on the
 * builder and on the members, so only the lab tag is left). Without a
 * registry, or for a member whose pull failed (every member, when the push
 * failed), `docker save` on the builder is streamed into `docker load` on
 * the member, one member at a time. Progress is shown in MB from the
 * push/pull streams and from the bytes sent.
 */
import { PassThrough } from 'node:stream';
import { DockerError } from '../docker/engine.js';
import type { DockerodeEngine } from '../docker/dockerode.js';
import type { FederatedEngine, Member } from './federated.js';
import { planCopy, registryName } from './registry.js';

export interface CopyReport {
  /** Members that pulled the image from the registry. */
  pulled: string[];
  /** Members it was loaded into (docker save | docker load). */
  loaded: string[];
  /** Members that had the tag already. */
  present: string[];
  /** Why the registry was not used for a member: its pull failed, or the push did (then every member lacking the tag). */
  fallbacks: { engine: string; reason: string }[];
}

const mb = (n: number) => `${(n / 1e6).toFixed(0)} MB`;

const describe = (e: unknown) => (e as { json?: { message?: string } }).json?.message ?? (e as Error).message ?? String(e);

/**
 * Put `tag` on every member that lacks it; `progress` gets one line per step and every 10% or so; `warn` gets
 * each fallback from the registry to a load, naming the engine and the reason (default: `progress`).
 */
export async function distributeImage(
  fed: FederatedEngine,
  tag: string,
  progress: (line: string) => void,
  warn: (line: string) => void = progress,
): Promise<CopyReport> {
  const report: CopyReport = { pulled: [], loaded: [], present: [], fallbacks: [] };
  const has = await Promise.all(fed.members.map(async (m) => ({ name: m.ref.name, has: await m.engine.imageExists(tag) })));
  const registry = fed.options.registry ?? null;
  const plan = planCopy(has, registry);
  report.present.push(...plan.present);
  const byName = (name: string) => fed.members.find((m) => m.ref.name === name)!;
  const builder = fed.builder as Partial<DockerodeEngine>;
  const load = [...plan.load];
  if (plan.pull.length > 0 && registry) {
    if (!builder.docker) throw new DockerError(`${tag} is missing on ${plan.pull.join(', ')}, and the builder engine cannot push images`);
    const remote = registryName(registry, tag);
    const size = ((await (builder as DockerodeEngine).docker.getImage(tag).inspect()) as { Size?: number }).Size ?? 0;
    let pushed = false;
    try {
      await pushImage(builder as DockerodeEngine, tag, remote, size, progress);
      pushed = true;
    } catch (e) {
      const reason = `the builder could not push ${remote.name}: ${(e as Error).message}`;
      warn(`registry ${registry.host}: ${reason}; loading ${tag} into ${plan.pull.join(', ')} instead`);
      for (const name of plan.pull) report.fallbacks.push({ engine: name, reason });
      load.unshift(...plan.pull);
    }
    if (pushed) {
      for (const name of plan.pull) {
        try {
          await pullImage(byName(name), remote, tag, size, progress);
          report.pulled.push(name);
        } catch (e) {
          const reason = `${name} could not pull ${remote.name}: ${(e as Error).message}`;
          warn(`registry ${registry.host}: ${reason}; loading ${tag} into ${name} instead`);
          report.fallbacks.push({ engine: name, reason });
          load.push(name);
        }
      }
    }
  }
  const order = fed.members.map((m) => m.ref.name);
  for (const name of load.sort((a, b) => order.indexOf(a) - order.indexOf(b))) {
    if (!builder.docker) throw new DockerError(`${tag} is missing on ${name}, and the builder engine cannot export images`);
    await copyImage(builder as DockerodeEngine, byName(name), tag, progress);
    report.loaded.push(name);
  }
  return report;
}

interface StreamEvent {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { message?: string };
}

/** Follow a push or pull stream: bytes done over all layers (events of `status`: Pushing, Downloading), shown every 10% or so of `size` (the image's size; layers travel compressed); rejects on an error event. */
function follow(engine: DockerodeEngine, stream: NodeJS.ReadableStream, status: string, size: number, show: (done: number) => void): Promise<void> {
  const layers = new Map<string, number>();
  let shown = 0;
  return new Promise<void>((resolve, reject) => {
    engine.docker.modem.followProgress(
      stream,
      (err: Error | null, events: StreamEvent[]) => {
        const failed = events.find((ev) => ev.error || ev.errorDetail);
        if (err || failed) reject(new Error(err ? describe(err) : (failed!.errorDetail?.message ?? failed!.error ?? 'failed')));
        else resolve();
      },
      (ev: StreamEvent) => {
        if (ev.status !== status || !ev.id || ev.progressDetail?.current === undefined) return;
        layers.set(ev.id, ev.progressDetail.current);
        let done = 0;
        for (const n of layers.values()) done += n;
        if (size > 0 && done - shown >= size / 10) {
          shown = done;
          show(done);
        }
      },
    );
  });
}

async function pushImage(
  builder: DockerodeEngine,
  tag: string,
  remote: { repository: string; tag: string; name: string },
  size: number,
  progress: (line: string) => void,
): Promise<void> {
  progress(`pushing ${tag} as ${remote.name} (${mb(size)})`);
  await builder.docker.getImage(tag).tag({ repo: remote.repository, tag: remote.tag });
  try {
    // no credentials of testbed's own: an empty auth header (Docker then uses none; the engine refuses a push without the header)
    const stream = (await builder.docker.getImage(remote.repository).push({ tag: remote.tag, authconfig: {} })) as NodeJS.ReadableStream;
    await follow(builder, stream, 'Pushing', size, (done) => progress(`pushing: ${mb(done)} sent (compressed)`));
  } catch (e) {
    throw new Error(describe(e));
  } finally {
    // only the name goes: the lab tag keeps the image
    await builder.docker
      .getImage(remote.name)
      .remove({ noprune: true })
      .catch(() => undefined);
  }
  progress(`${remote.name} pushed`);
}

/** `name` as repository and tag (`latest` when it has none), split at the last colon after the last slash. */
function repoAndTag(name: string): { repo: string; tag: string } {
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? { repo: name.slice(0, colon), tag: name.slice(colon + 1) } : { repo: name, tag: 'latest' };
}

async function pullImage(to: Member, remote: { name: string }, tag: string, size: number, progress: (line: string) => void): Promise<void> {
  progress(`${to.ref.name}: pulling ${remote.name}`);
  const docker = to.engine.docker;
  try {
    const stream = (await docker.pull(remote.name, { authconfig: {} })) as NodeJS.ReadableStream;
    await follow(to.engine, stream, 'Downloading', size, (done) => progress(`${to.ref.name}: ${mb(done)} received (compressed)`));
  } catch (e) {
    throw new Error(describe(e));
  }
  try {
    await docker.getImage(remote.name).tag(repoAndTag(tag));
  } catch (e) {
    throw new Error(`pulled, but could not tag it ${tag}: ${describe(e)}`);
  } finally {
    // only the registry's name goes: the lab tag keeps the image
    await docker
      .getImage(remote.name)
      .remove({ noprune: true })
      .catch(() => undefined);
  }
  if (!(await to.engine.imageExists(tag))) throw new Error(`pulled, but ${tag} is not there`);
  progress(`${to.ref.name}: ${tag} pulled`);
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
