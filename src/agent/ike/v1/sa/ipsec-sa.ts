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

/** An installed IPsec SA pair. */
export interface IpsecRecord {
  readonly spec: IpsecSaSpec;
  /** The peer it was negotiated with (sa/peer.ts: its address, and its port behind a NAT). */
  readonly peerKey: string;
  /** Its flow: the peer and the proxies (the pairs of one flow replace each other). */
  readonly flow: string;
  /** Its crypto map entry and proxies (the key its negotiation had among the pending flows): an acquire for it starts nothing. */
  readonly mapFlow: string;
  readonly installedAt: number;
  /** Hard expiry (seconds lifetime). */
  readonly expiresAt: number;
  /** When this side starts the rekey (IPsec initiator only; null when not planned). */
  rekeyAt: number | null;
  /** A rekey negotiation is running. */
  rekeying: boolean;
  /** Inbound SPI of the pair that replaced this one. */
  replacedBy: number | null;
  /** Scheduled deletion after a replacement was installed, and why. */
  deleteAt: number | null;
  deleteReason: string | null;
  /** Inner-packet bytes counted by the datapath (noteTraffic). */
  bytesIn: number;
  bytesOut: number;
  lastUsed: number;
}

/**
 * A crypto map entry IOS created from a dynamic map template for one peer
 * ("tedtag 11 ... dynamic (created from dynamic map ted-map/10)"), with the
 * flows negotiated with that peer under it as its access-list lines.
 */
export interface DynamicInstance {
  readonly map: string;
  readonly seq: number;
  /** Sequence number of the `crypto map NAME SEQ ipsec-isakmp dynamic DMAP` template. */
  readonly templateSeq: number;
  readonly dynamic: { readonly map: string; readonly seq: number };
  readonly peer: string;
  /** The flows negotiated (or being negotiated) with the peer, oldest first. */
  readonly flows: Proxies[];
  readonly aclName: string | null;
  readonly createdAt: number;
  /** 'ted' when created by discovery, 'negotiated' when a peer negotiated against the template. */
  readonly origin: 'ted' | 'negotiated';
}
