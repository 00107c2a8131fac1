/** Placement of a lab's nodes on the engines of a swarm, and what that makes of each link. */
import test from 'ava';
import { neighbourOrder, parsePlaceOptions, place, placeLinks, PlacementError, shares } from '../../../../src/orchestrator/engines/placement.js';

const two = [
  { name: 'e1', capacity: 2 },
  { name: 'e2', capacity: 2 },
];
const seedNodes = ['daphne', 'fred', 'd1', 'a1'];

test('shares follow capacity and always add up to the node count', (t) => {
  t.deepEqual(shares(two, 4), [2, 2]);
  t.deepEqual(shares(two, 5), [3, 2]);
  t.deepEqual(
    shares(
      [
        { name: 'a', capacity: 1 },
        { name: 'b', capacity: 3 },
      ],
      8,
    ),
    [2, 6],
  );
  t.deepEqual(
    shares(
      [
        { name: 'a', capacity: 0 },
        { name: 'b', capacity: 0 },
      ],
      3,
    ),
    [3, 0],
  );
  for (let n = 0; n < 20; n++)
    t.is(
      shares(
        [
          { name: 'a', capacity: 1 },
          { name: 'b', capacity: 2 },
          { name: 'c', capacity: 4 },
        ],
        n,
      ).reduce((a, b) => a + b, 0),
      n,
    );
});

test('automatic placement fills engines in topology order, by capacity', (t) => {
  const p = place({
    nodes: ['r1', 'h1', 'r2', 'h2', 'r3', 'h3'],
    engines: [
      { name: 'big', capacity: 4 },
      { name: 'small', capacity: 2 },
    ],
  });
  t.deepEqual(
    [...p],
    [
      ['r1', 'big'],
      ['h1', 'big'],
      ['r2', 'big'],
      ['h2', 'big'],
      ['r3', 'small'],
      ['h3', 'small'],
    ],
  );
  t.deepEqual([...place({ nodes: ['a', 'b'], engines: [{ name: 'only', capacity: 1 }] }).values()], ['only', 'only']);
});

test('the seed split: pins from the topology, --place beats them, the rest fills around the pins', (t) => {
  const p = place({ nodes: seedNodes, engines: two, pinned: { daphne: 'e1', d1: 'e1', fred: 'e1' }, overrides: { fred: 'e2' } });
  t.deepEqual(Object.fromEntries(p), { daphne: 'e1', fred: 'e2', d1: 'e1', a1: 'e2' });
  // pins beyond an engine's share: the unpinned go where there is room
  const crowded = place({ nodes: seedNodes, engines: two, pinned: { daphne: 'e1', fred: 'e1', d1: 'e1' } });
  t.is(crowded.get('a1'), 'e2');
});

test('a pin naming an unknown engine or node is an error that says which and lists the choices', (t) => {
  const e1 = t.throws(() => place({ nodes: seedNodes, engines: two, pinned: { fred: 'e3' } }), { instanceOf: PlacementError });
  t.is(e1.message, 'placement.fred: node fred is placed on "e3", which is not an engine of the swarm (engines: e1, e2)');
  const e2 = t.throws(() => place({ nodes: seedNodes, engines: two, overrides: { frde: 'e2' } }), { instanceOf: PlacementError });
  t.is(e2.message, '--place frde=e2: no node named "frde" in the lab (nodes: daphne, fred, d1, a1)');
  t.throws(() => place({ nodes: seedNodes, engines: [] }), { instanceOf: PlacementError, message: /no Docker engine/ });
});

test('--place values are node=engine pairs; anything else is refused', (t) => {
  t.deepEqual(parsePlaceOptions(['fred=e2', 'a1=e2']), { fred: 'e2', a1: 'e2' });
  t.throws(() => parsePlaceOptions(['fred']), { instanceOf: PlacementError, message: '--place fred: expected node=engine, for example --place fred=e2' });
  t.throws(() => parsePlaceOptions(['fred=e1', 'fred=e2']), { instanceOf: PlacementError, message: /already placed on e1/ });
});

test('links within one engine stay bridges, links across engines become overlays', (t) => {
  const placement = new Map(Object.entries({ daphne: 'e1', d1: 'e1', fred: 'e2', a1: 'e2' }));
  const links = [
    { name: 'wan', endpoints: [{ node: 'daphne' }, { node: 'fred' }] },
    { name: 'lan-daphne', endpoints: [{ node: 'daphne' }, { node: 'd1' }] },
    { name: 'lan-fred', endpoints: [{ node: 'fred' }, { node: 'a1' }] },
  ];
  t.deepEqual(placeLinks(links, placement, ['e1', 'e2']), [
    { link: 'wan', engines: ['e1', 'e2'], overlay: true },
    { link: 'lan-daphne', engines: ['e1'], overlay: false },
    { link: 'lan-fred', engines: ['e2'], overlay: false },
  ]);
});

const seedLinks = [
  { endpoints: [{ node: 'daphne' }, { node: 'fred' }] },
  { endpoints: [{ node: 'daphne' }, { node: 'd1' }] },
  { endpoints: [{ node: 'fred' }, { node: 'a1' }] },
];

test('the walk along the links puts each host right after its router: the seed splits router and host together', (t) => {
  t.deepEqual(neighbourOrder(seedNodes, seedLinks), ['daphne', 'd1', 'fred', 'a1']);
  t.deepEqual(Object.fromEntries(place({ nodes: seedNodes, engines: two, links: seedLinks })), { daphne: 'e1', d1: 'e1', fred: 'e2', a1: 'e2' });
  // a node on no link starts a walk of its own
  t.deepEqual(neighbourOrder(['x', ...seedNodes], seedLinks), ['x', 'daphne', 'd1', 'fred', 'a1']);
});

test('a hub with spokes on shared segments: each spoke with its host, spokes of a segment together', (t) => {
  const nodes = ['core', 's1', 's2', 's3', 's4', 'h1', 'h2', 'h3', 'h4'];
  const links = [
    { endpoints: [{ node: 'core' }, { node: 's1' }, { node: 's2' }] },
    { endpoints: [{ node: 'core' }, { node: 's3' }, { node: 's4' }] },
    ...[1, 2, 3, 4].map((i) => ({ endpoints: [{ node: `s${i}` }, { node: `h${i}` }] })),
  ];
  t.deepEqual(neighbourOrder(nodes, links), ['core', 's1', 'h1', 's2', 'h2', 's3', 'h3', 's4', 'h4']);
  const p = place({ nodes, engines: two, links });
  // every LAN stays on one engine
  t.true([1, 2, 3, 4].every((i) => p.get(`s${i}`) === p.get(`h${i}`)));
});
