/** `show crypto isakmp sa`: one row per ISAKMP SA (and TED probe SA), "dst src state conn-id slot". */
import type { CipherName, HashName } from '../../../crypto/algorithms.js';
import type { EngineSnapshot } from '../sa/tables.js';
import type { Endpoint, Phase1Mode, Phase1State, Role } from '../../types.js';

export interface IsakmpSaRow {
  /** The responder's address (IOS: "dst"). */
  readonly dst: string;
  /** The initiator's address (IOS: "src"). */
  readonly src: string;
  readonly state: Phase1State;
  readonly connId: number;
  readonly slot: 0;
  readonly role: Role;
  readonly mode: Phase1Mode | 'ted';
  readonly local: Endpoint;
  readonly remote: Endpoint;
  /** Negotiated algorithms (null before the SA payloads were exchanged). */
  readonly cipher: CipherName | null;
  readonly hash: HashName | null;
  readonly group: number | null;
  readonly lifetimeSeconds: number | null;
  readonly createdAt: number;
  readonly establishedAt: number | null;
  readonly expiresAt: number | null;
  readonly natTraversal: { readonly negotiated: boolean; readonly localBehindNat: boolean; readonly peerBehindNat: boolean; readonly floated: boolean };
  readonly dpd: boolean;
}

/** All ISAKMP SAs by conn id (dst = responder, src = initiator, as IOS prints them). */
export function isakmpSaRows(s: EngineSnapshot): IsakmpSaRow[] {
  const rows: IsakmpSaRow[] = [];
  for (const sa of s.tables.isakmp.values()) {
    if (sa.deleted) continue;
    const initiatorIp = sa.role === 'initiator' ? sa.local.ip : sa.remote.ip;
    const responderIp = sa.role === 'initiator' ? sa.remote.ip : sa.local.ip;
    rows.push({
      dst: responderIp,
      src: initiatorIp,
      state: sa.state,
      connId: sa.connId,
      slot: 0,
      role: sa.role,
      mode: sa.mode,
      local: sa.local,
      remote: sa.remote,
      cipher: sa.suite?.cipher.name ?? null,
      hash: sa.suite?.hash.name ?? null,
      group: sa.suite?.group.id ?? null,
      lifetimeSeconds: sa.suite?.lifetimeSeconds ?? null,
      createdAt: sa.createdAt,
      establishedAt: sa.establishedAt,
      expiresAt: sa.expiresAt,
      natTraversal: { ...sa.nat },
      dpd: sa.peerVendor.dpd,
    });
  }
  for (const p of s.tables.probes.values()) {
    rows.push({
      dst: p.target,
      src: p.source,
      state: 'PEER_DISCOVERY',
      connId: p.connId,
      slot: 0,
      role: 'initiator',
      mode: 'ted',
      local: { ip: p.source, port: 500 },
      remote: { ip: p.target, port: 500 },
      cipher: null,
      hash: null,
      group: null,
      lifetimeSeconds: null,
      createdAt: p.createdAt,
      establishedAt: null,
      expiresAt: null,
      natTraversal: { negotiated: false, localBehindNat: false, peerBehindNat: false, floated: false },
      dpd: false,
    });
  }
  return rows.sort((a, b) => a.connId - b.connId);
}
