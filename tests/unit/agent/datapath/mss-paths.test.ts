/**
 * `ip tcp adjust-mss` on the paths the agent carries, in the in-memory labs:
 * on the crypto-map interface of a TED spoke (the SYN is encrypted and the
 * SYN-ACK decrypted there, so the kernel never sees them on that interface)
 * and on a GRE tunnel interface (gre-ipsec lab: the tunnel is the agent's).
 * Both directions are lowered, the router's own SYNs are not, and without
 * the line nothing changes.
 */
import test from 'ava';
import { synMss } from '../../../../src/agent/datapath/mss.js';
import { peekIpv4 } from '../../../../src/agent/datapath/packet.js';
import { formatIpv4, parseIpv4 } from '../../../../src/codecs/net/address.js';
import { encodeIcmpEcho, ICMP_ECHO_REQUEST } from '../../../../src/codecs/net/icmp.js';
import { encodeIpv4, IPPROTO_ESP, IPPROTO_ICMP, IPPROTO_TCP } from '../../../../src/codecs/net/ipv4.js';
import { GreLab, labConfig } from './gre-lab.js';
import { MiniLab, spokeConfig } from './mini-lab.js';

/** A TCP SYN (flags 0x02) or SYN-ACK (0x12) announcing `mss`, checksum left zero (the datapath does not check it). */
function syn(src: string, dst: string, mss: number, flags = 0x02): Buffer {
  const seg = Buffer.alloc(24);
  seg.writeUInt16BE(40000, 0);
  seg.writeUInt16BE(5001, 2);
  seg[12] = 0x60;
  seg[13] = flags;
  seg.set([2, 4, mss >> 8, mss & 0xff], 20);
  return encodeIpv4({ protocol: IPPROTO_TCP, source: parseIpv4(src), destination: parseIpv4(dst), ttl: 64 }, seg);
}

function echo(src: string, dst: string, seq: number): Buffer {
  const icmp = encodeIcmpEcho({ type: ICMP_ECHO_REQUEST, identifier: 9, sequence: seq, data: Buffer.alloc(32, seq) });
  return encodeIpv4({ protocol: IPPROTO_ICMP, source: parseIpv4(src), destination: parseIpv4(dst), ttl: 64 }, icmp);
}

const tcpTo = (delivered: { packet: Buffer }[], dst: string) =>
  delivered.filter((d) => d.packet[9] === IPPROTO_TCP && formatIpv4(peekIpv4(d.packet)!.destination) === dst).map((d) => synMss(d.packet));

/** spoke1 with `ip tcp adjust-mss` on its crypto-map interface, and the SAs to spoke2 up. */
function spokes(line: string | null): MiniLab {
  const spoke1 = line ? spokeConfig(1).replace(' crypto map tedtag\n', ` ${line}\n crypto map tedtag\n`) : spokeConfig(1);
  const lab = new MiniLab([spoke1, spokeConfig(2), spokeConfig(3)]);
  lab.send(1, echo('10.1.1.10', '10.2.2.10', 1)); // TED, IKE; this trigger is dropped
  lab.send(1, echo('10.1.1.10', '10.2.2.10', 2));
  return lab;
}

test('crypto-map interface: the SYN it encrypts and the SYN-ACK it decrypts both carry 1300; the WAN saw only ESP', (t) => {
  const lab = spokes('ip tcp adjust-mss 1300');
  t.is(lab.delivered.filter((d) => d.packet[9] === IPPROTO_ICMP).length, 1, 'the SAs are up');
  const wan = lab.wan.length;
  lab.send(1, syn('10.1.1.10', '10.2.2.10', 1460));
  t.deepEqual(tcpTo(lab.delivered, '10.2.2.10'), [1300]);
  t.true(
    lab.wan.slice(wan).every((p) => p[9] === IPPROTO_ESP),
    'the SYN crossed as ESP',
  );
  // the answer from spoke2's side (spoke2 has no adjust-mss): lowered when spoke1 decrypts it
  lab.send(2, syn('10.2.2.10', '10.1.1.10', 1460, 0x12));
  t.deepEqual(tcpTo(lab.delivered, '10.1.1.10'), [1300]);
  t.is(lab.spokes[0]!.dp.counters.mssAdjusted, 2);
  t.is(lab.spokes[1]!.dp.counters.mssAdjusted, 0);
});

test('crypto-map interface: a smaller MSS stays, and without the line 1460 crosses unchanged', (t) => {
  const lab = spokes('ip tcp adjust-mss 1300');
  lab.send(1, syn('10.1.1.10', '10.2.2.10', 1200));
  t.deepEqual(tcpTo(lab.delivered, '10.2.2.10'), [1200]);
  const plain = spokes(null);
  plain.send(1, syn('10.1.1.10', '10.2.2.10', 1460));
  plain.send(2, syn('10.2.2.10', '10.1.1.10', 1460, 0x12));
  t.deepEqual([...tcpTo(plain.delivered, '10.2.2.10'), ...tcpTo(plain.delivered, '10.1.1.10')], [1460, 1460]);
});

/** The gre-ipsec lab with `ip tcp adjust-mss` on hq's Tunnel0. */
function gre(line: string | null): GreLab {
  const hq = line ? labConfig('hq').replace('interface Tunnel0\n', `interface Tunnel0\n ${line}\n`) : labConfig('hq');
  const lab = new GreLab([hq, labConfig('branch')]);
  lab.send(0, echo('10.1.1.10', '10.2.2.10', 1)); // IKE for the GRE; dropped
  lab.send(0, echo('10.1.1.10', '10.2.2.10', 2));
  return lab;
}

test('GRE tunnel interface: the SYN going into the tunnel and the SYN-ACK coming out of it carry 1300', (t) => {
  const lab = gre('ip tcp adjust-mss 1300');
  t.true(
    lab.delivered.some((d) => d.at === 'branch LAN' && d.packet[9] === IPPROTO_ICMP),
    'the tunnel carries traffic',
  );
  lab.send(0, syn('10.1.1.10', '10.2.2.10', 1460));
  t.deepEqual(tcpTo(lab.delivered, '10.2.2.10'), [1300]);
  lab.send(1, syn('10.2.2.10', '10.1.1.10', 1460, 0x12));
  t.deepEqual(tcpTo(lab.delivered, '10.1.1.10'), [1300]);
  // without the line the same SYNs cross unchanged
  const plain = gre(null);
  plain.send(0, syn('10.1.1.10', '10.2.2.10', 1460));
  plain.send(1, syn('10.2.2.10', '10.1.1.10', 1460, 0x12));
  t.deepEqual([...tcpTo(plain.delivered, '10.2.2.10'), ...tcpTo(plain.delivered, '10.1.1.10')], [1460, 1460]);
});

test("GRE tunnel interface: the router's own SYNs (from or to its tunnel address) are left alone, as IOS adjusts only transit", (t) => {
  const lab = gre('ip tcp adjust-mss 1300');
  // the branch router's tunnel address talks to hq's: both ends are routers, nothing is transit at hq
  const hq = lab.routers[0]!;
  const toHq = syn('172.16.0.2', '172.16.0.1', 1460);
  const fromHq = syn('172.16.0.1', '172.16.0.2', 1460);
  hq.gre.send('Tunnel0', Buffer.from(fromHq));
  lab.settle();
  lab.routers[1]!.gre.send('Tunnel0', Buffer.from(toHq));
  lab.settle();
  t.deepEqual(tcpTo(lab.delivered, '172.16.0.1'), [1460]);
  t.deepEqual(tcpTo(lab.delivered, '172.16.0.2'), [1460]);
});
