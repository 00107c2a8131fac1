/**
 * `crypto ipsec df-bit copy|set|clear` on the seed's two routers in memory:
 * the DF bit of the outer header of the ESP packets each writes, and what
 * becomes of a DF packet too big for the tunnel.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Datapath } from '../../../../src/agent/datapath/datapath.js';
import { peekIpv4 } from '../../../../src/agent/datapath/packet.js';
import { IkeEngine, policyFromConfig, type IkeAction } from '../../../../src/agent/ike/index.js';
import { computeRoutes, lookupRoute, parseConfig, runningConfigLines } from '../../../../src/ios/index.js';
import { formatIpv4, parseIpv4 } from '../../../../src/codecs/net/address.js';
import { encodeIcmpEcho, ICMP_ECHO_REQUEST } from '../../../../src/codecs/net/icmp.js';
import { encodeIpv4, IPPROTO_ESP, IPPROTO_ICMP } from '../../../../src/codecs/net/ipv4.js';
import { root } from '../../../root.js';

interface Node {
  dp: Datapath;
  out: Buffer[];
}

function router(name: 'daphne' | 'fred', extra: string): Node {
  const text = readFileSync(`${root}topologies/daphne-fred/${name}.cfg`, 'utf8');
  // the line goes before "end", after which IOS reads nothing
  const { config, diagnostics } = parseConfig(text.replace(/^end\s*$/m, `${extra}\nend`));
  if (diagnostics.some((d) => d.severity === 'error')) throw new Error(JSON.stringify(diagnostics));
  if (extra && !runningConfigLines(config).includes(extra)) throw new Error(`"${extra}" did not take`);
  const policy = policyFromConfig(config, { natTraversal: false });
  const engine = new IkeEngine({ policy, random: randomBytes });
  const local = new Set(config.interfaces.map((i) => parseIpv4(i.address!.address)));
  const routes = computeRoutes(config);
  const node: Node = { out: [], dp: undefined as unknown as Datapath };
  node.dp = new Datapath({
    write: (p) => node.out.push(Buffer.from(p)),
    isLocal: (a) => local.has(a),
    route: (d) => {
      const hit = lookupRoute(routes, d);
      const address = config.interfaces.find((i) => i.name === hit?.path.outInterface)?.address?.address ?? null;
      return hit ? { iface: hit.path.outInterface, nextHop: hit.path.gateway, mtu: 1500, address } : null;
    },
    policy: () => policy,
    engine,
    act: (actions: IkeAction[]) => {
      for (const a of actions) {
        if (a.kind === 'send') node.dp.sendUdp(a.from, a.to, a.payload);
        else if (a.kind === 'send-probe') node.dp.sendProbe(a.ipSource, a.ipDestination, a.sourcePort, a.destinationPort, a.payload);
        else if (a.kind === 'install-ipsec') node.dp.install(a.sa, a.replaces);
        else if (a.kind === 'delete-ipsec') node.dp.remove(a.inboundSpi, a.outboundSpi);
      }
    },
    log: () => undefined,
    now: () => 1_000_000,
    random: randomBytes,
  });
  return node;
}

function echo(seq: number, size: number, df: boolean): Buffer {
  const icmp = encodeIcmpEcho({ type: ICMP_ECHO_REQUEST, identifier: 7, sequence: seq, data: Buffer.alloc(size, seq) });
  return encodeIpv4({ protocol: IPPROTO_ICMP, source: parseIpv4('13.13.13.4'), destination: parseIpv4('12.12.12.13'), ttl: 63, dontFragment: df }, icmp);
}

/** Moves packets between the two routers until quiet; returns what crossed the WAN (daphne to fred) and what reached fred's LAN. */
function settle(d: Node, f: Node): { wan: Buffer[]; delivered: Buffer[] } {
  const wan: Buffer[] = [];
  const delivered: Buffer[] = [];
  for (let round = 0; round < 100; round++) {
    const batch: [Node, Buffer][] = [...d.out.splice(0).map((p): [Node, Buffer] => [f, p]), ...f.out.splice(0).map((p): [Node, Buffer] => [d, p])];
    if (batch.length === 0) break;
    for (const [to, p] of batch) {
      const dst = formatIpv4(peekIpv4(p)!.destination);
      // from fred to its own LAN: delivered; from daphne to its own LAN (ICMP errors to the host): not followed
      if (to === d && dst.startsWith('12.12.12.')) {
        delivered.push(p);
        continue;
      }
      if (to === f && dst.startsWith('13.13.13.')) continue;
      if (to === f) wan.push(p);
      const copy = Buffer.from(p);
      copy[8] = copy[8]! - 1;
      to.dp.handle(copy);
    }
  }
  return { wan, delivered };
}

/** The two routers with their SAs up (the first packet starts TED and IKE). */
function tunnel(extra: string): { d: Node; f: Node } {
  const d = router('daphne', extra);
  const f = router('fred', '');
  d.dp.handle(echo(1, 56, false));
  settle(d, f);
  if (d.dp.saPairs.length !== 1) throw new Error('no SA');
  return { d, f };
}

const DF = 0x4000;
const outerDf = (p: Buffer) => (p.readUInt16BE(6) & DF) !== 0;

for (const [extra, mode] of [
  ['', 'copy (the default)'],
  ['crypto ipsec df-bit copy', 'copy'],
] as const) {
  test(`df-bit ${mode}: the outer header has the inner packet's DF bit`, (t) => {
    const { d, f } = tunnel(extra);
    d.dp.handle(echo(2, 100, true));
    const withDf = settle(d, f).wan;
    d.dp.handle(echo(3, 100, false));
    const without = settle(d, f).wan;
    t.is(withDf.length, 1);
    t.is(without.length, 1);
    t.is(withDf[0]![9], IPPROTO_ESP);
    t.is(withDf[0]!.readUInt16BE(6), DF, 'flags and offset: DF only');
    t.is(without[0]!.readUInt16BE(6), 0);
  });
}

test('df-bit set: the outer header has DF; a DF-clear packet too big for the tunnel is encrypted whole and the router fragments the ESP (12.2 mainline), the pieces without DF', (t) => {
  const { d, f } = tunnel('crypto ipsec df-bit set');
  d.dp.handle(echo(2, 100, false));
  const small = settle(d, f);
  t.true(outerDf(small.wan[0]!));
  t.is(small.delivered.length, 1);
  d.dp.handle(echo(3, 2972, false));
  const big = settle(d, f);
  t.is(big.wan.length, 3, 'one ESP packet in three fragments');
  t.true(big.wan.every((p) => !outerDf(p) && p.length <= 1500 && p[9] === IPPROTO_ESP));
  t.is(d.dp.counters.fragmented, 1);
  t.is(big.delivered.length, 1, 'fred reassembles the ESP and delivers the whole packet');
});

test('df-bit clear: the outer header never has DF; a DF packet too big for the tunnel is encrypted whole, then the ESP is fragmented', (t) => {
  const { d, f } = tunnel('crypto ipsec df-bit clear');
  d.dp.handle(echo(2, 100, true));
  t.false(outerDf(settle(d, f).wan[0]!));
  d.dp.handle(echo(3, 1472, true));
  const big = settle(d, f);
  t.is(d.dp.counters.fragNeeded, 0, 'no ICMP fragmentation-needed to the sender');
  t.is(big.wan.length, 2, 'one ESP packet in two fragments');
  t.true(big.wan.every((p) => p[9] === IPPROTO_ESP && p.length <= 1500 && !outerDf(p)));
  t.is(big.wan[0]!.readUInt16BE(6), 0x2000, 'more fragments, offset 0');
  t.is(d.dp.counters.fragmented, 1);
  // fred reassembles the ESP, decrypts it and delivers the original packet, DF and all
  t.is(big.delivered.length, 1);
  const inner = big.delivered[0]!;
  t.is(inner.readUInt16BE(2), 20 + 8 + 1472);
  t.is(inner.readUInt16BE(6), DF);
});

test('df-bit copy: a DF packet too big for the tunnel still gets ICMP fragmentation-needed, nothing crosses', (t) => {
  const { d, f } = tunnel('');
  d.dp.handle(echo(2, 1472, true));
  const r = settle(d, f);
  t.deepEqual(r.wan, []);
  t.is(d.dp.counters.fragNeeded, 1);
  t.is(d.dp.counters.fragmented, 0);
});
