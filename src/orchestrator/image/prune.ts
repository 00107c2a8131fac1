/**
 * The lab images testbed built on this machine, and their removal. Every
 * change of the agent makes a new router image (its tag is a hash of what
 * goes in), so old ones pile up; `testbed image prune` removes those that
 * neither the current build nor any container uses.
 *
 * `planPrune` is pure: it decides from Docker's image list (with parents)
 * and the containers' images; `pruneImages` carries the plan out.
 */
import { DockerError, type Engine, type ImageInfo } from '../docker/engine.js';
import { BASE_REPO, currentImages, ROUTER_REPO, type BaseStrategy } from './build.js';

export type ImageRole = 'router' | 'base';

export interface LabImage {
  tag: string;
  id: string;
  role: ImageRole;
  size: number;
  /** Seconds since the epoch. */
  created: number;
  /** `up` would use it now. */
  current: boolean;
  /** Containers (by name) whose image it is or is built on. */
  usedBy: string[];
}

export interface PrunePlan {
  remove: LabImage[];
  keep: { image: LabImage; why: string }[];
}

export interface PruneResult {
  removed: LabImage[];
  kept: { image: LabImage; why: string }[];
  /** Bytes of the removed images as Docker counts them (layers shared with kept images included). */
  bytes: number;
}

function roleOf(tag: string): ImageRole | null {
  if (tag.startsWith(`${ROUTER_REPO}:`)) return 'router';
  if (tag.startsWith(`${BASE_REPO}:`)) return 'base';
  return null;
}

/**
 * testbed's images from Docker's list: one entry per tag, newest first.
 * `containers` maps a container name to its image (a tag or an id).
 */
export function labImages(images: ImageInfo[], current: (string | null)[], containers: Record<string, string>): LabImage[] {
  const byId = new Map(images.map((i) => [i.id, i]));
  // Docker names a container's image by the tag it was created from, or by (short) id once that tag is gone
  const idOf = (ref: string) => images.find((i) => i.id === ref || i.id.startsWith(`sha256:${ref}`) || i.tags.includes(ref))?.id;
  // each container's image and every image below it
  const usedBy = new Map<string, string[]>();
  for (const [name, ref] of Object.entries(containers)) {
    const seen = new Set<string>();
    for (let id = idOf(ref); id && !seen.has(id); id = byId.get(id)?.parentId || undefined) {
      seen.add(id);
      usedBy.set(id, [...(usedBy.get(id) ?? []), name]);
    }
  }
  const out: LabImage[] = [];
  for (const i of images) {
    for (const tag of i.tags) {
      const role = roleOf(tag);
      if (!role) continue;
      out.push({ tag, id: i.id, role, size: i.size, created: i.created, current: current.includes(tag), usedBy: usedBy.get(i.id) ?? [] });
    }
  }
  return out.sort((a, b) => b.created - a.created || a.tag.localeCompare(b.tag));
}

/**
 * What to remove, tag by tag: every testbed image that is not current
 * (unless `all`), not used by a container, and not the base of an image
 * that stays. Router images come before bases, so a base is free when its
 * turn comes. A second tag of an image that stays is only a name: removing
 * it leaves the image.
 */
export function planPrune(images: LabImage[], all: boolean, parentOf: (id: string) => string): PrunePlan {
  const why = new Map<LabImage, string>();
  for (const i of images) {
    if (i.usedBy.length > 0) why.set(i, `used by ${i.usedBy.join(', ')}`);
    else if (i.current && !all) why.set(i, 'current');
  }
  // images below one that stays stay too
  const held = new Set<string>();
  for (const image of why.keys()) {
    for (let p = parentOf(image.id); p && !held.has(p); p = parentOf(p)) held.add(p);
  }
  for (const i of images) if (held.has(i.id) && !why.has(i)) why.set(i, 'an image that stays is built on it');
  const remove = images.filter((i) => !why.has(i)).sort((a, b) => (a.role === b.role ? 0 : a.role === 'router' ? -1 : 1));
  return { remove, keep: [...why].map(([image, reason]) => ({ image, why: reason })) };
}

async function gather(engine: Engine, strategy?: BaseStrategy): Promise<{ images: LabImage[]; parentOf: (id: string) => string }> {
  const [all, current, containers] = await Promise.all([engine.listImages(), currentImages(engine, strategy), engine.listContainers({})]);
  const images = labImages(all, [current.base, current.router], Object.fromEntries(containers.map((c) => [c.name, c.image])));
  const parents = new Map(all.map((i) => [i.id, i.parentId]));
  return { images, parentOf: (id) => parents.get(id) ?? '' };
}

export async function listLabImages(engine: Engine, strategy?: BaseStrategy): Promise<LabImage[]> {
  return (await gather(engine, strategy)).images;
}

export async function pruneImages(engine: Engine, opts: { all: boolean; base?: BaseStrategy }): Promise<PruneResult> {
  const { images, parentOf } = await gather(engine, opts.base);
  const plan = planPrune(images, opts.all, parentOf);
  const removed: LabImage[] = [];
  const kept = [...plan.keep];
  for (const image of plan.remove) {
    try {
      await engine.removeImage(image.tag);
      removed.push(image);
    } catch (e) {
      // a container created since we looked, or a build on top of it: Docker says why, and the rest goes on
      if (!(e instanceof DockerError)) throw e;
      kept.push({ image, why: `Docker refused: ${e.message}` });
    }
  }
  // an image removed under two tags counts once, and one that stays under another tag not at all
  const staying = new Set(kept.map((k) => k.image.id));
  const ids = new Set(removed.map((i) => i.id).filter((id) => !staying.has(id)));
  const bytes = [...ids].reduce((sum, id) => sum + removed.find((i) => i.id === id)!.size, 0);
  return { removed, kept, bytes };
}
