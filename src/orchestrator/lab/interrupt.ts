/**
 * Clean stops: what `up` and `test` do on SIGINT or SIGTERM. The work in
 * progress goes on (a Docker request already sent is answered, and its
 * network or container exists afterwards), so the handler does not remove
 * the lab at once: it refuses every new creation, waits until every request
 * already in flight has been answered, removes the lab by its labels
 * (down.ts), and looks again until nothing with the lab's labels or its
 * iptables comment is left. Then the process exits with 130.
 *
 * The requests are seen through a proxy of the Engine (and of the
 * firewall) that `up` and `test` are given instead of the real ones.
 */
import type { Engine } from '../docker/engine.js';
import { LAB_LABEL, OWNER_LABEL, OWNER_VALUE } from '../../contract/labels.js';
import type { Progress } from '../progress.js';
import { down } from './down.js';
import type { Firewall } from './firewall.js';

export class InterruptedError extends Error {
  override name = 'InterruptedError';
}

/** Engine calls that add something to a lab: refused once the stop has begun. */
const CREATING = new Set(['createNetwork', 'createContainer', 'startContainer', 'restartContainer', 'connectNetwork', 'allowBridges']);
/** Calls whose effect must be waited for before the lab is removed (creations, and what a firewall helper runs). */
const TRACKED = new Set([...CREATING, 'exec', 'putFiles', 'removeContainer', 'removeNetwork', 'stopContainer']);

export class Interrupter {
  private stopping = false;
  private creations = 0;
  private readonly inFlight = new Set<Promise<unknown>>();

  /** Has anything been created through the wrapped objects (so there may be something to remove)? */
  get createdAnything(): boolean {
    return this.creations > 0;
  }

  get interrupted(): boolean {
    return this.stopping;
  }

  /** `target` with its creating calls tracked, and refused after `interrupt()`. */
  wrap<T extends object>(target: T): T {
    return new Proxy(target, {
      get: (obj, prop, receiver) => {
        const value = Reflect.get(obj, prop, receiver) as unknown;
        if (typeof value !== 'function' || typeof prop !== 'string' || !TRACKED.has(prop)) return value;
        return (...args: unknown[]) => {
          if (CREATING.has(prop)) {
            if (this.stopping) return Promise.reject(new InterruptedError(`interrupted: ${prop} refused`));
            this.creations++;
          }
          const p = Promise.resolve((value as (...a: unknown[]) => unknown).apply(obj, args));
          this.inFlight.add(p);
          const forget = () => this.inFlight.delete(p);
          p.then(forget, forget);
          return p;
        };
      },
    });
  }

  interrupt(): void {
    this.stopping = true;
  }

  /** Until every tracked call has been answered (new ones may start while we wait: wait for those too). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }
}

/** Is anything of the lab left (containers, networks, iptables rules)? */
async function leftovers(engine: Engine, lab: string, firewall: Firewall | undefined): Promise<number> {
  const labels = { [OWNER_LABEL]: OWNER_VALUE, [LAB_LABEL]: lab };
  const [c, n] = await Promise.all([engine.listContainers(labels), engine.listNetworks(labels)]);
  const rules = firewall ? (await firewall.listRules(lab).catch(() => [])).length : 0;
  return c.length + n.length + rules;
}

/**
 * Stop: refuse new creations, wait for those in flight, remove the lab,
 * and sweep again until nothing is left (at most five rounds).
 */
export async function stopCleanly(interrupter: Interrupter, engine: Engine, lab: string | undefined, progress: Progress, firewall?: Firewall): Promise<void> {
  interrupter.interrupt();
  await interrupter.settled();
  if (!lab) return;
  for (let round = 0; round < 5; round++) {
    await down(engine, lab, { firewall }).catch((e: unknown) => progress.note(`note: ${(e as Error).message}`));
    await interrupter.settled();
    if ((await leftovers(engine, lab, firewall).catch(() => 1)) === 0) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  progress.note(`note: something of lab ${lab} is still there; run testbed down ${lab}`);
}

/**
 * Install the SIGINT/SIGTERM handler of a command that creates a lab.
 * `lab()` says which lab to remove (undefined: none yet, or one to keep).
 * Returns a function that uninstalls it.
 */
export function onStopSignals(
  interrupter: Interrupter,
  engine: Engine,
  lab: () => string | undefined,
  progress: Progress,
  firewall: Firewall | undefined,
  exitCode: number,
): () => void {
  let started = false;
  const handler = (signal: NodeJS.Signals) => {
    if (started) {
      progress.note(`${signal}: still removing what was created ...`);
      return;
    }
    started = true;
    progress.note('interrupted: removing what was created ...');
    const finish = () => process.exit(exitCode);
    // a lab of that name that we have not begun to create (up refuses one that exists) is not ours to remove
    stopCleanly(interrupter, engine, interrupter.createdAnything ? lab() : undefined, progress, firewall).then(finish, finish);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
