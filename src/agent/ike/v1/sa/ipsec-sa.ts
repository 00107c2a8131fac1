/**
 * The IPsec side of the SA model: installed IPsec SA pairs (ESP, tunnel
 * mode), the flows being negotiated for them, and the crypto map instances
 * IOS creates from a dynamic map for a peer. Records only: the exchanges
 * that negotiate them keep their own state.
 */
import type { CryptoMapRef, IpsecSaSpec, Proxies } from '../../types.js';

/** A flow to negotiate: what an acquire, a rekey or a TED reply asks Quick Mode for. */
export interface FlowRequest {
  readonly key: string;
  readonly proxies: Proxies;
  readonly ref: CryptoMapRef;
  readonly interface: string;
  /** An SPI allocated at acquire time (IOS `sa_request` carries one), else allocated when Quick Mode starts. */
  readonly spi: number | null;
  /** Set when this negotiation rekeys an existing pair. */
  readonly rekeyOf: number | null;
}

/** A flow being negotiated (TED probe, phase 1, or Quick Mode), so that a second acquire does not start another. */
export interface PendingFlow {
  readonly since: number;
  readonly peer: string | null;
}

/** An installed IPsec SA pair. */
export interface IpsecRecord {
  readonly spec: IpsecSaSpec;
  /** The peer it was negotiated with (sa/peer.ts: its address, and its port behind a NAT). */
  readonly peerKey: string;
  /** Its flow: the peer and the proxies (the pairs of one flow replace each other). */
  readonly flow: string;
  readonly installedAt: number;
  /** Hard expiry (seconds lifetime). */
  readonly expiresAt: number;
  /** When this side starts the rekey (IPsec initiator only; null when not planned). */
  rekeyAt: number | null;
  /** A rekey negotiation is running. */
  rekeying: boolean;
  /** Inbound SPI of the pair that replaced this one. */
  replacedBy: number | null;
  /** Scheduled deletion after a replacement was installed. */
  deleteAt: number | null;
  /** Inner-packet bytes counted by the datapath (noteTraffic). */
  bytesIn: number;
  bytesOut: number;
  lastUsed: number;
}

/** A crypto map entry IOS created from a dynamic map template for one peer and flow. */
export interface DynamicInstance {
  readonly map: string;
  readonly seq: number;
  /** Sequence number of the `crypto map NAME SEQ ipsec-isakmp dynamic DMAP` template. */
  readonly templateSeq: number;
  readonly dynamic: { readonly map: string; readonly seq: number };
  readonly peer: string;
  readonly proxies: Proxies;
  readonly aclName: string | null;
  readonly createdAt: number;
  /** 'ted' when created by discovery, 'negotiated' when a peer negotiated against the template. */
  readonly origin: 'ted' | 'negotiated';
}
