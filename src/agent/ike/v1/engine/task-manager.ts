/**
 * The task manager of one ISAKMP SA (strongSwan's task_manager_v1): the
 * exchanges running on it, the flows waiting for phase 1, and the dispatch
 * of each message to the task it belongs to. It creates responder tasks for
 * new exchanges, calls the running ones, asks them for their deadlines,
 * ticks them, and drops each one that reports 'done'.
 */
import { NotifyType } from '../../../../codecs/isakmp/constants.js';
import type { NotifyPayload } from '../../../../codecs/isakmp/types.js';
import type { CryptoMapEntryPolicy } from '../../policy.js';
import type { IkeContext } from '../exchanges/context.js';
import type { Inbound } from '../exchanges/exchange.js';
import { AggressiveMode } from '../exchanges/phase1/aggressive-mode.js';
import { MainMode } from '../exchanges/phase1/main-mode.js';
import { QuickMode } from '../exchanges/quick-mode/quick-mode.js';
import type { FlowRequest, Phase1Sa } from '../sa/isakmp-sa.js';

export class TaskManager {
  /** Main or Aggressive Mode, until the SA is established. */
  private phase1: MainMode | AggressiveMode | null = null;
  /** Quick Modes running, by message ID (IOS: the SA's "nodes"). */
  private readonly quick = new Map<number, QuickMode>();
  /** Flows to negotiate once phase 1 is up (queued Quick Modes). */
  readonly queue: FlowRequest[] = [];
  /** Whether a Quick Mode was started on this SA yet (IOS logs "clear dh number" before the first). */
  private quickModeStarted = false;

  constructor(readonly sa: Phase1Sa) {}

  /** We start phase 1 (in the SA's mode). */
  initiate(ctx: IkeContext): void {
    this.phase1 = this.sa.mode === 'main' ? MainMode.initiate(ctx, this.sa) : AggressiveMode.initiate(ctx, this.sa);
  }

  /** The first message of a new responder SA. */
  respond(ctx: IkeContext, m: Inbound): void {
    const p1 = this.sa.mode === 'main' ? MainMode.respond(this.sa) : AggressiveMode.respond(this.sa);
    this.phase1 = p1;
    if (p1.process(ctx, m) === 'done' && this.phase1 === p1) this.phase1 = null;
  }

  /** A Main or Aggressive Mode message; false when no such exchange runs (established, or the other mode). */
  phase1Message(ctx: IkeContext, m: Inbound, mode: 'main' | 'aggressive'): boolean {
    const p1 = this.phase1;
    if (!p1 || this.sa.mode !== mode || this.sa.established) return false;
    if (p1.process(ctx, m) === 'done' && this.phase1 === p1) this.phase1 = null;
    return true;
  }

  /** An encrypted message of another exchange that does not decrypt before phase 1 completes: counted by phase 1. */
  unreadable(ctx: IkeContext, m: Inbound, err: unknown): void {
    const p1 = this.phase1;
    if (p1 && p1.unreadable(ctx, m, err) === 'done' && this.phase1 === p1) this.phase1 = null;
  }

  /** Whether a running exchange uses this message ID. */
  usesMessageId(id: number): boolean {
    return this.quick.has(id);
  }

  /** Quick Mode for a flow, with the transform sets of its crypto map entry. */
  startQuickMode(ctx: IkeContext, flow: FlowRequest, entry: CryptoMapEntryPolicy): void {
    const qm = QuickMode.initiate(ctx, this.sa, flow, entry, !this.quickModeStarted);
    this.quickModeStarted = true;
    this.quick.set(qm.messageId, qm);
  }

  /** A Quick Mode message: to its running exchange, or a new responder exchange. */
  quickMode(ctx: IkeContext, m: Inbound): void {
    const mid = m.header.messageId;
    if (!m.encrypted) {
      ctx.out.drop(m.from, NotifyType.INVALID_FLAGS, 'cleartext Quick Mode message');
      return;
    }
    let qm = this.quick.get(mid);
    if (!qm) {
      if (mid === 0) {
        ctx.out.drop(m.from, NotifyType.INVALID_MESSAGE_ID, 'Quick Mode with message ID 0');
        return;
      }
      qm = QuickMode.respond(this.sa, mid);
      if (qm.process(ctx, m) === 'running') this.quick.set(mid, qm);
      return;
    }
    if (qm.process(ctx, m) === 'done') this.quick.delete(mid);
  }

  /** An error notify under the SA: it ends the Quick Mode it answers (by our SPI, or the only one waiting). */
  errorNotify(ctx: IkeContext, n: NotifyPayload): void {
    const waiting = [...this.quick.values()].filter((q) => q.awaitingAnswer);
    const spi = n.spi.length === 4 ? n.spi.readUInt32BE(0) : null;
    const qm = waiting.find((q) => q.ourSpi === spi) ?? (waiting.length === 1 ? waiting[0] : undefined);
    if (!qm) return;
    qm.refused(ctx, n.notifyType);
    this.quick.delete(qm.messageId);
  }

  /** Timers of the running exchanges: phase 1, then (once established) the Quick Modes. */
  tick(ctx: IkeContext): void {
    const p1 = this.phase1;
    if (p1 && p1.tick(ctx) === 'done' && this.phase1 === p1) this.phase1 = null;
    if (this.sa.deleted || !this.sa.established) return;
    for (const qm of [...this.quick.values()]) if (qm.tick(ctx) === 'done') this.quick.delete(qm.messageId);
  }

  /** The earliest deadline of the running exchanges, or null. */
  deadline(): number | null {
    let best: number | null = this.phase1?.deadline() ?? null;
    for (const qm of this.quick.values()) {
      const d = qm.deadline();
      if (d !== null && (best === null || d < best)) best = d;
    }
    return best;
  }

  /** The SA goes away: every task is aborted; returns the flows that were waiting or being negotiated. */
  abort(ctx: IkeContext): FlowRequest[] {
    const flows = this.queue.splice(0);
    this.phase1?.abort();
    this.phase1 = null;
    for (const qm of this.quick.values()) {
      if (qm.flow) flows.push(qm.flow);
      qm.abort(ctx);
    }
    this.quick.clear();
    return flows;
  }
}
