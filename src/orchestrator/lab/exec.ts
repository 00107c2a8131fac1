/**
 * Acting on one node of a running lab: run a command on it (its kind says
 * how: IOS lines on routers, a shell command line elsewhere), or restart it
 * and wait, with its kind's readiness strategy, until it is up again.
 */
import { KIND_LABEL } from '../../contract/labels.js';
import { builtinKinds } from '../../kinds/index.js';
import type { NodeKind } from '../../kinds/kind.js';
import type { KindRegistry } from '../../kinds/registry.js';
import { NotReadyError } from '../../kinds/wait.js';
import { DockerError, type ContainerInfo, type Engine, type OutputStream } from '../docker/engine.js';
import { findNode } from './inventory.js';
import { LabError, type ExecOutput } from './types.js';

/** The kind of a node's container, by its label. */
export function kindOfContainer(c: ContainerInfo, node: string, kinds: KindRegistry = builtinKinds): NodeKind {
  const name = c.labels[KIND_LABEL];
  const kind = kinds.find(name);
  if (!kind) throw new LabError(`node ${node} is of kind "${name ?? ''}", which this testbed does not know (kinds: ${kinds.names.join(', ')})`);
  return kind;
}

export interface NodeExecOptions {
  /** Give up after this many ms. */
  timeoutMs?: number;
  kinds?: KindRegistry;
  /** The output as it comes, each stream apart (`testbed exec` prints it so); the result still holds all of it. */
  onOutput?: (stream: OutputStream, text: string) => void;
}

/**
 * Run a command on a node: IOS exec commands on routers (several lines form
 * one console session, e.g. configure terminal ... end), a shell command
 * line on hosts. Never throws for a non-zero exit.
 */
export async function runOnNode(engine: Engine, lab: string, node: string, command: string | string[], opts: NodeExecOptions = {}): Promise<ExecOutput> {
  const c = await findNode(engine, lab, node);
  const kind = kindOfContainer(c, node, opts.kinds ?? builtinKinds);
  const res = await engine
    .exec(c.id, kind.execCommand(command), { timeoutMs: opts.timeoutMs, ...(opts.onOutput ? { onOutput: opts.onOutput } : {}) })
    .catch((e: unknown) => {
      throw e instanceof DockerError ? new LabError(`${node}: ${e.message}`) : e;
    });
  return { node, kind: kind.name, ...res };
}

/** runOnNode, the output given at the end only. */
export function execOnNode(
  engine: Engine,
  lab: string,
  node: string,
  command: string | string[],
  timeoutMs?: number,
  kinds: KindRegistry = builtinKinds,
): Promise<ExecOutput> {
  return runOnNode(engine, lab, node, command, { timeoutMs, kinds });
}

/** Restart a node's container and wait until its kind says it is ready again. */
export async function restartNode(engine: Engine, lab: string, node: string, timeoutMs = 60000, kinds: KindRegistry = builtinKinds): Promise<void> {
  const c = await findNode(engine, lab, node);
  const readiness = kindOfContainer(c, node, kinds).readiness.withTimeout(timeoutMs);
  const before = await engine.logs(c.id);
  await engine.restartContainer(c.id, 2);
  await readiness.wait(node, { follow: (onText) => engine.followLogs(c.id, onText) }, before).catch((e: unknown) => {
    throw e instanceof NotReadyError ? new LabError(e.message) : e;
  });
}
