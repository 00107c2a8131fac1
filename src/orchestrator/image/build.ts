/**
 * The lab image: a Debian bookworm base with Node 20 (from the registry's
 * node:20-bookworm-slim where one is reachable, or from debootstrap plus the
 * host's own node binary where none is), and on top of it the router agent.
 *
 * Tags carry a hash of everything that goes into them, so `testbed up`
 * rebuilds exactly when the agent, the addon or the package list changed.
 */
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { execa } from 'execa';
import type { Engine } from '../docker/engine.js';
import { IMAGE_LABEL, OWNER_LABEL, OWNER_VALUE } from '../../contract/labels.js';
import { withStep, type Progress } from '../progress.js';
import { KINDS } from '../../kinds/index.js';

import { BUNDLE_DIST, CODE_CACHED, codeCachedBundle, NODE_PROGRAMS, PACKAGE_ROOT, SRC_DIST } from './programs.js';

export { PACKAGE_ROOT };
const IMAGES_DIR = join(PACKAGE_ROOT, 'images');
/** What runs inside the nodes: everything built from src/ except the orchestrator. */
const NODE_CODE_EXCLUDED = ['orchestrator'];
const NAPI_HEADERS = join(PACKAGE_ROOT, 'node_modules', 'node-api-headers', 'include');

export const REGISTRY_BASE = 'node:20-bookworm-slim';
export const DEFAULT_MIRROR = 'http://deb.debian.org/debian';

export type BaseStrategy = 'auto' | 'registry' | 'debootstrap';

export interface ImageOptions {
  base?: BaseStrategy;
  /** Debian mirror for debootstrap (default $TESTBED_DEBIAN_MIRROR or deb.debian.org). */
  mirror?: string;
  progress: Progress;
}

export class ImageError extends Error {
  override name = 'ImageError';
}

async function packages(): Promise<string[]> {
  const text = await readFile(join(IMAGES_DIR, 'base', 'packages.txt'), 'utf8');
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

function shortHash(parts: (string | Buffer)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex').slice(0, 12);
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(p)));
    else if (!entry.name.endsWith('.map')) out.push(p);
  }
  return out.sort();
}

/**
 * One image build at a time on this machine: parallel test files or CI jobs
 * that all need the image wait for the first build instead of repeating it.
 * The lock is a directory holding the owner's pid; a dead owner's lock is taken over.
 */
async function withBuildLock<T>(progress: Progress, fn: () => Promise<T>): Promise<T> {
  const dir = join(tmpdir(), 'testbed-image-build.lock');
  let announced = false;
  for (;;) {
    try {
      await mkdir(dir);
      await writeFile(join(dir, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(await readFile(join(dir, 'pid'), 'utf8').catch(() => '0'));
      const alive =
        pid > 0 &&
        (() => {
          try {
            process.kill(pid, 0);
            return true;
          } catch (err) {
            return (err as NodeJS.ErrnoException).code === 'EPERM';
          }
        })();
      const age = Date.now() - ((await stat(dir).catch(() => null))?.mtimeMs ?? Date.now());
      if (!alive && (pid > 0 || age > 5000)) {
        await rm(dir, { recursive: true, force: true });
        continue;
      }
      if (!announced) {
        progress.note(`waiting for another testbed process (pid ${pid || '?'}) that is building the image`);
        announced = true;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Make sure the lab image exists; returns its tag. */
export async function ensureLabImage(engine: Engine, opts: ImageOptions): Promise<string> {
  return withBuildLock(opts.progress, () => ensureLabImageLocked(engine, opts));
}

async function ensureLabImageLocked(engine: Engine, opts: ImageOptions): Promise<string> {
  const missing = await unbuiltEntry();
  if (missing) throw new ImageError(`the node programs are not built (${relative(process.cwd(), missing)} is missing): run npm run build`);
  const context = await agentContextFiles();
  const base = await ensureBase(engine, opts);
  const tag = await routerTag(base, context);
  if (await engine.imageExists(tag)) return tag;
  await withStep(opts.progress, `building image ${tag}`, async (step) => {
    const dir = await mkdtemp(join(tmpdir(), 'testbed-image-'));
    try {
      for (const f of context) {
        await mkdir(join(dir, f.dest, '..'), { recursive: true });
        await cp(f.src, join(dir, f.dest), { preserveTimestamps: false });
      }
      await writeFile(join(dir, 'app', 'package.json'), '{ "type": "module", "private": true }\n');
      await engine.buildImage(dir, tag, { BASE: base }, { [OWNER_LABEL]: OWNER_VALUE, [IMAGE_LABEL]: 'router2600' }, (line) => step.update(line));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  return tag;
}

/** The first kind's program that is not in dist/src, or null when all are. */
async function unbuiltEntry(): Promise<string | null> {
  for (const k of KINDS) {
    if (!k.entry) continue;
    const path = join(SRC_DIST, k.entry);
    if (
      !(await stat(path).then(
        () => true,
        () => false,
      ))
    )
      return path;
  }
  return null;
}

export const ROUTER_REPO = 'testbed/router2600';
export const BASE_REPO = 'testbed/base';

async function routerTag(base: string, context: ContextFile[]): Promise<string> {
  const hash = shortHash([base, ...(await Promise.all(context.map(async (f) => Buffer.concat([Buffer.from(f.dest), await readFile(f.src)]))))]);
  return `${ROUTER_REPO}:${hash}`;
}

/**
 * The images `up` would use now, without building anything: the base image
 * that exists (null when none does yet) and the router image on top of it
 * (null without a base, or when the agent is not built).
 */
export async function currentImages(engine: Engine, strategy?: BaseStrategy): Promise<{ base: string | null; router: string | null }> {
  const base = await existingBase(engine, resolveStrategy(strategy), baseTags(await packages()));
  if (!base) return { base: null, router: null };
  const built = (await unbuiltEntry()) === null;
  return { base, router: built ? await routerTag(base, await agentContextFiles()) : null };
}

/** The base image that is there already, registry one first (unless the strategy rules it out). */
async function existingBase(engine: Engine, strategy: BaseStrategy, tags: { registry: string; debootstrap: string }): Promise<string | null> {
  if (strategy !== 'debootstrap' && (await engine.imageExists(tags.registry))) return tags.registry;
  if (strategy !== 'registry' && (await engine.imageExists(tags.debootstrap))) return tags.debootstrap;
  return null;
}

function resolveStrategy(strategy?: BaseStrategy): BaseStrategy {
  return strategy ?? ((process.env.TESTBED_BASE as BaseStrategy | undefined) || 'auto');
}

function baseTags(pkgs: string[]): { registry: string; debootstrap: string } {
  return {
    registry: `${BASE_REPO}:registry-${shortHash([REGISTRY_BASE, ...pkgs])}`,
    debootstrap: `${BASE_REPO}:debootstrap-${shortHash(['bookworm', process.version, ...pkgs])}`,
  };
}

export interface ContextFile {
  src: string;
  dest: string;
}

async function agentContextFiles(): Promise<ContextFile[]> {
  const files: ContextFile[] = [];
  const router = join(IMAGES_DIR, 'router2600');
  for (const src of await listFiles(router)) files.push({ src, dest: relative(router, src) });
  for (const src of await listFiles(NAPI_HEADERS)) files.push({ src, dest: join('addon', 'include', relative(NAPI_HEADERS, src)) });
  for (const entry of (await readdir(SRC_DIST, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory() || NODE_CODE_EXCLUDED.includes(entry.name)) continue;
    for (const src of await listFiles(join(SRC_DIST, entry.name))) files.push({ src, dest: join('app', 'src', relative(SRC_DIST, src)) });
  }
  const bundled = new Set<string>();
  for (const program of NODE_PROGRAMS) if (await exists(join(BUNDLE_DIST, program))) bundled.add(program);
  return withBundles(files, bundled, BUNDLE_DIST);
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/**
 * The image's files with each bundled program (a path under dist/src that `npm run build` bundled into
 * `bundleDir`) taken from its bundle: the container starts one file instead of its few hundred modules.
 * The modules stay in the image beside it. A code-cached program's bundle is its loader, and its
 * CommonJS bundle comes beside it (`cached`, programs.ts). Pure.
 */
export function withBundles(
  files: readonly ContextFile[],
  bundled: ReadonlySet<string>,
  bundleDir: string,
  cached: readonly string[] = CODE_CACHED,
): ContextFile[] {
  const companions: ContextFile[] = [];
  const mapped = files.map((f) => {
    const program = f.dest.startsWith(`app${sep}src${sep}`) ? f.dest.slice(`app${sep}src${sep}`.length).split(sep).join('/') : null;
    if (program === null || !bundled.has(program)) return f;
    if (cached.includes(program)) {
      const cjs = codeCachedBundle(program);
      companions.push({ src: join(bundleDir, cjs), dest: join('app', 'src', ...cjs.split('/')) });
    }
    return { src: join(bundleDir, program), dest: f.dest };
  });
  return [...mapped, ...companions];
}

/** The base image: reuse, else registry, else debootstrap. */
async function ensureBase(engine: Engine, opts: ImageOptions): Promise<string> {
  const pkgs = await packages();
  const strategy = resolveStrategy(opts.base);
  const tags = baseTags(pkgs);
  const { registry: registryTag, debootstrap: debootstrapTag } = tags;
  const nodeBinary = process.execPath;

  const existing = await existingBase(engine, strategy, tags);
  if (existing) return existing;

  if (strategy !== 'debootstrap') {
    const pulled = await withStep(opts.progress, `pulling ${REGISTRY_BASE}`, async (step) => {
      if (await engine.imageExists(REGISTRY_BASE)) return true;
      try {
        await engine.pullImage(REGISTRY_BASE, (l) => step.update(l));
        return true;
      } catch (e) {
        if (strategy === 'registry') throw e;
        step.update(`no registry (${(e as Error).message.split('\n')[0]}); using debootstrap`);
        return false;
      }
    }).catch((e) => {
      throw new ImageError(`${(e as Error).message}\nThe base image needs ${REGISTRY_BASE}; try --base debootstrap where no registry is reachable.`);
    });
    if (pulled) {
      await withStep(opts.progress, `building base image ${registryTag}`, (step) =>
        engine.buildImage(join(IMAGES_DIR, 'base'), registryTag, {}, { [OWNER_LABEL]: OWNER_VALUE, 'testbed.image': 'base' }, (l) => step.update(l)),
      );
      return registryTag;
    }
  }
  await debootstrapBase(engine, debootstrapTag, pkgs, nodeBinary, opts);
  return debootstrapTag;
}

async function findProgram(name: string): Promise<string | null> {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin'])) {
    const p = join(dir, name);
    try {
      await access(p, constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return null;
}

async function debootstrapBase(engine: Engine, tag: string, pkgs: string[], nodeBinary: string, opts: ImageOptions): Promise<void> {
  const debootstrap = await findProgram('debootstrap');
  if (!debootstrap || process.getuid?.() !== 0) {
    throw new ImageError(
      `no container registry is reachable, so the base image must be made with debootstrap, which needs ${
        debootstrap ? 'root' : 'the debootstrap package (apt-get install debootstrap)'
      }. Run the first \`testbed up\` (or \`testbed image build\`) as root, or make ${REGISTRY_BASE} available (docker load).`,
    );
  }
  const mirror = opts.mirror ?? process.env.TESTBED_DEBIAN_MIRROR ?? DEFAULT_MIRROR;
  const dir = await mkdtemp(join(tmpdir(), 'testbed-rootfs-'));
  try {
    await withStep(opts.progress, `debootstrap bookworm (${pkgs.length} packages) from ${mirror}`, async (step) => {
      const proc = execa(debootstrap, ['--variant=minbase', `--include=${pkgs.join(',')}`, 'bookworm', dir, mirror], { all: true, buffer: false });
      const tail: string[] = [];
      proc.all?.setEncoding('utf8');
      proc.all?.on('data', (chunk: string) => {
        for (const line of chunk.split('\n').filter(Boolean)) {
          tail.push(line);
          if (tail.length > 20) tail.shift();
          step.update(line.replace(/^I: /, ''));
        }
      });
      try {
        await proc;
      } catch (e) {
        throw new ImageError(`debootstrap failed (exit ${(e as { exitCode?: number }).exitCode}):\n${tail.join('\n')}`);
      }
    });
    await withStep(opts.progress, `importing base image ${tag}`, async (step) => {
      for (const p of ['var/cache/apt/archives', 'var/lib/apt/lists', 'usr/share/doc', 'usr/share/man', 'usr/share/locale']) {
        await rm(join(dir, p), { recursive: true, force: true });
      }
      await mkdir(join(dir, 'usr/local/bin'), { recursive: true });
      await cp(nodeBinary, join(dir, 'usr/local/bin/node'));
      step.update('packing the root file system');
      const tar = spawn('tar', ['-C', dir, '--numeric-owner', '-c', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      tar.stderr.on('data', (c: Buffer) => (err += c.toString()));
      const exited = new Promise<number>((resolve) => tar.on('close', (code) => resolve(code ?? 1)));
      await engine.importImage(tar.stdout, tag, (l) => step.update(l));
      const code = await exited;
      if (code !== 0) throw new ImageError(`tar of the root file system failed: ${err.trim()}`);
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
