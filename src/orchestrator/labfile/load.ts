/**
 * Loading a lab file: the topology (nodes and links, topology/load.ts) and
 * the checks of its tests: section (checks/parse.ts), validated against the
 * one schema both come from. Every problem is reported, with file, line and
 * column, before anything is created on the host.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { builtinKinds } from '../../kinds/index.js';
import type { KindRegistry } from '../../kinds/registry.js';
import { parseSteps } from '../checks/parse.js';
import { labShape } from '../checks/shape.js';
import type { Step } from '../checks/types.js';
import { resolveTopology } from '../topology/load.js';
import type { RawTopology } from '../topology/schema.js';
import { displayPath, sortIssues, TopologyError, type Locate } from '../topology/source.js';
import type { Topology } from '../topology/types.js';
import { labFileSchema } from './schema.js';
import { compileSchema, parseLabFileText } from './yaml.js';

export interface LabFile {
  topology: Topology;
  /** The `tests:` section: checks and actions for `testbed test` (docs/testing.md). */
  tests: Step[];
}

export interface LoadOptions {
  /** The node kinds to read the file with (default: the built-in ones). */
  kinds?: KindRegistry;
}

const validators = new WeakMap<KindRegistry, ReturnType<typeof compileSchema>>();

function validatorFor(kinds: KindRegistry): ReturnType<typeof compileSchema> {
  let v = validators.get(kinds);
  if (!v) {
    v = compileSchema(labFileSchema(kinds));
    validators.set(kinds, v);
  }
  return v;
}

/** YAML syntax and the schema alone (pure): the data and where each part of it is. Throws TopologyError. */
export function parseLabFile(text: string, file: string, opts: LoadOptions = {}): { data: RawTopology & { tests?: unknown[] }; locate: Locate } {
  const { data, locate } = parseLabFileText(text, file, validatorFor(opts.kinds ?? builtinKinds));
  return { data: data as RawTopology & { tests?: unknown[] }, locate };
}

/** Read and check a lab file: topology and tests. Throws TopologyError with every problem. */
export async function loadLabFile(path: string, opts: LoadOptions = {}): Promise<LabFile> {
  const kinds = opts.kinds ?? builtinKinds;
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new TopologyError([{ file: displayPath(file), line: 1, column: 1, message: `cannot read the topology file: ${(e as Error).message}` }]);
  }
  const { data, locate } = parseLabFile(text, file, { kinds });
  const { topology, issues } = await resolveTopology(data, locate, file, kinds);
  const { steps, issues: checkIssues } = parseSteps(data.tests ?? [], locate, labShape(topology));
  issues.push(...checkIssues);
  if (issues.length > 0) throw new TopologyError(sortIssues(issues));
  return { topology, tests: steps };
}

/** The topology of a lab file (its tests checked too, as `up` and `validate` do). */
export async function loadTopology(path: string, opts: LoadOptions = {}): Promise<Topology> {
  return (await loadLabFile(path, opts)).topology;
}
