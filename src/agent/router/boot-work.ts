/**
 * What a router does in the background after its ready line (the warm-up
 * of the IKE and ESP code, filling the Diffie-Hellman pool), and when that
 * was over. Reported to benchmarks through the control socket (`ios
 * --status`, never an IOS command): bench:up times a lab both to the ready
 * lines and to the moment every router is idle.
 */
import type { DhPoolStatus } from './dh-pool.js';
import type { CodeCacheState } from '../io/code-cache.js';

export interface AgentStatus {
  /** Times are milliseconds since the epoch (the containers share the host's clock); null: not yet. */
  readonly readyAt: number | null;
  readonly warmup: { readonly startedAt: number | null; readonly doneAt: number | null };
  readonly dhPool: DhPoolStatus;
  /** When both the warm-up and the pool's refilling were over (the later of the two); null while either runs. */
  readonly idleAt: number | null;
  /** How the agent's code was loaded (src/agent/io/code-cache.ts); null: not through the loader (its modules unbundled). */
  readonly codeCache: CodeCacheState | null;
  /** The boot's steps as they ended, in order, each with the agent process's CPU used by then (its own, not its children's). */
  readonly phases: readonly BootPhase[];
  /** The agent process's CPU used by the time of this status, ms (since the process started: Node's own start included). */
  readonly cpuMs: number;
  /** When this status was taken. */
  readonly at: number;
}

export interface BootPhase {
  readonly phase: string;
  readonly at: number;
  readonly cpuMs: number;
}

/** CPU this process has used since it started (user + system, every thread), ms. */
export function processCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export class BootWork {
  readyAt: number | null = null;
  private warmupStartedAt: number | null = null;
  private warmupDoneAt: number | null = null;

  private readonly phases: BootPhase[] = [];

  constructor(
    private readonly pool: () => DhPoolStatus,
    private readonly now: () => number = Date.now,
    private readonly codeCache: CodeCacheState | null = null,
    private readonly cpu: () => number = processCpuMs,
  ) {}

  /** A step of the boot ended (or, for `warm-up`, the warm-up after it). */
  mark(phase: string): void {
    this.phases.push({ phase, at: this.now(), cpuMs: this.cpu() });
  }

  /** The ready line was printed. */
  ready(): void {
    this.readyAt = this.now();
    this.mark('ready');
  }

  /** Follow a warm-up: started now, over when the promise settles. */
  warmup(run: Promise<void>): void {
    this.warmupStartedAt = this.now();
    const done = () => {
      this.warmupDoneAt = this.now();
      this.mark('warm-up');
    };
    run.then(done, done);
  }

  status(): AgentStatus {
    const dhPool = this.pool();
    const idleAt = this.warmupDoneAt !== null && dhPool.idleSince !== null ? Math.max(this.warmupDoneAt, dhPool.idleSince) : null;
    return {
      readyAt: this.readyAt,
      warmup: { startedAt: this.warmupStartedAt, doneAt: this.warmupDoneAt },
      dhPool,
      idleAt,
      codeCache: this.codeCache,
      phases: [...this.phases],
      cpuMs: this.cpu(),
      at: this.now(),
    };
  }

  /** The status once the router is idle, or as it is after `timeoutMs`. */
  async whenIdle(timeoutMs: number, pollMs = 10): Promise<AgentStatus> {
    const end = this.now() + timeoutMs;
    for (;;) {
      const s = this.status();
      if (s.idleAt !== null || s.at >= end) return s;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }
}
