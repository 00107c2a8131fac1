/**
 * Phase-1 proposals (RFC 2409 5, appendix A). IOS offers all its ISAKMP
 * policies as transforms of one proposal; the responder checks each offered
 * transform against each of its policies in priority order ("Checking ISAKMP
 * transform 1 against priority 10 policy"), the default protection suite
 * (priority 65535: DES, SHA, RSA signatures, group 1) last.
 */
import { attributeNumber, findAttribute } from '../../../../../codecs/isakmp/attributes.js';
import { AuthMethod, Doi, IsakmpTransformId, LifeType, Phase1Attr, PayloadType, ProtocolId, Situation } from '../../../../../codecs/isakmp/constants.js';
import { stringifyAuthMethod, stringifyEncryption, stringifyHash, stringifyLifeType } from '../../../../../codecs/isakmp/names.js';
import type { Attribute, SaPayload, Transform } from '../../../../../codecs/isakmp/types.js';
import { CIPHERS, HASHES } from '../../../../crypto/algorithms.js';
import { dhGroupById } from '../../../../crypto/dh.js';
import { attributeValueText, type Out } from '../../debug.js';
import type { Phase1Policy } from '../../../policy.js';
import type { Phase1Suite } from '../../sa/isakmp-sa.js';

const AUTH_IDS: Record<Phase1Policy['authentication'], number> = {
  'pre-share': AuthMethod.PRE_SHARED_KEY,
  'rsa-sig': AuthMethod.RSA_SIGNATURES,
  'rsa-encr': AuthMethod.RSA_ENCRYPTION,
};

/** IOS's default protection suite, checked after the configured policies. */
export const DEFAULT_SUITE: Phase1Policy = { priority: 65535, cipher: 'des-cbc', hash: 'sha1', group: 1, authentication: 'rsa-sig', lifetimeSeconds: 86400 };

/** The transform for one policy, attributes in IOS's order (encryption, [key length], hash, group, auth, life type, life duration). */
export function phase1Transform(number: number, p: Phase1Policy): Transform {
  const cipher = CIPHERS[p.cipher];
  const attributes: Attribute[] = [{ type: Phase1Attr.ENCRYPTION, value: cipher.ikeId }];
  if (cipher.ikeId === 7) attributes.push({ type: Phase1Attr.KEY_LENGTH, value: cipher.keySize * 8 });
  attributes.push(
    { type: Phase1Attr.HASH, value: HASHES[p.hash].ikeId },
    { type: Phase1Attr.GROUP_DESCRIPTION, value: p.group },
    { type: Phase1Attr.AUTH_METHOD, value: AUTH_IDS[p.authentication] },
    { type: Phase1Attr.LIFE_TYPE, value: LifeType.SECONDS },
    { type: Phase1Attr.LIFE_DURATION, value: p.lifetimeSeconds },
  );
  return { number, id: IsakmpTransformId.KEY_IKE, attributes };
}

/** The initiator's SA payload: one ISAKMP proposal, one transform per policy. */
export function phase1SaPayload(policies: readonly Phase1Policy[]): SaPayload {
  return {
    type: PayloadType.SA,
    doi: Doi.IPSEC,
    situation: Situation.IDENTITY_ONLY,
    proposals: [{ number: 1, protocol: ProtocolId.ISAKMP, spi: Buffer.alloc(0), transforms: policies.map((p, i) => phase1Transform(i + 1, p)) }],
  };
}

/** The responder's answer: the chosen transform, echoed as offered, in a proposal with the offered number. */
export function phase1AnswerPayload(proposalNumber: number, transform: Transform): SaPayload {
  return {
    type: PayloadType.SA,
    doi: Doi.IPSEC,
    situation: Situation.IDENTITY_ONLY,
    proposals: [{ number: proposalNumber, protocol: ProtocolId.ISAKMP, spi: Buffer.alloc(0), transforms: [transform] }],
  };
}

/** A transform's attributes, read. Unknown or unsupported values stay as numbers so they can be logged and refused. */
export interface OfferedPhase1 {
  readonly encryption: number | undefined;
  readonly keyLength: number | undefined;
  readonly hash: number | undefined;
  readonly auth: number | undefined;
  readonly group: number | undefined;
  readonly lifeSeconds: number | undefined;
}

function num(attrs: readonly Attribute[], type: number): number | undefined {
  const a = findAttribute(attrs, type);
  if (!a) return undefined;
  try {
    return attributeNumber(a);
  } catch {
    return undefined;
  }
}

/** Reads a phase-1 transform's attributes. */
export function readPhase1Transform(t: Transform): OfferedPhase1 {
  let lifeSeconds: number | undefined;
  let lifeType: number | undefined;
  for (const a of t.attributes) {
    if (a.type === Phase1Attr.LIFE_TYPE) lifeType = num([a], a.type);
    if (a.type === Phase1Attr.LIFE_DURATION && lifeType === LifeType.SECONDS) lifeSeconds = num([a], a.type);
  }
  return {
    encryption: num(t.attributes, Phase1Attr.ENCRYPTION),
    keyLength: num(t.attributes, Phase1Attr.KEY_LENGTH),
    hash: num(t.attributes, Phase1Attr.HASH),
    auth: num(t.attributes, Phase1Attr.AUTH_METHOD),
    group: num(t.attributes, Phase1Attr.GROUP_DESCRIPTION),
    lifeSeconds,
  };
}

/** The attribute lines IOS prints under "Checking ISAKMP transform". */
export function logPhase1Attributes(out: Out, t: Transform): void {
  for (const a of t.attributes) {
    const v = typeof a.value === 'number' ? a.value : undefined;
    switch (a.type) {
      case Phase1Attr.ENCRYPTION:
        out.isakmp(`ISAKMP:      encryption ${stringifyEncryption(v ?? -1)}`);
        break;
      case Phase1Attr.KEY_LENGTH:
        out.isakmp(`ISAKMP:      keylength of ${v ?? '?'}`);
        break;
      case Phase1Attr.HASH:
        out.isakmp(`ISAKMP:      hash ${stringifyHash(v ?? -1)}`);
        break;
      case Phase1Attr.GROUP_DESCRIPTION:
        out.isakmp(`ISAKMP:      default group ${v ?? '?'}`);
        break;
      case Phase1Attr.AUTH_METHOD:
        out.isakmp(`ISAKMP:      auth ${stringifyAuthMethod(v ?? -1)}`);
        break;
      case Phase1Attr.LIFE_TYPE:
        out.isakmp(`ISAKMP:      life type in ${stringifyLifeType(v ?? -1)}`);
        break;
      case Phase1Attr.LIFE_DURATION:
        out.isakmp(`ISAKMP:      life duration ${attributeValueText(a)}`);
        break;
      default:
        out.isakmp(`ISAKMP:      attribute ${a.type} ${attributeValueText(a)}`);
    }
  }
}

/** Why `o` does not match policy `p` (IOS's words), or null when it does. */
export function mismatch(o: OfferedPhase1, p: Phase1Policy): string | null {
  const cipher = CIPHERS[p.cipher];
  const keyLength = cipher.ikeId === 7 ? cipher.keySize * 8 : undefined;
  if (o.encryption !== cipher.ikeId || (o.keyLength ?? (cipher.ikeId === 7 ? 128 : undefined)) !== keyLength) {
    return 'Encryption algorithm offered does not match policy!';
  }
  if (o.hash !== HASHES[p.hash].ikeId) return 'Hash algorithm offered does not match policy!';
  if (o.auth !== AUTH_IDS[p.authentication]) return 'Authentication method offered does not match policy!';
  if ((o.group ?? 1) !== p.group) return 'Diffie-Hellman group offered does not match policy!';
  if (o.lifeSeconds !== undefined && o.lifeSeconds > p.lifetimeSeconds) return 'Lifetime offered is longer than policy!';
  return null;
}

export interface SelectOptions {
  /** Only policies with this DH group can be chosen (Aggressive Mode: the KE is already in message 1). */
  readonly group?: number;
  /** Pre-shared key authentication is possible with this peer (a key exists). */
  readonly pskAvailable: boolean;
}

/**
 * Walks the offered transforms against the policies in priority order,
 * logging as IOS does, and returns the first match; null when none.
 */
export function selectPhase1(out: Out, connId: number, sa: SaPayload, policies: readonly Phase1Policy[], opts: SelectOptions): Phase1Suite | null {
  const proposal = sa.proposals.find((p) => p.protocol === ProtocolId.ISAKMP);
  if (!proposal) return null;
  const candidates = [...policies, DEFAULT_SUITE];
  const transforms = proposal.transforms;
  for (let i = 0; i < transforms.length; i++) {
    const t = transforms[i]!;
    const next = i + 1 < transforms.length ? PayloadType.TRANSFORM : 0;
    if (t.id !== IsakmpTransformId.KEY_IKE) continue;
    const offered = readPhase1Transform(t);
    for (const p of candidates) {
      out.sa(connId, `Checking ISAKMP transform ${t.number} against priority ${p.priority} policy`);
      logPhase1Attributes(out, t);
      let why = mismatch(offered, p);
      if (why === null && p.authentication !== 'pre-share') why = 'Authentication method offered does not match policy!';
      if (why === null && !opts.pskAvailable) why = 'No pre-shared key for this peer!';
      if (why === null && opts.group !== undefined && p.group !== opts.group) why = 'Diffie-Hellman group offered does not match policy!';
      if (why !== null) {
        out.sa(connId, why);
        out.sa(connId, `atts are not acceptable. Next payload is ${next}`);
        continue;
      }
      out.sa(connId, `atts are acceptable. Next payload is ${next}`);
      return {
        policy: p,
        cipher: CIPHERS[p.cipher],
        hash: HASHES[p.hash],
        group: dhGroupById(p.group),
        lifetimeSeconds: offered.lifeSeconds ?? p.lifetimeSeconds,
        proposalNumber: proposal.number,
        transform: t,
      };
    }
  }
  return null;
}
