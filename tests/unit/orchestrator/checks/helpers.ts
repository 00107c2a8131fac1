/** Shared pieces of the check runner's unit tests. */
import { readFileSync } from 'node:fs';
import type { CapturedPacket } from '../../../../src/orchestrator/capture/pcap-reader.js';
import { root } from '../../../root.js';

export { root };
export const fixture = (name: string) => `${root}tests/fixtures/checks/${name}`;

/** The sections of a "node# command" transcript (the artifacts' nodes/<router>.show.txt format). */
export function sections(file: string): Record<string, string> {
  const text = readFileSync(fixture(file), 'utf8');
  const out: Record<string, string> = {};
  for (const part of text.split(/^\w+# /m).filter(Boolean)) {
    const nl = part.indexOf('\n');
    out[part.slice(0, nl).trim()] = part.slice(nl + 1);
  }
  return out;
}

let frame = 0;
/** A decoded packet as readPcap gives it, with only the fields a test sets. */
export function packet(p: Partial<CapturedPacket>): CapturedPacket {
  frame++;
  return {
    time: 1000 + frame,
    frame,
    ip: null,
    ethertype: 0x0800,
    src: null,
    dst: null,
    protocol: null,
    ttl: 64,
    sport: null,
    dport: null,
    payload: null,
    icmp: null,
    esp: null,
    isakmp: null,
    ...p,
  };
}

export const icmp = (src: string, dst: string, type = 8, ttl = 63) => packet({ src, dst, protocol: 1, ttl, icmp: { type, code: 0, id: 1, seq: 1 } });
export const isakmp = (src: string, dst: string, exchangeType: number, responderCookie = '0000000000000000') =>
  packet({
    src,
    dst,
    protocol: 17,
    sport: 500,
    dport: 500,
    isakmp: { exchangeType, initiatorCookie: 'a1b2c3d4e5f60718', responderCookie, messageId: 0, encrypted: false, nextPayload: 13 },
  });
export const esp = (src: string, dst: string, spi: number) => packet({ src, dst, protocol: 50, esp: { spi, seq: 1 } });
