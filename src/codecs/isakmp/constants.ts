/**
 * ISAKMP (RFC 2408), IPsec DOI (RFC 2407) and IKE (RFC 2409) numbers.
 *
 * Every enum is a `const` object plus a union type of its values, so a value
 * read from the wire stays a plain number and a name is one lookup away
 * (`names.ts` has the `stringify…` helpers that print IOS/RFC names).
 */

/** The only ISAKMP version this codec speaks: major 1, minor 0. */
export const ISAKMP_VERSION = 0x10;
/** Size of the fixed ISAKMP header (RFC 2408 3.1). */
export const HEADER_LENGTH = 28;
/** Size of the generic payload header (RFC 2408 3.2). */
export const GENERIC_HEADER_LENGTH = 4;
/** Largest payload (generic header included): the length field has 16 bits. */
export const MAX_PAYLOAD_LENGTH = 0xffff;
/** UDP port of IKE (RFC 2408 2.5.2). */
export const IKE_PORT = 500;
/** UDP port of IKE and ESP once NAT-T moved the exchange (RFC 3947/3948). */
export const NAT_T_PORT = 4500;

/** Next Payload values (RFC 2408 3.1, RFC 3947 3, RFC 2408 3.1 private range). */
export const PayloadType = {
  /** End of the payload chain. */
  NONE: 0,
  /** Security Association (RFC 2408 3.4). */
  SA: 1,
  /** Proposal, only inside an SA payload (RFC 2408 3.5). */
  PROPOSAL: 2,
  /** Transform, only inside a Proposal (RFC 2408 3.6). */
  TRANSFORM: 3,
  /** Key Exchange (RFC 2408 3.7). */
  KE: 4,
  /** Identification (RFC 2408 3.8, RFC 2407 4.6.2). */
  ID: 5,
  /** Certificate (RFC 2408 3.9). */
  CERT: 6,
  /** Certificate Request (RFC 2408 3.10). */
  CERT_REQUEST: 7,
  /** Hash (RFC 2408 3.11). */
  HASH: 8,
  /** Signature (RFC 2408 3.12). */
  SIGNATURE: 9,
  /** Nonce (RFC 2408 3.13). */
  NONCE: 10,
  /** Notification (RFC 2408 3.14). */
  NOTIFY: 11,
  /** Delete (RFC 2408 3.15). */
  DELETE: 12,
  /** Vendor ID (RFC 2408 3.16). */
  VENDOR_ID: 13,
  /** NAT Discovery (RFC 3947 3.2). */
  NAT_D: 20,
  /** NAT Original Address (RFC 3947 5.2). */
  NAT_OA: 21,
  /** NAT Discovery as numbered by the NAT-T drafts (draft-ietf-ipsec-nat-t-ike-02/03). */
  NAT_D_DRAFT: 130,
  /** NAT Original Address as numbered by the NAT-T drafts. */
  NAT_OA_DRAFT: 131,
} as const;
export type PayloadType = (typeof PayloadType)[keyof typeof PayloadType];
/** First payload type of the private-use range (RFC 2408 3.1: 128-255). */
export const PAYLOAD_PRIVATE_USE_MIN = 128;

/** Exchange Type values (RFC 2408 3.1 and 4, RFC 2409 5). */
export const ExchangeType = {
  /** No exchange. */
  NONE: 0,
  /** Base exchange (RFC 2408 4.4). */
  BASE: 1,
  /** Identity Protection, IKE Main Mode (RFC 2408 4.5, RFC 2409 5). */
  IDENTITY_PROTECTION: 2,
  /** Authentication Only (RFC 2408 4.6). */
  AUTHENTICATION_ONLY: 3,
  /** Aggressive, IKE Aggressive Mode (RFC 2408 4.7). */
  AGGRESSIVE: 4,
  /** Informational (RFC 2408 4.8). */
  INFORMATIONAL: 5,
  /** Transaction, Mode Config/XAUTH (draft-ietf-ipsec-isakmp-mode-cfg). */
  TRANSACTION: 6,
  /** IKE Quick Mode (RFC 2409 5.5). */
  QUICK_MODE: 32,
  /** IKE New Group Mode (RFC 2409 5.6). */
  NEW_GROUP_MODE: 33,
} as const;
export type ExchangeType = (typeof ExchangeType)[keyof typeof ExchangeType];
/** First exchange type of the private-use range (RFC 2408 3.1: 240-255). */
export const EXCHANGE_PRIVATE_USE_MIN = 240;

/** ISAKMP header flag bits (RFC 2408 3.1). */
export const Flags = {
  /** E: everything after the header is encrypted. */
  ENCRYPTION: 0x01,
  /** C: commit bit, key exchange synchronisation. */
  COMMIT: 0x02,
  /** A: authentication only, payloads are not encrypted. */
  AUTHENTICATION_ONLY: 0x04,
} as const;
export type Flags = (typeof Flags)[keyof typeof Flags];

/** Notify Message Types (RFC 2408 3.14.1, RFC 2407 4.6.3, RFC 3706). */
export const NotifyType = {
  /** Error: the Next Payload value is not a known payload type. */
  INVALID_PAYLOAD_TYPE: 1,
  /** Error: the DOI is not supported. */
  DOI_NOT_SUPPORTED: 2,
  /** Error: the SA situation is not supported. */
  SITUATION_NOT_SUPPORTED: 3,
  /** Error: a cookie is invalid. */
  INVALID_COOKIE: 4,
  /** Error: the major version is not 1. */
  INVALID_MAJOR_VERSION: 5,
  /** Error: the minor version is not 0. */
  INVALID_MINOR_VERSION: 6,
  /** Error: the exchange type is invalid. */
  INVALID_EXCHANGE_TYPE: 7,
  /** Error: the header flags are invalid. */
  INVALID_FLAGS: 8,
  /** Error: the message ID is invalid. */
  INVALID_MESSAGE_ID: 9,
  /** Error: the protocol ID is invalid. */
  INVALID_PROTOCOL_ID: 10,
  /** Error: the SPI is invalid. */
  INVALID_SPI: 11,
  /** Error: the transform ID is invalid. */
  INVALID_TRANSFORM_ID: 12,
  /** Error: an SA attribute is not supported. */
  ATTRIBUTES_NOT_SUPPORTED: 13,
  /** Error: none of the proposals is acceptable. */
  NO_PROPOSAL_CHOSEN: 14,
  /** Error: the proposal syntax is wrong. */
  BAD_PROPOSAL_SYNTAX: 15,
  /** Error: a payload is malformed. */
  PAYLOAD_MALFORMED: 16,
  /** Error: the key exchange data is invalid. */
  INVALID_KEY_INFORMATION: 17,
  /** Error: the identification data is invalid. */
  INVALID_ID_INFORMATION: 18,
  /** Error: the certificate encoding is invalid. */
  INVALID_CERT_ENCODING: 19,
  /** Error: the certificate is invalid. */
  INVALID_CERTIFICATE: 20,
  /** Error: the certificate type is not supported. */
  CERT_TYPE_UNSUPPORTED: 21,
  /** Error: the certificate authority is invalid. */
  INVALID_CERT_AUTHORITY: 22,
  /** Error: the hash does not match. */
  INVALID_HASH_INFORMATION: 23,
  /** Error: authentication failed. */
  AUTHENTICATION_FAILED: 24,
  /** Error: the signature is invalid. */
  INVALID_SIGNATURE: 25,
  /** Error: address notification. */
  ADDRESS_NOTIFICATION: 26,
  /** Error: SA lifetime notification. */
  NOTIFY_SA_LIFETIME: 27,
  /** Error: a certificate is unavailable. */
  CERTIFICATE_UNAVAILABLE: 28,
  /** Error: the exchange type is valid but not supported. */
  UNSUPPORTED_EXCHANGE_TYPE: 29,
  /** Error: the lengths in the message do not add up. */
  UNEQUAL_PAYLOAD_LENGTHS: 30,
  /** Status: the SA is established (RFC 2408). */
  CONNECTED: 16384,
  /** Status: the responder's lifetime for the SA (RFC 2407 4.6.3.1). */
  RESPONDER_LIFETIME: 24576,
  /** Status: replay detection state (RFC 2407 4.6.3.2). */
  REPLAY_STATUS: 24577,
  /** Status: first contact, delete old SAs with this peer (RFC 2407 4.6.3.3). */
  INITIAL_CONTACT: 24578,
  /** Status: Dead Peer Detection request (RFC 3706). */
  R_U_THERE: 36136,
  /** Status: Dead Peer Detection answer (RFC 3706). */
  R_U_THERE_ACK: 36137,
} as const;
export type NotifyType = (typeof NotifyType)[keyof typeof NotifyType];

/** Domain of Interpretation (RFC 2408 3.4, RFC 2407). */
export const Doi = {
  /** Generic ISAKMP (phase-1 Notify/Delete may use it). */
  ISAKMP: 0,
  /** IPsec DOI (RFC 2407). */
  IPSEC: 1,
} as const;
export type Doi = (typeof Doi)[keyof typeof Doi];

/** IPsec DOI situation bits (RFC 2407 4.2). */
export const Situation = {
  /** SIT_IDENTITY_ONLY: the only situation IKE peers use. */
  IDENTITY_ONLY: 0x01,
  /** SIT_SECRECY: labeled secrecy (never used here). */
  SECRECY: 0x02,
  /** SIT_INTEGRITY: labeled integrity (never used here). */
  INTEGRITY: 0x04,
} as const;
export type Situation = (typeof Situation)[keyof typeof Situation];

/** Protocol IDs of proposals, Notify and Delete (RFC 2407 4.4.1). */
export const ProtocolId = {
  /** PROTO_ISAKMP: phase 1. */
  ISAKMP: 1,
  /** PROTO_IPSEC_AH. */
  AH: 2,
  /** PROTO_IPSEC_ESP. */
  ESP: 3,
  /** PROTO_IPCOMP. */
  IPCOMP: 4,
} as const;
export type ProtocolId = (typeof ProtocolId)[keyof typeof ProtocolId];

/** Transform IDs for PROTO_ISAKMP (RFC 2407 4.4.2). */
export const IsakmpTransformId = {
  /** KEY_IKE: the IKE key exchange. */
  KEY_IKE: 1,
} as const;
export type IsakmpTransformId = (typeof IsakmpTransformId)[keyof typeof IsakmpTransformId];

/** Transform IDs for PROTO_IPSEC_AH (RFC 2407 4.4.3). */
export const AhTransformId = {
  /** AH_MD5. */
  AH_MD5: 2,
  /** AH_SHA. */
  AH_SHA: 3,
  /** AH_DES. */
  AH_DES: 4,
} as const;
export type AhTransformId = (typeof AhTransformId)[keyof typeof AhTransformId];

/** Transform IDs for PROTO_IPSEC_ESP (RFC 2407 4.4.4, RFC 3602). */
export const EspTransformId = {
  /** ESP_DES_IV64. */
  ESP_DES_IV64: 1,
  /** ESP_DES: DES-CBC (the seed's esp-des). */
  ESP_DES: 2,
  /** ESP_3DES: 3DES-CBC. */
  ESP_3DES: 3,
  /** ESP_RC5. */
  ESP_RC5: 4,
  /** ESP_IDEA. */
  ESP_IDEA: 5,
  /** ESP_CAST. */
  ESP_CAST: 6,
  /** ESP_BLOWFISH. */
  ESP_BLOWFISH: 7,
  /** ESP_3IDEA. */
  ESP_3IDEA: 8,
  /** ESP_DES_IV32. */
  ESP_DES_IV32: 9,
  /** ESP_RC4. */
  ESP_RC4: 10,
  /** ESP_NULL: no encryption. */
  ESP_NULL: 11,
  /** ESP_AES: AES-CBC, key length attribute required (RFC 3602). */
  ESP_AES: 12,
} as const;
export type EspTransformId = (typeof EspTransformId)[keyof typeof EspTransformId];

/** Phase-1 SA attribute types (RFC 2409 appendix A). */
export const Phase1Attr = {
  /** Encryption Algorithm (basic). */
  ENCRYPTION: 1,
  /** Hash Algorithm (basic). */
  HASH: 2,
  /** Authentication Method (basic). */
  AUTH_METHOD: 3,
  /** Group Description (basic). */
  GROUP_DESCRIPTION: 4,
  /** Group Type (basic). */
  GROUP_TYPE: 5,
  /** Group Prime/Irreducible Polynomial (variable). */
  GROUP_PRIME: 6,
  /** Group Generator One (variable). */
  GROUP_GENERATOR_ONE: 7,
  /** Group Generator Two (variable). */
  GROUP_GENERATOR_TWO: 8,
  /** Group Curve A (variable). */
  GROUP_CURVE_A: 9,
  /** Group Curve B (variable). */
  GROUP_CURVE_B: 10,
  /** Life Type (basic). */
  LIFE_TYPE: 11,
  /** Life Duration (variable: 86400 s is TLV "0x0 0x1 0x51 0x80"). */
  LIFE_DURATION: 12,
  /** PRF (basic). */
  PRF: 13,
  /** Key Length in bits (basic). */
  KEY_LENGTH: 14,
  /** Field Size (basic). */
  FIELD_SIZE: 15,
  /** Group Order (variable). */
  GROUP_ORDER: 16,
} as const;
export type Phase1Attr = (typeof Phase1Attr)[keyof typeof Phase1Attr];

/** Values of the phase-1 Encryption Algorithm attribute (RFC 2409 appendix A, RFC 3602). */
export const EncryptionAlgorithm = {
  /** DES-CBC (IOS default). */
  DES_CBC: 1,
  /** IDEA-CBC. */
  IDEA_CBC: 2,
  /** Blowfish-CBC. */
  BLOWFISH_CBC: 3,
  /** RC5-R16-B64-CBC. */
  RC5_R16_B64_CBC: 4,
  /** 3DES-CBC. */
  DES3_CBC: 5,
  /** CAST-CBC. */
  CAST_CBC: 6,
  /** AES-CBC, with the Key Length attribute. */
  AES_CBC: 7,
} as const;
export type EncryptionAlgorithm = (typeof EncryptionAlgorithm)[keyof typeof EncryptionAlgorithm];

/** Values of the phase-1 Hash Algorithm attribute (RFC 2409 appendix A, RFC 4868). */
export const HashAlgorithm = {
  /** MD5. */
  MD5: 1,
  /** SHA-1 (IOS default). */
  SHA: 2,
  /** Tiger. */
  TIGER: 3,
  /** SHA2-256. */
  SHA2_256: 4,
  /** SHA2-384. */
  SHA2_384: 5,
  /** SHA2-512. */
  SHA2_512: 6,
} as const;
export type HashAlgorithm = (typeof HashAlgorithm)[keyof typeof HashAlgorithm];

/** Values of the phase-1 Authentication Method attribute (RFC 2409 appendix A). */
export const AuthMethod = {
  /** Pre-shared key (the seed's `authentication pre-share`). */
  PRE_SHARED_KEY: 1,
  /** DSS signatures. */
  DSS_SIGNATURES: 2,
  /** RSA signatures (IOS default). */
  RSA_SIGNATURES: 3,
  /** Encryption with RSA. */
  RSA_ENCRYPTION: 4,
  /** Revised encryption with RSA. */
  RSA_REVISED_ENCRYPTION: 5,
  /** XAUTH with pre-shared key, initiator side (draft-beaulieu-ike-xauth). */
  XAUTH_INIT_PRE_SHARED: 65001,
  /** XAUTH with pre-shared key, responder side. */
  XAUTH_RESP_PRE_SHARED: 65002,
} as const;
export type AuthMethod = (typeof AuthMethod)[keyof typeof AuthMethod];

/** Values of Group Description, phase 1 and PFS (RFC 2409 6, RFC 3526). */
export const GroupDescription = {
  /** Group 1: 768-bit MODP (IOS default). */
  MODP_768: 1,
  /** Group 2: 1024-bit MODP. */
  MODP_1024: 2,
  /** Group 3: EC2N over GF(2^155). */
  EC2N_155: 3,
  /** Group 4: EC2N over GF(2^185). */
  EC2N_185: 4,
  /** Group 5: 1536-bit MODP. */
  MODP_1536: 5,
  /** Group 14: 2048-bit MODP. */
  MODP_2048: 14,
  /** Group 15: 3072-bit MODP. */
  MODP_3072: 15,
  /** Group 16: 4096-bit MODP. */
  MODP_4096: 16,
} as const;
export type GroupDescription = (typeof GroupDescription)[keyof typeof GroupDescription];

/** Values of the Life Type attributes, phase 1 and IPsec (RFC 2409, RFC 2407 4.5). */
export const LifeType = {
  /** Duration in seconds. */
  SECONDS: 1,
  /** Duration in kilobytes. */
  KILOBYTES: 2,
} as const;
export type LifeType = (typeof LifeType)[keyof typeof LifeType];

/** IPsec DOI SA attribute types (RFC 2407 4.5). */
export const IpsecAttr = {
  /** SA Life Type (basic). */
  LIFE_TYPE: 1,
  /** SA Life Duration (variable: 4608000 KB is TLV "0x0 0x46 0x50 0x0"). */
  LIFE_DURATION: 2,
  /** Group Description for PFS (basic). */
  GROUP_DESCRIPTION: 3,
  /** Encapsulation Mode (basic). */
  ENCAPSULATION_MODE: 4,
  /** Authentication Algorithm (basic). */
  AUTH_ALGORITHM: 5,
  /** Key Length in bits (basic). */
  KEY_LENGTH: 6,
  /** Key Rounds (basic). */
  KEY_ROUNDS: 7,
  /** Compress Dictionary Size (basic). */
  COMPRESS_DICTIONARY_SIZE: 8,
  /** Compress Private Algorithm (variable). */
  COMPRESS_PRIVATE_ALGORITHM: 9,
} as const;
export type IpsecAttr = (typeof IpsecAttr)[keyof typeof IpsecAttr];

/** Values of the IPsec Encapsulation Mode attribute (RFC 2407 4.5, RFC 3947 5). */
export const EncapsulationMode = {
  /** Tunnel mode (IOS "encaps is 1"). */
  TUNNEL: 1,
  /** Transport mode. */
  TRANSPORT: 2,
  /** UDP-Encapsulated-Tunnel (RFC 3947). */
  UDP_TUNNEL: 3,
  /** UDP-Encapsulated-Transport (RFC 3947). */
  UDP_TRANSPORT: 4,
  /** UDP-Encapsulated-Tunnel as numbered by the NAT-T drafts. */
  UDP_TUNNEL_DRAFT: 61443,
  /** UDP-Encapsulated-Transport as numbered by the NAT-T drafts. */
  UDP_TRANSPORT_DRAFT: 61444,
} as const;
export type EncapsulationMode = (typeof EncapsulationMode)[keyof typeof EncapsulationMode];

/** Values of the IPsec Authentication Algorithm attribute (RFC 2407 4.5, RFC 4868). */
export const AuthAlgorithm = {
  /** HMAC-MD5 (esp-md5-hmac). */
  HMAC_MD5: 1,
  /** HMAC-SHA (esp-sha-hmac). */
  HMAC_SHA: 2,
  /** DES-MAC. */
  DES_MAC: 3,
  /** KPDK. */
  KPDK: 4,
  /** HMAC-SHA2-256 (esp-sha256-hmac). */
  HMAC_SHA2_256: 5,
  /** HMAC-SHA2-384. */
  HMAC_SHA2_384: 6,
  /** HMAC-SHA2-512. */
  HMAC_SHA2_512: 7,
} as const;
export type AuthAlgorithm = (typeof AuthAlgorithm)[keyof typeof AuthAlgorithm];

/** Identification types (RFC 2407 4.6.2.1). */
export const IdType = {
  /** A single IPv4 address (4 bytes). */
  IPV4_ADDR: 1,
  /** A fully qualified domain name. */
  FQDN: 2,
  /** user@domain. */
  USER_FQDN: 3,
  /** IPv4 address and netmask (8 bytes). */
  IPV4_ADDR_SUBNET: 4,
  /** A single IPv6 address (16 bytes). */
  IPV6_ADDR: 5,
  /** IPv6 address and netmask (32 bytes). */
  IPV6_ADDR_SUBNET: 6,
  /** IPv4 start and end address (8 bytes). */
  IPV4_ADDR_RANGE: 7,
  /** IPv6 start and end address (32 bytes). */
  IPV6_ADDR_RANGE: 8,
  /** DER-encoded ASN.1 X.500 distinguished name. */
  DER_ASN1_DN: 9,
  /** DER-encoded ASN.1 X.500 general name. */
  DER_ASN1_GN: 10,
  /** Opaque key identifier. */
  KEY_ID: 11,
} as const;
export type IdType = (typeof IdType)[keyof typeof IdType];

/** Well-known Vendor ID payload contents, as lowercase hex. */
export const VendorIdHex = {
  /** Cisco Unity: MD5("CISCO-UNITY") with the last two bytes 01 00; IOS logs "speaking to another IOS box!". */
  CISCO_UNITY: '12f5f28c457168a9702d9fe274cc0100',
  /** Dead Peer Detection version 1.0 (RFC 3706). */
  DPD: 'afcad71368a1f1c96b8696fc77570100',
  /** NAT-T as in RFC 3947: MD5("RFC 3947"). */
  NAT_T_RFC3947: '4a131c81070358455c5728f20e95452f',
  /** NAT-T draft: MD5("draft-ietf-ipsec-nat-t-ike-02\n"). */
  NAT_T_DRAFT_02N: '90cb80913ebb696e086381b5ec427b1f',
} as const;
export type VendorIdHex = (typeof VendorIdHex)[keyof typeof VendorIdHex];
