/**
 * Many peers per router (issue 9) in real Docker: three TED routers in a
 * line, west - middle - east (tests/fixtures/topologies/ted-line), middle with
 * crypto maps of its own on both links and an ACL that covers its LAN only.
 *
 * - A probe from west's host to east's crosses middle, which forwards it;
 *   east answers, and west and east talk ESP through middle. Middle's host
 *   reaches both sides, each SA from middle's address toward that peer.
 * - `clear crypto sa peer X` on middle touches only X; `clear crypto isakmp N`
 *   only conn-id N.
 * - For every pair of routers, both hosts start pinging each other at the
 *   same instant (a shell barrier on the shared clock): probes and IKE cross,
 *   traffic flows both ways and each flow ends with exactly one inbound and
 *   one outbound ESP SA on each side, the same SPIs crossed.
 */
import test, { type ExecutionContext } from 'ava';
import { Lab, parseCryptoMap, parseIpsecSa, parseIsakmpSa, type CapturedPacket, type ShowRecord } from '../../src/orchestrator/index.js';
import { labName, leftovers, root } from './helpers.js';
import { firstPings, inNet, repliedSeqs } from './tunnel.js';

const topology = `${root}tests/fixtures/topologies/ted-line.yaml`;

interface Site {
  router: string;
  host: string;
  hostIp: string;
  lan: string;
}
const W: Site = { router: 'west', host: 'w1', hostIp: '10.1.1.10', lan: '10.1.1.0/24' };
const M: Site = { router: 'middle', host: 'm1', hostIp: '10.2.2.10', lan: '10.2.2.0/24' };
const E: Site = { router: 'east', host: 'e1', hostIp: '10.3.3.10', lan: '10.3.3.0/24' };
const ROUTERS = [W.router, M.router, E.router];
/** The IKE address each router uses toward the other (west and east have one WAN address; middle one per link). */
const IKE: Record<string, Record<string, string>> = {
  west: { middle: '192.168.12.1', east: '192.168.12.1' },
  middle: { west: '192.168.12.2', east: '192.168.23.1' },
  east: { middle: '192.168.23.2', west: '192.168.23.2' },
};
/** A WAN link the traffic between two routers crosses. */
const LINK: Record<string, string> = { 'west/middle': 'wan-wm', 'middle/east': 'wan-me', 'west/east': 'wan-wm' };

const isProbe = (p: CapturedPacket, from: string, to: string) => p.isakmp?.exchangeType === 240 && p.dport === 500 && p.src === from && p.dst === to;
const esc = (s: string) => s.replace(/\./g, '\\.');

async function flows(lab: Lab, router: string, peer: string): Promise<ShowRecord[]> {
  return parseIpsecSa(await lab.ios(router, `show crypto ipsec sa peer ${peer}`)).filter((r) => r.peer === peer);
}

/** Every echo after the first reply came back (the first ones may be lost while TED and IKE run). */
function allAfterFirst(t: ExecutionContext, output: string, count: number, what: string): void {
  const seqs = repliedSeqs(output);
  const from = seqs[0] ?? count + 1;
  t.deepEqual(
    seqs,
    Array.from({ length: count - from + 1 }, (_, i) => from + i),
    `${what}: ${output}`,
  );
  t.true(seqs.length >= count - 3, `${what}: at most the first three echoes lost while the tunnel was set up`);
}

/**
 * Both hosts start pinging each other at the same instant on the clock the
 * containers share: bash sleeps to 100 ms before it, then spins on its
 * builtin clock (no process per turn, so the two leave the barrier within a
 * fraction of a millisecond on an idle machine, far less than a TED probe
 * and IKE take). Returns both outputs, the instant (ms) and how far apart
 * (µs) the two hosts left the barrier.
 */
async function together(lab: Lab, a: Site, b: Site, count: number): Promise<{ ab: string; ba: string; at: number; skew: number }> {
  const at = Date.now() + 2_000;
  const cmd = (to: string) =>
    `bash -c 'T=${at}000; until (( \${EPOCHREALTIME/./} >= T - 100000 )); do sleep 0.01; done; until (( \${EPOCHREALTIME/./} >= T )); do :; done; echo "left \${EPOCHREALTIME/./}"; exec ping -c ${count} -i 0.5 -W 2 ${to}'`;
  const [x, y] = await Promise.all([lab.exec(a.host, cmd(b.hostIp)), lab.exec(b.host, cmd(a.hostIp))]);
  const left = (out: string) => Number(/^left (\d+)$/m.exec(out)?.[1] ?? NaN);
  return { ab: x.stdout, ba: y.stdout, at, skew: Math.abs(left(x.stdout) - left(y.stdout)) };
}

/** Polls until `ok` holds for what `read` returns (at most `tries` seconds), then returns it. */
async function settled<T>(read: () => Promise<T>, ok: (v: T) => boolean, tries = 30): Promise<T> {
  let v = await read();
  for (let i = 0; i < tries && !ok(v); i++) {
    await new Promise((r) => setTimeout(r, 1_000));
    v = await read();
  }
  return v;
}

test('three TED routers in a line: probes cross a router with crypto maps of its own, clear touches only what it names, simultaneous starts leave the same SA pairs on both sides, each router sending on one its peer holds', async (t) => {
  const name = labName('ted-line');
  {
    await using lab = await Lab.up(topology, { name, capture: true });
    for (const r of ROUTERS) await lab.ios(r, 'debug crypto isakmp');

    // ------------------------------------------------ west's host to east's, across middle
    await firstPings(t, lab, W.host, E.hostIp, ROUTERS);
    t.deepEqual(repliedSeqs(await lab.sh(E.host, `ping -c 3 -W 2 ${W.hostIp}`)), [1, 2, 3], 'east back to west over the SAs west set up');
    const wm = await lab.packets('wan-wm');
    const me = await lab.packets('wan-me');
    t.true(
      wm.some((p) => isProbe(p, W.hostIp, E.hostIp)),
      'the probe left west',
    );
    t.true(
      me.some((p) => isProbe(p, W.hostIp, E.hostIp)),
      'middle forwarded it toward east',
    );
    t.true(
      wm.some((p) => p.isakmp?.exchangeType === 240 && p.src === IKE.east!.west && p.dst === IKE.west!.east),
      "east's reply crossed middle to west",
    );
    t.notRegex(await lab.console(M.router), /responding to peer discovery probe!/, 'middle did not answer it');
    t.regex(await lab.console(E.router), /responding to peer discovery probe!/);
    t.regex(await lab.console(W.router), new RegExp(`initiating IKE to ${esc(IKE.east!.west!)} in response to probe`));
    t.deepEqual(parseIsakmpSa(await lab.ios(M.router, 'show crypto isakmp sa')), [], 'middle has no SA of its own yet');
    for (const link of [wm, me]) {
      t.true(
        link.some((p) => p.esp !== null && p.src === IKE.west!.east && p.dst === IKE.east!.west),
        'ESP from west to east crossed both links',
      );
      t.deepEqual(
        link.filter((p) => inNet(p.src, W.lan) && inNet(p.dst, E.lan) && p.isakmp?.exchangeType !== 240).map((p) => `${p.src} > ${p.dst}`),
        [],
        'no clear text',
      );
    }

    // ------------------------------------------------ middle's host to both sides
    for (const s of [W, E]) {
      await firstPings(t, lab, M.host, s.hostIp, ROUTERS);
      t.deepEqual(repliedSeqs(await lab.sh(s.host, `ping -c 3 -W 2 ${M.hostIp}`)), [1, 2, 3], `${s.host} back to middle's host`);
    }
    const mRows = parseIsakmpSa(await lab.ios(M.router, 'show crypto isakmp sa'));
    t.deepEqual(
      mRows.map((r) => [r.dst, r.src, r.state]),
      [
        [IKE.west!.middle, IKE.middle!.west, 'QM_IDLE'],
        [IKE.east!.middle, IKE.middle!.east, 'QM_IDLE'],
      ],
      "middle's SAs, each from its address on the link toward the peer",
    );
    t.regex(await lab.ios(E.router, 'show crypto isakmp sa'), new RegExp(`^${esc(IKE.east!.middle!)}\\s+${esc(IKE.middle!.east!)}\\s+QM_IDLE`, 'm'));
    const map = parseCryptoMap(await lab.ios(M.router, 'show crypto map')).filter((r) => r.dynamic_from === 'ted-map/10');
    t.deepEqual(
      map.map((r) => [r.seq, r.peer, r.acl_lines]),
      [
        [11, IKE.west!.middle, [`permit ip 10.2.2.0 0.0.0.255 10.1.1.0 0.0.0.255`]],
        [12, IKE.east!.middle, [`permit ip 10.2.2.0 0.0.0.255 10.3.3.0 0.0.0.255`]],
      ],
      'tedtag 11 and 12, one per discovered peer',
    );

    // ------------------------------------------------ clear crypto sa peer X: only X
    const before = {
      middleToEast: await flows(lab, M.router, IKE.east!.middle!),
      westToEast: await flows(lab, W.router, IKE.east!.west!),
      eastToMiddle: await flows(lab, E.router, IKE.middle!.east!),
    };
    await lab.ios(M.router, `clear crypto sa peer ${IKE.west!.middle}`);
    const gone = await settled(
      () => flows(lab, W.router, IKE.middle!.west!),
      (f) => f.every((r) => (r.inbound_spis as number[]).length === 0),
    );
    t.true(
      gone.every((r) => (r.inbound_spis as number[]).length === 0),
      'west removed its SAs with middle (the Delete)',
    );
    t.true(
      (await flows(lab, M.router, IKE.west!.middle!)).every((r) => (r.inbound_spis as number[]).length === 0),
      'middle has none with west',
    );
    t.deepEqual(
      await flows(lab, M.router, IKE.east!.middle!).then((f) => f.map((r) => r.inbound_spis)),
      before.middleToEast.map((r) => r.inbound_spis),
      "middle's SAs with east stay",
    );
    t.deepEqual(
      await flows(lab, E.router, IKE.middle!.east!).then((f) => f.map((r) => r.inbound_spis)),
      before.eastToMiddle.map((r) => r.inbound_spis),
      "east's with middle too",
    );
    t.deepEqual(
      await flows(lab, W.router, IKE.east!.west!).then((f) => f.map((r) => r.inbound_spis)),
      before.westToEast.map((r) => r.inbound_spis),
      "west's with east too",
    );
    t.deepEqual(
      parseCryptoMap(await lab.ios(M.router, 'show crypto map'))
        .filter((r) => r.dynamic_from)
        .map((r) => [r.seq, r.peer]),
      [[12, IKE.east!.middle]],
      'the instance for west went with its SAs',
    );
    t.deepEqual(repliedSeqs(await lab.sh(M.host, `ping -c 3 -W 2 ${E.hostIp}`)), [1, 2, 3], 'middle to east still goes');
    await firstPings(t, lab, M.host, W.hostIp, ROUTERS);
    t.deepEqual(
      parseCryptoMap(await lab.ios(M.router, 'show crypto map'))
        .filter((r) => r.dynamic_from)
        .map((r) => [r.seq, r.peer]),
      [
        [11, IKE.west!.middle],
        [12, IKE.east!.middle],
      ],
      'number 11 taken again',
    );

    // ------------------------------------------------ clear crypto isakmp N: only N
    const rows = parseIsakmpSa(await lab.ios(M.router, 'show crypto isakmp sa'));
    const toEast = rows.find((r) => r.dst === IKE.east!.middle)!;
    await lab.ios(M.router, `clear crypto isakmp ${toEast.conn_id}`);
    const left = await settled(
      () => lab.ios(E.router, 'show crypto isakmp sa'),
      (s) => !new RegExp(esc(IKE.middle!.east!)).test(s),
    );
    t.notRegex(left, new RegExp(esc(IKE.middle!.east!)), 'east got the Delete for that ISAKMP SA');
    t.deepEqual(
      parseIsakmpSa(await lab.ios(M.router, 'show crypto isakmp sa')).map((r) => r.dst),
      [IKE.west!.middle],
      "middle's other ISAKMP SA stays",
    );
    t.deepEqual(repliedSeqs(await lab.sh(M.host, `ping -c 3 -W 2 ${E.hostIp}`)), [1, 2, 3], 'the IPsec SAs with east stay and carry traffic');

    // ------------------------------------------------ both hosts start at once, for every pair of routers
    for (const r of ROUTERS) await lab.ios(r, 'clear crypto sa', 'clear crypto isakmp');
    for (const r of ROUTERS)
      await settled(
        () => lab.ios(r, 'show crypto isakmp sa'),
        (s) => parseIsakmpSa(s).length === 0,
      );
    for (const [a, b] of [
      [W, M],
      [W, E],
      [M, E],
    ] as const) {
      const pair = `${a.router}/${b.router}`;
      const { ab, ba, at, skew } = await together(lab, a, b, 10);
      allAfterFirst(t, ab, 10, `${a.host} -> ${b.hostIp}`);
      allAfterFirst(t, ba, 10, `${b.host} -> ${a.hostIp}`);
      // what crossed the first link between the two since the instant
      const first = (await lab.packets(LINK[pair]!)).filter((p) => p.time * 1000 >= at - 50);
      t.true(
        first.some((p) => isProbe(p, a.hostIp, b.hostIp)) && first.some((p) => isProbe(p, b.hostIp, a.hostIp)),
        `${pair}: both routers probed (the hosts left the barrier ${skew} µs apart)`,
      );
      const ikeA = IKE[a.router]![b.router]!;
      const ikeB = IKE[b.router]![a.router]!;
      const between = (p: CapturedPacket) => (p.src === ikeA && p.dst === ikeB) || (p.src === ikeB && p.dst === ikeA);
      t.log(
        `${pair}: ${first.filter((p) => between(p) && p.isakmp?.exchangeType === 2).length} Main Mode and ${first.filter((p) => between(p) && p.isakmp?.exchangeType === 32).length} Quick Mode messages`,
      );
      // one pair, or two when the Quick Modes crossed (the redundant one decrypts until its lifetime ends):
      // the same pairs on both sides, crossed, and each router sends on a pair whose inbound SA its peer holds
      const agreed = ([f, g]: ShowRecord[][]) => {
        if (f!.length !== 1 || g!.length !== 1) return false;
        const [x, y] = [f![0]!, g![0]!];
        const same = (u: unknown, v: unknown) => JSON.stringify([...(u as number[])].sort()) === JSON.stringify([...(v as number[])].sort());
        return (
          same(x.inbound_spis, y.outbound_spis) &&
          same(x.outbound_spis, y.inbound_spis) &&
          (y.inbound_spis as number[]).includes(x.outbound_spi as number) &&
          (x.inbound_spis as number[]).includes(y.outbound_spi as number)
        );
      };
      const both = await settled(() => Promise.all([flows(lab, a.router, ikeB), flows(lab, b.router, ikeA)]), agreed);
      t.true(agreed(both), `${pair}: ${JSON.stringify(both.map((f) => f.map((r) => [r.inbound_spis, r.outbound_spis, r.outbound_spi])))}`);
      t.true((both[0]![0]!.inbound_spis as number[]).length <= 2, `${pair}: at most the two pairs negotiated at once`);
      const [again, back] = await Promise.all([lab.sh(a.host, `ping -c 3 -W 2 ${b.hostIp}`), lab.sh(b.host, `ping -c 3 -W 2 ${a.hostIp}`)]);
      t.deepEqual(
        [repliedSeqs(again), repliedSeqs(back)],
        [
          [1, 2, 3],
          [1, 2, 3],
        ],
        `${pair}: traffic both ways`,
      );
      const [ca, cb] = [(await flows(lab, a.router, ikeB))[0]!, (await flows(lab, b.router, ikeA))[0]!];
      t.true(
        (ca.encaps as number) > 0 && ca.encaps === cb.decaps && cb.encaps === ca.decaps,
        `${pair}: counters ${ca.encaps}/${cb.decaps}, ${cb.encaps}/${ca.decaps}`,
      );
    }
  }
  t.deepEqual(await leftovers(name), { containers: 0, networks: 0, rules: 0 });
});
