/**
 * Shared types of the IKEv1 exchange layer and the IKE engine: endpoints,
 * proxies, IOS state names, and the actions the engine returns.
 *
 * The engine is pure: every call takes its input (a datagram, a timer tick,
 * an API call) and returns a list of {@link IkeAction}s for the driver (the
 * agent) to carry out, in order.
 */
import type { Buffer } from 'node:buffer';
import type { Ipv4Id } from '../../codecs/isakmp/id.js';
import type { EspCipherName, EspIntegrityName } from '../esp/algorithms.js';

export type { RandomSource } from '../crypto/algorithms.js';

/** An IPv4 address and UDP port. */
export interface Endpoint {
  readonly ip: string;
  readonly port: number;
}

/**
 * A UDP datagram addressed to the router on port 500 or 4500. `payload` is
 * the UDP payload exactly as received: on port 4500 it still carries the
 * 4-byte non-ESP marker (the engine strips it; a 1-byte 0xFF NAT keepalive
 * is ignored).
 */
export interface Datagram {
  readonly from: Endpoint;
  readonly to: Endpoint;
  readonly payload: Buffer;
}

/** A Quick Mode proxy identity (IDci/IDcr): IPV4_ADDR, IPV4_ADDR_SUBNET or IPV4_ADDR_RANGE with protocol and port. */
export type ProxyId = Ipv4Id;

/** Both proxies of a flow, from this router's point of view. */
export interface Proxies {
  readonly local: ProxyId;
  readonly remote: ProxyId;
}

export type Role = 'initiator' | 'responder';
export type Phase1Mode = 'main' | 'aggressive';

/**
 * Phase-1 states as IOS 12.2 prints them in `debug crypto isakmp` and
 * `show crypto isakmp sa`. QM_IDLE means "established, no exchange running".
 */
export type Phase1State = 'MM_NO_STATE' | 'MM_SA_SETUP' | 'MM_KEY_EXCH' | 'AG_NO_STATE' | 'AG_INIT_EXCH' | 'QM_IDLE' | 'PEER_DISCOVERY';

/** A crypto map entry: `crypto map NAME SEQ`, plus the dynamic-map entry it was expanded from. */
export interface CryptoMapRef {
  readonly map: string;
  readonly seq: number;
  /** For `ipsec-isakmp dynamic DMAP`: the dynamic map entry (`ted-map/10`). */
  readonly dynamic?: { readonly map: string; readonly seq: number };
}

/** One direction of an IPsec SA. */
export interface IpsecDirection {
  readonly spi: number;
  readonly encryptionKey: Buffer;
  readonly authenticationKey: Buffer;
  /** IOS crypto engine connection id (2000, 2001, ...). */
  readonly connId: number;
  /** IOS flow id (1, 2, ...). */
  readonly flowId: number;
}

/** Everything the datapath needs to run one negotiated IPsec SA pair (ESP, tunnel mode). */
export interface IpsecSaSpec {
  /** The peer's IKE address (`current_peer`). */
  readonly peer: string;
  /** IKE endpoints; their addresses are the ESP tunnel endpoints (`local/remote crypto endpt.`). */
  readonly local: Endpoint;
  readonly remote: Endpoint;
  readonly proxies: Proxies;
  /** Names src/agent/esp understands (ESP_CIPHERS / ESP_INTEGRITY keys). */
  readonly cipher: EspCipherName;
  readonly integrity: EspIntegrityName;
  /** IOS transform text: "esp-des esp-md5-hmac". */
  readonly transform: string;
  /** The transform set that matched. */
  readonly transformSet: string;
  /** RFC 3948 UDP encapsulation (NAT-T): ESP inside UDP between these ports; null for plain ESP. */
  readonly udpEncapsulation: { readonly localPort: number; readonly remotePort: number } | null;
  readonly inbound: IpsecDirection;
  readonly outbound: IpsecDirection;
  /** Negotiated lifetimes. */
  readonly lifetime: { readonly seconds: number; readonly kilobytes: number };
  /** PFS group used in Quick Mode, if any. */
  readonly pfsGroup: number | null;
  readonly cryptoMap: CryptoMapRef;
  /** Interface the crypto map is applied to (FastEthernet0/0). */
  readonly interface: string;
  /** The ISAKMP SA (conn id) that negotiated it. */
  readonly isakmpConnId: number;
  readonly role: Role;
}

/** IOS-style debug facilities (`debug crypto isakmp|ipsec|engine`). */
export type DebugFacility = 'isakmp' | 'ipsec' | 'engine';

/**
 * What the engine asks the driver to do.
 *
 * - `send`: a UDP datagram from `from` to `to`. On port 4500 `payload` already
 *   starts with the 4-byte non-ESP marker (or is a 1-byte NAT keepalive): the
 *   driver sends the bytes as they are.
 * - `send-probe`: a TED probe, UDP 500 -> 500, whose IP source is the host
 *   that triggered it (`ipSource`), routed normally toward `ipDestination`.
 * - `install-ipsec`: create the inbound and outbound ESP SAs; `replaces`
 *   names the pair this one rekeys (keep using the old inbound SA until it is
 *   deleted; send with the new outbound SA from now on); `supersededBy` names
 *   the pair that carries the flow instead of this one (this one lost a
 *   simultaneous negotiation: it only decrypts until it is deleted). Deleting
 *   a pair puts the pair it superseded back in service.
 * - `delete-ipsec`: remove the pair (by inbound and outbound SPI).
 * - `phase1-up` / `phase1-down`: an ISAKMP SA was established / removed.
 * - `fail`: a negotiation failed for good; `notify` is the ISAKMP notify
 *   type that describes it (0 when none applies, e.g. retransmissions
 *   exhausted).
 * - `drop`: a received message was discarded (malformed, bad hash, no SA,
 *   duplicate of a failed one ...); the exchange may still complete.
 * - `debug`: one IOS debug line without the timestamp (the agent prepends
 *   "*Mar  1 02:07:18.850: "); `text` may hold continuation lines separated
 *   by "\n", each with its own indentation, printed without a timestamp.
 * - `log`: an IOS syslog message ("%CRYPTO-4-IKMP_BAD_MESSAGE: ..."), shown
 *   whether or not debugging is on.
 */
export type IkeAction =
  | { readonly kind: 'send'; readonly from: Endpoint; readonly to: Endpoint; readonly payload: Buffer; readonly connId: number }
  | {
      readonly kind: 'send-probe';
      readonly ipSource: string;
      readonly ipDestination: string;
      readonly sourcePort: number;
      readonly destinationPort: number;
      readonly payload: Buffer;
      readonly connId: number;
    }
  | {
      readonly kind: 'install-ipsec';
      readonly sa: IpsecSaSpec;
      readonly replaces: { readonly inboundSpi: number; readonly outboundSpi: number } | null;
      readonly supersededBy?: { readonly inboundSpi: number; readonly outboundSpi: number } | null;
    }
  | {
      readonly kind: 'delete-ipsec';
      readonly inboundSpi: number;
      readonly outboundSpi: number;
      readonly peer: string;
      readonly reason: string;
    }
  | { readonly kind: 'phase1-up'; readonly connId: number; readonly local: Endpoint; readonly remote: Endpoint; readonly role: Role; readonly mode: Phase1Mode }
  | { readonly kind: 'phase1-down'; readonly connId: number; readonly remote: Endpoint; readonly reason: string }
  | {
      readonly kind: 'fail';
      readonly phase: 1 | 2 | 'ted';
      readonly connId: number;
      readonly peer: string;
      readonly notify: number;
      readonly notifyName: string;
      readonly reason: string;
    }
  | { readonly kind: 'drop'; readonly from: Endpoint | null; readonly notify: number; readonly reason: string }
  | { readonly kind: 'debug'; readonly facility: DebugFacility; readonly text: string }
  | { readonly kind: 'log'; readonly text: string };

/** The packet that needs protection (the fields a crypto ACL looks at). */
export interface PacketInfo {
  readonly source: string;
  readonly destination: string;
  readonly protocol: number;
  readonly sourcePort?: number;
  readonly destinationPort?: number;
}

/**
 * `engine.acquire`: an outbound packet matched a crypto map entry and no
 * IPsec SA protects it.
 */
export interface AcquireTrigger {
  readonly packet: PacketInfo;
  /** The interface the packet leaves by (its crypto map is searched when `entry` is absent). */
  readonly interface: string;
  /** The entry that matched, when the driver already knows it. */
  readonly entry?: CryptoMapRef;
  /** Next hop of the route toward the destination (IOS prints it with TED: "via FastEthernet0/0:11.11.11.2"). */
  readonly nextHop?: string;
}

/** `engine.receiveTransitProbe`: a UDP 500 datagram crossing the router (not addressed to it). */
export interface TransitProbe {
  readonly ipSource: string;
  readonly ipDestination: string;
  readonly payload: Buffer;
  /** The interface it came in by (the datapath: the interface of the route back to its source); absent when not known. */
  readonly interface?: string;
}

/** The answer to a transit probe: handled (do not forward; maybe send a reply), or forward it unchanged. */
export interface TransitVerdict {
  readonly verdict: 'handled' | 'forward';
  readonly actions: IkeAction[];
}

/** Traffic counted by the datapath on one SA (for kilobyte lifetimes, idle detection and DPD). */
export interface TrafficNote {
  readonly spi: number;
  readonly direction: 'inbound' | 'outbound';
  readonly bytes: number;
}
