/**
 * Name identities of the phase-1 ID payload (RFC 2407 4.6.2.1): ID_FQDN
 * ("router.example.com") and ID_USER_FQDN ("user@example.com"), a string of
 * ASCII bytes with no terminator. IOS sends ID_FQDN with `crypto isakmp
 * identity hostname`. Pure.
 */
import { Buffer } from 'node:buffer';
import { IdType, PayloadType } from './constants.js';
import { InvalidIdInformationError } from './errors.js';
import type { IdPayload } from './types.js';

/** Letters, digits, '-', '_' and dots: a host name as IOS allows it (the length is checked apart: 255 bytes at most). */
const FQDN = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?$/;

/** The ID_FQDN payload for `name`, with the protocol and port of the IKE endpoint by default (17, 500). */
export function fqdnIdPayload(name: string, protocol = 17, port = 500): IdPayload {
  if (name.length === 0 || name.length > 255 || !FQDN.test(name)) throw new InvalidIdInformationError(`"${name}" is not a host name`);
  return { type: PayloadType.ID, idType: IdType.FQDN, protocol, port, data: Buffer.from(name, 'ascii') };
}

/** Reads an ID_FQDN or ID_USER_FQDN payload; throws INVALID-ID-INFORMATION when it is another type or not a name. */
export function parseNameId(payload: Pick<IdPayload, 'idType' | 'data'>): { idType: 2 | 3; name: string } {
  const { idType, data } = payload;
  if (idType !== IdType.FQDN && idType !== IdType.USER_FQDN) throw new InvalidIdInformationError(`ID type ${idType} is not a name`);
  if (data.length === 0 || data.length > 255) throw new InvalidIdInformationError(`a name identity of ${data.length} bytes`);
  const name = data.toString('latin1');
  const [user, host, extra] = idType === IdType.USER_FQDN ? name.split('@') : ['x', name, undefined];
  if (extra !== undefined || !user || !host || !/^[\x21-\x7e]+$/.test(user) || !FQDN.test(host)) {
    throw new InvalidIdInformationError(`ID type ${idType} holds "${name.replace(/[^\x20-\x7e]/g, '?')}", not a name`);
  }
  return { idType, name };
}
