/**
 * The flow cache: bounded in total, per source and per pair, oldest first;
 * the fuzzer's finding (one /24 talking to the protected /24 on 16 ports)
 * as a regression, on the cache and through the datapath.
 */
import test from 'ava';
import { FLOW_CACHE_LIMITS, FlowCache, type FlowPacket } from '../../../../src/agent/datapath/flow-cache.js';
import { encodeIpv4, IPPROTO_UDP } from '../../../../src/codecs/net/ipv4.js';
import { parseIpv4 } from '../../../../src/codecs/net/address.js';
import { MiniLab } from './mini-lab.js';

const pkt = (source: number, destination: number, port: number): FlowPacket => ({ source, destination, protocol: 17, sourcePort: 1024, destinationPort: port });

test('finding: a /24 to a /24 on 16 ports (1,048,576 flows) keeps at most 16,384 flows, 1,024 per source', (t) => {
  const cache = new FlowCache<string>();
  const src = parseIpv4('10.1.1.0');
  const dst = parseIpv4('10.2.2.0');
  let mostPerSource = 0;
  for (let s = 0; s < 256; s++) {
    for (let d = 0; d < 256; d++) {
      for (let port = 1; port <= 16; port++) {
        const p = pkt(src + s, dst + d, port);
        if (cache.get(p, 'FastEthernet0/0') === undefined) cache.set(p, 'FastEthernet0/0', 'none');
      }
    }
    mostPerSource = Math.max(mostPerSource, cache.sizeOf(src + s));
    t.true(cache.size <= FLOW_CACHE_LIMITS.total);
  }
  t.is(cache.size, FLOW_CACHE_LIMITS.total);
  t.is(mostPerSource, FLOW_CACHE_LIMITS.perSource);
  t.is(cache.evictions, 256 * 256 * 16 - FLOW_CACHE_LIMITS.total);
  t.is(cache.get(pkt(src + 255, dst + 255, 16), 'FastEthernet0/0'), 'none', 'the newest flows are kept');
  t.is(cache.get(pkt(src, dst, 1), 'FastEthernet0/0'), undefined, 'the oldest are gone');
});

test('bounds, oldest first: a pair keeps its 16 newest flows, a source its newest pairs, the cache its newest sources', (t) => {
  const cache = new FlowCache<number>({ total: 8, perSource: 4, perPair: 2 });
  for (let port = 1; port <= 3; port++) cache.set(pkt(1, 100, port), 'x', port);
  t.is(cache.get(pkt(1, 100, 1), 'x'), undefined, 'the pair dropped its oldest flow');
  t.is(cache.get(pkt(1, 100, 3), 'x'), 3);
  t.is(cache.size, 2);
  for (const d of [101, 102]) cache.set(pkt(1, d, 1), 'x', d);
  t.is(cache.sizeOf(1), 4);
  cache.set(pkt(1, 103, 1), 'x', 103);
  t.is(cache.sizeOf(1), 3, "the source's oldest pair (two flows) went before the new flow came");
  t.is(cache.get(pkt(1, 100, 3), 'x'), undefined);
  t.is(cache.get(pkt(1, 103, 1), 'x'), 103);
  for (const s of [2, 3, 4]) for (const port of [1, 2]) cache.set(pkt(s, 100, port), 'x', s);
  t.is(cache.size, 8);
  cache.set(pkt(5, 100, 1), 'x', 5);
  t.is(cache.size, 8);
  t.is(cache.sizeOf(1), 1, "the oldest source's oldest pair went");
  t.is(cache.get(pkt(1, 103, 1), 'x'), 103);
  t.is(cache.get(pkt(1, 100, 1), 'y'), undefined, 'the interface is part of the flow');
  cache.clear();
  t.is(cache.size, 0);
});

test('finding, through the datapath: a flood of new flows toward the protected LAN leaves the cache bounded', (t) => {
  const lab = new MiniLab();
  const s1 = lab.spokes[0]!;
  const udp = (src: number, dst: number, port: number) => {
    const b = Buffer.alloc(8);
    b.writeUInt16BE(1024, 0);
    b.writeUInt16BE(port, 2);
    b.writeUInt16BE(8, 4);
    return encodeIpv4({ protocol: IPPROTO_UDP, source: src, destination: dst, ttl: 63 }, b);
  };
  const src = parseIpv4('10.1.1.0');
  const dst = parseIpv4('10.2.2.0');
  for (let s = 1; s <= 8; s++) for (let d = 1; d <= 255; d++) for (let port = 1; port <= 16; port++) s1.dp.handle(udp(src + s, dst + d, port));
  t.is(s1.dp.counters.noSaDrops, 8 * 255 * 16, 'every packet waited for an SA');
  t.is(s1.dp.flowCount, 8 * FLOW_CACHE_LIMITS.perSource, 'each source holds 1,024 flows');
  t.is(s1.dp.counters.malformed, 0);
});
