/**
 * `show crypto ipsec sa` (IOS 12.2), one record per protected flow (the
 * block that starts with "local  ident"):
 *
 *   interface: FastEthernet0/0
 *       Crypto map tag: tedtag, local addr. 11.11.11.1
 *
 *      local  ident (addr/mask/prot/port): (13.13.13.0/255.255.255.0/0/0)
 *      remote ident (addr/mask/prot/port): (12.12.12.0/255.255.255.0/0/0)
 *      current_peer: 11.11.11.2
 *        PERMIT, flags={}
 *       #pkts encaps: 9, #pkts encrypt: 9, #pkts digest 9
 *       #pkts decaps: 9, #pkts decrypt: 9, #pkts verify 9
 *       ...
 *       #send errors 0, #recv errors 0
 *
 *        local crypto endpt.: 11.11.11.1, remote crypto endpt.: 11.11.11.2
 *        path mtu 1500, media mtu 1500
 *        current outbound spi: B326CBE6
 *
 *        inbound esp sas:
 *         spi: 0xD8870500(3632727296)
 *           transform: esp-des esp-md5-hmac ,
 *           in use settings ={Tunnel, }
 *           slot: 0, conn id: 2000, flow_id: 1, crypto map: tedtag
 *           sa timing: remaining key lifetime (k/sec): (4414715/2524)
 *           IV size: 8 bytes
 *           replay detection support: Y
 *        ...
 *        outbound esp sas:
 *         spi: 0xB326CBE6(3005664230)
 *           ...
 *
 * Later IOS spellings are read too ("current_peer 1.2.3.4 port 500",
 * "#pkts digest: 9", "current outbound spi: 0x...(...)", "Status: ACTIVE").
 */
import { IPV4, normalizePrefix, parseSpi, splitItems, type FieldDoc, type ShowRecord } from './common.js';

export const IPSEC_SA_FIELDS: Record<string, FieldDoc> = {
  interface: { type: 'string', doc: 'the interface with the crypto map (interface: ...)' },
  map: { type: 'string', doc: 'Crypto map tag' },
  local_addr: { type: 'address', doc: 'local addr. of the crypto map' },
  local_ident: { type: 'prefix', doc: 'local proxy, as A.B.C.D/LEN (write 13.13.13.0/24 or 13.13.13.0/255.255.255.0)' },
  remote_ident: { type: 'prefix', doc: 'remote proxy, as A.B.C.D/LEN' },
  local_ident_proto: { type: 'number', doc: 'IP protocol of the local proxy (0: any)' },
  remote_ident_proto: { type: 'number', doc: 'IP protocol of the remote proxy (0: any)' },
  peer: { type: 'address', doc: 'current_peer' },
  encaps: { type: 'number', doc: '#pkts encaps' },
  encrypt: { type: 'number', doc: '#pkts encrypt' },
  digest: { type: 'number', doc: '#pkts digest' },
  decaps: { type: 'number', doc: '#pkts decaps' },
  decrypt: { type: 'number', doc: '#pkts decrypt' },
  verify: { type: 'number', doc: '#pkts verify' },
  send_errors: { type: 'number', doc: '#send errors' },
  recv_errors: { type: 'number', doc: '#recv errors' },
  local_endpoint: { type: 'address', doc: 'local crypto endpt.' },
  remote_endpoint: { type: 'address', doc: 'remote crypto endpt.' },
  path_mtu: { type: 'number', doc: 'path mtu' },
  media_mtu: { type: 'number', doc: 'media mtu' },
  outbound_spi: { type: 'spi', doc: 'current outbound spi (0 when there is no SA yet)' },
  inbound_spi: { type: 'spi', doc: 'SPI of the first inbound esp sa (null when none)' },
  inbound_spis: { type: 'list', doc: 'SPIs of all inbound esp sas' },
  outbound_spis: { type: 'list', doc: 'SPIs of all outbound esp sas' },
  transform: { type: 'string', doc: 'transform of the first esp sa, e.g. "esp-des esp-md5-hmac"' },
  mode: { type: 'string', doc: 'in use settings of the first esp sa: Tunnel or Transport' },
  inbound_conn_id: { type: 'number', doc: 'conn id of the first inbound esp sa' },
  outbound_conn_id: { type: 'number', doc: 'conn id of the first outbound esp sa' },
  remaining_kb: { type: 'number', doc: 'remaining key lifetime (k) of the first outbound esp sa (else inbound)' },
  remaining_sec: { type: 'number', doc: 'remaining key lifetime (sec) of the first outbound esp sa (else inbound)' },
  iv_size: { type: 'number', doc: 'IV size in bytes of the first esp sa' },
  replay_detection: { type: 'boolean', doc: 'replay detection support of the first esp sa' },
};

export type EspSaDetail = {
  direction: 'inbound' | 'outbound';
  protocol: 'esp' | 'ah' | 'pcp';
  spi: number;
  transform: string | null;
  mode: string | null;
  connId: number | null;
  flowId: string | null;
  cryptoMap: string | null;
  remainingKb: number | null;
  remainingSec: number | null;
  ivSize: number | null;
  replayDetection: boolean | null;
  status: string | null;
};

// Where a new item starts, for output pasted on one line (the seed's form).
const STARTS = new RegExp(
  [
    'interface:',
    'Crypto map tag:',
    'protected vrf:',
    'local\\s+ident',
    'remote ident',
    'current_peer',
    'PERMIT,',
    '#pkts encaps',
    '#pkts decaps',
    '#pkts compressed',
    '#pkts not compressed',
    '#pkts not decompressed',
    '#send errors',
    'local crypto endpt',
    'path mtu',
    'plaintext mtu',
    'current outbound spi',
    '(?:in|out)bound (?:esp|ah|pcp) sas:',
    '(?<!outbound )spi: 0x',
    'transform:',
    'in use settings',
    'slot: \\d',
    'conn id: \\d',
    'sa timing:',
    'IV size:',
    'replay detection support:',
    'Status:',
  ]
    .map((s) => `(?=${s})`)
    .join('|'),
);

const PKTS: Record<string, string> = {
  encaps: 'encaps',
  encrypt: 'encrypt',
  digest: 'digest',
  decaps: 'decaps',
  decrypt: 'decrypt',
  verify: 'verify',
};

function blank(iface: string | null, map: string | null, localAddr: string | null): ShowRecord & { sas: EspSaDetail[] } {
  const r: Record<string, unknown> = { interface: iface, map, local_addr: localAddr, sas: [] };
  for (const f of Object.keys(IPSEC_SA_FIELDS)) if (!(f in r)) r[f] = null;
  r.inbound_spis = [];
  r.outbound_spis = [];
  return r as ShowRecord & { sas: EspSaDetail[] };
}

function ident(text: string): { prefix: string; proto: number } | null {
  const m = new RegExp(`\\((${IPV4})/(${IPV4}|\\d+)/(\\d+)/(\\d+)\\)`).exec(text);
  return m ? { prefix: normalizePrefix(`${m[1]}/${m[2]}`), proto: Number(m[3]) } : null;
}

/** Records of `show crypto ipsec sa`, each with its ESP SAs in `sas` (not a queryable field). */
export function parseIpsecSa(text: string): (ShowRecord & { sas: EspSaDetail[] })[] {
  const records: (ShowRecord & { sas: EspSaDetail[] })[] = [];
  let iface: string | null = null;
  let map: string | null = null;
  let localAddr: string | null = null;
  let cur: (ShowRecord & { sas: EspSaDetail[] }) | null = null;
  let section: { direction: 'inbound' | 'outbound'; protocol: 'esp' | 'ah' | 'pcp' } | null = null;
  let sa: EspSaDetail | null = null;

  for (const raw of splitItems(text, STARTS)) {
    const line = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = /^interface:\s*(\S+)/.exec(line))) {
      iface = m[1]!;
      map = localAddr = null;
      cur = null;
    } else if ((m = new RegExp(`^Crypto map tag:\\s*([^,\\s]+),\\s*local addr\\.?:?\\s*(${IPV4})`).exec(line))) {
      map = m[1]!;
      localAddr = m[2]!;
      cur = null;
    } else if (/^local\s+ident/.test(line)) {
      cur = blank(iface, map, localAddr);
      records.push(cur);
      section = null;
      sa = null;
      const id = ident(line);
      if (id) [cur.local_ident, cur.local_ident_proto] = [id.prefix, id.proto];
    } else if (!cur) {
      continue;
    } else if (/^remote\s+ident/.test(line)) {
      const id = ident(line);
      if (id) [cur.remote_ident, cur.remote_ident_proto] = [id.prefix, id.proto];
    } else if ((m = new RegExp(`^current_peer:?\\s*(${IPV4})`).exec(line))) {
      cur.peer = m[1]!;
    } else if (line.startsWith('#pkts') || line.startsWith('#send')) {
      for (const p of line.matchAll(/#pkts\s+([a-z]+):?\s+(\d+)/g)) {
        const field = PKTS[p[1]!];
        if (field) cur[field] = Number(p[2]);
      }
      if ((m = /#send errors:?\s*(\d+)/.exec(line))) cur.send_errors = Number(m[1]);
      if ((m = /#recv errors:?\s*(\d+)/.exec(line))) cur.recv_errors = Number(m[1]);
    } else if ((m = new RegExp(`^local crypto endpt\\.?:\\s*(${IPV4}),\\s*remote crypto endpt\\.?:\\s*(${IPV4})`).exec(line))) {
      [cur.local_endpoint, cur.remote_endpoint] = [m[1]!, m[2]!];
    } else if (/path mtu/.test(line)) {
      if ((m = /path mtu\s+(\d+)/.exec(line))) cur.path_mtu = Number(m[1]);
      if ((m = /media mtu\s+(\d+)/.exec(line))) cur.media_mtu = Number(m[1]);
    } else if ((m = /^current outbound spi:\s*(\S+)/.exec(line))) {
      cur.outbound_spi = parseSpi(m[1]!);
    } else if ((m = /^(inbound|outbound) (esp|ah|pcp) sas:/.exec(line))) {
      section = { direction: m[1] as 'inbound' | 'outbound', protocol: m[2] as 'esp' | 'ah' | 'pcp' };
      sa = null;
    } else if (section && (m = /^spi:\s*(\S+)/.exec(line))) {
      const spi = parseSpi(m[1]!);
      if (spi === null) continue;
      sa = {
        ...section,
        spi,
        transform: null,
        mode: null,
        connId: null,
        flowId: null,
        cryptoMap: null,
        remainingKb: null,
        remainingSec: null,
        ivSize: null,
        replayDetection: null,
        status: null,
      };
      cur.sas.push(sa);
    } else if (sa) {
      readSaLine(sa, line);
    }
  }
  for (const r of records) summarise(r);
  return records;
}

function readSaLine(sa: EspSaDetail, line: string): void {
  let m: RegExpExecArray | null;
  if ((m = /^transform:\s*(.*?)\s*,?\s*$/.exec(line))) sa.transform = m[1]!.replace(/\s+/g, ' ');
  else if ((m = /^in use settings\s*=\s*\{\s*([A-Za-z]+)/.exec(line))) sa.mode = m[1]!;
  else if (/conn id:/.test(line)) {
    if ((m = /conn id:\s*(\d+)/.exec(line))) sa.connId = Number(m[1]);
    if ((m = /flow_id:\s*([^,\s]+)/.exec(line))) sa.flowId = m[1]!;
    if ((m = /crypto map:\s*(\S+)/.exec(line))) sa.cryptoMap = m[1]!;
  } else if ((m = /remaining key lifetime \(k\/sec\):\s*\((\d+)\/(\d+)\)/.exec(line))) [sa.remainingKb, sa.remainingSec] = [Number(m[1]), Number(m[2])];
  else if ((m = /^IV size:\s*(\d+)/.exec(line))) sa.ivSize = Number(m[1]);
  else if ((m = /^replay detection support:\s*([YN])/.exec(line))) sa.replayDetection = m[1] === 'Y';
  else if ((m = /^Status:\s*(\S+)/.exec(line))) sa.status = m[1]!;
}

function summarise(r: ShowRecord & { sas: EspSaDetail[] }): void {
  const esp = r.sas.filter((s) => s.protocol === 'esp');
  const inbound = esp.filter((s) => s.direction === 'inbound');
  const outbound = esp.filter((s) => s.direction === 'outbound');
  r.inbound_spis = inbound.map((s) => s.spi);
  r.outbound_spis = outbound.map((s) => s.spi);
  r.inbound_spi = inbound[0]?.spi ?? null;
  if (r.outbound_spi === null && outbound[0]) r.outbound_spi = outbound[0].spi;
  // both directions share transform and settings: the outbound SA says, else the inbound one
  const pick = <K extends keyof EspSaDetail>(k: K): EspSaDetail[K] | null => outbound[0]?.[k] ?? inbound[0]?.[k] ?? null;
  r.transform = pick('transform');
  r.mode = pick('mode');
  r.inbound_conn_id = inbound[0]?.connId ?? null;
  r.outbound_conn_id = outbound[0]?.connId ?? null;
  r.remaining_kb = pick('remainingKb');
  r.remaining_sec = pick('remainingSec');
  r.iv_size = pick('ivSize');
  r.replay_detection = pick('replayDetection');
}
