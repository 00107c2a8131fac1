/**
 * TED probe and reply (layout and rationale: docs/ted.md).
 *
 *   probe: HDR(CKY-I random, CKY-R 0, exch 240, msgid 0), VID(Cisco Unity),
 *          ID(IPV4_ADDR 17/500 initiator IKE address), ID(local proxy),
 *          [ID(remote proxy)], TED(V3, probe, target host)
 *   reply: HDR(CKY-I of the probe, CKY-R responder's, exch 240, msgid 0),
 *          VID(Cisco Unity), ID(IPV4_ADDR 17/500 responder IKE address),
 *          TED(V3, reply, target host), ID(initiator proxy), ID(responder proxy)
 */
import { Buffer } from 'node:buffer';
import { HEADER_LENGTH, IKE_PORT, ISAKMP_VERSION, IdType, NotifyType, PayloadType, VendorIdHex } from '../isakmp/constants.js';
import { IsakmpError } from '../isakmp/errors.js';
import { ZERO_COOKIE } from '../isakmp/header.js';
import { bufferToIpv4, formatIpv4Id, ipv4IdPayload, ipv4ToBuffer, parseIpv4Id, type Ipv4Id, type Ipv4IdInit } from '../isakmp/id.js';
import { decodeMessage, encodeMessage } from '../isakmp/message.js';
import type { IdPayload, Payload } from '../isakmp/types.js';
import { TED_EXCHANGE_TYPE, TED_PAYLOAD_BODY_LENGTH, TED_PAYLOAD_TYPE, TED_VERSION, TedKind } from './constants.js';
import { MalformedTedError, NotTedError } from './errors.js';

/** Cisco Unity vendor ID: IOS logs "speaking to another IOS box!". */
export const CISCO_UNITY_VID: Buffer = Buffer.from(VendorIdHex.CISCO_UNITY, 'hex');
const UDP = 17;

interface TedCommon {
  /** TED version from the TED payload (3 here). */
  readonly version: number;
  readonly initiatorCookie: Buffer;
  readonly responderCookie: Buffer;
  /** The sender's IKE address (first ID payload, IPV4_ADDR, protocol 17). */
  readonly ikeAddress: string;
  /** The sender's IKE port (500). */
  readonly ikePort: number;
  /** Destination of the packet that triggered the probe (echoed by the reply). */
  readonly targetHost: string;
  /** Vendor ID payload contents, in order (Cisco Unity by default). */
  readonly vendorIds: readonly Buffer[];
}

/** A decoded probe. */
export interface TedProbe extends TedCommon {
  readonly kind: 'probe';
  /** The initiator's proxy, from its crypto ACL (the seed: 13.13.13.0/255.255.255.0). */
  readonly localProxy: Ipv4Id;
  /** The initiator's idea of the remote proxy, if it sent one (IOS does not). */
  readonly remoteProxy?: Ipv4Id;
}

/** A decoded reply. */
export interface TedReply extends TedCommon {
  readonly kind: 'reply';
  /** The probe's local proxy, echoed. */
  readonly initiatorProxy: Ipv4Id;
  /** The responder's proxy for this traffic (the seed: 12.12.12.0/255.255.255.0). */
  readonly responderProxy: Ipv4Id;
}

export type TedMessage = TedProbe | TedReply;

interface InitCommon {
  readonly initiatorCookie: Buffer;
  readonly ikeAddress: string;
  /** Defaults to 500. */
  readonly ikePort?: number;
  readonly targetHost: string;
  /** Defaults to TED_VERSION. */
  readonly version?: number;
  /** Defaults to [Cisco Unity]. */
  readonly vendorIds?: readonly Buffer[];
}

/** What an initiator puts in a probe. `initiatorCookie` must be 8 random, non-zero bytes. */
export interface TedProbeInit extends InitCommon {
  readonly localProxy: Ipv4IdInit;
  readonly remoteProxy?: Ipv4IdInit;
}

/** What a responder puts in a reply. `initiatorCookie` is the probe's. */
export interface TedReplyInit extends InitCommon {
  readonly responderCookie: Buffer;
  readonly initiatorProxy: Ipv4IdInit;
  readonly responderProxy: Ipv4IdInit;
}

/**
 * Cheap classification of a UDP/500 payload: ISAKMP version 1.0 with the TED
 * exchange type. Says nothing about the rest; decodeTed checks that.
 */
export function isTedMessage(buf: Uint8Array): boolean {
  return buf.length >= HEADER_LENGTH && buf[17] === ISAKMP_VERSION && buf[18] === TED_EXCHANGE_TYPE;
}

function tedPayload(kind: TedKind, version: number, targetHost: string): Payload {
  if (!Number.isInteger(version) || version < 1 || version > 0xff) {
    throw new MalformedTedError(NotifyType.PAYLOAD_MALFORMED, `TED: version ${version} is not between 1 and 255`);
  }
  const raw = Buffer.alloc(TED_PAYLOAD_BODY_LENGTH);
  raw[0] = version;
  raw[1] = kind;
  ipv4ToBuffer(targetHost).copy(raw, 4);
  return { type: TED_PAYLOAD_TYPE, raw };
}

function endpointId(address: string, port: number | undefined): IdPayload {
  return ipv4IdPayload({ idType: IdType.IPV4_ADDR, address, protocol: UDP, port: port ?? IKE_PORT });
}

function vendorPayloads(vendorIds: readonly Buffer[] | undefined): Payload[] {
  return (vendorIds ?? [CISCO_UNITY_VID]).map((data) => ({ type: PayloadType.VENDOR_ID, data }));
}

function checkCookie(cookie: Buffer, what: string, nonZero: boolean): void {
  if (cookie.length !== 8 || (nonZero && cookie.equals(ZERO_COOKIE))) {
    throw new MalformedTedError(
      NotifyType.INVALID_COOKIE,
      `TED: ${what} cookie must be 8${nonZero ? ' non-zero' : ''} bytes, got ${cookie.toString('hex') || 'none'}`,
    );
  }
}

/** Encodes a probe (the UDP payload; IP source = triggering packet's source, destination = `targetHost`). */
export function encodeTedProbe(init: TedProbeInit): Buffer {
  checkCookie(init.initiatorCookie, 'initiator', true);
  const payloads: Payload[] = [
    ...vendorPayloads(init.vendorIds),
    endpointId(init.ikeAddress, init.ikePort),
    ipv4IdPayload(init.localProxy),
    ...(init.remoteProxy ? [ipv4IdPayload(init.remoteProxy)] : []),
    tedPayload(TedKind.PROBE, init.version ?? TED_VERSION, init.targetHost),
  ];
  return encodeMessage({ initiatorCookie: init.initiatorCookie, responderCookie: ZERO_COOKIE, exchangeType: TED_EXCHANGE_TYPE }, payloads);
}

/** Encodes a reply (the UDP payload; from the responder's IKE address to the probe's `ikeAddress`). */
export function encodeTedReply(init: TedReplyInit): Buffer {
  checkCookie(init.initiatorCookie, 'initiator', true);
  checkCookie(init.responderCookie, 'responder', false);
  const payloads: Payload[] = [
    ...vendorPayloads(init.vendorIds),
    endpointId(init.ikeAddress, init.ikePort),
    tedPayload(TedKind.REPLY, init.version ?? TED_VERSION, init.targetHost),
    ipv4IdPayload(init.initiatorProxy),
    ipv4IdPayload(init.responderProxy),
  ];
  return encodeMessage({ initiatorCookie: init.initiatorCookie, responderCookie: init.responderCookie, exchangeType: TED_EXCHANGE_TYPE }, payloads);
}

/** The reply a responder sends to `probe`: cookie, target host and proxy echoed. */
export function replyFor(
  probe: TedProbe,
  responder: {
    readonly responderCookie: Buffer;
    readonly ikeAddress: string;
    readonly ikePort?: number;
    readonly responderProxy: Ipv4IdInit;
    readonly vendorIds?: readonly Buffer[];
  },
): TedReplyInit {
  return {
    initiatorCookie: probe.initiatorCookie,
    targetHost: probe.targetHost,
    initiatorProxy: probe.localProxy,
    version: Math.min(probe.version, TED_VERSION),
    ...responder,
  };
}

function malformed(notify: number, why: string): never {
  throw new MalformedTedError(notify, `TED: ${why}`);
}

function proxy(id: IdPayload, what: string): Ipv4Id {
  try {
    return parseIpv4Id(id);
  } catch (err) {
    if (err instanceof IsakmpError) malformed(NotifyType.INVALID_ID_INFORMATION, `${what}: ${err.message}`);
    throw err;
  }
}

/**
 * Decodes a probe or reply. Throws NotTedError when `buf` is not a TED
 * message (see isTedMessage), MalformedTedError for anything wrong inside one.
 */
export function decodeTed(buf: Buffer): TedMessage {
  if (!isTedMessage(buf)) {
    const why =
      buf.length < HEADER_LENGTH ? `${buf.length} bytes are too short for an ISAKMP header` : `version 0x${buf[17]!.toString(16)}, exchange type ${buf[18]}`;
    throw new NotTedError(`not a TED message: ${why} (TED is ISAKMP 0x10 with exchange type ${TED_EXCHANGE_TYPE})`);
  }
  let message;
  try {
    message = decodeMessage(buf);
  } catch (err) {
    if (err instanceof IsakmpError) throw new MalformedTedError(err.notify, `TED: ${err.message}`, { offset: err.offset, cause: err });
    throw err;
  }
  const { header, payloads } = message;
  if (header.flags !== 0) malformed(NotifyType.INVALID_FLAGS, `flags must be 0, got 0x${header.flags.toString(16)}`);
  if (header.messageId !== 0) malformed(NotifyType.INVALID_MESSAGE_ID, `message ID must be 0, got ${header.messageId}`);
  if (header.initiatorCookie.equals(ZERO_COOKIE)) malformed(NotifyType.INVALID_COOKIE, 'the initiator cookie is zero');

  const vendorIds: Buffer[] = [];
  const ids: IdPayload[] = [];
  const teds: Buffer[] = [];
  for (const p of payloads) {
    if (p.type === PayloadType.VENDOR_ID) vendorIds.push(p.data);
    else if (p.type === PayloadType.ID) ids.push(p);
    else if (p.type === TED_PAYLOAD_TYPE) teds.push(p.raw);
    else malformed(NotifyType.INVALID_PAYLOAD_TYPE, `payload type ${p.type} has no place in a TED message`);
  }
  if (teds.length !== 1) malformed(NotifyType.PAYLOAD_MALFORMED, `expected one TED payload (type ${TED_PAYLOAD_TYPE}), found ${teds.length}`);
  const ted = teds[0]!;
  if (ted.length !== TED_PAYLOAD_BODY_LENGTH)
    malformed(NotifyType.PAYLOAD_MALFORMED, `the TED payload body has ${ted.length} bytes, expected ${TED_PAYLOAD_BODY_LENGTH}`);
  const version = ted[0]!;
  const kind = ted[1]!;
  if (version === 0) malformed(NotifyType.PAYLOAD_MALFORMED, 'TED version 0');
  if (kind !== TedKind.PROBE && kind !== TedKind.REPLY) malformed(NotifyType.PAYLOAD_MALFORMED, `unknown TED kind ${kind}`);

  const endpoint = ids[0];
  if (endpoint === undefined) malformed(NotifyType.INVALID_ID_INFORMATION, "no ID payload with the sender's IKE address");
  if (endpoint.idType !== IdType.IPV4_ADDR || endpoint.protocol !== UDP || endpoint.data.length !== 4) {
    malformed(
      NotifyType.INVALID_ID_INFORMATION,
      `the first ID must be IPV4_ADDR with protocol 17, got type ${endpoint.idType} protocol ${endpoint.protocol} (${endpoint.data.length} bytes)`,
    );
  }
  const common = {
    version,
    initiatorCookie: header.initiatorCookie,
    responderCookie: header.responderCookie,
    ikeAddress: bufferToIpv4(endpoint.data),
    ikePort: endpoint.port,
    targetHost: bufferToIpv4(ted, 4),
    vendorIds,
  };
  if (kind === TedKind.PROBE) {
    if (!header.responderCookie.equals(ZERO_COOKIE)) malformed(NotifyType.INVALID_COOKIE, 'a probe must carry a zero responder cookie');
    if (ids.length !== 2 && ids.length !== 3) malformed(NotifyType.INVALID_ID_INFORMATION, `a probe carries 2 or 3 ID payloads, found ${ids.length}`);
    const localProxy = proxy(ids[1]!, 'local proxy');
    return ids.length === 3 ? { kind: 'probe', ...common, localProxy, remoteProxy: proxy(ids[2]!, 'remote proxy') } : { kind: 'probe', ...common, localProxy };
  }
  if (ids.length !== 3) malformed(NotifyType.INVALID_ID_INFORMATION, `a reply carries 3 ID payloads, found ${ids.length}`);
  return { kind: 'reply', ...common, initiatorProxy: proxy(ids[1]!, 'initiator proxy'), responderProxy: proxy(ids[2]!, 'responder proxy') };
}

function sameId(a: Ipv4Id, b: Ipv4Id): boolean {
  return a.protocol === b.protocol && a.port === b.port && a.idType === b.idType && formatIpv4Id(a) === formatIpv4Id(b);
}

/** Whether `reply` answers `probe`: same initiator cookie, same target host, proxy echoed. */
export function matchTedReply(probe: TedProbe, reply: TedReply): boolean {
  return probe.initiatorCookie.equals(reply.initiatorCookie) && probe.targetHost === reply.targetHost && sameId(probe.localProxy, reply.initiatorProxy);
}

/** One line for logs: "TED probe V3 ICKY … IKE 11.11.11.1:500 proxy 13.13.13.0/255.255.255.0 target 12.12.12.13". */
export function describeTed(m: TedMessage): string {
  const head = `TED ${m.kind} V${m.version} ICKY ${m.initiatorCookie.toString('hex')} RCKY ${m.responderCookie.toString('hex')} IKE ${m.ikeAddress}:${m.ikePort}`;
  const proxies =
    m.kind === 'probe'
      ? `proxy ${formatIpv4Id(m.localProxy)}${m.remoteProxy ? ` to ${formatIpv4Id(m.remoteProxy)}` : ''}`
      : `proxies ${formatIpv4Id(m.initiatorProxy)}, ${formatIpv4Id(m.responderProxy)}`;
  return `${head} ${proxies} target ${m.targetHost}`;
}
