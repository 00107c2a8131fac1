/**
 * How large the IKE engine's tables may grow. Every table that input can
 * grow (a datagram from anyone, a peer that holds the pre-shared key, the
 * router's own traffic) has a bound here; what a full table refuses is
 * counted (EngineCounters, engine/bounds.ts) and said in the debug log.
 *
 * IOS 12.2 mainline publishes none of these limits: call admission control
 * for IKE (`crypto call admission limit`) came with 12.3(8)T and its
 * in-negotiation limit with 12.4(6)T (Cisco, "Call Admission Control for
 * IKE", feature history). The numbers below are ours; docs/architecture.md
 * ("Bounds") gives the reason for each.
 */

export interface IkeLimits {
  /** ISAKMP SAs in negotiation (not yet established), both roles: a new one beyond is refused (IOS CAC's "in-negotiation" idea). */
  readonly phase1InNegotiation: number;
  /** Established ISAKMP SAs with one peer: one more is deleted as soon as it is up. */
  readonly phase1PerPeer: number;
  /** Quick Modes the peer runs at once on one ISAKMP SA (responder side). */
  readonly quickModesPerSa: number;
  /** IPsec SA pairs kept for one flow (peer and proxies): the newest is used; beyond this the oldest replaced one is deleted. */
  readonly ipsecPairsPerFlow: number;
  /** Flows with IPsec SAs with one peer: a Quick Mode for one more is refused (a new pair for an existing flow never is). */
  readonly ipsecFlowsPerPeer: number;
  /** Flows with IPsec SAs in all (so at most ipsecFlows x ipsecPairsPerFlow pairs). */
  readonly ipsecFlows: number;
  /** Flows being negotiated (acquires, TED probes, rekeys). */
  readonly pendingFlows: number;
  /** IOS's delayed "purging SA" lines waiting to be printed: beyond this the oldest are printed at once. */
  readonly purges: number;
  /** Distinct unreadable messages a phase-1 exchange counts (the oldest is forgotten beyond this). */
  readonly badDigests: number;
}

export const DEFAULT_LIMITS: IkeLimits = {
  phase1InNegotiation: 1000,
  phase1PerPeer: 4,
  quickModesPerSa: 16,
  ipsecPairsPerFlow: 3,
  ipsecFlowsPerPeer: 64,
  ipsecFlows: 2048,
  pendingFlows: 1024,
  purges: 1024,
  badDigests: 16,
};
