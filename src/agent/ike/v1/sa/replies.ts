/**
 * The replies an ISAKMP SA already sent, by the message they answered: a
 * retransmitted message from the peer is answered with the same reply
 * without being processed again (IOS: "phase 1 packet is a duplicate of a
 * previous packet", "retransmitting due to retransmit phase 1"). Kept on the
 * SA because a duplicate may come after its exchange ended; bounded.
 */
import type { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import type { WireMessage } from '../../retransmit.js';

/** How many answered messages are remembered. */
const KEPT = 16;

/** A message's fingerprint for duplicate detection. */
export function digestOf(message: Buffer): string {
  return createHash('sha1').update(message).digest('hex');
}

export class Replies {
  private readonly seen: { readonly digest: string; readonly reply: readonly WireMessage[]; readonly spi?: number }[] = [];

  /**
   * Remembers a processed message and the reply sent to it (none: the message needed no answer). `spi`: the reply
   * is a Quick Mode message of the pair with this inbound SPI (forget() drops it with the pair).
   */
  remember(message: Buffer, reply: readonly WireMessage[], spi?: number): void {
    this.seen.push({ digest: digestOf(message), reply, ...(spi === undefined ? {} : { spi }) });
    if (this.seen.length > KEPT) this.seen.shift();
  }

  /**
   * The pair with this inbound SPI is gone: a late retransmission of the peer's Quick Mode message that made it
   * is not answered again (the answer would have the peer install a pair this side no longer has: a one-way
   * black hole). It goes unanswered, as a message of a deleted exchange, and the peer's Quick Mode gives up.
   */
  forget(spi: number): void {
    for (let i = this.seen.length - 1; i >= 0; i--) if (this.seen[i]!.spi === spi) this.seen.splice(i, 1);
  }

  /** The reply to a message seen before, or undefined when it is new. */
  replyTo(message: Buffer): readonly WireMessage[] | undefined {
    const d = digestOf(message);
    return this.seen.find((s) => s.digest === d)?.reply;
  }
}
