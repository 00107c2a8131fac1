/**
 * Reading a lab's captures: pcap-parser for the file format, our own codecs
 * (src/codecs/net, isakmp) for what is inside, summarised into flat records
 * that tests assert on.
 */
import { parse, type PcapGlobalHeader, type PcapPacket } from 'pcap-parser';
import { formatIpv4 } from '../../codecs/net/address.js';
import { decodeIpv4, IPPROTO_ESP, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP } from '../../codecs/net/ipv4.js';

export interface CapturedPacket {
  /** Seconds since the epoch, with microseconds. */
  time: number;
  /** Position in the file, from 1 (as Wireshark numbers frames). */
  frame: number;
  /** The IPv4 packet (without the Ethernet header), or null for ARP and others. */
  ip: Buffer | null;
  ethertype: number | null;
  src: string | null;
  dst: string | null;
  protocol: number | null;
  ttl: number | null;
  sport: number | null;
  dport: number | null;
  /** The transport payload (UDP data, ESP from the SPI on, ICMP from the type on). */
  payload: Buffer | null;
  icmp: { type: number; code: number; id: number; seq: number } | null;
  esp: { spi: number; seq: number } | null;
  /** UDP 500 or 4500 (after the non-ESP marker) carrying ISAKMP. */
  isakmp: { exchangeType: number; initiatorCookie: string; responderCookie: string; messageId: number; encrypted: boolean; nextPayload: number } | null;
}

const LINKTYPE_ETHERNET = 1;
const LINKTYPE_RAW = 101;

export async function readPcap(path: string): Promise<CapturedPacket[]> {
  return new Promise((resolve, reject) => {
    const packets: CapturedPacket[] = [];
    let linktype = LINKTYPE_ETHERNET;
    const parser = parse(path);
    parser.on('globalHeader', (h: PcapGlobalHeader) => (linktype = h.linkLayerType));
    parser.on('packet', (p: PcapPacket) => packets.push(summarise(p, linktype, packets.length + 1)));
    parser.on('end', () => resolve(packets));
    parser.on('error', (e: Error) => reject(new Error(`${path}: ${e.message}`)));
  });
}

function summarise(p: PcapPacket, linktype: number, frame: number): CapturedPacket {
  const time = p.header.timestampSeconds + p.header.timestampMicroseconds / 1e6;
  const base: CapturedPacket = {
    time,
    frame,
    ip: null,
    ethertype: null,
    src: null,
    dst: null,
    protocol: null,
    ttl: null,
    sport: null,
    dport: null,
    payload: null,
    icmp: null,
    esp: null,
    isakmp: null,
  };
  let ip: Buffer;
  if (linktype === LINKTYPE_RAW) ip = p.data;
  else if (linktype === LINKTYPE_ETHERNET) {
    if (p.data.length < 14) return base;
    base.ethertype = p.data.readUInt16BE(12);
    if (base.ethertype !== 0x0800) return base;
    ip = p.data.subarray(14);
  } else return base;
  try {
    const packet = decodeIpv4(ip);
    const h = packet.header;
    Object.assign(base, { ip, src: formatIpv4(h.source), dst: formatIpv4(h.destination), protocol: h.protocol, ttl: h.ttl, payload: packet.payload });
    const pl = packet.payload;
    if (h.fragmentOffset !== 0) return base;
    if ((h.protocol === IPPROTO_UDP || h.protocol === IPPROTO_TCP) && pl.length >= 4) {
      base.sport = pl.readUInt16BE(0);
      base.dport = pl.readUInt16BE(2);
    }
    if (h.protocol === IPPROTO_UDP && pl.length >= 8) {
      let data = pl.subarray(8);
      base.payload = data;
      if (base.sport === 4500 || base.dport === 4500) {
        if (data.length >= 4 && data.readUInt32BE(0) === 0) data = data.subarray(4);
        else if (data.length >= 8) {
          base.esp = { spi: data.readUInt32BE(0), seq: data.readUInt32BE(4) };
          return base;
        } else return base;
      }
      if ((base.sport === 500 || base.dport === 500 || base.sport === 4500 || base.dport === 4500) && data.length >= 28 && data[17] === 0x10) {
        base.isakmp = {
          initiatorCookie: data.subarray(0, 8).toString('hex'),
          responderCookie: data.subarray(8, 16).toString('hex'),
          nextPayload: data[16]!,
          exchangeType: data[18]!,
          encrypted: (data[19]! & 1) === 1,
          messageId: data.readUInt32BE(20),
        };
      }
    } else if (h.protocol === IPPROTO_ESP && pl.length >= 8) {
      base.esp = { spi: pl.readUInt32BE(0), seq: pl.readUInt32BE(4) };
    } else if (h.protocol === IPPROTO_ICMP && pl.length >= 8) {
      base.icmp = { type: pl[0]!, code: pl[1]!, id: pl.readUInt16BE(4), seq: pl.readUInt16BE(6) };
    }
  } catch {
    // not a well-formed IPv4 packet: keep what we have
  }
  return base;
}
