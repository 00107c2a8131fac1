/**
 * The decoded forms of ISAKMP payloads: a union discriminated on `type`.
 *
 * Every decoded payload also carries `raw`, its body exactly as received
 * (the payload without its 4-byte generic header, "_b" in RFC 2409), because
 * HASH_I/HASH_R and the Quick Mode hashes are computed over those bytes. The
 * encoder ignores `raw` for the payloads it knows (it encodes the fields), so
 * drop `raw` after changing a decoded payload. For payload types it does not
 * know (reserved and private-use types such as 239), `raw` is the content and
 * is written back byte for byte.
 */
import type { Buffer } from 'node:buffer';

/** An SA attribute (RFC 2408 3.3). */
export interface Attribute {
  /** Attribute type without the AF bit (15 bits). */
  readonly type: number;
  /**
   * A number, or the value bytes of a TLV attribute that is not the canonical
   * encoding of a number. Numbers up to 0xFFFF are sent basic (AF=1), larger
   * ones as 4-byte TLV (8-byte above 0xFFFFFFFF); a received TLV comes back as
   * a number exactly when re-encoding it gives the same bytes. Read either
   * form with `attributeNumber`.
   */
  readonly value: number | Buffer;
}

/** A Transform payload inside a Proposal (RFC 2408 3.6). */
export interface Transform {
  /** Transform number. */
  readonly number: number;
  /** Transform ID (KEY_IKE, ESP_DES ...). */
  readonly id: number;
  /** SA attributes, in order. */
  readonly attributes: readonly Attribute[];
}

/** A Proposal payload inside an SA payload (RFC 2408 3.5). */
export interface Proposal {
  /** Proposal number (proposals with the same number are ANDed). */
  readonly number: number;
  /** Protocol ID (ProtocolId.ISAKMP, ESP ...). */
  readonly protocol: number;
  /** SPI: empty in phase 1, 4 bytes for ESP/AH; its length is the SPI size. */
  readonly spi: Buffer;
  /** Transforms, in order of preference. */
  readonly transforms: readonly Transform[];
}

interface Decoded {
  /** Body bytes as received (set by the decoder; ignored by the encoder). */
  readonly raw?: Buffer;
}

/** Security Association (RFC 2408 3.4). */
export interface SaPayload extends Decoded {
  readonly type: 1;
  readonly doi: number;
  /** Situation bits (SIT_IDENTITY_ONLY = 1). */
  readonly situation: number;
  readonly proposals: readonly Proposal[];
}

/** Key Exchange (RFC 2408 3.7): the Diffie-Hellman public value. */
export interface KePayload extends Decoded {
  readonly type: 4;
  readonly data: Buffer;
}

/** Identification (RFC 2408 3.8, RFC 2407 4.6.2). */
export interface IdPayload extends Decoded {
  readonly type: 5;
  /** IdType: IPV4_ADDR, IPV4_ADDR_SUBNET ... */
  readonly idType: number;
  /** IP protocol (17 for the IKE endpoint, 0 for any). */
  readonly protocol: number;
  /** Port (500 for the IKE endpoint, 0 for any). */
  readonly port: number;
  /** Identification data (4 bytes for IPV4_ADDR, 8 for a subnet or range). */
  readonly data: Buffer;
}

/** Certificate (RFC 2408 3.9). */
export interface CertPayload extends Decoded {
  readonly type: 6;
  readonly encoding: number;
  readonly data: Buffer;
}

/** Certificate Request (RFC 2408 3.10). */
export interface CertRequestPayload extends Decoded {
  readonly type: 7;
  /** Certificate type requested. */
  readonly encoding: number;
  /** Certificate authority. */
  readonly data: Buffer;
}

/** Hash (RFC 2408 3.11). */
export interface HashPayload extends Decoded {
  readonly type: 8;
  readonly data: Buffer;
}

/** Signature (RFC 2408 3.12). */
export interface SignaturePayload extends Decoded {
  readonly type: 9;
  readonly data: Buffer;
}

/** Nonce (RFC 2408 3.13). */
export interface NoncePayload extends Decoded {
  readonly type: 10;
  readonly data: Buffer;
}

/** Notification (RFC 2408 3.14). */
export interface NotifyPayload extends Decoded {
  readonly type: 11;
  readonly doi: number;
  readonly protocol: number;
  /** SPI (its length is the SPI size: 0, 4, or 16 for ISAKMP cookies). */
  readonly spi: Buffer;
  /** Notify Message Type. */
  readonly notifyType: number;
  /** Notification data (DPD: the 4-byte sequence number). */
  readonly data: Buffer;
}

/** Delete (RFC 2408 3.15). */
export interface DeletePayload extends Decoded {
  readonly type: 12;
  readonly doi: number;
  readonly protocol: number;
  /** SPI size, explicit so that an empty SPI list keeps it. */
  readonly spiSize: number;
  /** SPIs, each `spiSize` bytes. */
  readonly spis: readonly Buffer[];
}

/** Vendor ID (RFC 2408 3.16). */
export interface VendorIdPayload extends Decoded {
  readonly type: 13;
  readonly data: Buffer;
}

/** NAT-D (RFC 3947 3.2; 130 in the drafts): HASH(CKY-I | CKY-R | IP | port). */
export interface NatDPayload extends Decoded {
  readonly type: 20 | 130;
  readonly hash: Buffer;
}

/** NAT-OA (RFC 3947 5.2; 131 in the drafts): the original address. */
export interface NatOaPayload extends Decoded {
  readonly type: 21 | 131;
  /** IdType.IPV4_ADDR or IdType.IPV6_ADDR. */
  readonly idType: number;
  readonly address: Buffer;
}

/** Payloads the codec decodes into fields. */
export type KnownPayload =
  | SaPayload
  | KePayload
  | IdPayload
  | CertPayload
  | CertRequestPayload
  | HashPayload
  | SignaturePayload
  | NoncePayload
  | NotifyPayload
  | DeletePayload
  | VendorIdPayload
  | NatDPayload
  | NatOaPayload;

/** Type numbers of {@link KnownPayload}. */
export type KnownPayloadType = KnownPayload['type'];

type Enumerate<N extends number, Acc extends number[] = []> = Acc['length'] extends N ? Acc[number] : Enumerate<N, [...Acc, Acc['length']]>;

/** Every value of a byte, as a union of literals. */
export type Byte = Enumerate<256>;

/**
 * Payload types kept as raw bytes: reserved and private-use ones. 0 ends the
 * chain; Proposal (2) and Transform (3) live only inside an SA payload.
 */
export type UnknownPayloadType = Exclude<Byte, KnownPayloadType | 0 | 2 | 3>;

/** A payload of a type the codec does not interpret; `raw` is its body. */
export interface UnknownPayload {
  readonly type: UnknownPayloadType;
  readonly raw: Buffer;
}

/** Any top-level ISAKMP payload. */
export type Payload = KnownPayload | UnknownPayload;

/** The payload interface for type `T` (`PayloadOf<20>` is NatDPayload). */
export type PayloadOf<T extends number> = Payload extends infer P ? (P extends { readonly type: infer U } ? (T extends U ? P : never) : never) : never;
