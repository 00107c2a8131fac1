/**
 * What both roles do when a Quick Mode completes: KEYMAT per direction
 * (each keyed with the SPI its receiver chose), the install spec for the
 * datapath, and IOS's "Creating IPSec SAs" / "IPSEC(initialize_sas)" /
 * "IPSEC(create_sa)" lines.
 */
import { ESP_CIPHERS, ESP_INTEGRITY } from '../../../../esp/algorithms.js';
import { espSaProblem } from '../../../../esp/validate.js';
import type { IkeContext } from '../context.js';
import { ipsecKeys, PROTO_IPSEC_ESP } from '../../crypto/keymat.js';
import { hexSpi, keyEngineMessage, type KeyEngineMessage, proxyAddress } from '../../debug.js';
import type { IsakmpSa } from '../../sa/isakmp-sa.js';
import type { IpsecSaSpec } from '../../../types.js';
import { s32, type QmState } from './shared.js';

/** KEYMAT for both directions and everything the datapath needs. */
export function buildSpec(ctx: IkeContext, sa: IsakmpSa, qm: QmState): IpsecSaSpec {
  const n = qm.negotiated!;
  const cipher = ESP_CIPHERS[n.cipher];
  const integrity = ESP_INTEGRITY[n.integrity];
  const keys = (spi: number) =>
    ipsecKeys(
      { hash: sa.suite!.hash, skeyidD: sa.keys!.skeyidD, protocol: PROTO_IPSEC_ESP, spi, niB: qm.niB, nrB: qm.nrB, pfsShared: qm.pfsShared },
      cipher.keySize,
      integrity.keySize,
    );
  const inIds = ctx.ipsecIds();
  const outIds = ctx.ipsecIds();
  return {
    peer: sa.remote.ip,
    local: sa.local,
    remote: sa.remote,
    proxies: qm.proxies,
    cipher: n.cipher,
    integrity: n.integrity,
    transform: n.transformSet.text,
    transformSet: n.transformSet.name,
    udpEncapsulation: n.udpEncapsulation ? { localPort: sa.local.port, remotePort: sa.remote.port } : null,
    inbound: { spi: qm.ourSpi, ...keys(qm.ourSpi), ...inIds },
    outbound: { spi: qm.peerSpi, ...keys(qm.peerSpi), ...outIds },
    lifetime: n.lifetime,
    pfsGroup: n.pfsGroup,
    cryptoMap: qm.ref,
    interface: qm.iface,
    isakmpConnId: sa.connId,
    role: qm.role,
  };
}

/**
 * Why the datapath would refuse to install this pair (esp/validate.ts, the
 * test its SA constructors make), or null: the engine installs only what
 * the datapath accepts, so `show crypto ipsec sa` never lists a pair that
 * carries no traffic.
 */
export function specProblem(s: IpsecSaSpec): string | null {
  for (const d of [s.inbound, s.outbound]) {
    const problem = espSaProblem({
      spi: d.spi,
      cipher: s.cipher,
      integrity: s.integrity,
      encryptionKey: d.encryptionKey,
      authenticationKey: d.authenticationKey,
    });
    if (problem !== null) return `${d === s.inbound ? 'inbound' : 'outbound'} SA: ${problem}`;
  }
  return null;
}

/** "Creating IPSec SAs" with the inbound and outbound SA lines. */
export function creatingLines(ctx: IkeContext, sa: IsakmpSa, s: IpsecSaSpec): void {
  const l = proxyAddress(s.proxies.local);
  const r = proxyAddress(s.proxies.remote);
  ctx.out.isakmp('ipsec allocate flow 0');
  ctx.out.isakmp('ipsec allocate flow 0');
  ctx.out.sa(sa.connId, 'Creating IPSec SAs');
  ctx.out.isakmp(`        inbound SA from ${s.remote.ip} to ${s.local.ip} (proxy ${r} to ${l})`);
  ctx.out.isakmp(`        has spi ${hexSpi(s.inbound.spi)} and conn_id ${s.inbound.connId} and flags 4`);
  ctx.out.isakmp(`        lifetime of ${s.lifetime.seconds} seconds`);
  ctx.out.isakmp(`        lifetime of ${s.lifetime.kilobytes} kilobytes`);
  ctx.out.isakmp(`        outbound SA from ${s.local.ip} to ${s.remote.ip} (proxy ${l} to ${r} )`);
  ctx.out.isakmp(`        has spi ${s32(s.outbound.spi)} and conn_id ${s.outbound.connId} and flags C`);
  ctx.out.isakmp(`        lifetime of ${s.lifetime.seconds} seconds`);
  ctx.out.isakmp(`        lifetime of ${s.lifetime.kilobytes} kilobytes`);
}

/** IOS's "keysize=": the AES key length in bits, 0 otherwise. */
export function keysize(s: IpsecSaSpec): number {
  return ESP_CIPHERS[s.cipher].keyLengthBits ?? 0;
}

/** "IPSEC(initialize_sas)" for both directions, then "IPSEC(create_sa)". */
export function keyEngineLines(ctx: IkeContext, s: IpsecSaSpec): void {
  const base: Omit<KeyEngineMessage, 'direction' | 'spi' | 'connId' | 'flags'> = {
    local: s.local.ip,
    remote: s.remote.ip,
    localProxy: s.proxies.local,
    remoteProxy: s.proxies.remote,
    transform: s.transform,
    lifeSeconds: s.lifetime.seconds,
    lifeKilobytes: s.lifetime.kilobytes,
    keysize: keysize(s),
  };
  ctx.out.ipsec('IPSEC(key_engine): got a queue event...');
  ctx.out.ipsec(keyEngineMessage('IPSEC(initialize_sas): ,', { ...base, direction: 'INBOUND', spi: s.inbound.spi, connId: s.inbound.connId, flags: 0x4 }));
  ctx.out.ipsec(keyEngineMessage('IPSEC(initialize_sas): ,', { ...base, direction: 'OUTBOUND', spi: s.outbound.spi, connId: s.outbound.connId, flags: 0xc }));
  for (const [dest, d] of [
    [s.local.ip, s.inbound],
    [s.remote.ip, s.outbound],
  ] as const) {
    ctx.out.ipsec(
      [
        'IPSEC(create_sa): sa created,',
        `  (sa) sa_dest= ${dest}, sa_prot= 50,`,
        `    sa_spi= ${hexSpi(d.spi)}(${d.spi >>> 0}),`,
        `    sa_trans= ${s.transform} , sa_conn_id= ${d.connId}`,
      ].join('\n'),
    );
  }
}
