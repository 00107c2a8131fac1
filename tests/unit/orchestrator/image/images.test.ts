import test from 'ava';
import { DockerError, type Engine, type ImageInfo } from '../../../../src/orchestrator/docker/engine.js';
import { labImages, planPrune, pruneImages } from '../../../../src/orchestrator/image/prune.js';
import { formatBytes, renderImages, renderPrune } from '../../../../src/orchestrator/cli/render.js';

/**
 * Docker's image list as the classic builder leaves it: each router image
 * sits on untagged intermediate images, which sit on a base image.
 */
const images: ImageInfo[] = [
  { id: 'sha256:base1', parentId: '', tags: ['testbed/base:debootstrap-aaa'], created: 100, size: 375e6 },
  { id: 'sha256:base2', parentId: '', tags: ['testbed/base:registry-bbb'], created: 150, size: 300e6 },
  { id: 'sha256:mid1', parentId: 'sha256:base1', tags: [], created: 200, size: 376e6 },
  { id: 'sha256:old1', parentId: 'sha256:mid1', tags: ['testbed/router2600:old111'], created: 210, size: 379e6 },
  { id: 'sha256:mid2', parentId: 'sha256:base1', tags: [], created: 300, size: 376e6 },
  { id: 'sha256:cur', parentId: 'sha256:mid2', tags: ['testbed/router2600:cur222'], created: 310, size: 379e6 },
  { id: 'sha256:mid3', parentId: 'sha256:base2', tags: [], created: 400, size: 301e6 },
  { id: 'sha256:used', parentId: 'sha256:mid3', tags: ['testbed/router2600:used333'], created: 410, size: 305e6 },
  { id: 'sha256:other', parentId: '', tags: ['node:20-bookworm-slim', 'debian:bookworm'], created: 50, size: 200e6 },
];
const parentOf = (id: string) => images.find((i) => i.id === id)?.parentId ?? '';
const current = ['testbed/base:debootstrap-aaa', 'testbed/router2600:cur222'];
const containers = { 'tb-lab1-daphne': 'testbed/router2600:used333', postgres: 'sha256:other' };

test('only testbed images are listed, newest first, with their role, state and the containers on them', (t) => {
  const list = labImages(images, current, containers);
  t.deepEqual(
    list.map((i) => [i.tag, i.role, i.current, i.usedBy]),
    [
      ['testbed/router2600:used333', 'router', false, ['tb-lab1-daphne']],
      ['testbed/router2600:cur222', 'router', true, []],
      ['testbed/router2600:old111', 'router', false, []],
      // the base under a container's image is in use too
      ['testbed/base:registry-bbb', 'base', false, ['tb-lab1-daphne']],
      ['testbed/base:debootstrap-aaa', 'base', true, []],
    ],
  );
});

test('prune removes old images only: current and used ones stay, and so does a base under them', (t) => {
  const plan = planPrune(labImages(images, current, containers), false, parentOf);
  t.deepEqual(
    plan.remove.map((i) => i.tag),
    ['testbed/router2600:old111'],
  );
  t.deepEqual(plan.keep.map((k) => [k.image.tag, k.why]).sort(), [
    ['testbed/base:debootstrap-aaa', 'current'],
    ['testbed/base:registry-bbb', 'used by tb-lab1-daphne'],
    ['testbed/router2600:cur222', 'current'],
    ['testbed/router2600:used333', 'used by tb-lab1-daphne'],
  ]);
});

test('prune --all also removes the current images, routers before their base, and never one a container uses', (t) => {
  const plan = planPrune(labImages(images, current, containers), true, parentOf);
  t.deepEqual(
    plan.remove.map((i) => i.tag),
    ['testbed/router2600:cur222', 'testbed/router2600:old111', 'testbed/base:debootstrap-aaa'],
  );
  t.deepEqual(plan.keep.map((k) => k.image.tag).sort(), ['testbed/base:registry-bbb', 'testbed/router2600:used333']);
});

test('an old base stays while an image that stays is built on it', (t) => {
  // the current router image is built on the old registry base
  const list = labImages(images, ['testbed/router2600:used333'], {});
  const plan = planPrune(list, false, parentOf);
  t.deepEqual(
    plan.keep.map((k) => [k.image.tag, k.why]),
    [
      ['testbed/router2600:used333', 'current'],
      ['testbed/base:registry-bbb', 'an image that stays is built on it'],
    ],
  );
  t.deepEqual(
    plan.remove.map((i) => i.tag),
    ['testbed/router2600:cur222', 'testbed/router2600:old111', 'testbed/base:debootstrap-aaa'],
  );
});

test('a second name of an image that stays is removed as a name', (t) => {
  const twice = images.map((i) => (i.id === 'sha256:cur' ? { ...i, tags: [...i.tags, 'testbed/router2600:alias444'] } : i));
  const plan = planPrune(labImages(twice, current, {}), false, parentOf);
  t.deepEqual(
    plan.remove.map((i) => i.tag),
    ['testbed/router2600:used333', 'testbed/router2600:alias444', 'testbed/router2600:old111', 'testbed/base:registry-bbb'],
  );
  t.true(plan.keep.some((k) => k.image.tag === 'testbed/router2600:cur222' && k.why === 'current'));
});

test('a container known by the short id of its image still holds it', (t) => {
  const list = labImages(images, [], { c1: 'old1' });
  t.deepEqual(list.find((i) => i.tag === 'testbed/router2600:old111')?.usedBy, ['c1']);
});

test('the text of ls and prune', (t) => {
  const list = labImages(images, current, containers);
  const text = renderImages(list);
  t.regex(text, /^IMAGE\s+ROLE\s+SIZE\s+CREATED\s+STATE$/m);
  t.regex(text, /^testbed\/router2600:old111\s+router\s+379 MB\s+1970-01-01T00:03:30Z\s+old$/m);
  t.regex(text, /^testbed\/router2600:used333\s+router\s+305 MB\s+\S+\s+in use \(tb-lab1-daphne\)$/m);
  t.is(renderImages([]), 'no lab images on this machine\n');
  const plan = planPrune(list, false, parentOf);
  t.is(
    renderPrune({ removed: plan.remove, kept: plan.keep.slice(0, 1), bytes: 379e6 }),
    'removed testbed/router2600:old111\n1 image removed (up to 379 MB; layers they share with kept images stay)\nkept testbed/router2600:used333: used by tb-lab1-daphne\n',
  );
  t.is(renderPrune({ removed: [], kept: [], bytes: 0 }), 'no lab image to remove\n');
  t.deepEqual([0, 999, 1000, 1234567, 12.5e9].map(formatBytes), ['0 B', '999 B', '1.0 kB', '1.2 MB', '13 GB']);
});

test("an image Docker refuses to remove is reported as kept with Docker's reason, and the rest goes on", async (t) => {
  const removed: string[] = [];
  // no base image exists for this engine, so nothing is current
  const engine = {
    listImages: async () => images,
    listContainers: async () => [],
    imageExists: async () => false,
    removeImage: async (tag: string) => {
      if (tag === 'testbed/router2600:cur222')
        throw new DockerError('cannot remove image testbed/router2600:cur222: conflict: image is being used by stopped container 1234');
      removed.push(tag);
    },
  } as unknown as Engine;
  const result = await pruneImages(engine, { all: false });
  t.deepEqual(removed, ['testbed/router2600:used333', 'testbed/router2600:old111', 'testbed/base:registry-bbb', 'testbed/base:debootstrap-aaa']);
  t.deepEqual(
    result.kept.map((k) => [k.image.tag, k.why]),
    [['testbed/router2600:cur222', 'Docker refused: cannot remove image testbed/router2600:cur222: conflict: image is being used by stopped container 1234']],
  );
  t.is(result.bytes, 305e6 + 379e6 + 300e6 + 375e6);
});
