/**
 * `show crypto isakmp sa` (IOS 12.2):
 *
 *   dst             src             state          conn-id slot
 *   11.11.11.2      11.11.11.1      QM_IDLE              2    0
 *
 * dst is the responder's address, src the initiator's. Later IOS versions
 * add a status column (ACTIVE, STDBY); it is read when present.
 */
import { IPV4, type FieldDoc, type ShowRecord } from './common.js';

export const ISAKMP_SA_FIELDS: Record<string, FieldDoc> = {
  dst: { type: 'address', doc: "the responder's IKE address (IOS column dst)" },
  src: { type: 'address', doc: "the initiator's IKE address (IOS column src)" },
  state: { type: 'string', doc: 'MM_NO_STATE, MM_SA_SETUP, MM_KEY_EXCH, QM_IDLE, PEER_DISCOVERY, AG_NO_STATE ...' },
  conn_id: { type: 'number', doc: 'conn-id' },
  slot: { type: 'number', doc: 'slot' },
  status: { type: 'string', doc: 'ACTIVE or STDBY (only on IOS versions that print it; otherwise null)' },
  peer: { type: 'address', doc: "the other side: dst or src, whichever is not one of this router's addresses" },
  role: { type: 'string', doc: "initiator or responder, from which column holds one of this router's addresses" },
};

const ROW = new RegExp(`(${IPV4})\\s+(${IPV4})\\s+([A-Z][A-Z0-9_]*)\\s+(\\d+)\\s+(\\d+)(?:[ \\t]+(ACTIVE|STDBY))?`, 'g');

/** Rows of `show crypto isakmp sa`; `local` are the router's own addresses (for peer and role). */
export function parseIsakmpSa(text: string, local: readonly string[] = []): ShowRecord[] {
  const rows: ShowRecord[] = [];
  for (const m of text.matchAll(ROW)) {
    const [dst, src] = [m[1]!, m[2]!];
    const srcLocal = local.includes(src);
    const dstLocal = local.includes(dst);
    rows.push({
      dst,
      src,
      state: m[3]!,
      conn_id: Number(m[4]),
      slot: Number(m[5]),
      status: m[6] ?? null,
      peer: srcLocal ? dst : dstLocal ? src : null,
      role: srcLocal ? 'initiator' : dstLocal ? 'responder' : null,
    });
  }
  return rows;
}
