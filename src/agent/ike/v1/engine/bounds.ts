/**
 * Admission to the engine's bounded tables (IkeLimits, ike/limits.ts) and
 * the count of what was refused. Each refusal is counted (EngineCounters,
 * `engine.counters()`), said in the debug log (`debug crypto isakmp` or
 * `ipsec`) with the running count, and logged at most once a minute per
 * counter as %TESTBED-4-IKE_LIMIT: IOS 12.2 has no such limits and so no
 * message of its own for them (docs/architecture.md, "Bounds").
 */
import type { DebugFacility } from '../../types.js';
import type { IkeContext } from '../exchanges/context.js';
import type { IsakmpSa } from '../sa/isakmp-sa.js';
import { flowOf, peerKey } from '../sa/peer.js';
import type { EngineCounter } from '../sa/tables.js';
import type { Proxies } from '../../types.js';
import type { Core } from './core.js';

/** The table each counter is about, for the log line, and the debug facility it belongs to. */
const TABLES: Record<EngineCounter, { readonly table: string; readonly facility: DebugFacility }> = {
  phase1InNegotiationIn: { table: 'ISAKMP SAs in negotiation', facility: 'isakmp' },
  phase1InNegotiationOut: { table: 'ISAKMP SAs in negotiation', facility: 'isakmp' },
  phase1PerPeer: { table: 'ISAKMP SAs per peer', facility: 'isakmp' },
  quickModesPerSa: { table: 'Quick Modes per ISAKMP SA', facility: 'isakmp' },
  ipsecPairsPerFlow: { table: 'IPsec SAs per flow', facility: 'ipsec' },
  ipsecFlowsPerPeer: { table: 'IPsec flows per peer', facility: 'ipsec' },
  ipsecFlows: { table: 'IPsec flows', facility: 'ipsec' },
  pendingFlows: { table: 'flows in negotiation', facility: 'ipsec' },
  purges: { table: 'purge lines', facility: 'isakmp' },
  badDigests: { table: 'unreadable phase-1 messages', facility: 'isakmp' },
  foreignDeletes: { table: 'Informational scope', facility: 'isakmp' },
};

const LOG_INTERVAL_MS = 60_000;

/** Counts one refusal: debug line, and a log line once a minute per counter. */
export function refuse(core: Core, ctx: IkeContext, counter: EngineCounter, detail: string): void {
  const n = ++core.counters[counter];
  const { table, facility } = TABLES[counter];
  ctx.out.debug(facility, `${facility === 'ipsec' ? 'IPSEC' : 'ISAKMP'}: ${detail} (${table}: ${n} refused)`);
  const last = core.loggedAt.get(counter);
  if (last !== undefined && ctx.now - last < LOG_INTERVAL_MS) return;
  core.loggedAt.set(counter, ctx.now);
  ctx.out.log(`%TESTBED-4-IKE_LIMIT: ${table}: ${detail}; ${n} refused so far`);
}

/** A new ISAKMP SA (a first message from a peer, or our own initiation) while `phase1InNegotiation` are in negotiation. */
export function admitPhase1(core: Core, ctx: IkeContext, direction: 'in' | 'out', peer: string): boolean {
  const limit = core.policy.limits.phase1InNegotiation;
  if (core.inNegotiation < limit) return true;
  const what = direction === 'in' ? `first message from ${peer} dropped` : `no new SA with ${peer}`;
  refuse(core, ctx, direction === 'in' ? 'phase1InNegotiationIn' : 'phase1InNegotiationOut', `${limit} SAs in negotiation: ${what}`);
  return false;
}

/**
 * A new flow to negotiate (an acquire: a TED probe or a phase 1 and Quick
 * Mode) while `pendingFlows` are pending. Every probe holds one, so this
 * also bounds the probes: a host sweeping the addresses a crypto ACL covers
 * gets at most that many at once. The packet is dropped, as every packet
 * without an SA; the next one tries again.
 */
export function admitPending(core: Core, ctx: IkeContext, what: string): boolean {
  const limit = core.policy.limits.pendingFlows;
  if (core.t.pending.size < limit) return true;
  refuse(core, ctx, 'pendingFlows', `${limit} flows in negotiation: ${what} not negotiated`);
  ctx.out.drop(null, 0, `${limit} flows in negotiation: ${what} waits for the next packet`);
  return false;
}

/**
 * Whether IPsec SAs for these proxies may be negotiated with the SA's peer:
 * always for a flow that has pairs (the new pair replaces, see installIpsec);
 * a new flow only while the peer has fewer than `ipsecFlowsPerPeer` and the
 * router fewer than `ipsecFlows`.
 */
export function admitIpsec(core: Core, ctx: IkeContext, sa: IsakmpSa, proxies: Proxies): boolean {
  const peer = peerKey(sa);
  if (core.ipsec.pairsOf(flowOf(peer, proxies)).length > 0) return true;
  const { ipsecFlowsPerPeer, ipsecFlows } = core.policy.limits;
  if (core.ipsec.flowCount(peer) >= ipsecFlowsPerPeer) {
    refuse(core, ctx, 'ipsecFlowsPerPeer', `${ipsecFlowsPerPeer} flows with ${peer}: a new one refused`);
    return false;
  }
  if (core.ipsec.flowCount() >= ipsecFlows) {
    refuse(core, ctx, 'ipsecFlows', `${ipsecFlows} flows: a new one with ${peer} refused`);
    return false;
  }
  return true;
}
