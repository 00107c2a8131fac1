/**
 * `testbed generate`: write an N-spoke TED lab (generate/ makes the files as
 * data; this writes them). A lab already there is replaced only with
 * --force, which also removes router configs of an earlier, larger run from
 * the lab's folder.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateTedLab, GenerateError, type AclStyle, type Shape, type SuiteName } from '../generate/index.js';
import type { View } from './render.js';

export interface GenerateCommandOptions {
  /** Where the package's schema/topology.schema.json is (the topology's `$schema` line points there). */
  schemaFile: string;
}

function whole(v: string | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new GenerateError(`${what} must be a whole number, not "${v}"`);
  return Number(v);
}

export async function cmdGenerate(argv: string[], opts: GenerateCommandOptions): Promise<{ view: View; code: number }> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: {
        json: { type: 'boolean' },
        spokes: { type: 'string' },
        shape: { type: 'string' },
        acl: { type: 'string' },
        suite: { type: 'string' },
        'per-segment': { type: 'string' },
        name: { type: 'string' },
        output: { type: 'string' },
        force: { type: 'boolean' },
      },
    });
  } catch (e) {
    throw new GenerateError(`generate: ${(e as Error).message}`);
  }
  const v = parsed.values;
  if (v.spokes === undefined) throw new GenerateError('generate needs --spokes N (2 to 1000)');
  const output = v.output ?? '.';
  const outDir = resolve(output);
  const lab = generateTedLab({
    spokes: whole(v.spokes, '--spokes')!,
    shape: v.shape as Shape | undefined,
    acl: v.acl as AclStyle | undefined,
    suite: v.suite as SuiteName | undefined,
    perSegment: whole(v['per-segment'], '--per-segment'),
    name: v.name,
    output,
    schema: relative(outDir, opts.schemaFile).split('\\').join('/'),
  });
  const topology = join(outDir, lab.topology);
  const folder = join(outDir, lab.name);
  const stale = existsSync(folder) ? (await readdir(folder)).filter((f) => f.endsWith('.cfg') && !lab.files.some((g) => g.path === `${lab.name}/${f}`)) : [];
  if (!v.force && (existsSync(topology) || existsSync(folder))) {
    throw new GenerateError(`${existsSync(topology) ? topology : folder} exists already: --force replaces the lab (and removes other .cfg files in ${folder})`);
  }
  for (const f of stale) await rm(join(folder, f));
  for (const f of lab.files) {
    const path = join(outDir, f.path);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, f.content);
  }
  const shown = (p: string) => relative(process.cwd(), p) || '.';
  return {
    view: {
      type: 'generated',
      lab: lab.name,
      topology: shown(topology),
      folder: shown(folder),
      files: lab.files.map((f) => shown(join(outDir, f.path))),
      removed: stale.map((f) => shown(join(folder, f))),
      summary: lab.summary,
    },
    code: 0,
  };
}
