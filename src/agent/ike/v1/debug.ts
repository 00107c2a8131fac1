/**
 * IOS 12.2 debug and log lines, and the collector the exchanges push their
 * actions into. Line formats follow the seed's `debug crypto isakmp / ipsec /
 * engine` output (../shared/seed); where the seed has no line, the wording of
 * other IOS 12.2 captures (Cisco troubleshooting notes) is used.
 */
import type { Attribute } from '../../../codecs/isakmp/types.js';
import { describeAttributeValue } from '../../../codecs/isakmp/attributes.js';
import type { DebugFacility, Endpoint, IkeAction, ProxyId } from '../types.js';

/** IOS prints 32-bit numbers (message IDs, outbound SPIs) as signed integers. */
export function signed32(n: number): number {
  return n | 0;
}

/** "0xF800D61F", "0x0" (IOS's %X, no padding). */
export function hexSpi(n: number): string {
  return `0x${(n >>> 0).toString(16).toUpperCase()}`;
}

/** "0xF800D61F(4160804383)". */
export function spiText(n: number): string {
  return `${hexSpi(n)}(${n >>> 0})`;
}

/** The address IOS prints for a proxy in "(proxy 12.12.12.0 to 13.13.13.0)". */
export function proxyAddress(p: ProxyId): string {
  return p.idType === 7 ? p.start : p.address;
}

/** "13.13.13.0/255.255.255.0/0/0 (type=4)": addr/mask/prot/port as in key engine messages. */
export function proxyText(p: ProxyId): string {
  switch (p.idType) {
    case 1:
      return `${p.address}/255.255.255.255/${p.protocol}/${p.port} (type=1)`;
    case 4:
      return `${p.address}/${p.mask}/${p.protocol}/${p.port} (type=4)`;
    case 7:
      return `${p.start}-${p.end}/${p.protocol}/${p.port} (type=7)`;
  }
}

/** "13.13.13.0/255.255.255.0" (TED lines). */
export function proxyNet(p: ProxyId): string {
  switch (p.idType) {
    case 1:
      return `${p.address}/255.255.255.255`;
    case 4:
      return `${p.address}/${p.mask}`;
    case 7:
      return `${p.start}-${p.end}`;
  }
}

export interface KeyEngineMessage {
  readonly direction: 'INBOUND' | 'OUTBOUND';
  readonly local: string;
  readonly remote: string;
  readonly localProxy: ProxyId;
  readonly remoteProxy: ProxyId;
  readonly transform: string;
  readonly lifeSeconds: number;
  readonly lifeKilobytes: number;
  readonly spi: number;
  readonly connId: number;
  readonly keysize: number;
  readonly flags: number;
}

/**
 * A "(key eng. msg.)" block as IOS prints it: the first line as given
 * ("IPSEC(initialize_sas): ,"), then continuation lines (no timestamp).
 */
export function keyEngineMessage(firstLine: string, m: KeyEngineMessage, suffix = ''): string {
  return [
    firstLine,
    `  (key eng. msg.) ${m.direction} local= ${m.local}, remote= ${m.remote},`,
    `    local_proxy= ${proxyText(m.localProxy)},`,
    `    remote_proxy= ${proxyText(m.remoteProxy)},`,
    `    protocol= ESP, transform= ${m.transform} ,`,
    `    lifedur= ${m.lifeSeconds}s and ${m.lifeKilobytes}kb,`,
    `    spi= ${spiText(m.spi)}, conn_id= ${m.connId}, keysize= ${m.keysize}, flags= 0x${m.flags.toString(16).toUpperCase()}${suffix}`,
  ].join('\n');
}

/** "ISAKMP (2): ID payload" block for an IPV4_ADDR identity of 8 bytes. */
export function idPayloadLines(connId: number, next: number, idType: number, protocol: number, port: number, length: number): string[] {
  return [
    [
      `ISAKMP (${connId}): ID payload`,
      `\tnext-payload : ${next}`,
      `\ttype         : ${idType}`,
      `\tprotocol     : ${protocol}`,
      `\tport         : ${port}`,
      `\tlength       : ${length}`,
    ].join('\n'),
    `ISAKMP (${connId}): Total payload length: ${length + 4}`,
  ];
}

/** An attribute's value as IOS prints it after "life duration": "(VPI) of  0x0 0x1 0x51 0x80". */
export function attributeValueText(a: Attribute): string {
  return describeAttributeValue(a);
}

/** Collects actions in order. Exchanges and the engine push into one Out per call. */
export class Out {
  readonly actions: IkeAction[] = [];

  push(action: IkeAction): void {
    this.actions.push(action);
  }

  debug(facility: DebugFacility, text: string): void {
    this.actions.push({ kind: 'debug', facility, text });
  }

  /** "ISAKMP (0:2): text". */
  sa(connId: number, text: string): void {
    this.debug('isakmp', `ISAKMP (0:${connId}): ${text}`);
  }

  /** A raw isakmp-facility line ("ISAKMP: local port 500, remote port 500", "inbound SA from ..."). */
  isakmp(text: string): void {
    this.debug('isakmp', text);
  }

  ipsec(text: string): void {
    this.debug('ipsec', text);
  }

  engine(text: string): void {
    this.debug('engine', text);
  }

  log(text: string): void {
    this.actions.push({ kind: 'log', text });
  }

  drop(from: Endpoint | null, notify: number, reason: string): void {
    this.actions.push({ kind: 'drop', from, notify, reason });
  }
}
