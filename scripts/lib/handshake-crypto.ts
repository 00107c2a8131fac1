/**
 * The cryptographic work of one IKEv1 Main Mode (pre-shared key) + Quick
 * Mode handshake, both sides, made of the project's real primitives
 * (src/agent/crypto, and the IKEv1 derivations in src/agent/ike/v1/crypto).
 * It is what the exchange engine will have to do per handshake, minus the
 * ISAKMP codec, the state machine and the I/O:
 *
 *   per side: a DH key pair and g^xy, SKEYID / SKEYID_d/a/e and the
 *   encryption key, the phase-1 IV; HASH_I and HASH_R made by one side and
 *   checked by the other; Main Mode 5-6 and Quick Mode 1-3 bodies encrypted
 *   by the sender and decrypted by the receiver; HASH(1), HASH(2), HASH(3)
 *   made and checked; each side's KEYMAT for both ESP SAs.
 *
 * Message bodies have the sizes of the seed's exchange (IDs, hashes, one
 * ESP proposal, 20-byte nonces), with random contents.
 */
import { randomBytes } from 'node:crypto';
import { generateDhKeyPair, prepareCbcKey, type CipherAlgorithm, type DhGroup, type HashAlgorithm, type RandomSource } from '../../src/agent/crypto/index.js';
import {
  PROTO_IPSEC_ESP,
  decryptBody,
  derivePhase1Keys,
  encryptBody,
  hashI,
  hashR,
  ipsecKeys,
  phase1Iv,
  phase2Iv,
  quickModeHash1,
  quickModeHash2,
  quickModeHash3,
  verifyPhase1Hash,
  verifyPhase2Hash,
  type IpsecKeys,
} from '../../src/agent/ike/v1/crypto/index.js';

export interface HandshakeSuite {
  readonly name: string;
  /** Phase 1. */
  readonly cipher: CipherAlgorithm;
  readonly hash: HashAlgorithm;
  readonly group: DhGroup;
  /** Phase 2 (ESP) key sizes for KEYMAT. */
  readonly espKeySize: number;
  readonly espAuthKeySize: number;
}

/** What a handshake leaves behind: each side's two ESP SAs' keys. */
export interface HandshakeKeys {
  readonly initiator: { readonly outbound: IpsecKeys; readonly inbound: IpsecKeys };
  readonly responder: { readonly outbound: IpsecKeys; readonly inbound: IpsecKeys };
}

/** Sizes of the seed exchange's bodies around the hashes. */
const ID_PAYLOAD = 12; // IPV4_ADDR identity with its generic header
const QM_AFTER_HASH = 52 + 24 + 16 + 16; // SA (one ESP transform), Nonce, IDci, IDcr
const NONCE = 20;
const PAYLOAD_HEADER = 4;

class HandshakeCheckError extends Error {}

function check(ok: boolean, what: string): void {
  if (!ok) throw new HandshakeCheckError(`handshake crypto: ${what} differs between the sides`);
}

/**
 * One handshake's crypto, both sides, in memory. Throws if the two sides
 * disagree (which would make the figure meaningless).
 */
export function handshakeCryptoCost(suite: HandshakeSuite, random: RandomSource = randomBytes): HandshakeKeys {
  const { hash, cipher, group } = suite;
  const psk = Buffer.from('abc123');
  const ckyI = random(8);
  const ckyR = random(8);
  const ni = random(NONCE);
  const nr = random(NONCE);
  const saiB = random(44); // SAi body: one phase-1 proposal

  // Main Mode 3-4: each side's DH pair, then g^xy from the peer's public value.
  const dhI = generateDhKeyPair(group);
  const dhR = generateDhKeyPair(group);
  const gxyI = dhI.computeShared(dhR.publicValue);
  const gxyR = dhR.computeShared(dhI.publicValue);
  const keysI = derivePhase1Keys({ hash, cipher, psk, niB: ni, nrB: nr, gxy: gxyI, ckyI, ckyR });
  const keysR = derivePhase1Keys({ hash, cipher, psk, niB: ni, nrB: nr, gxy: gxyR, ckyI, ckyR });
  const cbcI = prepareCbcKey(cipher, keysI.encryptionKey);
  const cbcR = prepareCbcKey(cipher, keysR.encryptionKey);
  const gxi = dhI.publicValue;
  const gxr = dhR.publicValue;
  let ivI = phase1Iv(hash, cipher, gxi, gxr);
  let ivR = phase1Iv(hash, cipher, gxi, gxr);

  // Main Mode 5: I sends *(IDii, HASH_I); R decrypts and checks HASH_I.
  const idii = random(ID_PAYLOAD);
  const p1I = { hash, skeyid: keysI.skeyid, gxi, gxr, ckyI, ckyR, saiB };
  const p1R = { hash, skeyid: keysR.skeyid, gxi, gxr, ckyI, ckyR, saiB };
  const hI = hashI(p1I, idii.subarray(PAYLOAD_HEADER));
  const e5 = encryptBody(cbcI, ivI, Buffer.concat([idii, random(PAYLOAD_HEADER), hI]));
  ivI = e5.nextIv;
  const d5 = decryptBody(cbcR, ivR, e5.ciphertext);
  ivR = d5.nextIv;
  verifyPhase1Hash(
    hashI(p1R, d5.plaintext.subarray(PAYLOAD_HEADER, ID_PAYLOAD)),
    d5.plaintext.subarray(ID_PAYLOAD + PAYLOAD_HEADER, ID_PAYLOAD + PAYLOAD_HEADER + hI.length),
    'HASH_I',
  );

  // Main Mode 6: R sends *(IDir, HASH_R); I decrypts and checks HASH_R.
  const idir = random(ID_PAYLOAD);
  const hR = hashR(p1R, idir.subarray(PAYLOAD_HEADER));
  const e6 = encryptBody(cbcR, ivR, Buffer.concat([idir, random(PAYLOAD_HEADER), hR]));
  ivR = e6.nextIv;
  const d6 = decryptBody(cbcI, ivI, e6.ciphertext);
  ivI = d6.nextIv;
  verifyPhase1Hash(
    hashR(p1I, d6.plaintext.subarray(PAYLOAD_HEADER, ID_PAYLOAD)),
    d6.plaintext.subarray(ID_PAYLOAD + PAYLOAD_HEADER, ID_PAYLOAD + PAYLOAD_HEADER + hR.length),
    'HASH_R',
  );

  // Quick Mode: a fresh IV per side from the last phase-1 block and the message ID.
  const mid = random(4);
  ivI = phase2Iv(hash, cipher, ivI, mid);
  ivR = phase2Iv(hash, cipher, ivR, mid);
  const qmNi = random(NONCE);
  const qmNr = random(NONCE);
  const qm = (from: 'I' | 'R', makeHash: (skeyidA: Buffer, after: Buffer) => Buffer, after: Buffer): void => {
    const [sKeys, rKeys, sCbc, rCbc] = from === 'I' ? [keysI, keysR, cbcI, cbcR] : [keysR, keysI, cbcR, cbcI];
    const h = makeHash(sKeys.skeyidA, after);
    const e = encryptBody(sCbc, from === 'I' ? ivI : ivR, Buffer.concat([random(PAYLOAD_HEADER), h, after]));
    const d = decryptBody(rCbc, from === 'I' ? ivR : ivI, e.ciphertext);
    if (from === 'I') {
      ivI = e.nextIv;
      ivR = d.nextIv;
    } else {
      ivR = e.nextIv;
      ivI = d.nextIv;
    }
    const receivedAfter = d.plaintext.subarray(PAYLOAD_HEADER + h.length, PAYLOAD_HEADER + h.length + after.length);
    verifyPhase2Hash(makeHash(rKeys.skeyidA, receivedAfter), d.plaintext.subarray(PAYLOAD_HEADER, PAYLOAD_HEADER + h.length));
  };
  qm('I', (a, after) => quickModeHash1(hash, a, mid, after), random(QM_AFTER_HASH));
  qm('R', (a, after) => quickModeHash2(hash, a, mid, qmNi, after), random(QM_AFTER_HASH));
  qm('I', (a) => quickModeHash3(hash, a, mid, qmNi, qmNr), Buffer.alloc(0));

  // KEYMAT: every side keys both SAs; each direction uses its receiver's SPI.
  const spiI = random(4);
  const spiR = random(4);
  const km = (skeyidD: Buffer, spi: Buffer) =>
    ipsecKeys({ hash, skeyidD, protocol: PROTO_IPSEC_ESP, spi, niB: qmNi, nrB: qmNr }, suite.espKeySize, suite.espAuthKeySize);
  const keys: HandshakeKeys = {
    initiator: { outbound: km(keysI.skeyidD, spiR), inbound: km(keysI.skeyidD, spiI) },
    responder: { outbound: km(keysR.skeyidD, spiI), inbound: km(keysR.skeyidD, spiR) },
  };
  check(keys.initiator.outbound.encryptionKey.equals(keys.responder.inbound.encryptionKey), 'KEYMAT');
  return keys;
}

/** Only the Diffie-Hellman part of {@link handshakeCryptoCost}: two key pairs and two shared secrets. */
export function dhCost(group: DhGroup): Buffer {
  const a = generateDhKeyPair(group);
  const b = generateDhKeyPair(group);
  const s = a.computeShared(b.publicValue);
  check(s.equals(b.computeShared(a.publicValue)), 'g^xy');
  return s;
}
