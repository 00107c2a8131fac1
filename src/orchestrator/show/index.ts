/** The typed show commands: the table name used in `show:` checks, the IOS command, the parser and its fields. */
import { CRYPTO_MAP_FIELDS, parseCryptoMap } from './crypto-map.js';
import { ENGINE_CONNECTION_FIELDS, parseEngineConnections } from './engine-connections.js';
import { IPSEC_SA_FIELDS, parseIpsecSa } from './ipsec-sa.js';
import { ISAKMP_SA_FIELDS, parseIsakmpSa } from './isakmp-sa.js';
import type { FieldDoc, ShowRecord } from './common.js';

export type { FieldDoc, FieldType, ShowRecord, ShowValue } from './common.js';
export { formatSpi, normalizePrefix, parseSpi } from './common.js';
export { parseIsakmpSa } from './isakmp-sa.js';
export { parseIpsecSa, type EspSaDetail } from './ipsec-sa.js';
export { parseCryptoMap } from './crypto-map.js';
export { parseEngineConnections } from './engine-connections.js';

export interface ShowTable {
  name: ShowTableName;
  command: string;
  fields: Record<string, FieldDoc>;
  /** `local`: the router's own addresses (isakmp_sa uses them for peer and role). */
  parse(text: string, local: readonly string[]): ShowRecord[];
}

export type ShowTableName = 'isakmp_sa' | 'ipsec_sa' | 'crypto_map' | 'engine_connections';

export const SHOW_TABLES: Readonly<Record<ShowTableName, ShowTable>> = {
  isakmp_sa: { name: 'isakmp_sa', command: 'show crypto isakmp sa', fields: ISAKMP_SA_FIELDS, parse: parseIsakmpSa },
  ipsec_sa: { name: 'ipsec_sa', command: 'show crypto ipsec sa', fields: IPSEC_SA_FIELDS, parse: (t: string) => parseIpsecSa(t) },
  crypto_map: { name: 'crypto_map', command: 'show crypto map', fields: CRYPTO_MAP_FIELDS, parse: (t: string) => parseCryptoMap(t) },
  engine_connections: {
    name: 'engine_connections',
    command: 'show crypto engine connections active',
    fields: ENGINE_CONNECTION_FIELDS,
    parse: (t: string) => parseEngineConnections(t),
  },
};
export const SHOW_TABLE_NAMES = Object.keys(SHOW_TABLES) as ShowTableName[];
