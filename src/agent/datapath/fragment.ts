/**
 * IPv4 fragmentation for the datapath. Pure.
 *
 * Outbound, 12.2 mainline encrypts a packet that will not fit once
 * encrypted as it is and fragments the ESP packet, which the peer
 * reassembles before decrypting: fragmentation before encryption (`crypto
 * ipsec fragmentation before-encryption`, each fragment in its own ESP
 * packet) came with 12.2(13)T (Cisco, "Pre-Fragmentation for IPSec VPNs",
 * research notes section 3). Inbound, reassembly.ts puts ESP, IKE and GRE
 * fragments back together before they are decrypted or decapsulated.
 */
import { internetChecksum } from '../../codecs/net/checksum.js';

/**
 * Split `packet` into fragments whose total length is at most `mtu`.
 * Returns [packet] when it fits; [] when it cannot be split (DF set, or a
 * header too long for the MTU).
 */
export function fragmentIpv4(packet: Buffer, mtu: number): Buffer[] {
  const total = packet.readUInt16BE(2);
  if (total <= mtu) return [packet];
  const flags = packet.readUInt16BE(6);
  if (flags & 0x4000) return [];
  const hl = (packet[0]! & 0x0f) * 4;
  const room = Math.floor((mtu - hl) / 8) * 8;
  if (room < 8) return [];
  const baseOffset = (flags & 0x1fff) * 8;
  const lastHasMore = (flags & 0x2000) !== 0;
  const data = packet.subarray(hl, total);
  const out: Buffer[] = [];
  for (let at = 0; at < data.length; at += room) {
    const chunk = data.subarray(at, Math.min(at + room, data.length));
    const more = at + chunk.length < data.length || lastHasMore;
    const frag = Buffer.allocUnsafe(hl + chunk.length);
    // options are copied into every fragment (RFC 791 allows fewer; copying is simple and valid for ours: none)
    packet.copy(frag, 0, 0, hl);
    frag.writeUInt16BE(frag.length, 2);
    frag.writeUInt16BE((more ? 0x2000 : 0) | ((baseOffset + at) / 8), 6);
    frag.writeUInt16BE(0, 10);
    frag.writeUInt16BE(internetChecksum(frag.subarray(0, hl)), 10);
    chunk.copy(frag, hl);
    out.push(frag);
  }
  return out;
}
