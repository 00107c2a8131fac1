/**
 * Issue 9 in real Docker: three TED spokes whose crypto ACLs take the usual
 * multi-peer form (own LAN to 10.0.0.0/8, which holds the spoke's own LAN),
 * behind a transit router without crypto. Each host reaches its own router
 * (ARP answered, in clear), every pair of hosts finds its peer by TED and
 * talks through ESP, and the routers show it.
 */
import test, { type ExecutionContext } from 'ava';
import { Lab, type CapturedPacket } from '../../src/orchestrator/index.js';
import { labName, leftovers, root } from './helpers.js';
import { firstPings, inNet, parseIpsecSa, repliedSeqs } from './tunnel.js';

const topology = `${root}tests/fixtures/topologies/ted-spokes.yaml`;

interface Site {
  n: number;
  router: string;
  host: string;
  hostIp: string;
  lan: string;
  gateway: string;
  ike: string;
  wan: string;
}

const site = (n: number): Site => ({
  n,
  router: `spoke${n}`,
  host: `h${n}`,
  hostIp: `10.${n}.${n}.10`,
  lan: `10.${n}.${n}.0/24`,
  gateway: `10.${n}.${n}.1`,
  ike: `192.168.${n}.2`,
  wan: `wan${n}`,
});
const sites = [site(1), site(2), site(3)];

/** Clear text between two sites' LANs that is not a TED probe. */
const clearBetween = (a: Site, b: Site) => (p: CapturedPacket) =>
  ((inNet(p.src, a.lan) && inNet(p.dst, b.lan)) || (inNet(p.src, b.lan) && inNet(p.dst, a.lan))) && p.isakmp?.exchangeType !== 240;

/**
 * On the responder's WAN segment, in order: the TED probe from the
 * initiator's host to the target, the reply from the responder's IKE
 * address, six Main Mode and three Quick Mode messages between the two
 * spokes, then their ESP.
 */
function assertExchange(t: ExecutionContext, wan: CapturedPacket[], a: Site, b: Site): void {
  const between = (p: CapturedPacket) => (p.src === a.ike && p.dst === b.ike) || (p.src === b.ike && p.dst === a.ike);
  const probe = wan.findIndex((p) => p.isakmp?.exchangeType === 240 && p.dport === 500 && p.src === a.hostIp && p.dst === b.hostIp);
  t.true(probe >= 0, `${a.router} -> ${b.router}: a TED probe from ${a.hostIp} to ${b.hostIp} crossed ${b.wan}`);
  const reply = wan.findIndex((p, i) => i > probe && p.isakmp?.exchangeType === 240 && p.src === b.ike && p.dst === a.ike);
  t.true(reply > probe, `${b.router} answered the probe`);
  const mm = wan.map((p, i) => [p, i] as const).filter(([p]) => p.isakmp?.exchangeType === 2 && between(p));
  t.is(mm.length, 6, 'six Main Mode messages');
  t.true(mm.every(([, i]) => i > reply) && mm[0]![0].src === a.ike, 'Main Mode after the reply, opened by the initiator');
  const qm = wan.map((p, i) => [p, i] as const).filter(([p]) => p.isakmp?.exchangeType === 32 && between(p));
  t.is(qm.length, 3, 'three Quick Mode messages');
  const esp = wan.map((p, i) => [p, i] as const).filter(([p]) => p.esp !== null && between(p));
  t.true(esp.length > 0 && esp.every(([, i]) => i > qm[2]![1]), 'ESP between the two spokes after Quick Mode');
}

/** The numbers of `show ip traffic`'s Frags lines. */
function frags(text: string): number[] {
  const m = /Frags: (\d+) reassembled, (\d+) timeouts, (\d+) couldn't reassemble\n\s+(\d+) fragmented, (\d+) couldn't fragment/.exec(text);
  if (!m) throw new Error(`no Frags lines in:\n${text}`);
  return m.slice(1).map(Number);
}

const isakmpRow = (dst: string, src: string) => new RegExp(`^${dst.replace(/\./g, '\\.')}\\s+${src.replace(/\./g, '\\.')}\\s+QM_IDLE\\s+\\d+\\s+0$`, 'm');

test('three TED spokes with supernet ACLs behind a plain transit router: own router in clear, every pair through ESP', async (t) => {
  const name = labName('ted-spokes');
  {
    await using lab = await Lab.up(topology, { name, capture: true });
    for (const s of sites) await lab.ios(s.router, 'debug crypto isakmp');

    // each host reaches its own router: ARP answered, nothing lost, nothing negotiated
    for (const s of sites) {
      const ping = await lab.exec(s.host, `ping -c 3 -W 2 ${s.gateway}`);
      t.deepEqual(repliedSeqs(ping.stdout), [1, 2, 3], `${s.host} -> ${s.gateway}: ${ping.stdout}`);
      t.regex(await lab.sh(s.host, `ip neigh show ${s.gateway}`), /lladdr [0-9a-f:]{17}/, `${s.host} resolved ${s.gateway}`);
      t.notRegex(await lab.ios(s.router, 'show crypto isakmp sa'), /QM_IDLE|MM_/, `${s.router}: no ISAKMP SA for traffic to itself`);
    }

    // every pair, each spoke initiating once (spoke3 has the deny line in front)
    const pairs: [Site, Site][] = [
      [sites[0]!, sites[1]!],
      [sites[2]!, sites[0]!],
      [sites[1]!, sites[2]!],
    ];
    for (const [a, b] of pairs) {
      await firstPings(t, lab, a.host, b.hostIp, [a.router, b.router]);
      const back = await lab.sh(b.host, `ping -c 3 -W 2 ${a.hostIp}`);
      t.deepEqual(repliedSeqs(back), [1, 2, 3], `${b.host} -> ${a.hostIp} over the SAs ${a.router} set up`);
      t.regex(back, /ttl=62/, 'two router hops: the transit router carries the ESP packet, not the echo');
    }

    for (const [a, b] of pairs) {
      const row = isakmpRow(b.ike, a.ike);
      t.regex(await lab.ios(a.router, 'show crypto isakmp sa'), row, `${a.router} initiated to ${b.router}`);
      t.regex(await lab.ios(b.router, 'show crypto isakmp sa'), row, `${b.router} answered ${a.router}`);
      const sa = parseIpsecSa(await lab.ios(a.router, `show crypto ipsec sa peer ${b.ike}`));
      const sb = parseIpsecSa(await lab.ios(b.router, `show crypto ipsec sa peer ${a.ike}`));
      const ident = (x: Site) => `${x.lan.split('/')[0]}/255.255.255.0/0/0`;
      t.deepEqual([sa.localIdent, sa.remoteIdent, sa.peer], [ident(a), ident(b), b.ike], `${a.router}: the proxies TED narrowed to ${b.router}'s site`);
      t.deepEqual([sb.localIdent, sb.remoteIdent, sb.peer], [ident(b), ident(a), a.ike]);
      t.is(sa.outboundSpi, sb.inboundSpi);
      t.true(
        sa.encaps > 0 && sa.encaps === sb.decaps && sb.encaps === sa.decaps,
        `${a.router}/${b.router} counters: ${sa.encaps}/${sb.decaps}, ${sb.encaps}/${sa.decaps}`,
      );
      t.regex(await lab.console(a.router), new RegExp(`initiating IKE to ${b.ike.replace(/\./g, '\\.')} in response to probe`));
      t.regex(await lab.console(b.router), /responding to peer discovery probe!/);
      assertExchange(t, await lab.packets(b.wan), a, b);
    }
    t.notRegex(await lab.ios('transit', 'show crypto isakmp sa'), /QM_IDLE/, 'the transit router takes no part');

    // nothing between two sites crossed a WAN segment in clear, the probes aside
    for (const s of sites) {
      const wan = await lab.packets(s.wan);
      for (const [a, b] of pairs)
        t.deepEqual(
          wan.filter(clearBetween(a, b)).map((p) => `${p.src} > ${p.dst} proto ${p.protocol}`),
          [],
          `${s.wan}: ${a.router}/${b.router}`,
        );
    }

    // show ip traffic (reassembled, timeouts, couldn't reassemble, fragmented, couldn't fragment): the kernel
    // reassembles the big echo requests to the router and fragments its replies
    const before = frags(await lab.ios('spoke1', 'show ip traffic'));
    t.deepEqual(repliedSeqs(await lab.sh('h1', 'ping -c 2 -W 2 -s 3000 10.1.1.1')), [1, 2]);
    const mid = frags(await lab.ios('spoke1', 'show ip traffic'));
    t.deepEqual(
      mid.map((n, i) => n - before[i]!),
      [2, 0, 0, 2, 0],
      'two echo requests reassembled, two replies fragmented',
    );
    // full-size echoes to another site (DF clear): as 12.2 mainline does, the agent encrypts each request whole
    // and fragments the ESP packet (2 fragmented); spoke2 does the same with the replies, which spoke1 reassembles
    // before decrypting. Docker's DNS rules load conntrack in every container, and conntrack reassembles what the
    // router forwards and fragments it again on the way out (IOS would forward fragments as they are:
    // docs/architecture.md): the requests' ESP fragments the agent writes (2 reassembled, 2 fragmented toward
    // the WAN) and the replies' ESP fragments from the WAN (2 reassembled, 2 fragmented into the agent's
    // device, whose agent puts them together again: 2 reassembled)
    t.deepEqual(repliedSeqs(await lab.sh('h1', 'ping -c 2 -W 2 -s 1472 -M dont 10.2.2.10')), [1, 2]);
    const after = frags(await lab.ios('spoke1', 'show ip traffic'));
    t.deepEqual(
      after.map((n, i) => n - mid[i]!),
      [6, 0, 0, 6, 0],
      'agent: 2 fragmented, 2 reassembled; kernel: 4 reassembled, 4 fragmented',
    );

    // traffic to the router's own LAN address stayed on the LAN, in clear, and never made a probe
    for (const s of sites) {
      const lan = await lab.packets(`lan${s.n}`);
      t.true(
        lan.some((p) => p.src === s.hostIp && p.dst === s.gateway && p.icmp?.type === 8),
        `${s.host}'s echo requests to ${s.gateway} in clear on lan${s.n}`,
      );
      t.true(
        lan.some((p) => p.src === s.gateway && p.dst === s.hostIp && p.icmp?.type === 0),
        `${s.gateway}'s echo replies in clear on lan${s.n}`,
      );
      t.true(
        lan.some((p) => p.ethertype === 0x0806),
        `ARP on lan${s.n}`,
      );
      const wan = await lab.packets(s.wan);
      t.false(
        wan.some((p) => p.dst === s.gateway),
        `nothing for ${s.gateway} left by ${s.wan}`,
      );
    }
  }
  t.deepEqual(await leftovers(name), { containers: 0, networks: 0, rules: 0 });
});
