/** Checks shared by the tunnel tests: what the seed scenario must show on the wire and at the console. */
import type { ExecutionContext } from 'ava';
import type { CapturedPacket, Lab } from '../../src/orchestrator/index.js';
import { inPrefix, parseIpv4 } from '../../src/codecs/net/address.js';

export const D_LAN = '13.13.13.0/24';
export const F_LAN = '12.12.12.0/24';

export function inNet(ip: string | null, cidr: string): boolean {
  if (!ip) return false;
  const [net, len] = cidr.split('/');
  return inPrefix(parseIpv4(ip), parseIpv4(net!), Number(len));
}

/** Sequence numbers of the echo replies a Linux ping printed. */
export function repliedSeqs(pingOutput: string): number[] {
  return [...pingOutput.matchAll(/icmp_seq=(\d+) ttl=\d+ time=/g)].map((m) => Number(m[1]));
}

/**
 * The first pings towards a LAN behind a tunnel that does not exist yet. The
 * packet that triggers TED (or IKE) is dropped, as IOS drops it; once the SAs
 * are installed nothing more is lost. How many echoes the setup costs depends
 * on how busy the machine is (a loaded CI runner may lose the second one
 * too), so this asserts the shape, not a count: the first is lost, then the
 * replies run without a gap to the last. On failure the message carries both
 * routers' console tails, so a CI log says why.
 */
export async function firstPings(t: ExecutionContext, lab: Lab, from: string, target: string, routers: string[], count = 5): Promise<number[]> {
  const run = await lab.exec(from, `ping -c ${count} -W 2 ${target}`);
  const seqs = repliedSeqs(run.stdout);
  const tail = seqs.length > 0 ? Array.from({ length: count - seqs[0]! + 1 }, (_, i) => seqs[0]! + i) : [];
  const ok = seqs.length > 0 && seqs[0]! > 1 && seqs.length === tail.length && seqs.every((s, i) => s === tail[i]);
  if (!ok) {
    const consoles = await Promise.all(
      routers.map(async (r) => `--- ${r} (last 60 console lines)\n${(await lab.console(r)).split('\n').slice(-60).join('\n')}`),
    );
    t.fail(
      `the first echo must be lost and every echo after the first reply must come back; replies: [${seqs.join(', ')}]\n${run.stdout}\n${consoles.join('\n')}`,
    );
  } else {
    if (seqs[0]! > 2)
      t.log(
        `tunnel setup cost ${seqs[0]! - 1} echoes (1 on an idle machine): ${run.stdout
          .split('\n')
          .filter((l) => /statistics|transmitted/.test(l))
          .join(' ')}`,
      );
    t.pass();
  }
  return seqs;
}

export const isProbe = (p: CapturedPacket, fromLan: string, to: string) =>
  p.isakmp?.exchangeType === 240 && p.dport === 500 && inNet(p.src, fromLan) && p.dst === to;

/** A packet between the two LANs that is not a TED probe: it should never cross the WAN. */
export const isClearText = (p: CapturedPacket) =>
  ((inNet(p.src, D_LAN) && inNet(p.dst, F_LAN)) || (inNet(p.src, F_LAN) && inNet(p.dst, D_LAN))) && p.isakmp?.exchangeType !== 240;

export interface FlowExpectation {
  /** The router that sends the probe and starts IKE. */
  initiator: { ike: string; lan: string };
  responder: { ike: string };
  /** Host whose packet triggered the probe, and the probe's destination. */
  target: string;
  phase1: 'main' | 'aggressive';
}

/**
 * The WAN capture in order: TED probe, TED reply, phase 1, three Quick Mode
 * messages, then ESP only, and not one clear-text packet between the LANs.
 */
export function assertWanSequence(t: ExecutionContext, wan: CapturedPacket[], e: FlowExpectation): void {
  const probe = wan.findIndex((p) => isProbe(p, e.initiator.lan, e.target));
  t.true(probe >= 0, 'a TED probe from the LAN toward the target crossed the WAN');
  const reply = wan.findIndex((p, i) => i > probe && p.isakmp?.exchangeType === 240 && p.src === e.responder.ike && p.dst === e.initiator.ike);
  t.true(reply > probe, 'the TED reply came from the responder to the initiator, after the probe');
  const between = (p: CapturedPacket) => (p.src === e.initiator.ike && p.dst === e.responder.ike) || (p.src === e.responder.ike && p.dst === e.initiator.ike);
  const phase1Type = e.phase1 === 'main' ? 2 : 4;
  const p1 = wan.map((p, i) => [p, i] as const).filter(([p]) => p.isakmp?.exchangeType === phase1Type && between(p));
  t.is(p1.length, e.phase1 === 'main' ? 6 : 3, `${e.phase1} mode messages`);
  t.true(
    p1.every(([, i]) => i > reply),
    'phase 1 after the TED reply',
  );
  t.is(p1[0]![0].src, e.initiator.ike, 'the initiator opens phase 1');
  const qm = wan.map((p, i) => [p, i] as const).filter(([p]) => p.isakmp?.exchangeType === 32 && between(p));
  t.is(qm.length, 3, 'three Quick Mode messages');
  const lastIke = Math.max(...qm.map(([, i]) => i));
  t.true(
    qm.every(([, i]) => i > p1[p1.length - 1]![1]),
    'Quick Mode after phase 1',
  );
  const esp = wan.map((p, i) => [p, i] as const).filter(([p]) => p.esp !== null);
  t.true(esp.length > 0, 'ESP crossed the WAN');
  t.true(
    esp.every(([p, i]) => i > lastIke && between(p)),
    'ESP only after Quick Mode, only between the two routers',
  );
  t.deepEqual(
    wan.filter(isClearText).map((p) => `${p.src} > ${p.dst} proto ${p.protocol}`),
    [],
    'no clear text between the LANs on the WAN',
  );
}

export interface IpsecShow {
  localIdent: string;
  remoteIdent: string;
  peer: string;
  encaps: number;
  decaps: number;
  inboundSpi: string;
  outboundSpi: string;
}

/** The fields of `show crypto ipsec sa` the tests compare (one flow). */
export function parseIpsecSa(text: string): IpsecShow {
  const get = (re: RegExp) => {
    const m = re.exec(text);
    if (!m) throw new Error(`show crypto ipsec sa: ${re} not found in:\n${text}`);
    return m[1]!;
  };
  return {
    localIdent: get(/local\s+ident \(addr\/mask\/prot\/port\): \((.*)\)/),
    remoteIdent: get(/remote ident \(addr\/mask\/prot\/port\): \((.*)\)/),
    peer: get(/current_peer: ([\d.]+)/),
    encaps: Number(get(/#pkts encaps: (\d+)/)),
    decaps: Number(get(/#pkts decaps: (\d+)/)),
    inboundSpi: get(/inbound esp sas:\n\s+spi: (0x[0-9A-F]+)/),
    outboundSpi: get(/outbound esp sas:\n\s+spi: (0x[0-9A-F]+)/),
  };
}

/**
 * Both routers agree: QM_IDLE between their IKE addresses, proxies mirrored,
 * SPIs crossed, counters matched. `a` initiated: as on IOS, both routers list
 * the ISAKMP SA with the responder as dst and the initiator as src.
 */
export async function assertRoutersAgree(
  t: ExecutionContext,
  lab: Lab,
  a: { node: string; ike: string; lan: string },
  b: { node: string; ike: string; lan: string },
): Promise<void> {
  const row = new RegExp(`^${b.ike.replace(/\./g, '\\.')}\\s+${a.ike.replace(/\./g, '\\.')}\\s+QM_IDLE\\s+\\d+\\s+0$`, 'm');
  for (const me of [a, b]) {
    const isakmp = await lab.ios(me.node, 'show crypto isakmp sa');
    t.regex(isakmp, row, `${me.node}: ${isakmp}`);
  }
  const sa = parseIpsecSa(await lab.ios(a.node, 'show crypto ipsec sa'));
  const sb = parseIpsecSa(await lab.ios(b.node, 'show crypto ipsec sa'));
  const ident = (cidr: string) => `${cidr.split('/')[0]}/255.255.255.0/0/0`;
  t.is(sa.localIdent, ident(a.lan));
  t.is(sa.remoteIdent, ident(b.lan));
  t.is(sb.localIdent, ident(b.lan));
  t.is(sb.remoteIdent, ident(a.lan));
  t.is(sa.peer, b.ike);
  t.is(sb.peer, a.ike);
  t.is(sa.outboundSpi, sb.inboundSpi, `${a.node}'s outbound SPI is ${b.node}'s inbound SPI`);
  t.is(sa.inboundSpi, sb.outboundSpi, `${a.node}'s inbound SPI is ${b.node}'s outbound SPI`);
  t.true(sa.encaps > 0);
  t.is(sa.encaps, sb.decaps, `${a.node} encaps = ${b.node} decaps`);
  t.is(sb.encaps, sa.decaps, `${b.node} encaps = ${a.node} decaps`);
}
