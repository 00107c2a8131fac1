/**
 * Names for logs: the spelling IOS prints where it prints one ("DES-CBC",
 * "SHA", "pre-share", "HMAC-MD5", "ESP_DES"), the RFC's otherwise. Unknown
 * values come back with their number so a log line is never empty.
 * Payload type names live with the payload table (chain.ts,
 * `stringifyPayloadType`).
 */
import { Buffer } from 'node:buffer';
import {
  AuthAlgorithm,
  AuthMethod,
  EncapsulationMode,
  EncryptionAlgorithm,
  EspTransformId,
  ExchangeType,
  EXCHANGE_PRIVATE_USE_MIN,
  Flags,
  GroupDescription,
  HashAlgorithm,
  IdType,
  IpsecAttr,
  LifeType,
  NotifyType,
  Phase1Attr,
  ProtocolId,
  VendorIdHex,
} from './constants.js';

type Names = Readonly<Record<number, string>>;

const EXCHANGE_NAMES: Names = {
  [ExchangeType.NONE]: 'None',
  [ExchangeType.BASE]: 'Base',
  [ExchangeType.IDENTITY_PROTECTION]: 'Identity Protection (Main Mode)',
  [ExchangeType.AUTHENTICATION_ONLY]: 'Authentication Only',
  [ExchangeType.AGGRESSIVE]: 'Aggressive',
  [ExchangeType.INFORMATIONAL]: 'Informational',
  [ExchangeType.TRANSACTION]: 'Transaction (Config Mode)',
  [ExchangeType.QUICK_MODE]: 'Quick Mode',
  [ExchangeType.NEW_GROUP_MODE]: 'New Group Mode',
};

/** "Identity Protection (Main Mode)", "Quick Mode", "Private Use 240". */
export function stringifyExchangeType(type: number): string {
  const known = EXCHANGE_NAMES[type];
  if (known !== undefined) return known;
  if (type >= EXCHANGE_PRIVATE_USE_MIN) return `Private Use ${type}`;
  if (type > ExchangeType.NEW_GROUP_MODE) return `DOI Specific ${type}`;
  return `Reserved ${type}`;
}

/** "E", "E|C", "-" for no flag; unknown bits as hex. */
export function stringifyFlags(flags: number): string {
  const parts: string[] = [];
  if (flags & Flags.ENCRYPTION) parts.push('E');
  if (flags & Flags.COMMIT) parts.push('C');
  if (flags & Flags.AUTHENTICATION_ONLY) parts.push('A');
  const rest = flags & ~0x07;
  if (rest) parts.push(`0x${rest.toString(16)}`);
  return parts.length > 0 ? parts.join('|') : '-';
}

const NOTIFY_NAMES: Names = Object.fromEntries(Object.entries(NotifyType).map(([key, value]) => [value, key.replace(/_/g, '-')]));

/** "PAYLOAD-MALFORMED", "INITIAL-CONTACT", "R-U-THERE"; ranges per RFC 2408 3.14.1. */
export function stringifyNotifyType(type: number): string {
  const known = NOTIFY_NAMES[type];
  if (known !== undefined) return known;
  if (type < 8192) return `RESERVED-ERROR-${type}`;
  if (type < 16384) return `PRIVATE-ERROR-${type}`;
  if (type < 24576) return `RESERVED-STATUS-${type}`;
  if (type < 32768) return `DOI-STATUS-${type}`;
  if (type < 40960) return `PRIVATE-STATUS-${type}`;
  return `RESERVED-STATUS-${type}`;
}

const PROTOCOL_NAMES: Names = {
  [ProtocolId.ISAKMP]: 'PROTO_ISAKMP',
  [ProtocolId.AH]: 'PROTO_IPSEC_AH',
  [ProtocolId.ESP]: 'PROTO_IPSEC_ESP',
  [ProtocolId.IPCOMP]: 'PROTO_IPCOMP',
};

/** "PROTO_IPSEC_ESP". */
export function stringifyProtocolId(protocol: number): string {
  return PROTOCOL_NAMES[protocol] ?? `PROTO_${protocol}`;
}

const ESP_TRANSFORM_NAMES: Names = Object.fromEntries(Object.entries(EspTransformId).map(([key, value]) => [value, key]));

/** IOS's "transform 1, ESP_DES": the transform ID named within its protocol. */
export function stringifyTransformId(protocol: number, id: number): string {
  if (protocol === ProtocolId.ISAKMP && id === 1) return 'KEY_IKE';
  if (protocol === ProtocolId.ESP) return ESP_TRANSFORM_NAMES[id] ?? `ESP_${id}`;
  if (protocol === ProtocolId.AH) return { 2: 'AH_MD5', 3: 'AH_SHA', 4: 'AH_DES' }[id] ?? `AH_${id}`;
  return `TRANSFORM_${id}`;
}

const PHASE1_ATTR_NAMES: Names = {
  [Phase1Attr.ENCRYPTION]: 'encryption',
  [Phase1Attr.HASH]: 'hash',
  [Phase1Attr.AUTH_METHOD]: 'auth',
  [Phase1Attr.GROUP_DESCRIPTION]: 'group',
  [Phase1Attr.GROUP_TYPE]: 'group type',
  [Phase1Attr.GROUP_PRIME]: 'group prime',
  [Phase1Attr.GROUP_GENERATOR_ONE]: 'group generator one',
  [Phase1Attr.GROUP_GENERATOR_TWO]: 'group generator two',
  [Phase1Attr.GROUP_CURVE_A]: 'group curve A',
  [Phase1Attr.GROUP_CURVE_B]: 'group curve B',
  [Phase1Attr.LIFE_TYPE]: 'life type',
  [Phase1Attr.LIFE_DURATION]: 'life duration',
  [Phase1Attr.PRF]: 'prf',
  [Phase1Attr.KEY_LENGTH]: 'keylength',
  [Phase1Attr.FIELD_SIZE]: 'field size',
  [Phase1Attr.GROUP_ORDER]: 'group order',
};

/** Phase-1 attribute type as IOS words it ("encryption", "life duration"). */
export function stringifyPhase1Attr(type: number): string {
  return PHASE1_ATTR_NAMES[type] ?? `attribute ${type}`;
}

const IPSEC_ATTR_NAMES: Names = {
  [IpsecAttr.LIFE_TYPE]: 'SA life type',
  [IpsecAttr.LIFE_DURATION]: 'SA life duration',
  [IpsecAttr.GROUP_DESCRIPTION]: 'group',
  [IpsecAttr.ENCAPSULATION_MODE]: 'encaps',
  [IpsecAttr.AUTH_ALGORITHM]: 'authenticator',
  [IpsecAttr.KEY_LENGTH]: 'key length',
  [IpsecAttr.KEY_ROUNDS]: 'key rounds',
  [IpsecAttr.COMPRESS_DICTIONARY_SIZE]: 'compress dictionary size',
  [IpsecAttr.COMPRESS_PRIVATE_ALGORITHM]: 'compress private algorithm',
};

/** IPsec DOI attribute type as IOS words it ("encaps", "authenticator"). */
export function stringifyIpsecAttr(type: number): string {
  return IPSEC_ATTR_NAMES[type] ?? `attribute ${type}`;
}

const ENCRYPTION_NAMES: Names = {
  [EncryptionAlgorithm.DES_CBC]: 'DES-CBC',
  [EncryptionAlgorithm.IDEA_CBC]: 'IDEA-CBC',
  [EncryptionAlgorithm.BLOWFISH_CBC]: 'Blowfish-CBC',
  [EncryptionAlgorithm.RC5_R16_B64_CBC]: 'RC5-R16-B64-CBC',
  [EncryptionAlgorithm.DES3_CBC]: '3DES-CBC',
  [EncryptionAlgorithm.CAST_CBC]: 'CAST-CBC',
  [EncryptionAlgorithm.AES_CBC]: 'AES-CBC',
};
/** "DES-CBC" (IOS: "ISAKMP: encryption DES-CBC"). */
export function stringifyEncryption(value: number): string {
  return ENCRYPTION_NAMES[value] ?? `encryption ${value}`;
}

const HASH_NAMES: Names = {
  [HashAlgorithm.MD5]: 'MD5',
  [HashAlgorithm.SHA]: 'SHA',
  [HashAlgorithm.TIGER]: 'Tiger',
  [HashAlgorithm.SHA2_256]: 'SHA256',
  [HashAlgorithm.SHA2_384]: 'SHA384',
  [HashAlgorithm.SHA2_512]: 'SHA512',
};
/** "SHA" (IOS: "ISAKMP: hash SHA"). */
export function stringifyHash(value: number): string {
  return HASH_NAMES[value] ?? `hash ${value}`;
}

const AUTH_METHOD_NAMES: Names = {
  [AuthMethod.PRE_SHARED_KEY]: 'pre-share',
  [AuthMethod.DSS_SIGNATURES]: 'DSS sig',
  [AuthMethod.RSA_SIGNATURES]: 'RSA sig',
  [AuthMethod.RSA_ENCRYPTION]: 'RSA encr',
  [AuthMethod.RSA_REVISED_ENCRYPTION]: 'RSA revised encr',
  [AuthMethod.XAUTH_INIT_PRE_SHARED]: 'XAUTHInitPreShared',
  [AuthMethod.XAUTH_RESP_PRE_SHARED]: 'XAUTHRespPreShared',
};
/** "pre-share" (IOS: "ISAKMP: auth pre-share"). */
export function stringifyAuthMethod(value: number): string {
  return AUTH_METHOD_NAMES[value] ?? `auth ${value}`;
}

const GROUP_NAMES: Names = {
  [GroupDescription.MODP_768]: 'group 1 (768-bit MODP)',
  [GroupDescription.MODP_1024]: 'group 2 (1024-bit MODP)',
  [GroupDescription.EC2N_155]: 'group 3 (EC2N 155)',
  [GroupDescription.EC2N_185]: 'group 4 (EC2N 185)',
  [GroupDescription.MODP_1536]: 'group 5 (1536-bit MODP)',
  [GroupDescription.MODP_2048]: 'group 14 (2048-bit MODP)',
  [GroupDescription.MODP_3072]: 'group 15 (3072-bit MODP)',
  [GroupDescription.MODP_4096]: 'group 16 (4096-bit MODP)',
};
/** "group 1 (768-bit MODP)". */
export function stringifyGroup(value: number): string {
  return GROUP_NAMES[value] ?? `group ${value}`;
}

/** "seconds" / "kilobytes" (IOS: "life type in seconds"). */
export function stringifyLifeType(value: number): string {
  if (value === LifeType.SECONDS) return 'seconds';
  if (value === LifeType.KILOBYTES) return 'kilobytes';
  return `life type ${value}`;
}

const ENCAPSULATION_NAMES: Names = {
  [EncapsulationMode.TUNNEL]: 'Tunnel',
  [EncapsulationMode.TRANSPORT]: 'Transport',
  [EncapsulationMode.UDP_TUNNEL]: 'UDP-Encapsulated-Tunnel',
  [EncapsulationMode.UDP_TRANSPORT]: 'UDP-Encapsulated-Transport',
  [EncapsulationMode.UDP_TUNNEL_DRAFT]: 'UDP-Encapsulated-Tunnel (draft)',
  [EncapsulationMode.UDP_TRANSPORT_DRAFT]: 'UDP-Encapsulated-Transport (draft)',
};
/** "Tunnel" (IOS "in use settings ={Tunnel, }"). */
export function stringifyEncapsulation(value: number): string {
  return ENCAPSULATION_NAMES[value] ?? `encaps ${value}`;
}

const AUTH_ALGORITHM_NAMES: Names = {
  [AuthAlgorithm.HMAC_MD5]: 'HMAC-MD5',
  [AuthAlgorithm.HMAC_SHA]: 'HMAC-SHA',
  [AuthAlgorithm.DES_MAC]: 'DES-MAC',
  [AuthAlgorithm.KPDK]: 'KPDK',
  [AuthAlgorithm.HMAC_SHA2_256]: 'HMAC-SHA256',
  [AuthAlgorithm.HMAC_SHA2_384]: 'HMAC-SHA384',
  [AuthAlgorithm.HMAC_SHA2_512]: 'HMAC-SHA512',
};
/** "HMAC-MD5" (IOS: "ISAKMP: authenticator is HMAC-MD5"). */
export function stringifyAuthAlgorithm(value: number): string {
  return AUTH_ALGORITHM_NAMES[value] ?? `authenticator ${value}`;
}

const ID_NAMES: Names = Object.fromEntries(Object.entries(IdType).map(([key, value]) => [value, `ID_${key}`]));

/** "ID_IPV4_ADDR_SUBNET" (IOS prints these names). */
export function stringifyIdType(type: number): string {
  return ID_NAMES[type] ?? `ID_${type}`;
}

const VENDOR_NAMES: Readonly<Record<string, string>> = {
  [VendorIdHex.CISCO_UNITY]: 'Cisco Unity',
  [VendorIdHex.DPD]: 'Dead Peer Detection v1.0',
  [VendorIdHex.NAT_T_RFC3947]: 'RFC 3947 NAT-T',
  [VendorIdHex.NAT_T_DRAFT_02N]: 'draft-ietf-ipsec-nat-t-ike-02\\n',
};

/** "Cisco Unity", "RFC 3947 NAT-T", or the contents in hex. */
export function stringifyVendorId(data: Uint8Array): string {
  const hex = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('hex');
  return VENDOR_NAMES[hex] ?? hex;
}
