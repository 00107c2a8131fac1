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
  private readonly seen: { readonly digest: string; readonly reply: readonly WireMessage[] }[] = [];

  /** Remembers a processed message and the reply sent to it (none: the message needed no answer). */
  remember(message: Buffer, reply: readonly WireMessage[]): void {
    this.seen.push({ digest: digestOf(message), reply });
    if (this.seen.length > KEPT) this.seen.shift();
  }

  /** The reply to a message seen before, or undefined when it is new. */
  replyTo(message: Buffer): readonly WireMessage[] | undefined {
    const d = digestOf(message);
    return this.seen.find((s) => s.digest === d)?.reply;
  }
}
