/** The live terminal report: a line while a step runs (on a terminal), its block when it ends. */
import type { RunListener } from '../runner.js';
import type { StepResult } from '../results.js';
import type { Step } from '../types.js';
import { formatStep } from './text.js';

export function liveReporter(write: (s: string) => void, tty: boolean): RunListener {
  const color = tty && !process.env.NO_COLOR;
  return {
    stepStart(step: Step, index: number, total: number) {
      if (tty) write(`  …     ${step.name} (${index + 1}/${total})`);
    },
    retry(step: Step, attempt: number) {
      if (tty) write(`\r\x1b[K  …     ${step.name}: attempt ${attempt} failed, trying again`);
    },
    stepEnd(result: StepResult) {
      write(`${tty ? '\r\x1b[K' : ''}${formatStep(result, { color }).join('\n')}\n`);
    },
  };
}
