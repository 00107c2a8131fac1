/**
 * What the seed lab's wire must carry, computed without the agent: crypto ACLs and the
 * crypto-map interface address read from the IOS config text with a few regular
 * expressions (not src/ios), and docs/ted.md's byte-by-byte examples of the TED probe
 * and reply.
 */
import { readFileSync } from 'node:fs';

export interface AclProxy {
  /** Network address, dotted. */
  address: string;
  /** Mask, dotted (the ACL's wildcard inverted). */
  mask: string;
}

export interface CryptoAclLine {
  /** IP protocol number, 0 for "ip". */
  protocol: number;
  source: AclProxy;
  destination: AclProxy;
}

const PROTOCOLS: Record<string, number> = { ip: 0, icmp: 1, tcp: 6, udp: 17 };

function invert(wildcard: string): string {
  return wildcard
    .split('.')
    .map((o) => String(255 - Number(o)))
    .join('.');
}

function proxy(words: string[]): AclProxy {
  if (words[0] === 'any') return { address: '0.0.0.0', mask: '0.0.0.0' };
  if (words[0] === 'host') return { address: words[1]!, mask: '255.255.255.255' };
  return { address: words[0]!, mask: invert(words[1]!) };
}

/**
 * The permit lines of the access list that the config's crypto map (or dynamic map)
 * names with `match address`. Only numbered extended lists of the form
 * `access-list N permit PROTO SRC [WILD] DST [WILD]` are understood; anything else throws,
 * so the test never compares against a guess.
 */
export function cryptoAcl(configText: string): CryptoAclLine[] {
  const lists = [...configText.matchAll(/^ match address (\S+)$/gm)].map((m) => m[1]!);
  if (lists.length !== 1) throw new Error(`expected one "match address" in the config, found ${lists.length}`);
  const lines = configText.split('\n').filter((l) => l.startsWith(`access-list ${lists[0]} `));
  if (lines.length === 0) throw new Error(`access-list ${lists[0]} has no lines`);
  return lines.map((line) => {
    const w = line.trim().split(/\s+/).slice(2);
    if (w[0] !== 'permit' || !(w[1]! in PROTOCOLS)) throw new Error(`not understood: ${line}`);
    const rest = w.slice(2);
    const srcLen = rest[0] === 'any' ? 1 : 2;
    const src = proxy(rest.slice(0, srcLen));
    const dst = proxy(rest.slice(srcLen));
    if (rest.length !== srcLen + (rest[srcLen] === 'any' ? 1 : 2)) throw new Error(`not understood: ${line}`);
    return { protocol: PROTOCOLS[w[1]!]!, source: src, destination: dst };
  });
}

/** The address of the interface that carries a crypto map. */
export function cryptoMapAddress(configText: string): string {
  const blocks = configText
    .split(/^interface /m)
    .slice(1)
    .filter((b) => /^ crypto map \S+/m.test(b));
  if (blocks.length !== 1) throw new Error(`expected one interface with a crypto map, found ${blocks.length}`);
  const m = /^ ip address (\S+) \S+$/m.exec(blocks[0]!);
  if (!m) throw new Error('the crypto map interface has no address');
  return m[1]!;
}

/** The hex dump under a "## <heading>" of a markdown file (lines "000010 0d 10 ..."), as bytes. */
export function markdownHexDump(path: string, heading: string): Buffer {
  const text = readFileSync(path, 'utf8');
  const at = text.indexOf(`\n## ${heading}\n`);
  if (at < 0) throw new Error(`${path}: no heading "${heading}"`);
  const block = /```\n([\s\S]*?)```/.exec(text.slice(at));
  if (!block) throw new Error(`${path}: no code block under "${heading}"`);
  const bytes: number[] = [];
  for (const line of block[1]!.trim().split('\n')) {
    const [offset, ...values] = line.trim().split(/\s+/);
    if (parseInt(offset!, 16) !== bytes.length) throw new Error(`${path}: "${heading}": offset ${offset} after ${bytes.length} bytes`);
    bytes.push(...values.map((v) => parseInt(v, 16)));
  }
  return Buffer.from(bytes);
}

/** An IPv4 address as 4 bytes of hex ("12.12.12.13" -> "0c0c0c0d"). */
export function ipHex(address: string): string {
  return Buffer.from(address.split('.').map(Number)).toString('hex');
}
