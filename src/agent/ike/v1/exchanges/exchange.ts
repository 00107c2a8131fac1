/**
 * What every IKEv1 exchange looks like to the engine (the model is
 * strongSwan's task: one object per exchange that owns its working state;
 * the ISAKMP SA only holds what outlives it).
 *
 * A {@link Task} is anything that runs on an SA and may need the clock: each
 * exchange (Main, Aggressive, Quick Mode, the TED probe), DPD, NAT
 * keepalives. An {@link Exchange} is a task that takes messages from the
 * peer. Initiators are created by a static `initiate(...)` that sends the
 * first message; responders by `respond(...)`, then fed the message that
 * started them. The task manager of the ISAKMP SA (engine/task-manager.ts)
 * finds the running task for a message, calls it, asks the tasks for their
 * deadlines, ticks them, and drops each one that reports 'done'.
 *
 * A task reports what outlives it through the context's hooks (phase 1
 * established or gone, SAs to install, a Quick Mode that failed) and never
 * keeps the context between calls.
 */
import type { Buffer } from 'node:buffer';
import type { IsakmpHeader } from '../../../../codecs/isakmp/header.js';
import type { Payload } from '../../../../codecs/isakmp/types.js';
import type { IkePolicy } from '../../policy.js';
import type { Endpoint } from '../../types.js';
import type { IkeContext } from './context.js';

/** 'running': more messages or timers to come, keep the task; 'done': over (completed, or failed and reported), drop it. */
export type Status = 'running' | 'done';

/** Something that runs on an SA and may need the clock. */
export interface Task {
  /** The next time `tick` has work, or null. The policy in force is passed in (DPD follows reconfiguration). */
  deadline(policy: IkePolicy): number | null;
  /** Runs what is due at `ctx.now` (retransmit, probe the peer, give up); a task with nothing due does nothing. */
  tick(ctx: IkeContext): Status;
  /** The SA goes away under the task: it releases what it holds (SPIs) and sends nothing. */
  abort(ctx: IkeContext): void;
}

/** A task that takes messages from the peer: one message of this exchange, already matched to it. */
export interface Exchange<M = Inbound> extends Task {
  process(ctx: IkeContext, message: M): Status;
}

/** A received ISAKMP message, decoded as far as the header (and the payloads when cleartext). */
export interface Inbound {
  readonly header: IsakmpHeader;
  /** The whole ISAKMP message (non-ESP marker removed). */
  readonly message: Buffer;
  /** Everything after the header (ciphertext when encrypted). */
  readonly body: Buffer;
  /** Cleartext payloads; empty when encrypted. */
  readonly payloads: Payload[];
  readonly encrypted: boolean;
  readonly from: Endpoint;
  readonly to: Endpoint;
}
