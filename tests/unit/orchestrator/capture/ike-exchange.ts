/**
 * Test helper: plays both sides of an IKEv1 Main Mode (PSK) + Quick Mode
 * exchange in memory with the project's ISAKMP codec and crypto primitives
 * (the exchange engine in src/agent/ike is not used). Every message is
 * encoded by its sender and decoded, decrypted and verified by its receiver
 * from the wire bytes, so a message Wireshark sees is one our own receiver
 * accepted. Deterministic: cookies, nonces, DH private values, SPIs and the
 * Quick Mode message ID come from the spec.
 *
 *   MM1 I->R SA                MM2 R->I SA
 *   MM3 I->R KE, Ni            MM4 R->I KE, Nr
 *   MM5 I->R *(IDii, HASH_I)   MM6 R->I *(IDir, HASH_R)
 *   QM1 I->R *(HASH(1), SA, Ni, IDci, IDcr)
 *   QM2 R->I *(HASH(2), SA, Nr, IDci, IDcr)
 *   QM3 I->R *(HASH(3))
 */
import { Buffer } from 'node:buffer';
import {
  AuthMethod,
  Doi,
  EncapsulationMode,
  ExchangeType,
  Flags,
  IdType,
  IpsecAttr,
  IsakmpTransformId,
  LifeType,
  PayloadType,
  Phase1Attr,
  ProtocolId,
  Situation,
  attributeNumber,
  decodeMessage,
  decodePayloadChain,
  encodeMessage,
  encodeMessageWithBody,
  encodePayloads,
  findAttribute,
  findPayload,
  ipv4IdPayload,
  payloadBody,
  type Attribute,
  type IdPayload,
  type Ipv4IdInit,
  type Payload,
  type SaPayload,
} from '../../../../src/codecs/isakmp/index.js';
import {
  CIPHERS,
  HASHES,
  dhGroupById,
  generateDhKeyPair,
  prepareCbcKey,
  prf,
  uint32Bytes,
  type CbcKey,
  type CipherAlgorithm,
  type DhGroup,
  type DhKeyPair,
  type HashAlgorithm,
} from '../../../../src/agent/crypto/index.js';
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
  type Phase1Keys,
} from '../../../../src/agent/ike/v1/crypto/index.js';
import { ESP_CIPHERS, ESP_INTEGRITY, type EspCipherName, type EspIntegrityName } from '../../../../src/agent/esp/index.js';

/** Phase 1 and phase 2 algorithms of one exchange. */
export interface IkeSuite {
  readonly name: string;
  readonly cipher: CipherAlgorithm;
  readonly hash: HashAlgorithm;
  readonly group: DhGroup;
  readonly esp: EspCipherName;
  readonly integrity: EspIntegrityName;
}

/** The seed's policy: IOS defaults DES/SHA/group 1, transform set esp-des esp-md5-hmac. */
export const SEED_SUITE: IkeSuite = {
  name: 'DES/SHA1/group 1 + esp-des esp-md5-hmac',
  cipher: CIPHERS['des-cbc'],
  hash: HASHES.sha1,
  group: dhGroupById(1),
  esp: 'des',
  integrity: 'hmac-md5-96',
};

export const AES_SUITE: IkeSuite = {
  name: 'AES-128/SHA1/group 2 + esp-aes esp-sha-hmac',
  cipher: CIPHERS['aes128-cbc'],
  hash: HASHES.sha1,
  group: dhGroupById(2),
  esp: 'aes128',
  integrity: 'hmac-sha1-96',
};

export interface ExchangeSpec {
  readonly suite: IkeSuite;
  readonly psk?: string;
  readonly initiatorAddress?: string;
  readonly responderAddress?: string;
  /** Quick Mode IDci: the initiator's protected network. */
  readonly initiatorProxy?: Ipv4IdInit;
  /** Quick Mode IDcr: the responder's protected network. */
  readonly responderProxy?: Ipv4IdInit;
  /** Varies cookies, nonces, DH private values and SPIs. */
  readonly seed?: number;
}

export type Side = 'initiator' | 'responder';

export interface ExchangeMessage {
  /** "MM1" ... "MM6", "QM1" ... "QM3". */
  readonly name: string;
  readonly from: Side;
  /** The ISAKMP message as sent (UDP payload). */
  readonly wire: Buffer;
  /** The payloads in it, as the receiver decoded them (after decryption). */
  readonly payloads: readonly Payload[];
  readonly encrypted: boolean;
}

/** One direction's ESP SA as Quick Mode keyed it. */
export interface NegotiatedEspSa {
  readonly source: string;
  readonly destination: string;
  readonly spi: number;
  readonly cipher: EspCipherName;
  readonly integrity: EspIntegrityName;
  readonly encryptionKey: Buffer;
  readonly authenticationKey: Buffer;
}

export interface PlayedExchange {
  readonly suite: IkeSuite;
  readonly initiatorAddress: string;
  readonly responderAddress: string;
  readonly initiatorCookie: Buffer;
  readonly responderCookie: Buffer;
  /** SKEYID chain and phase-1 encryption key (both sides derived the same). */
  readonly keys: Phase1Keys;
  readonly quickModeMessageId: number;
  readonly messages: readonly ExchangeMessage[];
  readonly initiatorToResponder: NegotiatedEspSa;
  readonly responderToInitiator: NegotiatedEspSa;
}

/** Deterministic bytes: prf-expanded from a label, so every seed gives other values. */
function det(label: string, seed: number, length: number): Buffer {
  const out: Buffer[] = [];
  let have = 0;
  for (let i = 0; have < length; i++) {
    const block = prf(HASHES.sha256, Buffer.from(`testbed-${seed}`), Buffer.from(`${label}/${i}`));
    out.push(block);
    have += block.length;
  }
  return Buffer.concat(out).subarray(0, length);
}

function phase1Sa(suite: IkeSuite): SaPayload {
  const attributes: Attribute[] = [{ type: Phase1Attr.ENCRYPTION, value: suite.cipher.ikeId }];
  if (suite.cipher.ikeId === 7) attributes.push({ type: Phase1Attr.KEY_LENGTH, value: suite.cipher.keySize * 8 });
  attributes.push(
    { type: Phase1Attr.HASH, value: suite.hash.ikeId },
    { type: Phase1Attr.AUTH_METHOD, value: AuthMethod.PRE_SHARED_KEY },
    { type: Phase1Attr.GROUP_DESCRIPTION, value: suite.group.id },
    { type: Phase1Attr.LIFE_TYPE, value: LifeType.SECONDS },
    { type: Phase1Attr.LIFE_DURATION, value: 86400 },
  );
  return {
    type: PayloadType.SA,
    doi: Doi.IPSEC,
    situation: Situation.IDENTITY_ONLY,
    proposals: [{ number: 1, protocol: ProtocolId.ISAKMP, spi: Buffer.alloc(0), transforms: [{ number: 1, id: IsakmpTransformId.KEY_IKE, attributes }] }],
  };
}

function phase2Sa(suite: IkeSuite, spi: number): SaPayload {
  const cipher = ESP_CIPHERS[suite.esp];
  const attributes: Attribute[] = [
    { type: IpsecAttr.LIFE_TYPE, value: LifeType.SECONDS },
    { type: IpsecAttr.LIFE_DURATION, value: 3600 },
    { type: IpsecAttr.LIFE_TYPE, value: LifeType.KILOBYTES },
    { type: IpsecAttr.LIFE_DURATION, value: 4608000 },
    { type: IpsecAttr.ENCAPSULATION_MODE, value: EncapsulationMode.TUNNEL },
    { type: IpsecAttr.AUTH_ALGORITHM, value: ESP_INTEGRITY[suite.integrity].authAttribute },
  ];
  if (cipher.keyLengthBits !== undefined) attributes.push({ type: IpsecAttr.KEY_LENGTH, value: cipher.keyLengthBits });
  return {
    type: PayloadType.SA,
    doi: Doi.IPSEC,
    situation: Situation.IDENTITY_ONLY,
    proposals: [{ number: 1, protocol: ProtocolId.ESP, spi: uint32Bytes(spi), transforms: [{ number: 1, id: cipher.transformId, attributes }] }],
  };
}

/** Thrown when one side refuses what the other sent: the helper itself is wrong. */
export class ExchangeHelperError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExchangeHelperError';
  }
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new ExchangeHelperError(`missing ${what}`);
  return value;
}

/** What one side knows: its DH pair, the peer's values, and its own copy of the keys and IV. */
interface SideState {
  readonly role: Side;
  readonly dh: DhKeyPair;
  readonly nonce: Buffer;
  peerPublic?: Buffer;
  peerNonce?: Buffer;
  keys?: Phase1Keys;
  cbc?: CbcKey;
  /** IV for the next encrypted message of the current exchange. */
  iv?: Buffer;
  /** Last CBC block of phase 1, the seed of every phase-2 IV. */
  lastPhase1Block?: Buffer;
}

/** Plays Main Mode + Quick Mode; throws ExchangeHelperError if a side would refuse a message. */
export function playMainAndQuickMode(spec: ExchangeSpec): PlayedExchange {
  const { suite } = spec;
  const seed = spec.seed ?? 1;
  const psk = Buffer.from(spec.psk ?? 'abc123');
  const initiatorAddress = spec.initiatorAddress ?? '11.11.11.1';
  const responderAddress = spec.responderAddress ?? '11.11.11.2';
  const initiatorProxy: Ipv4IdInit = spec.initiatorProxy ?? { idType: IdType.IPV4_ADDR_SUBNET, address: '13.13.13.0', mask: '255.255.255.0' };
  const responderProxy: Ipv4IdInit = spec.responderProxy ?? { idType: IdType.IPV4_ADDR_SUBNET, address: '12.12.12.0', mask: '255.255.255.0' };
  const ckyI = det('cky-i', seed, 8);
  const ckyR = det('cky-r', seed, 8);
  const messageId = det('msgid', seed, 4).readUInt32BE(0) | 1;
  const spiAtI = 0x10000000 + (det('spi-i', seed, 2).readUInt16BE(0) << 4); // chosen by I: protects R -> I
  const spiAtR = 0x20000000 + (det('spi-r', seed, 2).readUInt16BE(0) << 4); // chosen by R: protects I -> R

  const privateValue = (label: string): Buffer => {
    const v = det(label, seed, 24);
    v[0] = (v[0]! & 0x7f) | 0x01;
    return v;
  };
  const I: SideState = { role: 'initiator', dh: generateDhKeyPair(suite.group, privateValue('dh-i')), nonce: det('ni', seed, 20) };
  const R: SideState = { role: 'responder', dh: generateDhKeyPair(suite.group, privateValue('dh-r')), nonce: det('nr', seed, 20) };
  const sideOf = (role: Side): SideState => (role === 'initiator' ? I : R);
  const peerOf = (role: Side): SideState => (role === 'initiator' ? R : I);

  const messages: ExchangeMessage[] = [];
  let receivedAfterHash: Buffer = Buffer.alloc(0);

  /** Sends a message and lets the peer decode (and decrypt) it; returns the payloads as received. */
  function send(name: string, from: Side, exchangeType: number, msgId: number, payloads: Payload[], encrypt: boolean): Payload[] {
    const init = { initiatorCookie: ckyI, responderCookie: name === 'MM1' ? Buffer.alloc(8) : ckyR, exchangeType, messageId: msgId };
    let wire: Buffer;
    const sender = sideOf(from);
    if (encrypt) {
      const e = encryptBody(need(sender.cbc, `${from} key`), need(sender.iv, `${from} IV`), encodePayloads(payloads));
      sender.iv = e.nextIv;
      wire = encodeMessageWithBody({ ...init, flags: Flags.ENCRYPTION }, payloads[0]!.type, e.ciphertext);
    } else {
      wire = encodeMessage(init, payloads);
    }
    const receiver = peerOf(from);
    const m = decodeMessage(wire);
    let received: Payload[];
    if (m.header.flags & Flags.ENCRYPTION) {
      const d = decryptBody(need(receiver.cbc, `${receiver.role} key`), need(receiver.iv, `${receiver.role} IV`), m.body);
      receiver.iv = d.nextIv;
      const chain = decodePayloadChain(m.header.nextPayload, d.plaintext);
      received = chain.payloads;
      // "Everything after the HASH payload" for the Quick Mode hashes, from the received bytes.
      receivedAfterHash = chain.offsets.length > 1 ? Buffer.from(d.plaintext.subarray(chain.offsets[1], chain.end)) : Buffer.alloc(0);
    } else {
      received = m.payloads;
    }
    messages.push({ name, from, wire, payloads: received, encrypted: encrypt });
    return received;
  }

  function keyUp(side: SideState): void {
    const peerPublic = need(side.peerPublic, 'peer KE');
    const gxy = side.dh.computeShared(peerPublic);
    const [niB, nrB] = side.role === 'initiator' ? [side.nonce, need(side.peerNonce, 'Nr')] : [need(side.peerNonce, 'Ni'), side.nonce];
    side.keys = derivePhase1Keys({ hash: suite.hash, cipher: suite.cipher, psk, niB, nrB, gxy, ckyI, ckyR });
    side.cbc = prepareCbcKey(suite.cipher, side.keys.encryptionKey);
    const [gxi, gxr] = side.role === 'initiator' ? [side.dh.publicValue, peerPublic] : [peerPublic, side.dh.publicValue];
    side.iv = phase1Iv(suite.hash, suite.cipher, gxi, gxr);
  }

  // Main Mode 1-2: SA offer and choice.
  const mm1 = send('MM1', 'initiator', ExchangeType.IDENTITY_PROTECTION, 0, [phase1Sa(suite)], false);
  const saiB = payloadBody(need(findPayload(mm1, PayloadType.SA), 'SAi'));
  const offered = need(findPayload(mm1, PayloadType.SA), 'SA').proposals[0]!.transforms[0]!;
  if (attributeNumber(need(findAttribute(offered.attributes, Phase1Attr.GROUP_DESCRIPTION), 'group')) !== suite.group.id) {
    throw new ExchangeHelperError('MM1 offers another group');
  }
  send('MM2', 'responder', ExchangeType.IDENTITY_PROTECTION, 0, [phase1Sa(suite)], false);

  // Main Mode 3-4: KE and nonces; each side derives its keys from what it received.
  const mm3 = send(
    'MM3',
    'initiator',
    ExchangeType.IDENTITY_PROTECTION,
    0,
    [
      { type: PayloadType.KE, data: I.dh.publicValue },
      { type: PayloadType.NONCE, data: I.nonce },
    ],
    false,
  );
  R.peerPublic = need(findPayload(mm3, PayloadType.KE), 'KEi').data;
  R.peerNonce = need(findPayload(mm3, PayloadType.NONCE), 'Ni').data;
  const mm4 = send(
    'MM4',
    'responder',
    ExchangeType.IDENTITY_PROTECTION,
    0,
    [
      { type: PayloadType.KE, data: R.dh.publicValue },
      { type: PayloadType.NONCE, data: R.nonce },
    ],
    false,
  );
  I.peerPublic = need(findPayload(mm4, PayloadType.KE), 'KEr').data;
  I.peerNonce = need(findPayload(mm4, PayloadType.NONCE), 'Nr').data;
  keyUp(I);
  keyUp(R);

  // Main Mode 5-6: identities and HASH_I / HASH_R, encrypted.
  const p1 = (side: SideState) => ({
    hash: suite.hash,
    skeyid: need(side.keys, 'keys').skeyid,
    gxi: side.role === 'initiator' ? side.dh.publicValue : need(side.peerPublic, 'KEi'),
    gxr: side.role === 'initiator' ? need(side.peerPublic, 'KEr') : side.dh.publicValue,
    ckyI,
    ckyR,
    saiB,
  });
  const idii = ipv4IdPayload({ idType: IdType.IPV4_ADDR, address: initiatorAddress, protocol: 17, port: 500 });
  const mm5 = send('MM5', 'initiator', ExchangeType.IDENTITY_PROTECTION, 0, [idii, { type: PayloadType.HASH, data: hashI(p1(I), payloadBody(idii)) }], true);
  verifyPhase1Hash(
    hashI(p1(R), payloadBody(need(findPayload(mm5, PayloadType.ID), 'IDii'))),
    need(findPayload(mm5, PayloadType.HASH), 'HASH_I').data,
    'HASH_I',
  );
  const idir = ipv4IdPayload({ idType: IdType.IPV4_ADDR, address: responderAddress, protocol: 17, port: 500 });
  const mm6 = send('MM6', 'responder', ExchangeType.IDENTITY_PROTECTION, 0, [idir, { type: PayloadType.HASH, data: hashR(p1(R), payloadBody(idir)) }], true);
  verifyPhase1Hash(
    hashR(p1(I), payloadBody(need(findPayload(mm6, PayloadType.ID), 'IDir'))),
    need(findPayload(mm6, PayloadType.HASH), 'HASH_R').data,
    'HASH_R',
  );
  for (const side of [I, R]) {
    side.lastPhase1Block = need(side.iv, 'IV');
    side.iv = phase2Iv(suite.hash, suite.cipher, side.lastPhase1Block, messageId);
  }

  // Quick Mode.
  const skeyidA = (side: SideState) => need(side.keys, 'keys').skeyidA;
  const idci: IdPayload = ipv4IdPayload(initiatorProxy);
  const idcr: IdPayload = ipv4IdPayload(responderProxy);
  const qm1Rest: Payload[] = [phase2Sa(suite, spiAtI), { type: PayloadType.NONCE, data: det('qm-ni', seed, 20) }, idci, idcr];
  const qm1 = send(
    'QM1',
    'initiator',
    ExchangeType.QUICK_MODE,
    messageId,
    [{ type: PayloadType.HASH, data: quickModeHash1(suite.hash, skeyidA(I), messageId, encodePayloads(qm1Rest)) }, ...qm1Rest],
    true,
  );
  verifyPhase2Hash(quickModeHash1(suite.hash, skeyidA(R), messageId, receivedAfterHash), need(findPayload(qm1, PayloadType.HASH), 'HASH(1)').data, 'HASH(1)');
  const qmNiB = payloadBody(need(findPayload(qm1, PayloadType.NONCE), 'Ni'));
  const qm2Rest: Payload[] = [phase2Sa(suite, spiAtR), { type: PayloadType.NONCE, data: det('qm-nr', seed, 20) }, idci, idcr];
  const qm2 = send(
    'QM2',
    'responder',
    ExchangeType.QUICK_MODE,
    messageId,
    [{ type: PayloadType.HASH, data: quickModeHash2(suite.hash, skeyidA(R), messageId, qmNiB, encodePayloads(qm2Rest)) }, ...qm2Rest],
    true,
  );
  verifyPhase2Hash(
    quickModeHash2(suite.hash, skeyidA(I), messageId, det('qm-ni', seed, 20), receivedAfterHash),
    need(findPayload(qm2, PayloadType.HASH), 'HASH(2)').data,
    'HASH(2)',
  );
  const qmNrB = payloadBody(need(findPayload(qm2, PayloadType.NONCE), 'Nr'));
  const qm3 = send(
    'QM3',
    'initiator',
    ExchangeType.QUICK_MODE,
    messageId,
    [{ type: PayloadType.HASH, data: quickModeHash3(suite.hash, skeyidA(I), messageId, qmNiB, qmNrB) }],
    true,
  );
  verifyPhase2Hash(quickModeHash3(suite.hash, skeyidA(R), messageId, qmNiB, qmNrB), need(findPayload(qm3, PayloadType.HASH), 'HASH(3)').data, 'HASH(3)');

  // KEYMAT: each direction keyed with the SPI its receiver chose; both sides must agree.
  const cipher = ESP_CIPHERS[suite.esp];
  const integrity = ESP_INTEGRITY[suite.integrity];
  const km = (side: SideState, spi: number) =>
    ipsecKeys(
      { hash: suite.hash, skeyidD: need(side.keys, 'keys').skeyidD, protocol: PROTO_IPSEC_ESP, spi, niB: qmNiB, nrB: qmNrB },
      cipher.keySize,
      integrity.keySize,
    );
  const iToR = km(I, spiAtR);
  const rToI = km(R, spiAtI);
  if (!iToR.encryptionKey.equals(km(R, spiAtR).encryptionKey) || !rToI.authenticationKey.equals(km(I, spiAtI).authenticationKey)) {
    throw new ExchangeHelperError('the two sides derived different KEYMAT');
  }
  const keys = need(I.keys, 'keys');
  if (!keys.encryptionKey.equals(need(R.keys, 'keys').encryptionKey)) throw new ExchangeHelperError('the two sides derived different phase-1 keys');

  return {
    suite,
    initiatorAddress,
    responderAddress,
    initiatorCookie: ckyI,
    responderCookie: ckyR,
    keys,
    quickModeMessageId: messageId,
    messages,
    initiatorToResponder: { source: initiatorAddress, destination: responderAddress, spi: spiAtR, cipher: suite.esp, integrity: suite.integrity, ...iToR },
    responderToInitiator: { source: responderAddress, destination: initiatorAddress, spi: spiAtI, cipher: suite.esp, integrity: suite.integrity, ...rToI },
  };
}
