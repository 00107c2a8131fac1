/**
 * IPv4 identities (RFC 2407 4.6.2.2-4.6.2.4, 4.6.2.7) as dotted strings:
 * IPV4_ADDR (4 bytes), IPV4_ADDR_SUBNET (address | mask) and
 * IPV4_ADDR_RANGE (start | end). These are both the phase-1 identity
 * ("type : 1 protocol : 17 port : 500") and the Quick Mode proxies
 * ("13.13.13.0/255.255.255.0/0/0").
 */
import { Buffer } from 'node:buffer';
import { IdType, PayloadType } from './constants.js';
import { InvalidIdInformationError } from './errors.js';
import type { IdPayload } from './types.js';

/** An IPv4 identity with the protocol and port of the ID payload. */
export type Ipv4Id =
  | { readonly idType: 1; readonly address: string; readonly protocol: number; readonly port: number }
  | { readonly idType: 4; readonly address: string; readonly mask: string; readonly protocol: number; readonly port: number }
  | { readonly idType: 7; readonly start: string; readonly end: string; readonly protocol: number; readonly port: number };

/** An {@link Ipv4Id} whose protocol and port default to 0 (any). */
export type Ipv4IdInit = Ipv4Id extends infer T
  ? T extends Ipv4Id
    ? Omit<T, 'protocol' | 'port'> & { readonly protocol?: number; readonly port?: number }
    : never
  : never;

/** "11.11.11.1" -> 4 bytes; throws INVALID-ID-INFORMATION on anything else. */
export function ipv4ToBuffer(address: string): Buffer {
  const parts = address.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) {
    throw new InvalidIdInformationError(`"${address}" is not a dotted IPv4 address`);
  }
  return Buffer.from(parts.map(Number));
}

/** 4 bytes at `offset` -> "11.11.11.1". */
export function bufferToIpv4(buf: Uint8Array, offset = 0): string {
  if (offset < 0 || buf.length - offset < 4) {
    throw new InvalidIdInformationError(`an IPv4 address needs 4 bytes at offset ${offset}, the buffer has ${buf.length}`);
  }
  return `${buf[offset]}.${buf[offset + 1]}.${buf[offset + 2]}.${buf[offset + 3]}`;
}

/** The ID payload for an IPv4 identity (protocol and port default to 0). */
export function ipv4IdPayload(id: Ipv4IdInit): IdPayload {
  const protocol = id.protocol ?? 0;
  const port = id.port ?? 0;
  switch (id.idType) {
    case IdType.IPV4_ADDR:
      return { type: PayloadType.ID, idType: id.idType, protocol, port, data: ipv4ToBuffer(id.address) };
    case IdType.IPV4_ADDR_SUBNET:
      return { type: PayloadType.ID, idType: id.idType, protocol, port, data: Buffer.concat([ipv4ToBuffer(id.address), ipv4ToBuffer(id.mask)]) };
    case IdType.IPV4_ADDR_RANGE:
      return { type: PayloadType.ID, idType: id.idType, protocol, port, data: Buffer.concat([ipv4ToBuffer(id.start), ipv4ToBuffer(id.end)]) };
  }
}

/**
 * Reads an ID payload as an IPv4 identity. Throws INVALID-ID-INFORMATION when
 * the type is not IPV4_ADDR/IPV4_ADDR_SUBNET/IPV4_ADDR_RANGE or the data has
 * the wrong size.
 */
export function parseIpv4Id(payload: Pick<IdPayload, 'idType' | 'protocol' | 'port' | 'data'>): Ipv4Id {
  const { idType, protocol, port, data } = payload;
  const want = idType === IdType.IPV4_ADDR ? 4 : idType === IdType.IPV4_ADDR_SUBNET || idType === IdType.IPV4_ADDR_RANGE ? 8 : 0;
  if (want === 0) throw new InvalidIdInformationError(`ID type ${idType} is not an IPv4 address, subnet or range`);
  if (data.length !== want) throw new InvalidIdInformationError(`ID type ${idType} needs ${want} bytes of data, got ${data.length}`);
  if (idType === IdType.IPV4_ADDR) return { idType, address: bufferToIpv4(data), protocol, port };
  if (idType === IdType.IPV4_ADDR_SUBNET) return { idType, address: bufferToIpv4(data), mask: bufferToIpv4(data, 4), protocol, port };
  return { idType: IdType.IPV4_ADDR_RANGE, start: bufferToIpv4(data), end: bufferToIpv4(data, 4), protocol, port };
}

/** Whether an ID payload holds an IPv4 identity that `parseIpv4Id` accepts. */
export function isIpv4Id(payload: Pick<IdPayload, 'idType' | 'data'>): boolean {
  const { idType, data } = payload;
  return (idType === IdType.IPV4_ADDR && data.length === 4) || ((idType === IdType.IPV4_ADDR_SUBNET || idType === IdType.IPV4_ADDR_RANGE) && data.length === 8);
}

/** "11.11.11.1", "13.13.13.0/255.255.255.0", "10.0.0.1-10.0.0.9" (IOS's spelling). */
export function formatIpv4Id(id: Ipv4IdInit): string {
  switch (id.idType) {
    case IdType.IPV4_ADDR:
      return id.address;
    case IdType.IPV4_ADDR_SUBNET:
      return `${id.address}/${id.mask}`;
    case IdType.IPV4_ADDR_RANGE:
      return `${id.start}-${id.end}`;
  }
}
