/** What a run produces: one result per step, and the run's summary. Plain data, for the reporters. */
import type { SourcePos } from '../topology/source.js';
import type { StepKind } from './types.js';

export type StepStatus = 'passed' | 'failed' | 'error' | 'skipped';

/** What a node answered (the last attempt). */
export interface Evidence {
  node: string | null;
  command: string | null;
  exitCode: number | null;
  output: string;
}

export interface StepFailure {
  node: string | null;
  expected: string;
  found: string;
}

export interface StepResult {
  name: string;
  description: string | null;
  kind: StepKind;
  /** A check (exec, show, capture) rather than an action. */
  check: boolean;
  status: StepStatus;
  durationMs: number;
  attempts: number;
  /** For checks with `wait`: the timeout that was reached, when it was. */
  timedOutAfterMs: number | null;
  failures: StepFailure[];
  evidence: Evidence[];
  /** What an action did. */
  detail: string | null;
  /** An error that kept the step from running to the end. */
  error: string | null;
  /** Why the step was skipped. */
  skipped: string | null;
  pos: SourcePos;
}

export interface RunSummary {
  topology: string;
  lab: string;
  startedAt: string;
  durationMs: number;
  status: 'passed' | 'failed';
  counts: { total: number; passed: number; failed: number; errors: number; skipped: number };
  steps: StepResult[];
  artifacts: string | null;
}

export function summarise(topology: string, lab: string, startedAt: number, durationMs: number, steps: StepResult[], artifacts: string | null): RunSummary {
  const count = (s: StepResult['status']) => steps.filter((x) => x.status === s).length;
  const counts = { total: steps.length, passed: count('passed'), failed: count('failed'), errors: count('error'), skipped: count('skipped') };
  return {
    topology,
    lab,
    startedAt: new Date(startedAt).toISOString(),
    durationMs,
    status: counts.failed + counts.errors === 0 ? 'passed' : 'failed',
    counts,
    steps,
    artifacts,
  };
}
