/**
 * What a task needs from the engine while it handles one input: the policy,
 * the clock, the action collector, randomness (drawn from the injected
 * random source) and allocation; and the hooks through which it reports what
 * reaches beyond its own exchange (phase 1 up or gone, SAs to install, a
 * Quick Mode that failed, the peer's deletes) or asks about other SAs. The
 * hooks take SA-model types only, so no exchange depends on the engine. The
 * engine builds one context per call (engine/call.ts); tasks never keep it.
 */
import type { Buffer } from 'node:buffer';
import type { DhGroup, DhKeyPair } from '../../../crypto/dh.js';
import type { Out } from '../debug.js';
import type { DeletePayload } from '../../../../codecs/isakmp/types.js';
import type { IsakmpSa } from '../sa/isakmp-sa.js';
import type { FlowRequest } from '../sa/ipsec-sa.js';
import type { EngineCounter } from '../sa/tables.js';
import type { CryptoMapEntryPolicy, CryptoMapPolicy, IkePolicy } from '../../policy.js';
import type { IpsecSaSpec, Proxies, Role } from '../../types.js';

/** What a Quick Mode that ends without SAs leaves to clean up: its flow and the inbound SPI it holds. */
export interface QuickModeEnd {
  readonly role: Role;
  readonly flow: FlowRequest | null;
  readonly spi: number;
}

export interface IkeContext {
  readonly policy: IkePolicy;
  readonly now: number;
  readonly out: Out;

  // -------- randomness and allocation

  /** `n` random bytes. */
  bytes(n: number): Buffer;
  /** A fresh cookie (8 random bytes, not zero). */
  cookie(): Buffer;
  /** A fresh non-zero message ID not in use on `sa`. */
  messageId(sa: IsakmpSa): number;
  /** A fresh inbound SPI (> 255, unused). */
  spi(): number;
  /** An SPI no SA will use (its exchange ended without SAs). */
  releaseSpi(spi: number): void;
  /** A Diffie-Hellman key pair with a private value from the random source. */
  dh(group: DhGroup): DhKeyPair;
  /** The next IPsec conn id / flow id pair. */
  ipsecIds(): { connId: number; flowId: number };

  // -------- hooks (engine/lifecycle.ts)

  /** Phase 1 is up: the SA's background tasks, phase1-up, then the queued flows. */
  phase1Established(sa: IsakmpSa): void;
  /** Phase 1 failed or was deleted (the SA is removed; queued flows fail). */
  phase1Gone(sa: IsakmpSa, reason: string, failure: { notify: number; why: string } | null): void;
  /** Removes the SA, telling the peer with a Delete when asked (and the SA is up). */
  deletePhase1(sa: IsakmpSa, reason: string, notifyPeer: boolean): void;
  /** Whether another SA (phase 1 or IPsec) exists with this peer (INITIAL-CONTACT decision). */
  hasOtherSas(sa: IsakmpSa): boolean;
  /** The peer sent INITIAL-CONTACT: drop every older SA with it. */
  initialContact(sa: IsakmpSa): void;
  /** Responder: the crypto map entry whose ACL covers the proposed proxies (our view) for this peer. */
  responderEntry(sa: IsakmpSa, proxies: Proxies): { map: CryptoMapPolicy; entry: CryptoMapEntryPolicy; iface: string } | null;
  /** A Quick Mode finished on this side: install the pair (`flow`: what our side asked for, null when responding). */
  installIpsec(sa: IsakmpSa, flow: FlowRequest | null, spec: IpsecSaSpec): void;
  /** A Quick Mode failed (notify received, retransmissions exhausted, the answer refused). */
  quickModeFailed(sa: IsakmpSa, end: QuickModeEnd, notify: number, why: string): void;
  /** The peer sent a Delete under this SA: its ISAKMP SA (both cookies) or ESP SAs (by SPI). */
  peerDeleted(sa: IsakmpSa, d: DeletePayload): void;
  /** DPD declared the peer dead: its IPsec SAs and this SA go. */
  peerDead(sa: IsakmpSa): void;
  /** Whether IPsec SAs for these proxies may be negotiated with the SA's peer (the per-peer and total flow bounds); counted when not. */
  admitIpsec(sa: IsakmpSa, proxies: Proxies): boolean;
  /** A bounded table refused something (engine/bounds.ts): counted, said in the debug log. */
  refused(counter: EngineCounter, detail: string): void;
}
