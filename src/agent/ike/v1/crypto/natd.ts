/** RFC 3947 section 3.2: NAT-D payload hash and the NAT-T vendor ID. */
import { createHash } from 'node:crypto';
import type { HashAlgorithm } from '../../../crypto/algorithms.js';
import { CryptoLengthError } from '../../../crypto/errors.js';
import { checkCookies } from './keys.js';
import { digest, uint32Bytes } from '../../../crypto/prf.js';

/** HASH(CKY-I | CKY-R | IP | Port) with the negotiated hash; IPv4 as a 32-bit number or 4 bytes. */
export function natDetectionHash(hash: HashAlgorithm, ckyI: Buffer, ckyR: Buffer, address: number | Buffer, port: number): Buffer {
  checkCookies(ckyI, ckyR);
  const ip = uint32Bytes(address);
  if (ip.length !== 4) throw new CryptoLengthError(`NAT-D address must be 4 bytes (IPv4), got ${ip.length}`);
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw new CryptoLengthError(`bad port ${port}`);
  const p = Buffer.alloc(2);
  p.writeUInt16BE(port);
  return digest(hash, ckyI, ckyR, ip, p);
}

/** Vendor ID payload body announcing RFC 3947: MD5("RFC 3947"). */
export const NAT_T_RFC3947_VENDOR_ID: Buffer = createHash('md5').update('RFC 3947').digest();
