/**
 * `testbed test`: load the topology (invalid checks stop everything here),
 * bring the lab up with captures (or use the running one with `keep`), run
 * the selected steps, collect the artifacts, write the reports, and tear
 * the lab down unless it is kept. The lab is removed even when a step or
 * the run itself fails.
 */
import { resolve } from 'node:path';
import { DockerodeEngine } from '../docker/dockerode.js';
import type { Engine } from '../docker/engine.js';
import type { Firewall } from '../lab/firewall.js';
import type { BaseStrategy } from '../image/build.js';
import { Lab } from '../lab/lab.js';
import { status } from '../lab/inventory.js';
import { loadLabFile } from '../labfile/load.js';
import { silentProgress, type Progress } from '../progress.js';
import { displayPath } from '../topology/source.js';
import { labShape } from './shape.js';
import type { Topology } from '../topology/types.js';
import { collectLabArtifacts, writeReports } from './artifacts.js';
import { systemClock, type Clock } from './driver.js';
import { RealLabDriver } from './lab-driver.js';
import { summarise, type RunSummary } from './results.js';
import { Runner, selectSteps, SelectionError, type RunListener } from './runner.js';
import type { Step } from './types.js';

export interface TestOptions {
  /** Lab name (default: the topology's name). */
  name?: string;
  /** Use the lab if it is up already, and leave it up afterwards. */
  keep?: boolean;
  only?: string[];
  node?: string;
  /** The run's artifacts folder (default artifacts/<lab>/test-<time>). */
  artifacts?: string;
  base?: BaseStrategy;
  engine?: Engine;
  /** The host's firewall for the lab's transit rules (default: up chooses). */
  firewall?: Firewall;
  /** Progress of bringing the lab up and down. */
  progress?: Progress;
  /** On a swarm: node -> engine, beating the topology's `placement:` (`--place`). */
  place?: Record<string, string>;
  listener?: RunListener;
  clock?: Clock;
  /** Called once the steps are known and before the lab is touched. */
  onPlan?(plan: { topology: Topology; lab: string; steps: Step[]; keep: boolean; artifacts: string }): void;
  /** Called when the lab exists (for the CLI's Ctrl-C handler). */
  onLab?(lab: string, created: boolean): void;
}

/** The lab could not be brought up (exit code 3). */
export class LabUpError extends Error {
  override name = 'LabUpError';
}

function stamp(t: number): string {
  return new Date(t).toISOString().replace(/[-:]/g, '').replace('T', '-').replace(/\..*$/, '');
}

export async function runTests(topologyPath: string, opts: TestOptions = {}): Promise<RunSummary> {
  const clock = opts.clock ?? systemClock;
  const progress = opts.progress ?? silentProgress;
  const { topology, tests } = await loadLabFile(topologyPath); // TopologyError: before anything is created
  if (tests.length === 0) throw new SelectionError(`${displayPath(topology.file)} has no tests: section (docs/testing.md)`);
  const shape = labShape(topology);
  const steps = selectSteps(tests, { only: opts.only, node: opts.node }, shape);
  if (steps.length === 0) throw new SelectionError(`no step involves node ${opts.node}`);
  const labName = opts.name ?? topology.name;
  const started = clock.now();
  const artifacts = resolve(opts.artifacts ?? resolve('artifacts', labName, `test-${stamp(started)}`));
  opts.onPlan?.({ topology, lab: labName, steps, keep: opts.keep === true, artifacts });

  const engine = opts.engine ?? new DockerodeEngine();
  let lab: Lab;
  let startedCapture = false;
  try {
    const existing = opts.keep ? await status(engine, labName) : null;
    if (existing) {
      lab = await Lab.attach(labName, { engine, kinds: topology.kinds });
      opts.onLab?.(labName, false);
      if (existing.topology && existing.topology !== topology.file) progress.note(`note: lab ${labName} was brought up from ${existing.topology}`);
      if (!lab.info.capturing) {
        await lab.startCapture();
        startedCapture = true;
      }
    } else {
      opts.onLab?.(labName, true);
      lab = await Lab.up(topology.file, {
        name: labName,
        capture: true,
        artifacts,
        base: opts.base,
        progress,
        engine,
        kinds: topology.kinds,
        firewall: opts.firewall,
        ...(opts.place ? { place: opts.place } : {}),
      });
    }
  } catch (e) {
    throw new LabUpError((e as Error).message);
  }

  const runner = new Runner(new RealLabDriver(lab, topology), { shape, clock, listener: opts.listener, captureFrom: clock.now() });
  try {
    let results;
    try {
      results = await runner.run(steps);
    } finally {
      await runner.stopAllFlows();
    }
    await lab.refresh().catch(() => undefined);
    await collectLabArtifacts(lab, topology, artifacts).catch((e: unknown) => progress.note(`note: could not collect every artifact: ${(e as Error).message}`));
    const summary = summarise(displayPath(topology.file), labName, started, clock.now() - started, results, artifacts);
    await writeReports(summary, artifacts);
    return summary;
  } finally {
    if (startedCapture) await lab.stopCapture().catch(() => undefined);
    if (!opts.keep) await lab.down();
  }
}
