/**
 * A NAT between the routers (a `nat` node masquerading Daphne's WAN,
 * 10.10.10.0/24, to 11.11.11.1). With a static peer, NAT-T carries the
 * tunnel: NAT-D finds the NAT, IKE moves to UDP 4500, ESP crosses in UDP
 * 4500 and never as IP protocol 50. With TED it fails, as the seed warns:
 * the probe reaches fred with the NAT's address as its source, which fred
 * does not protect, so nobody answers and Daphne gives up.
 */
import test from 'ava';
import { decodeTed } from '../../src/codecs/ted/index.js';
import { analyzePcap, Lab, loadTopology, RealLabDriver } from '../../src/orchestrator/index.js';
import { labName, leftovers, root } from './helpers.js';
import { consoleShows, eventually, routerCounters } from './strongswan.js';
import { isClearText, repliedSeqs } from './tunnel.js';

const NAT_PUBLIC = '11.11.11.1';
const FRED = '11.11.11.2';
const DAPHNE_INSIDE = '10.10.10.1';

test('static peer through the NAT: NAT-T finds it, IKE and ESP cross in UDP 4500, keepalives hold the mapping', async (t) => {
  const name = labName('nat-static');
  {
    await using lab = await Lab.up(`${root}topologies/nat-static-peer.yaml`, { name, capture: true });
    for (const r of ['daphne', 'fred']) await lab.ios(r, 'debug crypto isakmp', 'debug crypto ipsec');
    await lab.exec('d1', 'ping -c 1 -W 3 12.12.12.13'); // triggers IKE; dropped, as IOS does
    t.truthy(await eventually(async () => (/QM_IDLE/.test(await lab.ios('fred', 'show crypto isakmp sa')) ? true : undefined), 20_000), 'phase 1 is up');
    const ping = await lab.sh('d1', 'ping -c 5 -W 5 12.12.12.13');
    t.deepEqual(repliedSeqs(ping), [1, 2, 3, 4, 5], ping);

    const daphneLog = await lab.console('daphne');
    t.regex(daphneLog, /vendor ID is NAT-T RFC 3947/);
    t.regex(daphneLog, /My hash no match - this node inside NAT/);
    t.regex(daphneLog, /ISAKMP: local port 4500, remote port 4500/);
    t.regex(await lab.console('fred'), /His hash no match - this node outside NAT/);
    // fred knows Daphne only by the NAT's address
    t.regex(await lab.ios('fred', 'show crypto isakmp sa'), /^11\.11\.11\.2\s+11\.11\.11\.1\s+QM_IDLE/m);
    const d = await routerCounters(lab, 'daphne');
    const f = await routerCounters(lab, 'fred');
    t.regex(d.text, /current_peer 11\.11\.11\.2 port 4500\n/);
    t.regex(d.text, /local crypto endpt\.: 10\.10\.10\.1, remote crypto endpt\.: 11\.11\.11\.2/);
    t.regex(f.text, /current_peer 11\.11\.11\.1 port 4500\n/);
    for (const text of [d.text, f.text]) t.is(text.match(/in use settings =\{Tunnel UDP-Encaps, \}/g)?.length, 2);
    t.is(d.encaps, 5);
    t.is(d.encaps, f.decaps);
    t.is(f.encaps, d.decaps);

    // keepalives (crypto isakmp nat keepalive 10): one 0xFF byte in UDP 4500 through the NAT
    const keepalive = await eventually(
      async () => (await lab.packets('wan')).find((p) => p.src === NAT_PUBLIC && p.dport === 4500 && p.payload?.length === 1 && p.payload[0] === 0xff),
      25_000,
    );
    t.truthy(keepalive, 'a NAT keepalive crossed the NAT');

    const wan = await lab.packets('wan');
    t.is(wan.filter((p) => p.protocol === 50).length, 0, 'no IP protocol 50 across the NAT');
    const esp = wan.filter((p) => p.esp !== null);
    t.is(esp.length, 10, 'five requests and five replies as ESP');
    t.true(
      esp.every((p) => p.protocol === 17 && p.sport === 4500 && p.dport === 4500),
      'ESP in UDP 4500',
    );
    t.true(
      esp.filter((p) => p.dst === FRED).every((p) => p.src === NAT_PUBLIC),
      'translated to the NAT address',
    );
    t.deepEqual(wan.filter((p) => p.src === DAPHNE_INSIDE || p.dst === DAPHNE_INSIDE).length, 0, 'the inside address never shows outside');
    // each message once (a retransmission on a busy machine repeats one byte for byte)
    const mm = [...new Map(wan.filter((p) => p.isakmp?.exchangeType === 2).map((p) => [p.payload!.toString('hex'), p])).values()];
    t.is(mm.length, 6);
    t.deepEqual(
      mm.map((p) => p.dport === 4500 || p.sport === 4500),
      [false, false, false, false, true, true],
      'Main Mode moves to 4500 at message 5',
    );
    t.deepEqual(wan.filter(isClearText).length, 0, 'no clear text between the LANs');
    const inside = await lab.packets('inside');
    t.true(
      inside.some((p) => p.esp !== null && p.src === DAPHNE_INSIDE && p.dport === 4500),
      'inside, Daphne sends ESP in UDP 4500 from its own address',
    );

    const files = await lab.writeKeyTables();
    const analysis = await analyzePcap(lab.pcapPath('wan'), ['ip.src', 'ip.dst', 'esp.spi', 'icmp.type'], { configDir: files.configDir, profile: 'testbed' });
    const requests = analysis.packets.filter((p) => (p.fields['esp.spi'] ?? []).length > 0 && p.fields['icmp.type']?.[0] === '8');
    t.deepEqual(
      requests.map((p) => `${p.fields['ip.src']![1]}>${p.fields['ip.dst']![1]}`),
      Array(5).fill('13.13.13.4>12.12.12.13'),
      'tshark decrypts the ESP in UDP with the written key tables',
    );

    // the NAT's outside link cut and restored: it comes back as a new device, and the NAT must
    // masquerade and forward on that one (its rules name devices), or nothing crosses any more
    const driver = new RealLabDriver(lab, await loadTopology(`${root}topologies/nat-static-peer.yaml`));
    await driver.cut('wan', ['nat']);
    await driver.restore('wan', ['nat']);
    t.regex(await consoleShows(lab, 'nat', /eth1 restored/, 10_000), /eth1 restored\n/, 'the NAT took eth1 over again, without a problem');
    const after = await eventually(async () => {
      const out = (await lab.exec('d1', 'ping -c 2 -W 2 12.12.12.13')).stdout;
      return repliedSeqs(out).length === 2 ? out : undefined;
    }, 30_000);
    t.truthy(after, 'the tunnel carries pings again through the restored NAT');
  }
  t.deepEqual(await leftovers(name), { containers: 0, networks: 0, rules: 0 });
});

test('TED through the NAT fails, as the seed says: the probe arrives from the NAT address, nobody answers, Daphne gives up', async (t) => {
  const name = labName('nat-ted');
  {
    await using lab = await Lab.up(`${root}topologies/ted-behind-nat.yaml`, { name, capture: true });
    for (const r of ['daphne', 'fred']) await lab.ios(r, 'debug crypto isakmp', 'debug crypto ipsec');
    const ping = await lab.exec('d1', 'ping -c 5 -W 2 12.12.12.13');
    t.regex(ping.stdout, /5 packets transmitted, 0 received/, ping.stdout);

    // the probe's retransmissions run out (5 of them, 10 s apart)
    const log = await consoleShows(lab, 'daphne', /death by retransmission P1 sa" state \(I\) PEER_DISCOVERY/, 90_000);
    t.regex(log, /beginning peer discovery exchange/);
    t.regex(log, /sending packet to 12\.12\.12\.13 \(I\) PEER_DISCOVERY via FastEthernet0\/0:10\.10\.10\.254/);
    t.regex(log, /retransmitting phase 1 PEER_DISCOVERY/);
    t.regex(
      log,
      /deleting SA reason "death by retransmission P1 sa" state \(I\) PEER_DISCOVERY \(peer 12\.12\.12\.13\) input queue 0/,
      'the diagnostic: the probe was never answered',
    );
    t.regex(
      log,
      /%CRYPTO-4-RECVD_PKT_NOT_IPSEC: Rec'd packet not an IPSEC packet\. \(ip\) vrf\/dest_addr= \(none\)\/13\.13\.13\.4, src_addr= 12\.12\.12\.13, prot= 1/,
      "a1's port-unreachable for the probe came back in clear",
    );
    t.notRegex(log, /received response to my peer discovery probe!/);
    t.notRegex(log, /Main Mode|MM_NO_STATE/);
    t.notRegex(await lab.console('fred'), /responding to peer discovery probe!/, 'fred did not recognise the probe as its business');
    for (const r of ['daphne', 'fred']) t.notRegex(await lab.ios(r, 'show crypto isakmp sa'), /\d+\.\d+\.\d+\.\d+/, `${r} has no ISAKMP SA`);

    const wan = await lab.packets('wan');
    const probes = wan.filter((p) => p.isakmp?.exchangeType === 240 && p.dst === '12.12.12.13');
    t.true(probes.length >= 2, `the probe and its retransmissions crossed the NAT (${probes.length})`);
    t.true(
      probes.every((p) => p.src === NAT_PUBLIC),
      'with the NAT address as their source, not 13.13.13.4',
    );
    const ted = decodeTed(probes[0]!.payload!);
    t.is(ted.kind, 'probe');
    t.is(ted.ikeAddress, DAPHNE_INSIDE, 'naming an IKE address nobody outside can reach');
    t.is(wan.filter((p) => p.isakmp?.exchangeType === 240 && p.src === FRED).length, 0, 'no TED reply');
    t.is(wan.filter((p) => p.isakmp && p.isakmp.exchangeType !== 240).length, 0, 'no IKE at all');
    t.is(wan.filter((p) => p.esp !== null || p.protocol === 50).length, 0, 'no ESP');
    t.true(
      wan.some((p) => p.src === '12.12.12.13' && p.dst === NAT_PUBLIC && p.icmp?.type === 3),
      'fred forwarded the probe to a1, which answered port unreachable',
    );
  }
  t.deepEqual(await leftovers(name), { containers: 0, networks: 0, rules: 0 });
});
