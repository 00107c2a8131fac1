/**
 * The crypto show commands, in the layouts IOS 12.2 prints (the seed's
 * outputs are the reference). Pure: engine views and datapath counters in,
 * text out.
 */
import { emptyCounters, type EspCounters } from '../esp/counters.js';
import type { CryptoMapView, EngineConnectionRow, EspSaView, IdentView, IpsecInterfaceView, IsakmpSaRow } from '../ike/index.js';
import type { IkePolicy, TransformSetPolicy } from '../ike/policy.js';
import { extendedRuleText } from '../../ios/config/acl-syntax.js';
import type { AccessList } from '../../ios/config/types.js';

/** Counters of an SA by SPI (from the datapath); undefined when the SA is not (or no longer) in the datapath. */
export type CountersBySpi = (spi: number) => EspCounters | undefined;

const ZERO: EspCounters = emptyCounters();

export function renderShowCryptoIsakmpSa(rows: readonly IsakmpSaRow[]): string {
  const lines = ['dst             src             state          conn-id slot'];
  for (const r of rows) {
    lines.push(`${r.dst.padEnd(15)} ${r.src.padEnd(15)} ${r.state.padEnd(14)} ${String(r.connId).padStart(7)} ${String(r.slot).padStart(4)}`);
  }
  return lines.join('\n') + '\n\n';
}

function ident(i: IdentView): string {
  return `(${i.addr}/${i.mask}/${i.prot}/${i.port})`;
}

function hex(spi: number): string {
  return (spi >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

function espBlock(sa: EspSaView): string[] {
  return [
    `      spi: 0x${hex(sa.spi)}(${sa.spi >>> 0})`,
    `        transform: ${sa.transform} ,`,
    `        in use settings ={${sa.inUseSettings}, }`,
    `        slot: ${sa.slot}, conn id: ${sa.connId}, flow_id: ${sa.flowId}, crypto map: ${sa.cryptoMap}`,
    `        sa timing: remaining key lifetime (k/sec): (${sa.remaining.kilobytes}/${sa.remaining.seconds})`,
    `        IV size: ${sa.ivSize} bytes`,
    `        replay detection support: ${sa.replayDetection ? 'Y' : 'N'}`,
    '',
  ];
}

/** `show crypto ipsec sa [peer A]`. */
export function renderShowCryptoIpsecSa(
  views: readonly IpsecInterfaceView[],
  counters: CountersBySpi,
  mtu: (iface: string) => number,
  peer: string | null = null,
): string {
  const out: string[] = [];
  for (const v of views) {
    const flows = v.flows.filter((f) => peer === null || f.currentPeer === peer);
    if (peer !== null && flows.length === 0) continue;
    out.push(`interface: ${v.interface}`, `    Crypto map tag: ${v.cryptoMap}, local addr. ${v.localAddress}`, '');
    for (const f of flows) {
      const sum = (list: readonly EspSaView[]) =>
        list.reduce<EspCounters>(
          (acc, sa) => {
            const c = counters(sa.spi) ?? ZERO;
            for (const k of Object.keys(acc) as (keyof EspCounters)[]) acc[k] += c[k];
            return acc;
          },
          { ...ZERO },
        );
      const o = sum(f.outbound);
      const i = sum(f.inbound);
      const udp = f.inbound.some((s) => s.inUseSettings === 'Tunnel UDP-Encaps');
      const media = mtu(v.interface);
      out.push(
        '   protected vrf:',
        `   local  ident (addr/mask/prot/port): ${ident(f.localIdent)}`,
        `   remote ident (addr/mask/prot/port): ${ident(f.remoteIdent)}`,
        // IOS 12.2 has no NAT-T: with UDP encapsulation the later (12.3T+) spelling, which names the port
        udp ? `   current_peer ${f.currentPeer} port ${f.remoteEndpoint.port}` : `   current_peer: ${f.currentPeer}`,
        '     PERMIT, flags={}',
        `    #pkts encaps: ${o.encaps}, #pkts encrypt: ${o.encrypt}, #pkts digest ${o.digest}`,
        `    #pkts decaps: ${i.decaps}, #pkts decrypt: ${i.decrypt}, #pkts verify ${i.verify}`,
        '    #pkts compressed: 0, #pkts decompressed: 0',
        '    #pkts not compressed: 0, #pkts compr. failed: 0',
        '    #pkts not decompressed: 0, #pkts decompress failed: 0',
        `    #send errors ${o.sendErrors}, #recv errors ${i.recvErrors + i.authFailures + i.replayFailures}`,
        '',
        `     local crypto endpt.: ${f.localEndpoint.ip}, remote crypto endpt.: ${f.remoteEndpoint.ip}`,
        `     path mtu ${media}, media mtu ${media}`,
        `     current outbound spi: ${hex(f.currentOutboundSpi)}`,
        '',
        '     inbound esp sas:',
        ...f.inbound.flatMap(espBlock),
        '     inbound ah sas:',
        '',
        '     inbound pcp sas:',
        '',
        '     outbound esp sas:',
        ...f.outbound.flatMap(espBlock),
        '     outbound ah sas:',
        '',
        '     outbound pcp sas:',
        '',
      );
    }
  }
  return out.length ? out.join('\n') + '\n' : '\n';
}

function aclLines(name: string | null, acl: AccessList | null): string[] {
  if (!name) return [];
  const lines = [`        Extended IP access list ${name}`];
  for (const e of acl?.entries ?? []) {
    if (e.type === 'rule') lines.push(`            access-list ${name} ${extendedRuleText(e)}`);
  }
  return lines;
}

function pfs(group: number | null): string {
  return group === null ? 'N' : 'Y';
}

/** `show crypto map`. */
export function renderShowCryptoMap(maps: readonly CryptoMapView[]): string {
  const out: string[] = [];
  for (const m of maps) {
    for (const e of m.entries) {
      out.push(`Crypto Map "${m.name}" ${e.seq} ipsec-isakmp`);
      if (e.kind === 'template') {
        out.push(`        Dynamic map template tag: ${e.dynamicMap}`);
        if (e.discover) out.push('        Discover enabled');
      } else if (e.kind === 'instance') {
        out.push(
          `        Peer = ${e.peer}`,
          '        Extended IP access list',
          ...e.aclLines.map((l) => `            ${l}`),
          `        dynamic (created from dynamic map ${e.createdFrom.map}/${e.createdFrom.seq})`,
          `        Current peer: ${e.currentPeer}`,
          `        Security association lifetime: ${e.lifetime.kilobytes} kilobytes/${e.lifetime.seconds} seconds`,
          `        PFS (Y/N): ${pfs(e.pfsGroup)}`,
          ...(e.pfsGroup !== null ? [`        DH group:  group${e.pfsGroup}`] : []),
          `        Transform sets={ ${e.transformSets.map((t) => `${t}, `).join('')}}`,
        );
      } else {
        out.push(
          ...e.peers.map((p) => `        Peer = ${p}`),
          ...aclLines(e.aclName, e.acl),
          ...(e.currentPeer ? [`        Current peer: ${e.currentPeer}`] : []),
          `        Security association lifetime: ${e.lifetime.kilobytes} kilobytes/${e.lifetime.seconds} seconds`,
          `        PFS (Y/N): ${pfs(e.pfsGroup)}`,
          ...(e.pfsGroup !== null ? [`        DH group:  group${e.pfsGroup}`] : []),
          `        Transform sets={ ${e.transformSets.map((t) => `${t}, `).join('')}}`,
        );
      }
      out.push('');
    }
    out.push(`        Interfaces using crypto map ${m.name}:`);
    for (const i of m.interfaces) out.push(`                ${i}`);
    out.push('');
  }
  return out.join('\n') + (out.length ? '\n' : '');
}

/** `show crypto engine connections active`. */
export function renderShowCryptoEngineConnections(rows: readonly EngineConnectionRow[], counters: CountersBySpi): string {
  const lines = ['  ID Interface            IP-Address      State  Algorithm           Encrypt  Decrypt'];
  for (const r of rows) {
    const c = r.spi === null ? undefined : counters(r.spi);
    const enc = r.direction === 'outbound' ? (c?.encrypt ?? 0) : 0;
    const dec = r.direction === 'inbound' ? (c?.decrypt ?? 0) : 0;
    lines.push(
      `${String(r.id).padStart(4)} ${r.interface.padEnd(20)} ${r.ipAddress.padEnd(15)} ${r.state.padEnd(6)} ${r.algorithm.padEnd(18)} ${String(enc).padStart(8)} ${String(dec).padStart(8)}`,
    );
  }
  return lines.join('\n') + '\n\n';
}

const POLICY_CIPHER: Record<string, string> = {
  'des-cbc': 'DES - Data Encryption Standard (56 bit keys).',
  '3des-cbc': 'Three key triple DES',
  'aes128-cbc': 'AES - Advanced Encryption Standard (128 bit keys).',
  'aes192-cbc': 'AES - Advanced Encryption Standard (192 bit keys).',
  'aes256-cbc': 'AES - Advanced Encryption Standard (256 bit keys).',
};
const POLICY_HASH: Record<string, string> = { md5: 'Message Digest 5', sha1: 'Secure Hash Standard', sha256: 'Secure Hash Standard 2 (256 bit)' };
const POLICY_AUTH: Record<string, string> = {
  'pre-share': 'Pre-Shared Key',
  'rsa-sig': 'Rivest-Shamir-Adleman Signature',
  'rsa-encr': 'Rivest-Shamir-Adleman Encryption',
};
const POLICY_GROUP: Record<number, string> = { 1: '#1 (768 bit)', 2: '#2 (1024 bit)', 5: '#5 (1536 bit)', 14: '#14 (2048 bit)' };

function policyBlock(title: string, p: { cipher: string; hash: string; authentication: string; group: number; lifetimeSeconds: number }): string[] {
  return [
    title,
    `        encryption algorithm:   ${POLICY_CIPHER[p.cipher] ?? p.cipher}`,
    `        hash algorithm:         ${POLICY_HASH[p.hash] ?? p.hash}`,
    `        authentication method:  ${POLICY_AUTH[p.authentication] ?? p.authentication}`,
    `        Diffie-Hellman group:   ${POLICY_GROUP[p.group] ?? `#${p.group}`}`,
    `        lifetime:               ${p.lifetimeSeconds} seconds, no volume limit`,
  ];
}

/** `show crypto isakmp policy`, with IOS's default policy last. */
export function renderShowCryptoIsakmpPolicy(policy: IkePolicy): string {
  const out: string[] = [];
  for (const p of policy.phase1) out.push(...policyBlock(`Protection suite of priority ${p.priority}`, p));
  out.push(...policyBlock('Default protection suite', { cipher: 'des-cbc', hash: 'sha1', authentication: 'rsa-sig', group: 1, lifetimeSeconds: 86400 }));
  return out.join('\n') + '\n';
}

function transformSetBlock(t: TransformSetPolicy): string[] {
  return [`Transform set ${t.name}: { ${t.text}  } `, `   will negotiate = { ${t.mode === 'tunnel' ? 'Tunnel' : 'Transport'},  },`, ''];
}

/** `show crypto ipsec transform-set [NAME]`. */
export function renderShowCryptoTransformSets(policy: IkePolicy, name: string | null): string {
  const sets = policy.transformSets.filter((t) => name === null || t.name === name);
  return sets.flatMap(transformSetBlock).join('\n') + '\n';
}
