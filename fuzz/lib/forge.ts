/**
 * Messages forged by a peer that holds the key: built under that peer's
 * real ISAKMP SA (its engine's keys), encrypted with the right IV and
 * carrying a correct HASH(1) over whatever payload bytes the fuzzer chose,
 * so they pass every check an honest message passes and reach the code
 * behind (tests/unit/agent/ike/forge.ts builds the same from payload
 * objects; here the payloads are bytes, mutated or not).
 */
import { Buffer } from 'node:buffer';
import { PayloadType } from '../../src/codecs/isakmp/constants.js';
import { encodeMessageWithBody } from '../../src/codecs/isakmp/message.js';
import { Flags } from '../../src/codecs/isakmp/constants.js';
import { encryptBody } from '../../src/agent/ike/v1/crypto/body.js';
import { informationalHash, quickModeHash1 } from '../../src/agent/ike/v1/crypto/hashes.js';
import type { IsakmpSa } from '../../src/agent/ike/v1/sa/isakmp-sa.js';
import { udpPacket } from '../../src/agent/datapath/packet.js';
import { parseIpv4 } from '../../src/ios/index.js';

export interface Forged {
  /** The IPv4/UDP packet from the peer to the router. */
  readonly packet: Buffer;
  /** The IV after this message (a Quick Mode's answer is decrypted with it). */
  readonly nextIv: Buffer;
}

/**
 * HDR*, HASH, then `rest` (a payload chain starting with type `first`),
 * under `sa`: HASH(1) of a Quick Mode or an Informational as RFC 2409 5.5
 * and 5.7 say, or a wrong one; the IV of the exchange, or `iv`.
 */
export function forge(
  sa: IsakmpSa,
  o: { exchangeType: number; messageId: number; first: number; rest: Buffer; badHash?: boolean; iv?: Buffer; flags?: number },
): Forged {
  const h = sa.suite!.hash;
  const mac = o.exchangeType === 5 ? informationalHash(h, sa.keys!.skeyidA, o.messageId, o.rest) : quickModeHash1(h, sa.keys!.skeyidA, o.messageId, o.rest);
  if (o.badHash) mac[0] ^= 1;
  const head = Buffer.from([o.first, 0, 0, 0]);
  head.writeUInt16BE(4 + mac.length, 2);
  const plaintext = Buffer.concat([head, mac, o.rest]);
  const { ciphertext, nextIv } = encryptBody(sa.cbcKey!, o.iv ?? sa.exchangeIv(o.messageId), plaintext);
  const message = encodeMessageWithBody(
    { initiatorCookie: sa.ckyI, responderCookie: sa.ckyR, exchangeType: o.exchangeType, messageId: o.messageId, flags: o.flags ?? Flags.ENCRYPTION },
    PayloadType.HASH,
    ciphertext,
  );
  const w = sa.wire(message);
  return { packet: udpPacket(parseIpv4(w.from.ip), parseIpv4(w.to.ip), w.from.port, w.to.port, w.payload), nextIv };
}
