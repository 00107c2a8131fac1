/**
 * A bounded time line of IPsec events (acquire, probe, phase1-up,
 * install) with microsecond wall-clock times, for benchmarks (`ios
 * --timeline`). It keeps the first `keep` events and the last `keep`: a
 * benchmark reads both ends (the first acquire, the last SA installed), and
 * a router that acquires for a hundred peers many times a second must not
 * lose the start of the story, nor grow without bound. Between the two ends
 * one `dropped` event says how many were left out.
 */
export interface TimelineEvent {
  readonly event: string;
  readonly detail: string;
  /** Milliseconds since the epoch, with microseconds (the containers share the host's clock). */
  readonly at: number;
}

export class Timeline {
  private readonly head: TimelineEvent[] = [];
  private tail: TimelineEvent[] = [];
  /** Next slot of the tail ring once it is full. */
  private next = 0;
  private dropped = 0;

  constructor(
    private readonly keep = 1000,
    private readonly clock: () => number = () => performance.timeOrigin + performance.now(),
  ) {}

  note(event: string, detail: string): void {
    const e = { event, detail, at: this.clock() };
    if (this.head.length < this.keep) this.head.push(e);
    else if (this.tail.length < this.keep) this.tail.push(e);
    else {
      this.tail[this.next] = e;
      this.next = (this.next + 1) % this.keep;
      this.dropped++;
    }
  }

  /** The events in order: the first ones, a `dropped` event when some were left out, the last ones. */
  events(): TimelineEvent[] {
    const tail = [...this.tail.slice(this.next), ...this.tail.slice(0, this.next)];
    const gap = this.dropped > 0 ? [{ event: 'dropped', detail: String(this.dropped), at: tail[0]!.at }] : [];
    return [...this.head, ...gap, ...tail];
  }
}
