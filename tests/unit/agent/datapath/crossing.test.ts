/**
 * The seed's two routers, in memory with their kernels and datapaths, and a
 * host behind each pinging the other from the same instant, once a second:
 * probes, Main Modes and Quick Modes cross. From the moment each router has
 * its SAs every echo arrives, both ways, and each datapath holds the two
 * pairs negotiated at once, the same two on both sides, with the same one
 * encrypting (the redundant one decrypts until its lifetime ends).
 */
import test from 'ava';
import { peekIpv4 } from '../../../../src/agent/datapath/packet.js';
import { encodeIcmpEcho, ICMP_ECHO_REQUEST } from '../../../../src/codecs/net/icmp.js';
import { encodeIpv4, IPPROTO_ICMP } from '../../../../src/codecs/net/ipv4.js';
import { formatIpv4, parseIpv4 } from '../../../../src/ios/index.js';
import { seedConfig } from '../ike/helpers.js';
import { NetLab } from './net-lab.js';

const D1 = '13.13.13.4';
const A1 = '12.12.12.13';

function echo(src: string, dst: string, seq: number): Buffer {
  const icmp = encodeIcmpEcho({ type: ICMP_ECHO_REQUEST, identifier: 3, sequence: seq, data: Buffer.alloc(32, seq) });
  return encodeIpv4({ protocol: IPPROTO_ICMP, source: parseIpv4(src), destination: parseIpv4(dst), ttl: 64 }, icmp);
}

test('both hosts ping each other from the same instant: no echo lost once a router has its SAs, the same two pairs in each datapath at the end, the same one in use', (t) => {
  const lab = new NetLab([seedConfig('daphne'), seedConfig('fred')], 9);
  const daphne = lab.router('Daphne');
  const fred = lab.router('fred');
  const arrived = (dst: string, seq: number) =>
    lab.delivered.some((d) => {
      const p = peekIpv4(d.packet)!;
      return formatIpv4(p.destination) === dst && d.packet.readUInt16BE(p.headerLength + 6) === seq;
    });
  const lost: string[] = [];
  for (let seq = 1; seq <= 20; seq++) {
    const ready = [daphne.dp.saPairs.length > 0, fred.dp.saPairs.length > 0];
    lab.send('Daphne', echo(D1, A1, seq), false);
    lab.send('fred', echo(A1, D1, seq), false);
    lab.settle();
    if (ready[0] && !arrived(A1, seq)) lost.push(`${D1} -> ${A1} #${seq}`);
    if (ready[1] && !arrived(D1, seq)) lost.push(`${A1} -> ${D1} #${seq}`);
    lab.run(lab.now + 1_000);
  }
  t.deepEqual(lost, [], 'nothing lost once the sender had its SAs');
  t.true(arrived(A1, 2) && arrived(D1, 2), 'the second echo of each made it');
  t.is(daphne.actions.filter((a) => a.kind === 'send-probe').length, 1);
  t.is(fred.actions.filter((a) => a.kind === 'send-probe').length, 1, 'both probed at once');
  t.is(daphne.actions.filter((a) => a.kind === 'install-ipsec').length, 2, 'two pairs were negotiated at once');
  t.is(daphne.dp.saPairs.length, 2);
  t.is(fred.dp.saPairs.length, 2);
  const spis = (pairs: typeof daphne.dp.saPairs, mirror: boolean) =>
    pairs
      .map((p) => (mirror ? [p.spec.outbound.spi, p.spec.inbound.spi, p.retired] : [p.spec.inbound.spi, p.spec.outbound.spi, p.retired]))
      .sort((a, b) => Number(a[0]) - Number(b[0]));
  t.deepEqual(spis(daphne.dp.saPairs, false), spis(fred.dp.saPairs, true), 'the same pairs, the same one retired on both sides');
  const d = daphne.dp.saPairs.find((p) => !p.retired);
  const f = fred.dp.saPairs.find((p) => !p.retired);
  t.true(d !== undefined && f !== undefined);
  t.true(d!.outbound.counters.encaps > 0 && f!.outbound.counters.encaps > 0, 'the pair in use carries traffic both ways');
});
