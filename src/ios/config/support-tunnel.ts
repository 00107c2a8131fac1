/**
 * Support table, interface mode: GRE tunnel interfaces (`tunnel ...`,
 * `keepalive`), the IP MTU and `ip tcp adjust-mss` (12.2(8)T; emulated, as
 * docs/ios-support.md "Releases" says) (bandwidth and delay are in
 * support-routing.ts). Spliced into the interface rows of support-modes.ts; parsed by
 * cmd-tunnel.ts.
 */
import { rows, type SupportEntry } from './support-types.js';

const i = rows('interface');
const NOT_GRE = 'only GRE over IP (tunnel mode gre ip) is emulated: in this mode the tunnel stays down and nothing is encapsulated';

export const TUNNEL_SUPPORT: SupportEntry[] = [
  i.model('ip mtu', 'the largest IP packet sent out of the interface: bigger ones are fragmented, or answered with ICMP fragmentation-needed when DF is set'),
  i.model('no ip mtu', 'back to the link MTU (tunnels: the transport MTU less the GRE header)'),
  i.model(
    'ip tcp adjust-mss',
    '12.2(8)T: the MSS option of TCP SYNs and SYN-ACKs the router forwards in or out of the interface is lowered to the value when larger (in the kernel, and in the agent for what it encrypts, decrypts or carries in GRE)',
  ),
  i.model('no ip tcp adjust-mss', 'the MSS of TCP SYNs through the interface is left as the hosts set it'),
  i.model('keepalive', 'tunnels: GRE keepalives (12.2(8)T), the line protocol goes down after the retries go unanswered'),
  i.model('keepalive (not-tunnel)', 'interface keepalives are not emulated: none are sent', 'not-emulated'),
  i.model('no keepalive', 'no keepalives (Ethernet keepalive frames are never sent by the emulator)'),
  i.model('tunnel source', "the GRE packets' source: an interface's address or an address of the router"),
  i.model('no tunnel source', 'no source: the line protocol goes down'),
  i.model('tunnel destination', 'where the GRE packets go; the line protocol is up while it is routable, not through the tunnel itself'),
  i.model('no tunnel destination', 'no destination: the line protocol goes down'),
  i.model('tunnel mode', 'GRE over IP (RFC 2784), the default'),
  i.model('tunnel mode (not-gre-ip)', NOT_GRE, 'not-emulated'),
  i.model('no tunnel mode', 'back to GRE over IP'),
  i.model('tunnel key', "the RFC 2890 key in every GRE header sent; GRE without that key is not this tunnel's"),
  i.model('no tunnel key', 'GRE without a key'),
  i.model('tunnel checksum', 'the RFC 2784 checksum in every GRE header sent'),
  i.model('no tunnel checksum', 'GRE without a checksum'),
  i.ne('tunnel sequence-datagrams *', 'GRE sequence numbers are not emulated: none are sent, out-of-order packets are not dropped'),
  i.ne('tunnel path-mtu-discovery *', 'tunnel path MTU discovery is not emulated: the DF bit is not copied into the GRE packet, which is fragmented instead'),
];
