/**
 * One router with tunnels to 99 peers, in memory with the kernels' steering
 * and the real datapaths and engines (NetLab): a hub and 99 TED spokes on
 * one WAN segment. The hub's host pings all 99 at once; 99 probes go out,
 * 99 tunnels form, and the tables and views hold 99 of everything. Then the
 * work the hub does for one packet, one datagram or one timer is counted
 * (work.ts: elements of tables walked, not time) with 9 peers and with 99,
 * for the first peer and for the last: the same.
 */
import test from 'ava';
import { peekIpv4 } from '../../../../src/agent/datapath/packet.js';
import { renderShowCryptoIsakmpSa, renderShowCryptoMap } from '../../../../src/agent/router/show-crypto.js';
import { encodeIcmpEcho, ICMP_ECHO_REQUEST } from '../../../../src/codecs/net/icmp.js';
import { encodeIpv4, IPPROTO_ESP, IPPROTO_ICMP, IPPROTO_UDP } from '../../../../src/codecs/net/ipv4.js';
import { formatIpv4, parseIpv4 } from '../../../../src/ios/index.js';
import { spokeWan, tedSiteConfig } from '../ike/helpers.js';
import { countWork } from '../work.js';
import { NetLab, type LabRouter } from './net-lab.js';

const HOST = '10.0.0.10';
const HUB = '11.11.0.1';
const host = (k: number) => `10.${k}.0.10`;
const MASK = '255.255.0.0';

function echo(src: string, dst: string, seq: number): Buffer {
  const icmp = encodeIcmpEcho({ type: ICMP_ECHO_REQUEST, identifier: 5, sequence: seq, data: Buffer.alloc(32, seq) });
  return encodeIpv4({ protocol: IPPROTO_ICMP, source: parseIpv4(src), destination: parseIpv4(dst), ttl: 64 }, icmp);
}

/** A hub and `n` spokes (spoke k: WAN spokeWan(k), LAN 10.k.0.0/24), every one a TED site. */
function hubLab(n: number): NetLab {
  const routes = Array.from({ length: n }, (_, i) => `ip route 10.${i + 1}.0.0 255.255.255.0 ${spokeWan(i + 1)}`);
  const configs = [tedSiteConfig({ hostname: 'hub', wan: HUB, wanMask: MASK, lan: '10.0.0.1', lanNet: '10.0.0.0', routes })];
  for (let k = 1; k <= n; k++)
    configs.push(
      tedSiteConfig({
        hostname: `s${k}`,
        wan: spokeWan(k),
        wanMask: MASK,
        lan: `10.${k}.0.1`,
        lanNet: `10.${k}.0.0`,
        routes: [`ip route 0.0.0.0 0.0.0.0 ${HUB}`],
      }),
    );
  return new NetLab(configs, 3);
}

const delivered = (lab: NetLab, dst: string, seq: number) =>
  lab.delivered.filter((d) => {
    const p = peekIpv4(d.packet)!;
    return formatIpv4(p.destination) === dst && d.packet.readUInt16BE(p.headerLength + 6) === seq;
  }).length;

test('one router, 99 peers: 99 probes at once, 99 tunnels, and 99 of everything in its tables and views', (t) => {
  const n = 99;
  const lab = hubLab(n);
  const hub = lab.router('hub');
  for (let k = 1; k <= n; k++) lab.send('hub', echo(HOST, host(k), 1), false);
  lab.settle();
  t.is(hub.actions.filter((a) => a.kind === 'send-probe').length, n, 'one probe per spoke, all at once');
  lab.run(lab.now + 1_000);
  for (let k = 1; k <= n; k++) lab.send('hub', echo(HOST, host(k), 2));
  t.deepEqual(
    Array.from({ length: n }, (_, i) => delivered(lab, host(i + 1), 2)),
    Array<number>(n).fill(1),
    "every spoke's host got the second echo",
  );
  for (let k = 1; k <= n; k++) lab.send(`s${k}`, echo(host(k), HOST, 3));
  t.is(delivered(lab, HOST, 3), n, "and every spoke's host reached the hub's");

  const e = hub.engine;
  const rows = e.isakmpSas();
  t.is(rows.length, n);
  t.deepEqual(new Set(rows.map((r) => r.dst)), new Set(Array.from({ length: n }, (_, i) => spokeWan(i + 1))));
  t.true(rows.every((r) => r.src === HUB && r.state === 'QM_IDLE'));
  const text = renderShowCryptoIsakmpSa(rows).trimEnd().split('\n');
  t.is(text.length, n + 1, 'show crypto isakmp sa: the header and 99 rows');
  t.regex(text[1]!, /^11\.11\.0\.\d+\s+11\.11\.0\.1\s+QM_IDLE\s+\d+\s+0$/);
  const instances = e.cryptoMaps()[0]!.entries.filter((x) => x.kind === 'instance');
  t.deepEqual(
    instances.map((x) => x.seq),
    Array.from({ length: n }, (_, i) => 11 + i),
    'tedtag 11 to 109',
  );
  t.deepEqual(new Set(instances.map((x) => x.peer)), new Set(rows.map((r) => r.dst)));
  t.is(renderShowCryptoMap(e.cryptoMaps()).match(/dynamic \(created from dynamic map ted-map\/10\)/g)!.length, n);
  t.is(e.ipsecSas(lab.now)[0]!.flows.length, n);
  const conns = e.engineConnections();
  t.deepEqual([conns.filter((c) => c.kind === 'isakmp').length, conns.filter((c) => c.kind === 'ipsec').length], [n, 2 * n]);
  t.is(hub.dp.saPairs.length, n);
  for (let k = 1; k <= n; k++) t.deepEqual([lab.router(`s${k}`).engine.isakmpSas().length, lab.router(`s${k}`).dp.saPairs.length], [1, 1], `s${k}`);
  const tables = e.snapshot().tables;
  t.deepEqual([tables.probes.size, tables.pending.size, tables.instances.size], [0, 0, n], 'no probe or negotiation left');
});

/**
 * The hub with `n` spokes connected one after another (100 ms apart, so
 * that their timers fall apart), and the work of each thing the hub does
 * for spoke `k`; spoke n+1 is left unconnected for a fresh discovery.
 */
function measure(n: number, k: number): Record<string, number> {
  const lab = hubLab(n + 1);
  const hub = lab.router('hub');
  for (let s = 1; s <= n; s++) {
    lab.send('hub', echo(HOST, host(s), 1));
    lab.run(lab.now + 100);
  }
  const work: Record<string, number> = {};
  const hubPacket = (proto: number) => (to: LabRouter, p: Buffer) => to === hub && p[9] === proto;
  const take = () => {
    lab.settle();
    return lab.held.splice(0).map((h) => h.packet);
  };
  const count = (name: string, fn: () => void) => {
    work[name] = countWork(() => {
      fn();
      hub.engine.nextDeadline(); // the driver sets its timer after every batch of actions
    }).work;
    lab.settle();
  };

  // a packet out to spoke k, the first of its flow (the flow cache empty): found its SA and encrypted
  hub.dp.policyChanged();
  count('packet out, new flow', () => lab.agent(hub, echo(HOST, host(k), 10)));
  count('packet out', () => lab.agent(hub, echo(HOST, host(k), 11)));
  // ESP from spoke k: decrypted and written back
  lab.hold = hubPacket(IPPROTO_ESP);
  lab.send(`s${k}`, echo(host(k), HOST, 12));
  const [esp] = take();
  count('ESP in', () => lab.agent(hub, esp!));
  // traffic counts for spoke k's pair (kilobyte lifetime, DPD)
  const pair = hub.dp.saPairs.find((p) => p.spec.peer === spokeWan(k))!.spec;
  count('traffic note', () => lab.act(hub, hub.engine.noteTraffic({ spi: pair.outbound.spi, direction: 'outbound', bytes: 100 }, lab.now)));
  // the next timer: the rekey of the first pair, alone due
  const due = hub.engine.nextDeadline()!;
  lab.now = due;
  count('timer (a rekey)', () => lab.act(hub, hub.engine.tick(due)));
  lab.run(lab.now + 20_000);
  // spoke k deletes its SAs: the hub takes the Delete
  lab.hold = hubPacket(IPPROTO_UDP);
  lab.act(lab.router(`s${k}`), lab.router(`s${k}`).engine.clearIpsec({}, lab.now));
  const [del] = take();
  count('IKE datagram in (Delete)', () => lab.agent(hub, del!));
  // the hub's host pings spoke k again: a new probe; its reply; Quick Mode on the ISAKMP SA that is up
  count('packet without SA (a probe)', () => lab.agent(hub, echo(HOST, host(k), 13)));
  const [reply] = take();
  count('probe reply in', () => lab.agent(hub, reply!));
  const [qm2] = take();
  count('Quick Mode message in', () => lab.agent(hub, qm2!));
  lab.hold = null;
  lab.run(lab.now + 1_000);
  // a new peer: discovery of spoke n+1
  count('packet for a new peer (a probe)', () => lab.agent(hub, echo(HOST, host(n + 1), 14)));
  // clear crypto sa peer k
  count('clear crypto sa peer', () => lab.act(hub, hub.engine.clearIpsec({ peer: spokeWan(k) }, lab.now)));
  return work;
}

test('the work of one packet, datagram or timer at the hub is the same with 99 peers as with 9, for the first peer as for the last', (t) => {
  // the first and the last peer connected: a table walked in either order until the peer is found shows
  const nine = measure(9, 1);
  const runs = { 'peer 9 of 9': measure(9, 9), 'peer 1 of 99': measure(99, 1), 'peer 99 of 99': measure(99, 99) };
  t.log(
    Object.keys(nine)
      .map((op) => `${op}: ${[nine[op], ...Object.values(runs).map((r) => r[op])].join(' / ')}`)
      .join('\n'),
  );
  t.true(
    Object.values(nine).every((w) => w > 0),
    'every operation was counted',
  );
  for (const [name, run] of Object.entries(runs)) t.deepEqual(run, nine, `${name} against peer 1 of 9`);
});
