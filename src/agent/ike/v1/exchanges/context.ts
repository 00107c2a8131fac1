/**
 * What an exchange needs from the engine while it handles one input: the
 * policy, the clock, the action collector, randomness (drawn from the
 * injected random source), allocation, and the hooks for the big events.
 * The engine builds one context per call; exchanges never keep it.
 */
import type { Buffer } from 'node:buffer';
import type { DhGroup, DhKeyPair } from '../../../crypto/dh.js';
import type { Out } from '../debug.js';
import type { IsakmpHeader } from '../../../../codecs/isakmp/header.js';
import type { Payload } from '../../../../codecs/isakmp/types.js';
import type { Phase1Sa } from '../sa/isakmp-sa.js';
import type { QuickMode } from './quick-mode/quick-mode.js';
import type { CryptoMapEntryPolicy, CryptoMapPolicy, IkePolicy } from '../../policy.js';
import type { Endpoint, IpsecSaSpec, Proxies } from '../../types.js';

export interface IkeContext {
  readonly policy: IkePolicy;
  readonly now: number;
  readonly out: Out;

  /** `n` random bytes. */
  bytes(n: number): Buffer;
  /** A fresh cookie (8 random bytes, not zero). */
  cookie(): Buffer;
  /** A fresh non-zero message ID not in use on `sa`. */
  messageId(sa: Phase1Sa): number;
  /** A fresh inbound SPI (> 255, unused). */
  spi(): number;
  /** A Diffie-Hellman key pair with a private value from the random source. */
  dh(group: DhGroup): DhKeyPair;
  /** The next IPsec conn id / flow id pair. */
  ipsecIds(): { connId: number; flowId: number };

  /** Phase 1 is up: start queued flows, drop the TED probe, notify the driver. */
  phase1Established(sa: Phase1Sa): void;
  /** Phase 1 failed or was deleted (the SA is removed; queued flows fail). */
  phase1Gone(sa: Phase1Sa, reason: string, failure: { notify: number; why: string } | null): void;
  /** Whether another SA (phase 1 or IPsec) exists with this peer (INITIAL-CONTACT decision). */
  hasOtherSas(sa: Phase1Sa): boolean;
  /** The peer sent INITIAL-CONTACT: drop every older SA with it. */
  initialContact(sa: Phase1Sa): void;
  /** Responder: the crypto map entry whose ACL covers the proposed proxies (our view) for this peer. */
  responderEntry(sa: Phase1Sa, proxies: Proxies): { map: CryptoMapPolicy; entry: CryptoMapEntryPolicy; iface: string } | null;
  /** A Quick Mode finished on this side: install the pair. */
  installIpsec(sa: Phase1Sa, qm: QuickMode, spec: IpsecSaSpec): void;
  /** A Quick Mode failed (notify received or sent, retransmissions exhausted). */
  quickModeFailed(sa: Phase1Sa, qm: QuickMode, notify: number, why: string): void;
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
