/**
 * The datapath of two routers in memory, with the real IKE engines and the
 * seed's configs: a tiny "kernel" moves what one router writes to the other
 * (or to the LAN), as the Linux forwarding and policy routing would.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Datapath } from '../../../../src/agent/datapath/datapath.js';
import { fragmentIpv4 } from '../../../../src/agent/datapath/fragment.js';
import { REASSEMBLY_LIMITS, Reassembler } from '../../../../src/agent/datapath/reassembly.js';
import { peekIpv4, udpPacket } from '../../../../src/agent/datapath/packet.js';
import { IkeEngine, policyFromConfig, type IkeAction } from '../../../../src/agent/ike/index.js';
import { computeRoutes, lookupRoute, parseConfig } from '../../../../src/ios/index.js';
import { formatIpv4, inPrefix, parseIpv4 } from '../../../../src/codecs/net/address.js';
import { encodeIcmpEcho, ICMP_ECHO_REQUEST } from '../../../../src/codecs/net/icmp.js';
import { encodeIpv4, IPPROTO_ESP, IPPROTO_ICMP } from '../../../../src/codecs/net/ipv4.js';
import { root } from '../../../root.js';

const cfg = (name: string) => parseConfig(readFileSync(`${root}topologies/daphne-fred/${name}.cfg`, 'utf8')).config;

interface Node {
  dp: Datapath;
  engine: IkeEngine;
  out: Buffer[];
}

function router(name: string, clock: { now: number }): Node {
  const config = cfg(name);
  const policy = policyFromConfig(config, { natTraversal: false });
  const engine = new IkeEngine({ policy, random: randomBytes });
  const local = new Set(config.interfaces.map((i) => parseIpv4(i.address!.address)));
  const routes = computeRoutes(config);
  const node: Node = { engine, out: [], dp: undefined as unknown as Datapath };
  node.dp = new Datapath({
    write: (p) => node.out.push(Buffer.from(p)),
    isLocal: (a) => local.has(a),
    route: (d) => {
      const hit = lookupRoute(routes, d);
      return hit
        ? {
            iface: hit.path.outInterface,
            nextHop: hit.path.gateway,
            mtu: 1500,
            address: config.interfaces.find((i) => i.name === hit.path.outInterface)?.address?.address ?? null,
          }
        : null;
    },
    policy: () => policy,
    engine,
    act: (actions: IkeAction[]) => {
      for (const a of actions) {
        if (a.kind === 'send') node.dp.sendUdp(a.from, a.to, a.payload);
        else if (a.kind === 'send-probe') node.dp.sendProbe(a.ipSource, a.ipDestination, a.sourcePort, a.destinationPort, a.payload);
        else if (a.kind === 'install-ipsec') node.dp.install(a.sa, a.replaces, a.supersededBy ?? null);
        else if (a.kind === 'delete-ipsec') node.dp.remove(a.inboundSpi, a.outboundSpi);
      }
    },
    log: () => undefined,
    now: () => clock.now,
    random: randomBytes,
  });
  return node;
}

const inNet = (ip: number, net: string) => inPrefix(ip, parseIpv4(net.split('/')[0]!), Number(net.split('/')[1]));

function echo(src: string, dst: string, seq: number, size = 56, df = true): Buffer {
  const icmp = encodeIcmpEcho({ type: ICMP_ECHO_REQUEST, identifier: 7, sequence: seq, data: Buffer.alloc(size, seq) });
  // as the kernel hands it to the tun device: TTL already decremented once
  return encodeIpv4({ protocol: IPPROTO_ICMP, source: parseIpv4(src), destination: parseIpv4(dst), ttl: 63, dontFragment: df }, icmp);
}

/**
 * Run the "network" until quiet: packets a router writes go to the other
 * router when addressed to it or to its LAN (the WAN), else to the LAN it
 * is for (delivered). Returns the packets delivered to LAN hosts and what crossed the WAN.
 */
function settle(d: Node, f: Node): { delivered: Buffer[]; wan: Buffer[] } {
  const delivered: Buffer[] = [];
  const wan: Buffer[] = [];
  const side = [
    { me: d, other: f, myLan: '13.13.13.0/24', otherIke: '11.11.11.2', otherLan: '12.12.12.0/24' },
    { me: f, other: d, myLan: '12.12.12.0/24', otherIke: '11.11.11.1', otherLan: '13.13.13.0/24' },
  ];
  for (let round = 0; round < 100; round++) {
    let moved = false;
    for (const s of side) {
      const batch = s.me.out.splice(0);
      for (const p of batch) {
        moved = true;
        const h = peekIpv4(p)!;
        if (inNet(h.destination, s.myLan)) delivered.push(p);
        else if (formatIpv4(h.destination) === s.otherIke || inNet(h.destination, s.otherLan)) {
          wan.push(p);
          // the kernel on the other router decrements TTL on the way into its tun device
          const copy = Buffer.from(p);
          copy[8] = copy[8]! - 1;
          s.other.dp.handle(copy);
        }
      }
    }
    if (!moved) break;
  }
  return { delivered, wan };
}

test('the seed flow in memory: the first packet triggers TED and IKE and is dropped, the next ones cross as ESP', (t) => {
  const clock = { now: 1_000_000 };
  const d = router('daphne', clock);
  const f = router('fred', clock);
  d.dp.handle(echo('13.13.13.4', '12.12.12.13', 1));
  const first = settle(d, f);
  t.deepEqual(first.delivered, [], 'the triggering packet is dropped');
  t.is(d.dp.counters.noSaDrops, 1);
  t.true(
    first.wan.some((p) => formatIpv4(p.readUInt32BE(12)) === '13.13.13.4' && p[9] === 17),
    'a probe from the host address crossed',
  );
  t.is(d.dp.saPairs.length, 1);
  t.is(f.dp.saPairs.length, 1);

  d.dp.handle(echo('13.13.13.4', '12.12.12.13', 2));
  const second = settle(d, f);
  t.is(second.delivered.length, 1);
  const inner = peekIpv4(second.delivered[0]!)!;
  t.is(formatIpv4(inner.source), '13.13.13.4');
  t.is(formatIpv4(inner.destination), '12.12.12.13');
  t.is(second.wan.length, 1);
  t.is(second.wan[0]![9], IPPROTO_ESP, 'only ESP on the WAN');
  t.is(d.dp.saPairs[0]!.outbound.counters.encaps, 1);
  t.is(f.dp.saPairs[0]!.inbound.counters.decaps, 1);
});

test('ESP of a plain SA that arrives inside UDP 4500 is dropped and counted (issue 11), and the same packet as protocol 50 still passes', (t) => {
  const clock = { now: 1_000_000 };
  const d = router('daphne', clock);
  const f = router('fred', clock);
  d.dp.handle(echo('13.13.13.4', '12.12.12.13', 1));
  settle(d, f);
  t.is(f.dp.saPairs[0]!.spec.udpEncapsulation, null, 'negotiated as plain ESP (no NAT-T)');
  d.dp.handle(echo('13.13.13.4', '12.12.12.13', 2));
  const esp = d.out.splice(0)[0]!;
  t.is(esp[9], IPPROTO_ESP);
  const h = peekIpv4(esp)!;
  const body = esp.subarray(h.headerLength, h.totalLength);
  // the very same ESP bytes (valid ICV) wrapped in UDP 4500, as the fuzzer sent them
  const wrapped = udpPacket(h.source, h.destination, 4500, 4500, Buffer.from(body), 63);
  f.dp.handle(wrapped);
  t.deepEqual(f.out.splice(0), [], 'nothing delivered');
  t.is(f.dp.counters.wrongEncapsulation, 1);
  const inbound = f.dp.saPairs[0]!.inbound.counters;
  t.is(inbound.recvErrors, 1, 'show crypto ipsec sa: #recv errors');
  t.is(inbound.decaps, 0);
  const copy = Buffer.from(esp);
  copy[8] = copy[8]! - 1;
  f.dp.handle(copy);
  t.is(f.out.length, 1, 'the packet as IP protocol 50 is delivered: the refused copy did not touch the replay window');
  t.is(inbound.decaps, 1);
});

test('big packets: DF set gets ICMP fragmentation-needed with the tunnel MTU; DF clear is encrypted whole and the ESP packet fragmented (12.2 mainline)', (t) => {
  const clock = { now: 1_000_000 };
  const d = router('daphne', clock);
  const f = router('fred', clock);
  d.dp.handle(echo('13.13.13.4', '12.12.12.13', 1));
  settle(d, f);

  d.dp.handle(echo('13.13.13.4', '12.12.12.13', 2, 1472, true));
  const df = settle(d, f);
  t.is(df.wan.length, 0);
  t.is(df.delivered.length, 1);
  const icmp = df.delivered[0]!;
  t.is(icmp[9], IPPROTO_ICMP);
  t.is(icmp[20], 3, 'destination unreachable');
  t.is(icmp[21], 4, 'fragmentation needed');
  const mtu = icmp.readUInt16BE(26);
  t.true(mtu < 1500 && mtu > 1400, `next-hop MTU ${mtu}`);

  d.dp.handle(echo('13.13.13.4', '12.12.12.13', 3, 1472, false));
  const big = settle(d, f);
  t.is(big.wan.length, 2, 'one ESP packet in two fragments');
  t.true(big.wan.every((p) => p.length <= 1500 && p[9] === IPPROTO_ESP));
  t.deepEqual(
    big.wan.map((p) => p.readUInt16BE(6) & 0x3fff),
    [0x2000, (1480 / 8) & 0x1fff],
    'more fragments, then the rest at offset 1480',
  );
  t.is(d.dp.counters.fragmented, 1);
  t.is(f.dp.reassembly.reassembled, 1, 'fred reassembles the ESP packet before decrypting it');
  t.is(big.delivered.length, 1);
  t.is(big.delivered[0]!.readUInt16BE(2), 20 + 8 + 1472, 'the host gets the packet whole');
});

test('clear text the ACL does not cover is forwarded unchanged, with the TTL the kernel took back', (t) => {
  const clock = { now: 1_000_000 };
  const d = router('daphne', clock);
  const p = echo('13.13.13.4', '99.9.9.9', 1);
  d.dp.handle(Buffer.from(p));
  t.is(d.out.length, 1);
  t.is(d.out[0]![8], 64, 'TTL restored to what it was before the detour through the tun device');
  t.is(d.dp.counters.forwarded, 1);
});

test('garbage and truncated packets never throw and are counted', (t) => {
  const clock = { now: 1_000_000 };
  const d = router('daphne', clock);
  let seed = 42;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  for (let i = 0; i < 3000; i++) {
    const len = rnd() % 120;
    const buf = Buffer.alloc(len);
    for (let k = 0; k < len; k++) buf[k] = rnd() & 0xff;
    if (len > 20 && i % 2 === 0) {
      buf[0] = 0x45;
      buf.writeUInt16BE(len, 2);
      buf[9] = [1, 6, 17, 50][i % 4]!;
      buf.writeUInt32BE(parseIpv4(i % 3 === 0 ? '11.11.11.1' : '12.12.12.13'), 16);
    }
    t.notThrows(() => d.dp.handle(buf));
  }
  t.true(d.dp.counters.malformed > 0);
});

test("quiet (the router's 1 s traffic timer may sleep): no SA pair and no fragment waiting; an SA pair or a first fragment wakes it; quiet again when they are gone", (t) => {
  const clock = { now: 1_000_000 };
  const d = router('daphne', clock);
  const f = router('fred', clock);
  t.true(d.dp.quiet, 'a router that has seen nothing');
  d.dp.handle(echo('13.13.13.4', '12.12.12.13', 1));
  settle(d, f);
  t.false(d.dp.quiet, 'an SA pair whose bytes the timer counts');
  const s = d.dp.saPairs[0]!.spec;
  d.dp.remove(s.inbound.spi, s.outbound.spi);
  t.true(d.dp.quiet, 'the pair gone');
  // the first fragment of a datagram to the router's own WAN address waits for the rest
  const big = encodeIpv4(
    { protocol: 17, source: parseIpv4('11.11.11.2'), destination: parseIpv4('11.11.11.1'), ttl: 63, dontFragment: false },
    Buffer.alloc(3000, 1),
  );
  const parts = fragmentIpv4(big, 1000);
  d.dp.handle(parts[0]!);
  t.false(d.dp.quiet, 'a fragment the sweep must time out');
  clock.now += REASSEMBLY_LIMITS.timeoutMs + 1;
  d.dp.sweep(clock.now);
  t.true(d.dp.quiet, 'timed out by the sweep');
});

test('fragmenting and reassembling give back the same packet, in any order', (t) => {
  const original = echo('13.13.13.4', '12.12.12.13', 1, 4000, false);
  const parts = fragmentIpv4(original, 1000);
  t.true(parts.length >= 5);
  t.true(parts.every((p) => p.length <= 1000));
  const r = new Reassembler();
  const shuffled = [parts[2]!, parts[0]!, ...parts.slice(3).reverse(), parts[1]!];
  const results = shuffled.map((p) => r.add(p, 0));
  const whole = results[results.length - 1];
  t.truthy(whole);
  t.deepEqual(whole!.subarray(20), original.subarray(20));
  t.true(results.slice(0, -1).every((x) => x === null));
  t.deepEqual(fragmentIpv4(echo('1.1.1.1', '2.2.2.2', 1, 4000, true), 1000), [], 'DF set: no fragments');
});

test('a pair installed superseded only decrypts; removing the pair that superseded another puts that one back in service, unless it was replaced itself', (t) => {
  const clock = { now: 1_000_000 };
  const d = router('daphne', clock);
  const f = router('fred', clock);
  d.dp.handle(echo('13.13.13.4', '12.12.12.13', 1));
  settle(d, f);
  const p = d.dp.saPairs[0]!.spec;
  const other = (n: number) => ({
    ...p,
    inbound: { ...p.inbound, spi: (p.inbound.spi ^ n) >>> 0 },
    outbound: { ...p.outbound, spi: (p.outbound.spi ^ n) >>> 0 },
  });
  const ids = (s: typeof p) => ({ inboundSpi: s.inbound.spi, outboundSpi: s.outbound.spi });
  /** The SPI the next echo leaves with. */
  const spiOut = () => {
    d.dp.handle(echo('13.13.13.4', '12.12.12.13', 9));
    const out = d.out.splice(0);
    t.is(out.length, 1);
    return out[0]!.readUInt32BE(20);
  };
  t.is(spiOut(), p.outbound.spi);
  const loser = other(0x100);
  d.dp.install(loser, null, ids(p));
  t.is(spiOut(), p.outbound.spi, 'the pair that lost a simultaneous negotiation does not encrypt');
  t.true(d.dp.saPairs.find((s) => s.spec.inbound.spi === loser.inbound.spi)!.retired);
  d.dp.remove(p.inbound.spi, p.outbound.spi);
  t.is(spiOut(), loser.outbound.spi, 'once the winner is gone, the pair it superseded carries the flow');
  const rekey = other(0x200);
  d.dp.install(rekey, ids(loser));
  t.is(spiOut(), rekey.outbound.spi);
  d.dp.remove(rekey.inbound.spi, rekey.outbound.spi);
  t.is(spiOut(), loser.outbound.spi, 'a rekeyed pair that goes early hands the flow back');
  t.is(d.dp.countersOf(loser.outbound.spi)!.encaps, 2);
  t.is(d.dp.countersOf(loser.inbound.spi)!.decaps, 0);
  t.is(d.dp.remove(loser.inbound.spi, 12345), undefined, 'a pair is removed by both its SPIs');
  // a chain: loser <- second <- third; the middle one goes (the peer deleted its rekey's old pair)
  const second = other(0x300);
  d.dp.install(second, ids(loser));
  const third = other(0x400);
  d.dp.install(third, ids(second));
  t.is(spiOut(), third.outbound.spi);
  d.dp.remove(second.inbound.spi, second.outbound.spi);
  t.is(spiOut(), third.outbound.spi, 'removing a pair that was itself replaced brings back nothing');
  t.true(d.dp.saPairs.find((x) => x.spec.inbound.spi === loser.inbound.spi)!.retired, 'the first stays retired, under the third');
  d.dp.remove(third.inbound.spi, third.outbound.spi);
  t.is(spiOut(), loser.outbound.spi, 'and comes back when the third goes');
});
