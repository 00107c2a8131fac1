/**
 * `show crypto map` (IOS 12.2), one record per map entry:
 *
 *   Crypto Map "tedtag" 10 ipsec-isakmp
 *           Dynamic map template tag: ted-map
 *           Discover enabled
 *   Crypto Map "tedtag" 11 ipsec-isakmp
 *           Peer = 11.11.11.2
 *           Extended IP access list
 *               access-list  permit ip 13.13.13.0 0.0.0.255 12.12.12.0 0.0.0.255
 *               dynamic (created from dynamic map ted-map/10)
 *           Current peer: 11.11.11.2
 *           Security association lifetime: 4608000 kilobytes/3600 seconds
 *           PFS (Y/N): N
 *           Transform sets={ ted-transforms, }
 *           Interfaces using crypto map tedtag:
 *                   FastEthernet0/0
 *
 * "Interfaces using crypto map X" closes the entries of map X and applies
 * to all of them.
 */
import { IPV4, splitItems, type FieldDoc, type ShowRecord } from './common.js';

export const CRYPTO_MAP_FIELDS: Record<string, FieldDoc> = {
  tag: { type: 'string', doc: 'the crypto map name' },
  seq: { type: 'number', doc: 'sequence number of the entry (TED creates 11, 12 ... from the dynamic template)' },
  type: { type: 'string', doc: 'ipsec-isakmp or ipsec-manual' },
  peer: { type: 'address', doc: 'the first "Peer =" line' },
  peers: { type: 'list', doc: 'all "Peer =" lines' },
  dynamic_template: { type: 'string', doc: 'Dynamic map template tag (entries that point to a dynamic map)' },
  discover: { type: 'boolean', doc: 'true when "Discover enabled" (TED)' },
  acl: { type: 'string', doc: 'the access list named on "Extended IP access list" (may be empty)' },
  acl_lines: { type: 'list', doc: 'the access-list lines, spaces collapsed, like "permit ip 13.13.13.0 0.0.0.255 12.12.12.0 0.0.0.255"' },
  dynamic_from: { type: 'string', doc: 'ted-map/10 for entries "dynamic (created from dynamic map ted-map/10)"' },
  current_peer: { type: 'address', doc: 'Current peer' },
  lifetime_kb: { type: 'number', doc: 'Security association lifetime, kilobytes' },
  lifetime_sec: { type: 'number', doc: 'Security association lifetime, seconds' },
  pfs: { type: 'boolean', doc: 'PFS (Y/N)' },
  transform_sets: { type: 'list', doc: 'Transform sets={ ... }' },
  interfaces: { type: 'list', doc: 'Interfaces using the crypto map' },
};

const STARTS = new RegExp(
  [
    'Crypto Map "',
    'Dynamic map template tag:',
    'Discover enabled',
    'Peer = ',
    'Extended IP access list',
    'access-list ',
    'dynamic \\(created',
    'Current peer:',
    'Security association lifetime:',
    'PFS \\(Y/N\\)',
    'Transform sets=',
    'Interfaces using crypto map',
  ]
    .map((s) => `(?=${s})`)
    .join('|'),
);

const INTERFACE = /^(?:[A-Z][A-Za-z-]*\d+(?:\/\d+)*(?:\.\d+)?)$/;

export function parseCryptoMap(text: string): ShowRecord[] {
  const records: ShowRecord[] = [];
  let cur: ShowRecord | null = null;
  let interfacesFor: string | null = null;
  for (const raw of splitItems(text, STARTS)) {
    const line = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = /^Crypto Map "([^"]+)"\s+(\d+)\s+(\S+)/.exec(line))) {
      cur = {
        tag: m[1]!,
        seq: Number(m[2]),
        type: m[3]!,
        peer: null,
        peers: [],
        dynamic_template: null,
        discover: false,
        acl: null,
        acl_lines: [],
        dynamic_from: null,
        current_peer: null,
        lifetime_kb: null,
        lifetime_sec: null,
        pfs: null,
        transform_sets: [],
        interfaces: [],
      };
      records.push(cur);
      interfacesFor = null;
    } else if ((m = /^Interfaces using crypto map\s+(\S+?):?(?:\s+(.*))?$/.exec(line))) {
      interfacesFor = m[1]!;
      for (const name of (m[2] ?? '').split(/\s+/).filter((w) => INTERFACE.test(w))) addInterface(records, interfacesFor, name);
    } else if (interfacesFor && INTERFACE.test(line)) {
      addInterface(records, interfacesFor, line);
    } else if (!cur) {
      continue;
    } else if ((m = /^Dynamic map template tag:\s*(\S+)/.exec(line))) cur.dynamic_template = m[1]!;
    else if (/^Discover enabled/.test(line)) cur.discover = true;
    else if ((m = new RegExp(`^Peer = (${IPV4})`).exec(line))) {
      (cur.peers as string[]).push(m[1]!);
      cur.peer ??= m[1]!;
    } else if ((m = /^Extended IP access list\s*(\S*)/.exec(line))) cur.acl = m[1]!;
    else if ((m = /^access-list\s+(?:\S+\s+)?((?:permit|deny)\b.*)$/.exec(line))) (cur.acl_lines as string[]).push(m[1]!.replace(/\s+/g, ' ').trim());
    else if ((m = /^dynamic \(created from dynamic map ([^)\s]+)\)/.exec(line))) cur.dynamic_from = m[1]!;
    else if ((m = new RegExp(`^Current peer:\\s*(${IPV4})`).exec(line))) cur.current_peer = m[1]!;
    else if ((m = /^Security association lifetime:\s*(\d+) kilobytes\/(\d+) seconds/.exec(line)))
      [cur.lifetime_kb, cur.lifetime_sec] = [Number(m[1]), Number(m[2])];
    else if ((m = /^PFS \(Y\/N\):\s*([YN])/.exec(line))) cur.pfs = m[1] === 'Y';
    else if ((m = /^Transform sets=\{\s*(.*?)\s*\}/.exec(line))) cur.transform_sets = m[1]!.split(/[\s,]+/).filter(Boolean);
  }
  return records;
}

function addInterface(records: ShowRecord[], tag: string, name: string): void {
  for (const r of records) if (r.tag === tag && !(r.interfaces as string[]).includes(name)) (r.interfaces as string[]).push(name);
}
