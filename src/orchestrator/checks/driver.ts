/**
 * What the runner needs from a lab, behind one interface: the real one
 * (lab-driver.ts) talks to Docker, unit tests use their own. Time too is
 * passed in, so retries are tested without sleeping.
 */
import type { CapturedPacket } from '../capture/pcap-reader.js';
import type { ExecOutput } from '../lab/types.js';
import type { Direction, Knobs } from '../impair/spec.js';

export interface LabDriver {
  /** IOS lines (one console session) on a router, a shell command line on a host. Never throws on a non-zero exit. */
  exec(node: string, command: string[] | string, timeoutMs?: number): Promise<ExecOutput>;
  /** Packets captured on a link so far. */
  packets(link: string): Promise<CapturedPacket[]>;
  /** Restart a node and wait until it is ready. */
  restart(node: string, timeoutMs: number): Promise<void>;
  /** Disconnect the link's endpoints (all, or those of `nodes`); returns what was done. */
  cut(link: string, nodes: string[] | null): Promise<string>;
  /** Reconnect them with their addresses; waits until routers bring the interface up. Clears the link's impairment. */
  restore(link: string, nodes: string[] | null): Promise<string>;
  /** Impair a link (or one endpoint of it) with these knobs, merged with those in force; null clears. Returns what was done. */
  impair(link: string, endpoint: string | null, direction: Direction, knobs: Knobs | null): Promise<string>;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};
