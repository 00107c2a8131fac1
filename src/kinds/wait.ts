/**
 * Readiness strategies (the testcontainers pattern): an object that knows
 * what it waits for, for how long, and says so when it gives up. `up` and a
 * restart wait on a node's kind's strategy.
 */

/** A container's output: from its start, then as it comes. */
export interface LogSource {
  /** Calls onText with the output so far and then with what follows; resolves to a stop function. */
  follow(onText: (text: string) => void): Promise<() => void>;
}

export interface Readiness {
  readonly timeoutMs: number;
  /** What is awaited, in words: log line "..." */
  readonly awaited: string;
  /** The same strategy with another timeout. */
  withTimeout(ms: number): Readiness;
  /**
   * Resolves when the node is ready; rejects with NotReadyError. `before`:
   * the output before a restart, whose ready line does not count.
   */
  wait(node: string, logs: LogSource, before?: string): Promise<void>;
}

export class NotReadyError extends Error {
  override name = 'NotReadyError';
}

const TAIL_LINES = 15;

function tail(text: string): string {
  return text.trim().split('\n').slice(-TAIL_LINES).join('\n');
}

function count(text: string, line: string): number {
  return text.split(line).length - 1;
}

/** Ready when the node prints `line`; failed at once when it prints `failedLine`. */
export class LogLineWait implements Readiness {
  constructor(
    readonly line: string,
    readonly failedLine: string,
    readonly timeoutMs = 30000,
  ) {}

  get awaited(): string {
    return `log line "${this.line}"`;
  }

  withTimeout(ms: number): LogLineWait {
    return new LogLineWait(this.line, this.failedLine, ms);
  }

  async wait(node: string, logs: LogSource, before?: string): Promise<void> {
    const readyBefore = count(before ?? '', this.line);
    const failedBefore = count(before ?? '', this.failedLine);
    const after = before !== undefined ? ' after a restart' : '';
    let seen = '';
    let stop: (() => void) | undefined;
    let done = false;
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          done = true;
          reject(
            new NotReadyError(`${node} did not become ready${after}: ${this.awaited} not seen after ${this.timeoutMs} ms; its console says:\n${tail(seen)}`),
          );
        }, this.timeoutMs);
        const check = (text: string) => {
          // after a failure line, what follows still goes into the message
          seen += text;
          if (done) return;
          if (count(seen, this.line) > readyBefore) {
            done = true;
            clearTimeout(timer);
            resolve();
          } else if (count(seen, this.failedLine) > failedBefore) {
            done = true;
            clearTimeout(timer);
            // the lines after the failure say why: give them a moment to arrive
            setTimeout(() => reject(new NotReadyError(`${node} failed to start${after}:\n${tail(seen)}`)), 100);
          }
        };
        // a stream that answered after the wait ended is stopped at once
        logs.follow(check).then((s) => (done ? s() : (stop = s)), reject);
      });
    } finally {
      stop?.();
    }
  }
}

export function forLogLine(line: string, failedLine: string, timeoutMs?: number): LogLineWait {
  return new LogLineWait(line, failedLine, timeoutMs);
}
