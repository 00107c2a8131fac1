/**
 * MODP Diffie-Hellman groups 1, 2, 5 and 14 (RFC 2409 section 6, RFC 3526).
 * Public values and shared secrets are left-padded to the group size, as
 * IKEv1 puts them on the wire and into the key derivation.
 */
import { createDiffieHellman, randomBytes, type DiffieHellman } from 'node:crypto';
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

/**
 * The groups' primes, as RFC 2409 section 6.1 and 6.2 (groups 1, 2) and RFC 3526 sections 2 and 3 (groups 5, 14)
 * print them, all with generator 2. Written out here rather than read from node:crypto's getDiffieHellman(), which
 * checks the prime again each time (about 35 ms for group 1 and 55-110 ms for group 2 on a lab machine, on top of
 * the check createDiffieHellman makes): a router paid that twice at boot. A unit test compares them with OpenSSL's.
 */
const PRIME_HEX: Readonly<Record<DhGroup['nodeName'], string>> = {
  modp1:
    'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
    'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A63A3620FFFFFFFFFFFFFFFF',
  modp2:
    'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
    'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
    'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF',
  modp5:
    'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
    'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
    'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
    '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA237327FFFFFFFFFFFFFFFF',
  modp14:
    'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
    'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
    'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
    '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B' +
    'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510' +
    '15728E5A8AACAA68FFFFFFFFFFFFFFFF',
};

const primes = new Map<string, Buffer>();
/** The group's prime, big-endian, group.size bytes. */
export function primeOf(group: DhGroup): Buffer {
  let p = primes.get(group.nodeName);
  if (!p) {
    p = Buffer.from(PRIME_HEX[group.nodeName], 'hex');
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
 * One node:crypto DiffieHellman object per group, reused for every key pair
 * (its private key is set before each use; all of this is synchronous, so
 * nothing interleaves). Creating the object checks the prime once (20-80 ms
 * for groups 1 and 2); after that, key generation and g^xy cost what the
 * exponentiation costs. The KeyObject route (diffieHellman()) re-validates
 * the peer's value with a full exponentiation on every call (2.3 ms for group
 * 14, against 0.4 ms here); our own range check 1 < y < p-1 stays.
 */
const engines = new Map<string, DiffieHellman>();
function engineOf(group: DhGroup): DiffieHellman {
  let e = engines.get(group.nodeName);
  if (!e) {
    e = createDiffieHellman(primeOf(group), 2);
    engines.set(group.nodeName, e);
  }
  return e;
}

/**
 * A key pair for `group`. `privateKey` (big-endian, 1 <= x < p-1) is for
 * deterministic tests and for callers that draw their own randomness;
 * without it a 256-bit private value is drawn.
 */
export function generateDhKeyPair(group: DhGroup, privateKey?: Buffer): DhKeyPair {
  const prime = primeOf(group);
  const priv = privateKey ? Buffer.from(privateKey) : randomPrivate();
  if (priv.every((b) => b === 0)) throw new InvalidDhPublicValueError('private key is zero');
  if (priv.length > prime.length || (priv.length === prime.length && Buffer.compare(priv, prime) >= 0)) {
    throw new InvalidDhPublicValueError('private key rejected: not below the prime');
  }
  const dh = engineOf(group);
  dh.setPrivateKey(priv);
  dh.generateKeys();
  const publicValue = leftPad(dh.getPublicKey(), group.size);
  return {
    group,
    publicValue,
    computeShared(peerPublic: Buffer): Buffer {
      checkPeerPublic(group, prime, peerPublic);
      try {
        dh.setPrivateKey(priv);
        return leftPad(dh.computeSecret(peerPublic), group.size);
      } catch (e) {
        throw new InvalidDhPublicValueError(`peer public value rejected: ${(e as Error).message}`);
      }
    },
  };
}

function randomPrivate(): Buffer {
  const p = randomBytes(32);
  p[0] = (p[0]! & 0x7f) | 0x40;
  return p;
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
