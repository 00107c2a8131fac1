/**
 * Bodies of the payloads other than SA (RFC 2408 3.7-3.16, RFC 3947): each
 * decoder reads from a Reader bounded by the payload length, each encoder
 * returns the body without the generic header.
 */
import { Buffer } from 'node:buffer';
import { PayloadType } from './constants.js';
import { PayloadMalformedError } from './errors.js';
import type { Reader } from './reader.js';
import type {
  CertPayload,
  CertRequestPayload,
  DeletePayload,
  HashPayload,
  IdPayload,
  KePayload,
  NatDPayload,
  NatOaPayload,
  NoncePayload,
  NotifyPayload,
  SignaturePayload,
  VendorIdPayload,
} from './types.js';

function uint(value: number, bits: 8 | 16 | 32, what: string): number {
  const max = bits === 32 ? 0xffffffff : (1 << bits) - 1;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new PayloadMalformedError(`${what} ${value} does not fit ${bits} bits`);
  }
  return value;
}

function u32(value: number, what: string): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(uint(value, 32, what), 0);
  return out;
}

// RFC 2408 3.7, 3.11, 3.12, 3.13, 3.16: opaque data bodies.

type OpaqueType = KePayload['type'] | HashPayload['type'] | SignaturePayload['type'] | NoncePayload['type'] | VendorIdPayload['type'];
type OpaquePayload = KePayload | HashPayload | SignaturePayload | NoncePayload | VendorIdPayload;

export function decodeOpaque<T extends OpaqueType>(r: Reader, type: T): { type: T; data: Buffer } {
  return { type, data: r.rest() };
}

export function encodeOpaque(p: OpaquePayload): Buffer {
  return p.data;
}

// RFC 2408 3.8 with RFC 2407 4.6.2: ID Type | Protocol ID | Port (2) | Identification Data.

export function decodeId(r: Reader): Omit<IdPayload, 'raw'> {
  const idType = r.u8('ID type');
  const protocol = r.u8('protocol ID');
  const port = r.u16('port');
  return { type: PayloadType.ID, idType, protocol, port, data: r.rest() };
}

export function encodeId(p: IdPayload): Buffer {
  const head = Buffer.alloc(4);
  head[0] = uint(p.idType, 8, 'ID: type');
  head[1] = uint(p.protocol, 8, 'ID: protocol');
  head.writeUInt16BE(uint(p.port, 16, 'ID: port'), 2);
  return Buffer.concat([head, p.data]);
}

// RFC 2408 3.9 and 3.10: Cert Encoding | Certificate Data, Cert Type | Certificate Authority.

export function decodeCert<T extends 6 | 7>(r: Reader, type: T): { type: T; encoding: number; data: Buffer } {
  const encoding = r.u8('certificate encoding');
  return { type, encoding, data: r.rest() };
}

export function encodeCert(p: CertPayload | CertRequestPayload): Buffer {
  return Buffer.concat([Buffer.from([uint(p.encoding, 8, 'certificate encoding')]), p.data]);
}

// RFC 2408 3.14: DOI (4) | Protocol-ID | SPI Size | Notify Message Type (2) | SPI | Notification Data.

export function decodeNotify(r: Reader): Omit<NotifyPayload, 'raw'> {
  const doi = r.u32('DOI');
  const protocol = r.u8('protocol ID');
  const spiSize = r.u8('SPI size');
  const notifyType = r.u16('notify message type');
  const spi = r.bytes(spiSize, `SPI of size ${spiSize}`);
  return { type: PayloadType.NOTIFY, doi, protocol, spi, notifyType, data: r.rest() };
}

export function encodeNotify(p: NotifyPayload): Buffer {
  const head = Buffer.alloc(4);
  head[0] = uint(p.protocol, 8, 'Notify: protocol');
  head[1] = uint(p.spi.length, 8, 'Notify: SPI size');
  head.writeUInt16BE(uint(p.notifyType, 16, 'Notify: message type'), 2);
  return Buffer.concat([u32(p.doi, 'Notify: DOI'), head, p.spi, p.data]);
}

// RFC 2408 3.15: DOI (4) | Protocol-Id | SPI Size | # of SPIs (2) | SPIs.

export function decodeDelete(r: Reader): Omit<DeletePayload, 'raw'> {
  const doi = r.u32('DOI');
  const protocol = r.u8('protocol ID');
  const spiSize = r.u8('SPI size');
  const count = r.u16('number of SPIs');
  // SPIs of size 0 name no SA and cost nothing to send: 65,535 of them in a 140-byte datagram took 130-330 ms to decode
  if (spiSize === 0 && count > 0) r.fail(`${count} SPI${count === 1 ? '' : 's'} of size 0 name no SA`);
  // one copy of all the SPIs, cut into views: no allocation or label per SPI
  const all = r.bytes(count * spiSize, `${count} SPIs of size ${spiSize}`);
  const spis: Buffer[] = [];
  for (let i = 0; i < count; i++) spis.push(all.subarray(i * spiSize, (i + 1) * spiSize));
  if (r.remaining > 0) r.fail(`${r.remaining} bytes follow the ${count} SPI${count === 1 ? '' : 's'} of size ${spiSize}`);
  return { type: PayloadType.DELETE, doi, protocol, spiSize, spis };
}

export function encodeDelete(p: DeletePayload): Buffer {
  const head = Buffer.alloc(4);
  head[0] = uint(p.protocol, 8, 'Delete: protocol');
  head[1] = uint(p.spiSize, 8, 'Delete: SPI size');
  head.writeUInt16BE(uint(p.spis.length, 16, 'Delete: number of SPIs'), 2);
  for (const [i, spi] of p.spis.entries()) {
    if (spi.length !== p.spiSize) throw new PayloadMalformedError(`Delete: SPI ${i + 1} has ${spi.length} bytes, SPI size is ${p.spiSize}`);
  }
  return Buffer.concat([u32(p.doi, 'Delete: DOI'), head, ...p.spis]);
}

// RFC 3947 3.2: NAT-D is a hash; 5.2: NAT-OA is ID Type | RESERVED (3) | address.

export function decodeNatD<T extends 20 | 130>(r: Reader, type: T): { type: T; hash: Buffer } {
  return { type, hash: r.rest() };
}

export function encodeNatD(p: NatDPayload): Buffer {
  return p.hash;
}

export function decodeNatOa<T extends 21 | 131>(r: Reader, type: T): { type: T; idType: number; address: Buffer } {
  const idType = r.u8('ID type');
  r.u8('reserved');
  r.u16('reserved');
  return { type, idType, address: r.rest() };
}

export function encodeNatOa(p: NatOaPayload): Buffer {
  return Buffer.concat([Buffer.from([uint(p.idType, 8, 'NAT-OA: ID type'), 0, 0, 0]), p.address]);
}
