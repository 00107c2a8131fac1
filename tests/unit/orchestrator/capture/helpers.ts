/**
 * Helpers for the "Wireshark agrees" tests: packets built with the project's
 * own codecs, written to a pcap in a temporary directory, read by tshark.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeIpv4, encodeUdp, parseIpv4, IPPROTO_ESP, IPPROTO_UDP } from '../../../../src/codecs/net/index.js';
import { encodePcap, ethernetFrame, LinkType, macForIpv4, type PcapRecord } from '../../../../src/orchestrator/capture/pcap-writer.js';
import type { TsharkPacket } from '../../../../src/orchestrator/capture/tshark.js';

/** An IPv4/UDP packet from `src:sport` to `dst:dport`. */
export function udpPacket(src: string, dst: string, payload: Buffer, sport = 500, dport = 500): Buffer {
  const source = parseIpv4(src);
  const destination = parseIpv4(dst);
  const udp = encodeUdp({ sourcePort: sport, destinationPort: dport, source, destination }, payload);
  return encodeIpv4({ protocol: IPPROTO_UDP, source, destination, identification: 0x1000 }, udp);
}

/** An IPv4/ESP packet (protocol 50) carrying `esp`. */
export function espPacket(src: string, dst: string, esp: Buffer): Buffer {
  return encodeIpv4({ protocol: IPPROTO_ESP, source: parseIpv4(src), destination: parseIpv4(dst), identification: 0x2000 }, esp);
}

/** An Ethernet frame between the two routers' (synthetic) MACs. */
export function frameOf(ipPacket: Buffer): Buffer {
  const src = `${ipPacket[12]}.${ipPacket[13]}.${ipPacket[14]}.${ipPacket[15]}`;
  const dst = `${ipPacket[16]}.${ipPacket[17]}.${ipPacket[18]}.${ipPacket[19]}`;
  return ethernetFrame({ source: macForIpv4(src), destination: macForIpv4(dst) }, ipPacket);
}

/** Records one second apart from a fixed epoch, so frame numbers are 1..n in order. */
export function records(frames: readonly Buffer[], start = 1_700_000_000): PcapRecord[] {
  return frames.map((frame, i) => ({ time: start + i + 0.000001 * i, frame }));
}

export interface TempDir extends AsyncDisposable {
  readonly path: string;
  file(name: string): string;
}

export async function tempDir(prefix = 'testbed-ws-'): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return {
    path,
    file: (name: string) => join(path, name),
    [Symbol.asyncDispose]: () => rm(path, { recursive: true, force: true }),
  };
}

/** Writes an Ethernet pcap of `frames` into `dir` and returns its path. */
export async function writePcap(dir: TempDir, name: string, frames: readonly Buffer[], linkType: LinkType = LinkType.ETHERNET): Promise<string> {
  const path = dir.file(name);
  await writeFile(path, encodePcap(records(frames), { linkType }));
  return path;
}

/** One line per packet with its fields, for assertion messages. */
export function summarize(packets: readonly TsharkPacket[]): string {
  return packets.map((p) => `#${p.number} ${JSON.stringify(p.fields)}`).join('\n');
}

/**
 * The packet's values for exactly the fields named in `expected` (absent
 * fields as []), to compare with t.deepEqual: unlike t.like, every array
 * must match in full, so a missing or extra occurrence fails.
 */
export function pickFields(packet: TsharkPacket, expected: Readonly<Record<string, readonly string[]>>): Record<string, string[]> {
  return Object.fromEntries(Object.keys(expected).map((k) => [k, [...(packet.fields[k] ?? [])]]));
}
