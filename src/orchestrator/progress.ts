/**
 * Progress of long steps. The orchestrator reports through this interface;
 * the CLI prints it on stderr (one updating line on a terminal, plain lines
 * otherwise), the programmatic API stays silent unless asked.
 */
export interface Progress {
  /** A step starts; returns a handle to report on it. */
  step(title: string): StepHandle;
  /** A note that is not a step (a warning, a config diagnostic). */
  note(text: string): void;
}

export interface StepHandle {
  update(detail: string): void;
  done(detail?: string): void;
  fail(detail: string): void;
}

export const silentProgress: Progress = {
  step: () => ({ update() {}, done() {}, fail() {} }),
  note() {},
};

/** Runs `fn` as a step: done on success, fail (and rethrow) on error. */
export async function withStep<T>(progress: Progress, title: string, fn: (step: StepHandle) => Promise<T>): Promise<T> {
  const step = progress.step(title);
  try {
    const result = await fn(step);
    step.done();
    return result;
  } catch (e) {
    step.fail((e as Error).message.split('\n')[0]!);
    throw e;
  }
}

/** Prints steps to a stream: on a TTY one line per step that updates in place. */
export function streamProgress(out: NodeJS.WriteStream = process.stderr): Progress {
  const tty = out.isTTY === true;
  const started = Date.now();
  const secs = (t: number) => `${((Date.now() - t) / 1000).toFixed(1)}s`;
  const width = () => Math.max(40, (out.columns ?? 100) - 1);
  return {
    step(title) {
      const t0 = Date.now();
      let last = 0;
      if (tty) out.write(`  … ${title}`);
      else out.write(`[${secs(started)}] ${title}\n`);
      return {
        update(detail) {
          if (!tty) {
            // plain logs: at most one detail line per second
            if (Date.now() - last < 1000) return;
            last = Date.now();
            out.write(`    ${detail}\n`);
            return;
          }
          out.write(`\r\x1b[K${`  … ${title}: ${detail}`.slice(0, width())}`);
        },
        done(detail) {
          const tail = `${detail ? ` ${detail}` : ''} (${secs(t0)})`;
          if (tty) out.write(`\r\x1b[K  ✔ ${title}${tail}\n`);
          else out.write(`[${secs(started)}] done: ${title}${tail}\n`);
        },
        fail(detail) {
          if (tty) out.write(`\r\x1b[K  ✖ ${title}: ${detail}\n`);
          else out.write(`[${secs(started)}] failed: ${title}: ${detail}\n`);
        },
      };
    },
    note(text) {
      out.write(`${text}\n`);
    },
  };
}
