/**
 * `show crypto engine connections active` (IOS 12.2):
 *
 *     ID Interface            IP-Address      State  Algorithm           Encrypt  Decrypt
 *      2 <none>               <none>          set    HMAC_SHA+DES_56_CB        0        0
 *   2000 FastEthernet0/0      11.11.11.1      set    HMAC_MD5+DES_56_CB        0        9
 */
import type { FieldDoc, ShowRecord } from './common.js';

export const ENGINE_CONNECTION_FIELDS: Record<string, FieldDoc> = {
  id: { type: 'number', doc: 'connection id (the ISAKMP SA conn-id, or the IPsec SA conn id 2000, 2001 ...)' },
  interface: { type: 'string', doc: 'FastEthernet0/0, or null for <none> (the ISAKMP connection)' },
  ip_address: { type: 'address', doc: 'the interface address, or null for <none>' },
  state: { type: 'string', doc: 'set ...' },
  algorithm: { type: 'string', doc: 'HMAC_SHA+DES_56_CB (ISAKMP), HMAC_MD5+DES_56_CB (ESP) ...' },
  encrypt: { type: 'number', doc: 'packets encrypted' },
  decrypt: { type: 'number', doc: 'packets decrypted' },
};

const ROW = /(?:^|\s)(\d+)\s+(<none>|[A-Za-z][\w/.:-]*)\s+(<none>|\d{1,3}(?:\.\d{1,3}){3})\s+(\S+)\s+([A-Z][\w+-]*)\s+(\d+)\s+(\d+)(?=\s|$)/g;

export function parseEngineConnections(text: string): ShowRecord[] {
  const rows: ShowRecord[] = [];
  for (const m of text.matchAll(ROW)) {
    rows.push({
      id: Number(m[1]),
      interface: m[2] === '<none>' ? null : m[2]!,
      ip_address: m[3] === '<none>' ? null : m[3]!,
      state: m[4]!,
      algorithm: m[5]!,
      encrypt: Number(m[6]),
      decrypt: Number(m[7]),
    });
  }
  return rows;
}
