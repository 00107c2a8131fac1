/**
 * The task manager of one ISAKMP SA (strongSwan's task_manager_v1): the
 * tasks running on it and the flows waiting for phase 1. Main or Aggressive
 * Mode runs until the SA is established; then Quick Modes (by message ID)
 * and the background tasks of an established SA (DPD, NAT keepalives).
 *
 * Every message for the SA comes here: a duplicate is answered from the
 * replies kept on the SA; any other goes to the task it belongs to, or to a
 * new responder task when it starts an exchange; what an Informational
 * brings goes to the task it concerns. The manager asks the tasks for their
 * deadlines, ticks them, and drops each one that reports 'done'. What
 * reaches beyond the SA (other SAs, the tables) goes through the context's
 * hooks; the manager never imports the engine.
 */
import { ExchangeType, NotifyType } from '../../../../codecs/isakmp/constants.js';
import type { NotifyPayload } from '../../../../codecs/isakmp/types.js';
import type { CryptoMapEntryPolicy, IkePolicy } from '../../policy.js';
import type { IkeContext } from '../exchanges/context.js';
import { Dpd } from '../exchanges/dpd.js';
import type { Inbound, Status, Task } from '../exchanges/exchange.js';
import { Informational, type InformationalRecipient } from '../exchanges/informational.js';
import { NatKeepalive } from '../exchanges/nat-keepalive.js';
import { AggressiveMode } from '../exchanges/phase1/aggressive-mode.js';
import { MainMode } from '../exchanges/phase1/main-mode.js';
import { QuickMode } from '../exchanges/quick-mode/quick-mode.js';
import { signed32 } from '../debug.js';
import { iosNotifyName } from '../notify.js';
import type { IsakmpSa } from '../sa/isakmp-sa.js';
import type { FlowRequest } from '../sa/ipsec-sa.js';

/** Phase-2 message IDs an ISAKMP SA remembers (ours, and the peer's that authenticated); the oldest is forgotten beyond this. */
export const MESSAGE_IDS_KEPT = 256;

export class TaskManager {
  /** Main or Aggressive Mode, until the SA is established. */
  private phase1: MainMode | AggressiveMode | null = null;
  /** Quick Modes running, by message ID (IOS: the SA's "nodes"). */
  private readonly quick = new Map<number, QuickMode>();
  /** When each running Quick Mode started on this side (we sent QM1, or the peer's QM1 came). */
  private readonly quickStarted = new Map<QuickMode, number>();
  /** Dead Peer Detection: answers R-U-THERE from the start, probes once established. */
  private dpd: Dpd;
  /** Tasks of the established SA, ticked in this order after the Quick Modes: DPD, then NAT keepalives. */
  private background: Task[] = [];
  /** Flows to negotiate once phase 1 is up (queued Quick Modes). */
  readonly queue: FlowRequest[] = [];
  /** Whether a Quick Mode was started on this SA yet (IOS logs "clear dh number" before the first). */
  private quickModeStarted = false;
  /**
   * The message IDs of the phase-2 exchanges on this SA so far, oldest
   * first: ours, and the peer's whose message authenticated. HASH(1) covers
   * the message ID and the payloads, not the header's flags or what follows
   * the last payload, so a captured Quick Mode or Informational can be sent
   * again by anyone, changed enough not to be a duplicate; a message that
   * would start an exchange under a used ID is such a replay (bounded).
   */
  private readonly usedIds = new Set<number>();

  constructor(readonly sa: IsakmpSa) {
    this.dpd = new Dpd(sa, 0);
  }

  // ------------------------------------------------------------ starting tasks

  /** We start phase 1 (in the SA's mode). */
  initiate(ctx: IkeContext): void {
    this.phase1 = this.sa.mode === 'main' ? MainMode.initiate(ctx, this.sa) : AggressiveMode.initiate(ctx, this.sa);
  }

  /** The first message of a new responder SA. */
  respond(ctx: IkeContext, m: Inbound): void {
    const p1 = this.sa.mode === 'main' ? MainMode.respond(this.sa) : AggressiveMode.respond(this.sa);
    this.phase1 = p1;
    this.settlePhase1(p1, p1.process(ctx, m));
  }

  /** Phase 1 is up: the background tasks of an established SA (DPD with a fresh sequence, NAT keepalives behind a NAT). */
  established(ctx: IkeContext): void {
    const sa = this.sa;
    sa.liveness.lastInbound = ctx.now;
    sa.liveness.outboundSinceInbound = false;
    this.dpd = new Dpd(sa, ctx.bytes(4).readUInt32BE(0) & 0x7fffffff);
    this.background = [this.dpd];
    const keepalive = ctx.policy.natKeepaliveSeconds;
    if (keepalive !== null && sa.nat.floated && sa.nat.localBehindNat) this.background.push(new NatKeepalive(sa, ctx.now + keepalive * 1000));
  }

  /** Quick Mode for a flow, with the transform sets of its crypto map entry (unless the flow bounds refuse a new flow). */
  startQuickMode(ctx: IkeContext, flow: FlowRequest, entry: CryptoMapEntryPolicy): void {
    if (!ctx.admitIpsec(this.sa, flow.proxies)) {
      ctx.quickModeFailed(
        this.sa,
        { role: 'initiator', flow, spi: flow.spi ?? 0 },
        NotifyType.NO_PROPOSAL_CHOSEN,
        'too many IPsec flows: no Quick Mode started',
      );
      return;
    }
    const qm = QuickMode.initiate(ctx, this.sa, flow, entry, !this.quickModeStarted);
    this.quickModeStarted = true;
    this.quick.set(qm.messageId, qm);
    this.quickStarted.set(qm, ctx.now);
  }

  /** When the running Quick Mode whose inbound SPI is `spi` started on this side (a pair negotiated meanwhile raced it). */
  quickModeStartedAt(spi: number): number | null {
    for (const qm of this.quick.values()) if (qm.ourSpi === spi) return this.quickStarted.get(qm) ?? null;
    return null;
  }

  /** Whether a running or an earlier exchange on this SA used this message ID (ours draw another). */
  usesMessageId(id: number): boolean {
    return this.quick.has(id) || this.usedIds.has(id);
  }

  /** Remembers a phase-2 message ID (ours when we draw it, the peer's once its message authenticated). */
  noteMessageId(id: number): void {
    this.usedIds.delete(id);
    this.usedIds.add(id);
    if (this.usedIds.size > MESSAGE_IDS_KEPT) this.usedIds.delete(this.usedIds.values().next().value!);
  }

  private settlePhase1(p1: MainMode | AggressiveMode, status: Status): void {
    if (status === 'done' && this.phase1 === p1) this.phase1 = null;
  }

  // ------------------------------------------------------------ dispatch

  /** A message for this SA (not its first): a duplicate, or a message of a running or new exchange. */
  receive(ctx: IkeContext, m: Inbound): void {
    const sa = this.sa;
    const dup = sa.duplicateOf(m.message);
    if (dup) {
      const phase = m.header.exchangeType === ExchangeType.QUICK_MODE ? 2 : 1;
      ctx.out.sa(sa.connId, `received packet from ${m.from.ip} (${sa.roleChar}) ${sa.state}`);
      ctx.out.sa(sa.connId, `phase ${phase} packet is a duplicate of a previous packet.`);
      if (dup.length > 0) {
        ctx.out.sa(sa.connId, `retransmitting due to retransmit phase ${phase}`);
        for (const w of dup) {
          ctx.out.sa(sa.connId, `sending packet to ${w.to.ip} (${sa.roleChar}) ${sa.state}`);
          ctx.out.push({ kind: 'send', ...w, connId: sa.connId });
        }
        this.phase1?.resent(ctx.now, dup);
        for (const qm of this.quick.values()) qm.resent(ctx.now, dup);
        // our AM3 again: the Quick Modes it carried follow it again
        if (m.header.exchangeType === ExchangeType.AGGRESSIVE && sa.role === 'initiator') for (const qm of this.quick.values()) qm.followPhase1(ctx);
      }
      return;
    }
    ctx.out.sa(sa.connId, `received packet from ${m.from.ip} (${sa.roleChar}) ${sa.state}`);
    const before = ctx.out.actions.length;
    const p1 = this.phase1;
    switch (m.header.exchangeType) {
      case ExchangeType.IDENTITY_PROTECTION:
      case ExchangeType.AGGRESSIVE: {
        const mode = m.header.exchangeType === ExchangeType.AGGRESSIVE ? 'aggressive' : 'main';
        if (!p1 || sa.mode !== mode || sa.established) break;
        this.settlePhase1(p1, p1.process(ctx, m));
        return;
      }
      case ExchangeType.QUICK_MODE:
        if (!sa.established) break;
        if (this.replayed(ctx, m)) return;
        this.quickMode(ctx, m);
        this.noteAlive(ctx, m, before);
        return;
      case ExchangeType.INFORMATIONAL:
        if (this.replayed(ctx, m)) return;
        Informational.respond(sa, this.recipient).process(ctx, m);
        this.noteAlive(ctx, m, before);
        return;
    }
    ctx.out.drop(m.from, NotifyType.INVALID_EXCHANGE_TYPE, `exchange type ${m.header.exchangeType} not expected on conn ${sa.connId} in ${sa.state}`);
  }

  /** A Quick Mode message: to its running exchange, or to a new responder exchange. */
  private quickMode(ctx: IkeContext, m: Inbound): void {
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
      // bounded: the peer's unfinished Quick Modes on this SA (each keeps its nonces, keys and a retransmission)
      const limit = ctx.policy.limits.quickModesPerSa;
      let running = 0;
      for (const q of this.quick.values()) if (q.role === 'responder') running++;
      if (running >= limit) {
        ctx.refused('quickModesPerSa', `${limit} Quick Modes running on conn ${this.sa.connId}: message ID ${mid >>> 0} from ${m.from.ip} dropped`);
        ctx.out.drop(m.from, 0, `${limit} Quick Modes already running on this ISAKMP SA`);
        return;
      }
      qm = QuickMode.respond(this.sa, mid);
      if (qm.process(ctx, m) === 'running') {
        this.quick.set(mid, qm);
        this.quickStarted.set(qm, ctx.now);
      }
      return;
    }
    if (qm.process(ctx, m) === 'done') this.dropQuickMode(qm);
  }

  /** An encrypted phase-2 message that would start an exchange under a message ID this SA used before: dropped. */
  private replayed(ctx: IkeContext, m: Inbound): boolean {
    const mid = m.header.messageId;
    if (!this.sa.established || !m.encrypted || this.quick.has(mid) || !this.usedIds.has(mid)) return false;
    ctx.out.sa(this.sa.connId, `phase 2 packet with message ID ${signed32(mid)}, used before on this SA: a replay, dropped`);
    ctx.out.drop(m.from, 0, `message ID ${mid >>> 0} was used before on this ISAKMP SA (a replay)`);
    return true;
  }

  /** An authenticated message from the peer proves it alive (DPD), and its message ID is used from now on. */
  private noteAlive(ctx: IkeContext, m: Inbound, before: number): void {
    if (ctx.out.actions.slice(before).some((a) => a.kind === 'drop')) return;
    this.sa.liveness.lastInbound = ctx.now;
    this.sa.liveness.outboundSinceInbound = false;
    if (this.sa.established && m.encrypted) this.noteMessageId(m.header.messageId);
  }

  /** Where the contents of an Informational go. */
  private readonly recipient: InformationalRecipient = {
    refused: (ctx, n) => {
      const name = iosNotifyName(n.notifyType);
      ctx.phase1Gone(this.sa, `notify ${name} received`, { notify: n.notifyType, why: `the peer answered ${name}` });
    },
    unreadableDuringPhase1: (ctx, m, err) => {
      const p1 = this.phase1;
      if (p1) this.settlePhase1(p1, p1.unreadable(ctx, m, err));
    },
    dpdNotify: (ctx, n) => this.dpd.received(ctx, n),
    initialContact: (ctx) => ctx.initialContact(this.sa),
    error: (ctx, n) => this.quickModeRefused(ctx, n),
    connected: (ctx, n, messageId) => this.quickModeConnected(ctx, n, messageId),
    deleted: (ctx, d) => ctx.peerDeleted(this.sa, d),
  };

  /** An error notify ends the Quick Mode it answers (by our SPI, or the only one waiting). */
  private quickModeRefused(ctx: IkeContext, n: NotifyPayload): void {
    const waiting = [...this.quick.values()].filter((q) => q.awaitingAnswer);
    const spi = n.spi.length === 4 ? n.spi.readUInt32BE(0) : null;
    const qm = waiting.find((q) => q.ourSpi === spi) ?? (waiting.length === 1 ? waiting[0] : undefined);
    if (!qm) return;
    qm.refused(ctx, n.notifyType);
    this.dropQuickMode(qm);
  }

  /** CONNECTED in an Informational: the Quick Mode waiting for it (by message ID, else by the SPI it names) installs its pair. */
  private quickModeConnected(ctx: IkeContext, n: NotifyPayload, messageId: number): void {
    const waiting = [...this.quick.values()].filter((q) => q.awaitingConnected);
    const spi = n.spi.length === 4 ? n.spi.readUInt32BE(0) : null;
    const qm = waiting.find((q) => q.messageId === messageId) ?? waiting.find((q) => spi !== null && q.peerSpi === spi);
    if (!qm) return;
    if (qm.connected(ctx) === 'done') this.dropQuickMode(qm);
  }

  private dropQuickMode(qm: QuickMode): void {
    this.quick.delete(qm.messageId);
    this.quickStarted.delete(qm);
  }

  // ------------------------------------------------------------ timers and teardown

  /** Everything due: phase 1; once established the Quick Modes, the SA's lifetime, the background tasks. */
  tick(ctx: IkeContext): void {
    const sa = this.sa;
    const p1 = this.phase1;
    if (p1) this.settlePhase1(p1, p1.tick(ctx));
    if (sa.deleted || !sa.established) return;
    for (const qm of [...this.quick.values()]) if (qm.tick(ctx) === 'done') this.dropQuickMode(qm);
    if (sa.expiresAt !== null && ctx.now >= sa.expiresAt) {
      ctx.deletePhase1(sa, 'SA lifetime expired', true);
      return;
    }
    for (const task of [...this.background]) {
      if (task.tick(ctx) === 'done') this.background = this.background.filter((t) => t !== task);
      if (sa.deleted) return;
    }
  }

  /** The earliest time `tick` has work (a task's deadline or the SA's lifetime), or null. */
  deadline(policy: IkePolicy): number | null {
    let best: number | null = this.sa.expiresAt;
    for (const task of this.tasks()) {
      const d = task.deadline(policy);
      if (d !== null && (best === null || d < best)) best = d;
    }
    return best;
  }

  /** The SA goes away: every task is aborted; returns the flows that were waiting or being negotiated. */
  abort(ctx: IkeContext): FlowRequest[] {
    const flows = this.queue.splice(0);
    for (const qm of this.quick.values()) if (qm.flow) flows.push(qm.flow);
    for (const task of this.tasks()) task.abort(ctx);
    this.phase1 = null;
    this.quick.clear();
    this.quickStarted.clear();
    this.background = [];
    return flows;
  }

  /** Every task running on the SA. */
  private tasks(): Task[] {
    return [...(this.phase1 ? [this.phase1] : []), ...this.quick.values(), ...this.background];
  }
}
