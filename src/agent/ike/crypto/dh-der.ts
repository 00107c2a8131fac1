/**
 * Just enough DER (X.690) to move raw Diffie-Hellman values in and out of
 * OpenSSL KeyObjects: PKCS#3 dhKeyAgreement SubjectPublicKeyInfo and PKCS#8.
 * (node:crypto's DiffieHellman class re-checks the 768/1024-bit primes on
 * every object, 20-35 ms each; KeyObjects take about 1 ms.)
 */
import { InvalidDhPublicValueError } from './errors.js';

/** 1.2.840.113549.1.3.1 dhKeyAgreement. */
const DH_KEY_AGREEMENT_OID = Buffer.from('06092a864886f70d010301', 'hex');

function tlv(tag: number, body: Buffer): Buffer {
  const n = body.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...len]), body]);
}

function derInteger(unsigned: Buffer): Buffer {
  let i = 0;
  while (i < unsigned.length - 1 && unsigned[i] === 0) i++;
  const v = unsigned.subarray(i);
  return tlv(0x02, v[0] & 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v);
}

function algorithmIdentifier(prime: Buffer): Buffer {
  const params = tlv(0x30, Buffer.concat([derInteger(prime), derInteger(Buffer.from([2]))]));
  return tlv(0x30, Buffer.concat([DH_KEY_AGREEMENT_OID, params]));
}

export function dhSpki(prime: Buffer, publicValue: Buffer): Buffer {
  const bits = Buffer.concat([Buffer.from([0]), derInteger(publicValue)]);
  return tlv(0x30, Buffer.concat([algorithmIdentifier(prime), tlv(0x03, bits)]));
}

export function dhPkcs8(prime: Buffer, privateValue: Buffer): Buffer {
  const version = derInteger(Buffer.from([0]));
  return tlv(0x30, Buffer.concat([version, algorithmIdentifier(prime), tlv(0x04, derInteger(privateValue))]));
}

interface Tlv {
  tag: number;
  body: Buffer;
  end: number;
}

function readTlv(der: Buffer, at: number): Tlv {
  if (at + 2 > der.length) throw new InvalidDhPublicValueError('truncated DER');
  const tag = der[at];
  let len = der[at + 1];
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n < 1 || n > 2 || start + n > der.length) throw new InvalidDhPublicValueError('bad DER length');
    len = n === 1 ? der[start] : der.readUInt16BE(start);
    start += n;
  }
  if (start + len > der.length) throw new InvalidDhPublicValueError('truncated DER');
  return { tag, body: der.subarray(start, start + len), end: start + len };
}

/** The public value y (unsigned, without leading zeros) from a dhKeyAgreement SubjectPublicKeyInfo. */
export function publicValueFromSpki(spki: Buffer): Buffer {
  const outer = readTlv(spki, 0);
  const alg = readTlv(outer.body, 0);
  const bits = readTlv(outer.body, alg.end);
  if (outer.tag !== 0x30 || alg.tag !== 0x30 || bits.tag !== 0x03 || bits.body[0] !== 0) {
    throw new InvalidDhPublicValueError('unexpected SubjectPublicKeyInfo layout');
  }
  const y = readTlv(bits.body, 1);
  if (y.tag !== 0x02) throw new InvalidDhPublicValueError('public value is not an INTEGER');
  let i = 0;
  while (i < y.body.length - 1 && y.body[i] === 0) i++;
  return y.body.subarray(i);
}
