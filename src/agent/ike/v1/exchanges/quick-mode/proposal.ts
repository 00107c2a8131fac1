/**
 * Quick Mode proposals (RFC 2407 4.5, RFC 2409 5.5, RFC 3947 5): one ESP
 * proposal per transform set, numbered 1..n, each with one transform whose
 * attributes follow the seed's order (encaps, life type/duration seconds,
 * life type/duration kilobytes, authenticator), then key length (AES) and
 * group (PFS). 3600 s goes basic, 4608000 KB as TLV "0x0 0x46 0x50 0x0".
 */
import { Buffer } from 'node:buffer';
import { attributeNumber } from '../../../../../codecs/isakmp/attributes.js';
import { Doi, EncapsulationMode, IpsecAttr, LifeType, PayloadType, ProtocolId, Situation } from '../../../../../codecs/isakmp/constants.js';
import { stringifyAuthAlgorithm, stringifyLifeType, stringifyTransformId } from '../../../../../codecs/isakmp/names.js';
import type { Attribute, SaPayload, Transform } from '../../../../../codecs/isakmp/types.js';
import {
  ESP_CIPHERS,
  ESP_INTEGRITY,
  espCipherByTransformId,
  espIntegrityByAuthAttribute,
  type EspCipherName,
  type EspIntegrityName,
} from '../../../../esp/algorithms.js';
import { attributeValueText, type Out } from '../../debug.js';
import type { TransformSetPolicy } from '../../../policy.js';

/** RFC 2407 4.5: the lifetime when a proposal carries none (8 hours). */
export const DEFAULT_IPSEC_SECONDS = 28800;

export interface Lifetime {
  readonly seconds: number;
  readonly kilobytes: number;
}

/** What a Quick Mode agreed on. */
export interface NegotiatedIpsec {
  readonly transformSet: TransformSetPolicy;
  readonly cipher: EspCipherName;
  readonly integrity: EspIntegrityName;
  readonly udpEncapsulation: boolean;
  readonly lifetime: Lifetime;
  readonly pfsGroup: number | null;
  readonly proposalNumber: number;
  readonly transform: Transform;
}

function transformFor(set: TransformSetPolicy, lifetime: Lifetime, pfsGroup: number | null, udp: boolean): Transform {
  const cipher = ESP_CIPHERS[set.cipher];
  const integrity = ESP_INTEGRITY[set.integrity];
  const attributes: Attribute[] = [
    { type: IpsecAttr.ENCAPSULATION_MODE, value: udp ? EncapsulationMode.UDP_TUNNEL : EncapsulationMode.TUNNEL },
    { type: IpsecAttr.LIFE_TYPE, value: LifeType.SECONDS },
    { type: IpsecAttr.LIFE_DURATION, value: lifetime.seconds },
    { type: IpsecAttr.LIFE_TYPE, value: LifeType.KILOBYTES },
    { type: IpsecAttr.LIFE_DURATION, value: lifetime.kilobytes },
  ];
  if (integrity.authAttribute) attributes.push({ type: IpsecAttr.AUTH_ALGORITHM, value: integrity.authAttribute });
  if (cipher.keyLengthBits) attributes.push({ type: IpsecAttr.KEY_LENGTH, value: cipher.keyLengthBits });
  if (pfsGroup !== null) attributes.push({ type: IpsecAttr.GROUP_DESCRIPTION, value: pfsGroup });
  return { number: 1, id: cipher.transformId, attributes };
}

/** The initiator's SA payload: a proposal per transform set, all with our inbound SPI. */
export function quickModeOffer(sets: readonly TransformSetPolicy[], spi: number, lifetime: Lifetime, pfsGroup: number | null, udp: boolean): SaPayload {
  const spiBytes = Buffer.alloc(4);
  spiBytes.writeUInt32BE(spi >>> 0);
  return {
    type: PayloadType.SA,
    doi: Doi.IPSEC,
    situation: Situation.IDENTITY_ONLY,
    proposals: sets.map((s, i) => ({ number: i + 1, protocol: ProtocolId.ESP, spi: spiBytes, transforms: [transformFor(s, lifetime, pfsGroup, udp)] })),
  };
}

/** The responder's answer: the chosen proposal with its own SPI, the transform as offered. */
export function quickModeAnswer(proposalNumber: number, transform: Transform, spi: number): SaPayload {
  const spiBytes = Buffer.alloc(4);
  spiBytes.writeUInt32BE(spi >>> 0);
  return {
    type: PayloadType.SA,
    doi: Doi.IPSEC,
    situation: Situation.IDENTITY_ONLY,
    proposals: [{ number: proposalNumber, protocol: ProtocolId.ESP, spi: spiBytes, transforms: [transform] }],
  };
}

/** An ESP transform read from the wire; `problem` says why it cannot be used at all. */
export interface OfferedIpsec {
  readonly cipher: EspCipherName | null;
  readonly integrity: EspIntegrityName | null;
  readonly encaps: number;
  readonly lifetime: { seconds: number | null; kilobytes: number | null };
  readonly group: number | null;
  readonly problem: string | null;
}

export function readIpsecTransform(protocol: number, t: Transform): OfferedIpsec {
  let encaps = EncapsulationMode.TUNNEL as number;
  let group: number | null = null;
  let keyLength: number | undefined;
  let auth: number | undefined;
  let lifeType: number | null = null;
  const lifetime: { seconds: number | null; kilobytes: number | null } = { seconds: null, kilobytes: null };
  let problem: string | null = null;
  for (const a of t.attributes) {
    let v: number;
    try {
      v = attributeNumber(a);
    } catch {
      problem = `attribute ${a.type} is not a number`;
      continue;
    }
    switch (a.type) {
      case IpsecAttr.ENCAPSULATION_MODE:
        encaps = v;
        break;
      case IpsecAttr.GROUP_DESCRIPTION:
        group = v;
        break;
      case IpsecAttr.KEY_LENGTH:
        keyLength = v;
        break;
      case IpsecAttr.AUTH_ALGORITHM:
        auth = v;
        break;
      case IpsecAttr.LIFE_TYPE:
        lifeType = v;
        break;
      case IpsecAttr.LIFE_DURATION:
        // a lifetime of 0 would make an SA that expires (or rekeys) as soon as it exists
        if (v === 0) problem ??= `SA life duration 0 ${lifeType === LifeType.KILOBYTES ? 'kilobytes' : 'seconds'}`;
        if (lifeType === LifeType.SECONDS) lifetime.seconds = v;
        else if (lifeType === LifeType.KILOBYTES) lifetime.kilobytes = v;
        break;
      default:
        problem = `attribute ${a.type} not supported`;
    }
  }
  if (protocol !== ProtocolId.ESP) return { cipher: null, integrity: null, encaps, lifetime, group, problem: `protocol ${protocol} not supported` };
  let cipher: EspCipherName | null = null;
  let integrity: EspIntegrityName | null = null;
  try {
    cipher = espCipherByTransformId(t.id, keyLength).name;
  } catch {
    problem ??= `ESP transform ${t.id}${keyLength ? `/${keyLength}` : ''} not supported`;
  }
  try {
    integrity = espIntegrityByAuthAttribute(auth).name;
  } catch {
    problem ??= `authenticator ${auth} not supported`;
  }
  if (cipher === 'null' && integrity === 'none') problem ??= 'ESP with neither encryption nor authentication';
  const known = [EncapsulationMode.TUNNEL, EncapsulationMode.UDP_TUNNEL, EncapsulationMode.UDP_TUNNEL_DRAFT] as number[];
  if (!known.includes(encaps)) problem ??= `encapsulation mode ${encaps} not supported`;
  return { cipher, integrity, encaps, lifetime, group, problem };
}

/** The lines IOS prints for one transform ("ISAKMP: transform 1, ESP_DES" ...). */
export function logIpsecTransform(out: Out, protocol: number, t: Transform): void {
  out.isakmp(`ISAKMP: transform ${t.number}, ${stringifyTransformId(protocol, t.id)}`);
  out.isakmp('ISAKMP:   attributes in transform:');
  for (const a of t.attributes) {
    const v = typeof a.value === 'number' ? a.value : -1;
    switch (a.type) {
      case IpsecAttr.ENCAPSULATION_MODE:
        out.isakmp(`ISAKMP:      encaps is ${v}`);
        break;
      case IpsecAttr.LIFE_TYPE:
        out.isakmp(`ISAKMP:      SA life type in ${stringifyLifeType(v)}`);
        break;
      case IpsecAttr.LIFE_DURATION:
        out.isakmp(`ISAKMP:      SA life duration ${attributeValueText(a)}`);
        break;
      case IpsecAttr.AUTH_ALGORITHM:
        out.isakmp(`ISAKMP:      authenticator is ${stringifyAuthAlgorithm(v)}`);
        break;
      case IpsecAttr.KEY_LENGTH:
        out.isakmp(`ISAKMP:      key length is ${v}`);
        break;
      case IpsecAttr.GROUP_DESCRIPTION:
        out.isakmp(`ISAKMP:      group is ${v}`);
        break;
      default:
        out.isakmp(`ISAKMP:      attribute ${a.type} ${attributeValueText(a)}`);
    }
  }
}

export function isUdpEncaps(encaps: number): boolean {
  return encaps === EncapsulationMode.UDP_TUNNEL || encaps === EncapsulationMode.UDP_TUNNEL_DRAFT;
}

/** The RESPONDER-LIFETIME notification data (RFC 2407 4.6.3.1): life type/duration attributes. */
export function responderLifetimeAttributes(lifetime: Lifetime, which: { seconds: boolean; kilobytes: boolean }): Attribute[] {
  const out: Attribute[] = [];
  if (which.seconds) out.push({ type: IpsecAttr.LIFE_TYPE, value: LifeType.SECONDS }, { type: IpsecAttr.LIFE_DURATION, value: lifetime.seconds });
  if (which.kilobytes) out.push({ type: IpsecAttr.LIFE_TYPE, value: LifeType.KILOBYTES }, { type: IpsecAttr.LIFE_DURATION, value: lifetime.kilobytes });
  return out;
}
