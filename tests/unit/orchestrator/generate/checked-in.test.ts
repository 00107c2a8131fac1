/**
 * The generated labs checked into topologies/ are the generator's output,
 * byte for byte: each is written again by the command in its header, and
 * this test fails when the files and the generator part ways (regenerate
 * with that command, docs/topology.md).
 */
import test from 'ava';
import { readdir, readFile } from 'node:fs/promises';
import { generateTedLab, type TedLabOptions } from '../../../../src/orchestrator/generate/index.js';
import { root } from '../../../root.js';

const CHECKED_IN: TedLabOptions[] = [
  { spokes: 3, shape: 'shared', acl: 'per-peer', suite: 'aes256-pfs', name: 'ted-shared-3' },
  { spokes: 10, shape: 'core', perSegment: 4, acl: 'supernet', suite: 'seed', name: 'ted-core-10' },
];

for (const opts of CHECKED_IN) {
  test(`topologies/${opts.name}.yaml and its configs are what the generator writes`, async (t) => {
    const lab = generateTedLab({ ...opts, output: 'topologies', schema: '../schema/topology.schema.json' });
    for (const f of lab.files)
      t.is(await readFile(`${root}topologies/${f.path}`, 'utf8'), f.content, `topologies/${f.path} differs: regenerate it (${lab.summary.command})`);
    const configs = (await readdir(`${root}topologies/${opts.name}`)).sort();
    t.deepEqual(
      configs,
      lab.files
        .filter((f) => f.path.endsWith('.cfg'))
        .map((f) => f.path.split('/')[1]!)
        .sort(),
      'no other files in the config folder',
    );
    const header = (await readFile(`${root}topologies/${opts.name}.yaml`, 'utf8')).split('\n').find((l) => l.startsWith('#   npx testbed generate'));
    t.is(header, `#   ${lab.summary.command}`, 'the header names the command that writes the lab');
  });
}
