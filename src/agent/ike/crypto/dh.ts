/**
 * MODP Diffie-Hellman groups 1, 2, 5 and 14 (RFC 2409 section 6, RFC 3526).
 * Public values and shared secrets are left-padded to the group size, as
 * IKEv1 puts them on the wire and into the key derivation.
 */
import {
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  getDiffieHellman,
  type KeyObject,
} from 'node:crypto';
import { dhPkcs8, dhSpki, publicValueFromSpki } from './dh-der.js';
import { InvalidDhPublicValueError, UnsupportedAlgorithmError } from './errors.js';

export interface DhGroup {
  /** Phase-1 attribute 4 / IPsec DOI attribute 3 value. */
  readonly id: number;
  readonly name: string;
  /** Name for node:crypto getDiffieHellman. */
  readonly nodeName: 'modp1' | 'modp2' | 'modp5' | 'modp14';
  /** Prime size in bytes: the length of public values and g^xy. */
  readonly size: number;
}

export const DH_GROUPS: readonly DhGroup[] = [
  { id: 1, name: 'modp768', nodeName: 'modp1', size: 96 },
  { id: 2, name: 'modp1024', nodeName: 'modp2', size: 128 },
  { id: 5, name: 'modp1536', nodeName: 'modp5', size: 192 },
  { id: 14, name: 'modp2048', nodeName: 'modp14', size: 256 },
];

export function dhGroupById(id: number): DhGroup {
  const g = DH_GROUPS.find((x) => x.id === id);
  if (!g) throw new UnsupportedAlgorithmError(`unsupported Diffie-Hellman group ${id}`);
  return g;
}

/** node:crypto supports generateKeyPairSync('dh', { group }) but @types/node 20 lacks the overload. */
const generateDhKeys = generateKeyPairSync as unknown as (
  type: 'dh',
  options: { group: string },
) => { publicKey: KeyObject; privateKey: KeyObject };

const primes = new Map<string, Buffer>();
function primeOf(group: DhGroup): Buffer {
  let p = primes.get(group.nodeName);
  if (!p) {
    p = getDiffieHellman(group.nodeName).getPrime();
    primes.set(group.nodeName, p);
  }
  return p;
}

/** Left-pad with zeros to `size` bytes; longer input is returned as is. */
export function leftPad(value: Buffer, size: number): Buffer {
  if (value.length >= size) return value;
  const out = Buffer.alloc(size);
  value.copy(out, size - value.length);
  return out;
}

export interface DhKeyPair {
  readonly group: DhGroup;
  /** g^x mod p, left-padded to group.size. */
  readonly publicValue: Buffer;
  /** g^xy from the peer's public value, left-padded; throws InvalidDhPublicValueError. */
  computeShared(peerPublic: Buffer): Buffer;
}

/**
 * A key pair for `group`. `privateKey` (big-endian, 1 <= x < p-1) is for
 * deterministic tests; without it OpenSSL draws the private value.
 */
export function generateDhKeyPair(group: DhGroup, privateKey?: Buffer): DhKeyPair {
  const prime = primeOf(group);
  let priv: KeyObject;
  if (privateKey) {
    if (privateKey.every((b) => b === 0)) throw new InvalidDhPublicValueError('private key is zero');
    try {
      priv = createPrivateKey({ key: dhPkcs8(prime, privateKey), format: 'der', type: 'pkcs8' });
    } catch (e) {
      throw new InvalidDhPublicValueError(`private key rejected: ${(e as Error).message}`);
    }
  } else {
    priv = generateDhKeys('dh', { group: group.nodeName }).privateKey;
  }
  const spki = createPublicKey(priv).export({ type: 'spki', format: 'der' });
  const publicValue = leftPad(publicValueFromSpki(spki), group.size);
  return {
    group,
    publicValue,
    computeShared(peerPublic: Buffer): Buffer {
      checkPeerPublic(group, prime, peerPublic);
      try {
        const peer = createPublicKey({ key: dhSpki(prime, peerPublic), format: 'der', type: 'spki' });
        return leftPad(diffieHellman({ privateKey: priv, publicKey: peer }), group.size);
      } catch (e) {
        throw new InvalidDhPublicValueError(`peer public value rejected: ${(e as Error).message}`);
      }
    },
  };
}

/** RFC 2409 needs the full group size; SP 800-56A range check 1 < y < p-1. */
function checkPeerPublic(group: DhGroup, prime: Buffer, y: Buffer): void {
  if (y.length !== group.size) {
    throw new InvalidDhPublicValueError(`public value is ${y.length} bytes, group ${group.id} needs ${group.size}`);
  }
  const v = BigInt('0x' + y.toString('hex'));
  const p = BigInt('0x' + prime.toString('hex'));
  if (v <= 1n || v >= p - 1n) {
    throw new InvalidDhPublicValueError(`public value out of range for group ${group.id}`);
  }
}
