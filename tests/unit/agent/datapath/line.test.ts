/**
 * Three TED routers in a line, west (A) - middle (B) - east (C), each with a
 * LAN (the ted-line fixture, as the integration lab runs it), in memory with
 * their kernels' steering and their agents: a probe from A's LAN to C's crosses B, which has
 * crypto maps of its own on both links; B forwards it because its ACL does
 * not protect C's host toward A's, and C answers. B's hosts reach both sides,
 * each SA from the address of B's interface toward that peer. B answers a
 * crossing probe only when its ACL, read as IOS reads it, protects the pair.
 */
import test from 'ava';
import { peekIpv4 } from '../../../../src/agent/datapath/packet.js';
import { encodeIcmpEcho, ICMP_ECHO_REQUEST } from '../../../../src/codecs/net/icmp.js';
import { encodeIpv4, IPPROTO_ESP, IPPROTO_ICMP, IPPROTO_UDP } from '../../../../src/codecs/net/ipv4.js';
import { formatIpv4, parseIpv4 } from '../../../../src/ios/index.js';
import { engineFromConfig } from '../ike/helpers.js';
import { fixtureConfig, NetLab } from './net-lab.js';

const A = { router: 'west', host: '10.1.1.10', ike: '192.168.12.1' };
const B = { router: 'middle', host: '10.2.2.10', toA: '192.168.12.2', toC: '192.168.23.1' };
const C = { router: 'east', host: '10.3.3.10', ike: '192.168.23.2' };

function echo(src: string, dst: string, seq: number): Buffer {
  const icmp = encodeIcmpEcho({ type: ICMP_ECHO_REQUEST, identifier: 7, sequence: seq, data: Buffer.alloc(32, seq) });
  return encodeIpv4({ protocol: IPPROTO_ICMP, source: parseIpv4(src), destination: parseIpv4(dst), ttl: 64 }, icmp);
}

const configs = (b = fixtureConfig('ted-line/middle.cfg')) => [fixtureConfig('ted-line/west.cfg'), b, fixtureConfig('ted-line/east.cfg')];

const addr = (n: number) => formatIpv4(n);
/** "from>to:proto" of every packet that crossed a link, from `start` on. */
const crossings = (lab: NetLab, start = 0) =>
  lab.links.slice(start).map((l) => {
    const p = peekIpv4(l.packet)!;
    return `${l.from}>${l.to} ${addr(p.source)}>${addr(p.destination)}:${p.protocol}`;
  });
const deliveredTo = (lab: NetLab, dst: string) => lab.delivered.filter((d) => addr(peekIpv4(d.packet)!.destination) === dst);

/** A host pings another: the first echo triggers TED and is dropped; once the SAs are up the second goes through. */
function connect(lab: NetLab, router: string, from: string, to: string): void {
  lab.send(router, echo(from, to, 1));
  lab.run(lab.now + 10_000);
  lab.send(router, echo(from, to, 2));
}

test('A to C: the probe crosses B, B forwards it, C answers; then ESP between A and C crosses B', (t) => {
  const lab = new NetLab(configs());
  lab.send(A.router, echo(A.host, C.host, 1));
  t.deepEqual(
    crossings(lab).slice(0, 4),
    [
      `west>middle ${A.host}>${C.host}:${IPPROTO_UDP}`,
      `middle>east ${A.host}>${C.host}:${IPPROTO_UDP}`,
      `east>middle ${C.ike}>${A.ike}:${IPPROTO_UDP}`,
      `middle>west ${C.ike}>${A.ike}:${IPPROTO_UDP}`,
    ],
    'the probe went on to C, C answered A',
  );
  const b = lab.router(B.router);
  t.false(
    b.actions.some((a) => a.kind === 'send'),
    'B sent nothing of its own',
  );
  lab.run(lab.now + 10_000);
  const mark = lab.links.length;
  lab.send(A.router, echo(A.host, C.host, 2));
  t.deepEqual(crossings(lab, mark), [`west>middle ${A.ike}>${C.ike}:${IPPROTO_ESP}`, `middle>east ${A.ike}>${C.ike}:${IPPROTO_ESP}`]);
  t.is(deliveredTo(lab, C.host).length, 1);
  lab.send(C.router, echo(C.host, A.host, 3));
  t.is(deliveredTo(lab, A.host).length, 1, 'and back over the SAs A set up');
  t.deepEqual(b.engine.isakmpSas(), [], 'B takes no part');
  t.deepEqual(
    b.engine.cryptoMaps()[0]!.entries.map((e) => e.kind),
    ['template'],
  );
  for (const [r, peer] of [
    [A.router, C.ike],
    [C.router, A.ike],
  ] as const) {
    t.deepEqual(
      lab
        .router(r)
        .engine.isakmpSas()
        .map((s) => [s.dst, s.src, s.state]),
      [[C.ike, A.ike, 'QM_IDLE']],
      r,
    );
    t.like(lab.router(r).engine.cryptoMaps()[0]!.entries[1], { kind: 'instance', seq: 11, peer });
  }
});

test("B's hosts reach A and C, each SA from the address of B's interface toward that peer", (t) => {
  const lab = new NetLab(configs());
  connect(lab, B.router, B.host, A.host);
  connect(lab, B.router, B.host, C.host);
  t.is(deliveredTo(lab, A.host).length, 1);
  t.is(deliveredTo(lab, C.host).length, 1);
  const b = lab.router(B.router).engine;
  t.deepEqual(
    b.isakmpSas().map((s) => [s.dst, s.src, s.state]),
    [
      [A.ike, B.toA, 'QM_IDLE'],
      [C.ike, B.toC, 'QM_IDLE'],
    ],
  );
  t.deepEqual(
    lab
      .router(C.router)
      .engine.isakmpSas()
      .map((s) => [s.dst, s.src]),
    [[C.ike, B.toC]],
    'C knows B by its address on their link',
  );
  t.deepEqual(
    b.ipsecSas(lab.now).map((i) => [i.interface, i.localAddress, i.flows.map((f) => [f.currentPeer, f.localEndpoint.ip])]),
    [
      ['FastEthernet0/0', B.toA, [[A.ike, B.toA]]],
      ['FastEthernet1/0', B.toC, [[C.ike, B.toC]]],
    ],
  );
  t.deepEqual(
    b.cryptoMaps()[0]!.entries.map((e) => (e.kind === 'instance' ? [e.seq, e.peer, e.aclLines] : [e.seq])),
    [
      [10],
      [11, A.ike, ['access-list permit ip 10.2.2.0 0.0.0.255 10.1.1.0 0.0.0.255']],
      [12, C.ike, ['access-list permit ip 10.2.2.0 0.0.0.255 10.3.3.0 0.0.0.255']],
    ],
  );
  // and the other way: A's and C's hosts reach B's over the same SAs
  lab.send(A.router, echo(A.host, B.host, 3));
  lab.send(C.router, echo(C.host, B.host, 4));
  t.is(deliveredTo(lab, B.host).length, 2);
});

test('a B whose ACL holds the pair answers the crossing probe itself, as IOS would; a deny line in front of it lets the probe pass to C', (t) => {
  const wide = fixtureConfig('ted-line/middle.cfg').replace(
    'access-list 110 permit ip 10.2.2.0 0.0.0.255 10.0.0.0 0.255.255.255',
    'access-list 110 permit ip 10.0.0.0 0.255.255.255 10.0.0.0 0.255.255.255',
  );
  const lab = new NetLab(configs(wide));
  lab.send(A.router, echo(A.host, C.host, 1));
  t.deepEqual(
    crossings(lab).slice(0, 2),
    [`west>middle ${A.host}>${C.host}:${IPPROTO_UDP}`, `middle>west ${B.toA}>${A.ike}:${IPPROTO_UDP}`],
    'B answered from its address toward A',
  );
  lab.run(lab.now + 10_000);
  t.deepEqual(
    lab
      .router(A.router)
      .engine.isakmpSas()
      .map((s) => s.dst),
    [B.toA],
  );

  const denied = wide.replace('access-list 110 permit', 'access-list 110 deny   ip 10.3.3.0 0.0.0.255 10.1.1.0 0.0.0.255\naccess-list 110 permit');
  const lab2 = new NetLab(configs(denied));
  lab2.send(A.router, echo(A.host, C.host, 1));
  t.deepEqual(crossings(lab2).slice(0, 3), [
    `west>middle ${A.host}>${C.host}:${IPPROTO_UDP}`,
    `middle>east ${A.host}>${C.host}:${IPPROTO_UDP}`,
    `east>middle ${C.ike}>${A.ike}:${IPPROTO_UDP}`,
  ]);
  // a deny line that holds part of the pair's traffic (one port) leaves the rest to the permit: B answers
  const partial = wide.replace('access-list 110 permit', 'access-list 110 deny   tcp 10.3.3.0 0.0.0.255 10.1.1.0 0.0.0.255 eq www\naccess-list 110 permit');
  const lab3 = new NetLab(configs(partial));
  lab3.send(A.router, echo(A.host, C.host, 1));
  t.is(crossings(lab3)[1], `middle>west ${B.toA}>${A.ike}:${IPPROTO_UDP}`);
});

test('only the crypto map of the interface a probe came in by decides', (t) => {
  // B with its map on the link to C only: a probe from A's side for a host behind C is not B's
  const cOnly = fixtureConfig('ted-line/middle.cfg')
    .replace('access-list 110 permit ip 10.2.2.0 0.0.0.255 10.0.0.0 0.255.255.255', 'access-list 110 permit ip 10.0.0.0 0.255.255.255 10.0.0.0 0.255.255.255')
    .replace(
      ' description WAN to west\n ip address 192.168.12.2 255.255.255.252\n duplex auto\n speed auto\n crypto map tedtag',
      ' description WAN to west\n ip address 192.168.12.2 255.255.255.252\n duplex auto\n speed auto',
    );
  const b = engineFromConfig(cOnly, 50);
  const lab = new NetLab(configs());
  lab.send(A.router, echo(A.host, C.host, 1));
  const probe = lab.links.find((l) => l.from === A.router)!.packet;
  const payload = probe.subarray(28);
  const fromA = b.receiveTransitProbe({ ipSource: A.host, ipDestination: C.host, payload, interface: 'FastEthernet0/0' }, 0);
  t.is(fromA.verdict, 'forward');
  t.deepEqual(fromA.actions, []);
  const fromC = b.receiveTransitProbe({ ipSource: A.host, ipDestination: C.host, payload, interface: 'FastEthernet1/0' }, 0);
  t.is(fromC.verdict, 'handled');
  t.like(
    fromC.actions.find((a) => a.kind === 'send'),
    { from: { ip: B.toC, port: 500 }, to: { ip: A.ike, port: 500 } },
  );
});
