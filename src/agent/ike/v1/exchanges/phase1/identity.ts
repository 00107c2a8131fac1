/**
 * The phase-1 identities (RFC 2409 5, RFC 2407 4.6.2): ours as `crypto isakmp
 * identity` says (ID_IPV4_ADDR with our IKE address, or ID_FQDN
 * `hostname.domain`, both with protocol 17 and port 500), the debug lines IOS
 * prints before sending it, and the check of the peer's.
 *
 * The peer's identity: with pre-shared keys by address (the only keys 12.2
 * has), IOS finds the key by the peer's address before the identity is
 * known (in Main Mode it travels encrypted in message 5), so the identity
 * selects nothing; the HASH over it proves the key. IOS accepts an address
 * identity other than the source address (a peer behind NAT sends its own
 * inside address) and a host-name identity; the emulator accepts both, and
 * refuses what cannot be an identity of this kind (a truncated address, a
 * name with bytes no host name has, other ID types) with
 * INVALID-ID-INFORMATION.
 */
import { IdType } from '../../../../../codecs/isakmp/constants.js';
import { InvalidIdInformationError } from '../../../../../codecs/isakmp/errors.js';
import { ipv4IdPayload } from '../../../../../codecs/isakmp/id.js';
import { fqdnIdPayload, parseNameId } from '../../../../../codecs/isakmp/name-id.js';
import type { IdPayload } from '../../../../../codecs/isakmp/types.js';
import { idPayloadLines } from '../../debug.js';
import type { IsakmpSa } from '../../sa/isakmp-sa.js';
import type { IkeContext } from '../context.js';

/** Our identity payload. */
export function localIdPayload(ctx: IkeContext, sa: IsakmpSa): IdPayload {
  const id = ctx.policy.identity;
  if (id.type === 'fqdn') return fqdnIdPayload(id.name, 17, 500);
  return ipv4IdPayload({ idType: IdType.IPV4_ADDR, address: sa.local.ip, protocol: 17, port: 500 });
}

/** "ID_IPV4_ADDR" or "ID_FQDN", as the debug line "SA is doing pre-shared key authentication using id type ..." names it. */
export function localIdTypeName(ctx: IkeContext): string {
  return ctx.policy.identity.type === 'fqdn' ? 'ID_FQDN' : 'ID_IPV4_ADDR';
}

/** Logs the ID payload the way IOS does before sending it ("ISAKMP (2): ID payload ..."). */
export function logLocalId(ctx: IkeContext, sa: IsakmpSa, next: number): void {
  const id = localIdPayload(ctx, sa);
  for (const line of idPayloadLines(sa.connId, next, id.idType, id.protocol, id.port, 4 + id.data.length)) ctx.out.isakmp(line);
}

/** The peer's identity as text ("11.11.11.2", "fred.example.com"); throws INVALID-ID-INFORMATION when it is not one IOS takes with pre-shared keys. */
export function checkPeerId(id: Pick<IdPayload, 'idType' | 'data'>): string {
  if (id.idType === IdType.IPV4_ADDR) {
    if (id.data.length !== 4) throw new InvalidIdInformationError(`an ID_IPV4_ADDR of ${id.data.length} bytes`);
    return [...id.data].join('.');
  }
  if (id.idType === IdType.FQDN || id.idType === IdType.USER_FQDN) return parseNameId(id).name;
  throw new InvalidIdInformationError(`ID type ${id.idType} is not an address or a name`);
}
