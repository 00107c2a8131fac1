/**
 * An ISAKMP SA (RFC 2408 2.4, RFC 2409 5): what outlives the exchanges run
 * on it: cookies and endpoints, the negotiated suite and keys, the last
 * phase-1 CBC block (input of every phase-2 IV), the IOS state, what the
 * peer's vendor IDs and NAT-D said, liveness and lifetimes, and the replies
 * already sent (duplicates get them again). Message protection (encrypt,
 * decrypt with an IV the exchange owns) lives here too. The exchanges' own
 * working state does not: each task keeps it (exchanges/).
 */
import { Buffer } from 'node:buffer';
import { decodePayloadChain, encodePayloads } from '../../../../codecs/isakmp/chain.js';
import { Flags } from '../../../../codecs/isakmp/constants.js';
import { PayloadMalformedError } from '../../../../codecs/isakmp/errors.js';
import type { HeaderInit, IsakmpHeader } from '../../../../codecs/isakmp/header.js';
import { encodeMessageWithBody } from '../../../../codecs/isakmp/message.js';
import type { Payload, Transform } from '../../../../codecs/isakmp/types.js';
import type { CipherAlgorithm, HashAlgorithm } from '../../../crypto/algorithms.js';
import { prepareCbcKey, type CbcKey } from '../../../crypto/cipher.js';
import type { DhGroup } from '../../../crypto/dh.js';
import type { Phase1Policy } from '../../policy.js';
import type { WireMessage } from '../../retransmit.js';
import type { Endpoint, Phase1Mode, Phase1State, Role } from '../../types.js';
import { decryptBody, encryptBody } from '../crypto/body.js';
import { phase2Iv } from '../crypto/iv.js';
import type { Phase1Keys } from '../crypto/keys.js';
import { frameIke, NAT_T_PORT } from '../nat-t.js';
import { Replies } from './replies.js';

/** The negotiated phase-1 algorithms. */
export interface Phase1Suite {
  readonly policy: Phase1Policy;
  readonly cipher: CipherAlgorithm;
  readonly hash: HashAlgorithm;
  readonly group: DhGroup;
  readonly lifetimeSeconds: number;
  readonly proposalNumber: number;
  readonly transform: Transform;
}

/** What was learnt from the peer's vendor IDs. */
export interface PeerVendor {
  unity: boolean;
  dpd: boolean;
  natT: boolean;
}

export interface NatState {
  /** Both sides announced RFC 3947. */
  negotiated: boolean;
  localBehindNat: boolean;
  peerBehindNat: boolean;
  /** IKE moved to UDP 4500. */
  floated: boolean;
}

/** What proves the peer alive (DPD reads it). */
export interface Liveness {
  /** Last time anything authenticated came from the peer (IKE or inbound ESP). */
  lastInbound: number;
  /** Outbound ESP since `lastInbound` (on-demand DPD only probes when we send and hear nothing). */
  outboundSinceInbound: boolean;
}

/** One ISAKMP SA. */
export class IsakmpSa {
  /** The IOS state, as debug lines and `show crypto isakmp sa` print it (written by the phase-1 exchange). */
  state: Phase1State;
  established = false;
  deleted = false;
  ckyR: Buffer = Buffer.alloc(8);
  suite: Phase1Suite | null = null;
  keys: Phase1Keys | null = null;
  cbcKey: CbcKey | null = null;
  /** Last CBC block of the last phase-1 message: input of every phase-2 IV. */
  lastPhase1Block: Buffer = Buffer.alloc(0);
  readonly peerVendor: PeerVendor = { unity: false, dpd: false, natT: false };
  readonly nat: NatState = { negotiated: false, localBehindNat: false, peerBehindNat: false, floated: false };
  readonly liveness: Liveness;
  /** Whether the emulator's note about a peer's commit bit was logged for this SA (once per SA). */
  commitNoted = false;
  establishedAt: number | null = null;
  expiresAt: number | null = null;
  /** Replies already sent, for answering duplicates. */
  private readonly replies = new Replies();

  constructor(
    readonly connId: number,
    readonly role: Role,
    readonly mode: Phase1Mode,
    readonly ckyI: Buffer,
    public local: Endpoint,
    public remote: Endpoint,
    readonly createdAt: number,
  ) {
    this.state = mode === 'main' ? 'MM_NO_STATE' : 'AG_NO_STATE';
    this.liveness = { lastInbound: createdAt, outboundSinceInbound: false };
  }

  /** "I" or "R", as IOS prints the role in "(I) MM_NO_STATE". */
  get roleChar(): 'I' | 'R' {
    return this.role === 'initiator' ? 'I' : 'R';
  }

  headerInit(exchangeType: number, messageId = 0, flags = 0): HeaderInit {
    return { initiatorCookie: this.ckyI, responderCookie: this.ckyR, exchangeType, messageId, flags };
  }

  /** Installs the negotiated keys (after the DH exchange). */
  setKeys(keys: Phase1Keys): void {
    if (!this.suite) throw new Error('phase-1 keys before a suite was chosen');
    this.keys = keys;
    this.cbcKey = prepareCbcKey(this.suite.cipher, keys.encryptionKey);
  }

  /** A datagram from our endpoint to the peer's, framed for the port in use. */
  wire(message: Buffer): WireMessage {
    const port = this.local.port === NAT_T_PORT ? NAT_T_PORT : this.remote.port;
    return { from: this.local, to: this.remote, payload: frameIke(message, port) };
  }

  /** Encodes a cleartext message. */
  clear(exchangeType: number, payloads: readonly Payload[], messageId = 0): Buffer {
    return encodeMessageWithBody(this.headerInit(exchangeType, messageId), payloads[0]?.type ?? 0, encodePayloads(payloads));
  }

  /** Encrypts a message with `iv` (header flags: E, and `flags`, e.g. the commit bit); returns it and the next IV (not stored). */
  encrypt(exchangeType: number, payloads: readonly Payload[], iv: Buffer, messageId = 0, flags = 0): { message: Buffer; nextIv: Buffer } {
    if (!this.cbcKey) throw new Error('encrypt before keys');
    const { ciphertext, nextIv } = encryptBody(this.cbcKey, iv, encodePayloads(payloads));
    const message = encodeMessageWithBody(this.headerInit(exchangeType, messageId, Flags.ENCRYPTION | flags), payloads[0]?.type ?? 0, ciphertext);
    return { message, nextIv };
  }

  /**
   * Decrypts and decodes an encrypted body with `iv`. Throws typed errors
   * (PAYLOAD-MALFORMED when the plaintext is not a payload chain). Returns
   * the payloads, their offsets in `plaintext`, and the next IV (not stored).
   */
  decrypt(header: IsakmpHeader, body: Buffer, iv: Buffer): { payloads: Payload[]; offsets: number[]; end: number; plaintext: Buffer; nextIv: Buffer } {
    if (!this.cbcKey) throw new PayloadMalformedError('encrypted message before keys were established');
    const { plaintext, nextIv } = decryptBody(this.cbcKey, iv, body);
    const chain = decodePayloadChain(header.nextPayload, plaintext);
    return { payloads: chain.payloads, offsets: chain.offsets, end: chain.end, plaintext, nextIv };
  }

  /** First IV of a Quick Mode or Informational exchange with this message ID. */
  exchangeIv(messageId: number): Buffer {
    if (!this.suite) throw new Error('phase-2 IV before phase 1');
    return phase2Iv(this.suite.hash, this.suite.cipher, this.lastPhase1Block, messageId);
  }

  /** Remembers a processed message and the reply sent to it. */
  remember(message: Buffer, reply: readonly WireMessage[], spi?: number): void {
    this.replies.remember(message, reply, spi);
  }

  /** The reply to a message seen before, or undefined when it is new. */
  duplicateOf(message: Buffer): readonly WireMessage[] | undefined {
    return this.replies.replyTo(message);
  }

  /** The IPsec pair with this inbound SPI is gone: its Quick Mode's reply is not sent again (Replies.forget). */
  forgetReplies(spi: number): void {
    this.replies.forget(spi);
  }
}
