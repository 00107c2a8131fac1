/**
 * The seed scenario end to end, in real Docker with captures: TED finds the
 * peer, IKE builds the tunnel, traffic crosses as ESP, and the routers say
 * so the way the seed's 2600s did.
 */
import test from 'ava';
import { analyzePcap, Lab } from '../../src/orchestrator/index.js';
import { labName, leftovers, root, seedTopology } from './helpers.js';
import { assertRoutersAgree, assertWanSequence, D_LAN, F_LAN, firstPings, repliedSeqs } from './tunnel.js';

const daphne = { node: 'daphne', ike: '11.11.11.1', lan: D_LAN };
const fred = { node: 'fred', ike: '11.11.11.2', lan: F_LAN };

test('seed: the first ping triggers TED, IKE and ESP; the WAN carries probe, reply, Main Mode, Quick Mode, then ESP only', async (t) => {
  const name = labName('seed-ted');
  {
    await using lab = await Lab.up(seedTopology, { name, capture: true });
    await lab.ios('daphne', 'debug crypto isakmp', 'debug crypto ipsec', 'debug crypto engine');
    await lab.ios('fred', 'debug crypto isakmp', 'debug crypto ipsec');

    const first = await firstPings(t, lab, 'd1', '12.12.12.13', ['daphne', 'fred']);
    const echoes = first.length + 5;
    const second = await lab.sh('d1', 'ping -c 5 -W 2 12.12.12.13');
    t.deepEqual(repliedSeqs(second), [1, 2, 3, 4, 5], 'a second run loses nothing');
    t.regex(second, /ttl=62/, 'still two router hops');

    assertWanSequence(t, await lab.packets('wan'), {
      initiator: { ike: daphne.ike, lan: D_LAN },
      responder: { ike: fred.ike },
      target: '12.12.12.13',
      phase1: 'main',
    });
    await assertRoutersAgree(t, lab, daphne, fred);

    const map = await lab.ios('daphne', 'show crypto map');
    t.regex(map, /Crypto Map "tedtag" 10 ipsec-isakmp\n\s+Dynamic map template tag: ted-map\n\s+Discover enabled/);
    t.regex(map, /Crypto Map "tedtag" 11 ipsec-isakmp\n\s+Peer = 11\.11\.11\.2\n/);
    t.regex(map, /access-list permit ip 13\.13\.13\.0 0\.0\.0\.255 12\.12\.12\.0 0\.0\.0\.255/);
    t.regex(map, /dynamic \(created from dynamic map ted-map\/10\)/);
    t.regex(map, /Security association lifetime: 4608000 kilobytes\/3600 seconds/);
    t.regex(map, /Interfaces using crypto map tedtag:\n\s+FastEthernet0\/0/);

    const engine = await lab.ios('daphne', 'show crypto engine connections active');
    t.regex(engine, /^\s+2 <none>\s+<none>\s+set\s+HMAC_SHA\+DES_56_CB\s+0\s+0$/m);
    t.regex(
      engine,
      new RegExp(`^2000 FastEthernet0/0\\s+11\\.11\\.11\\.1\\s+set\\s+HMAC_MD5\\+DES_56_CB\\s+0\\s+${echoes}$`, 'm'),
      'the inbound SA decrypted every echo reply',
    );
    t.regex(
      engine,
      new RegExp(`^2001 FastEthernet0/0\\s+11\\.11\\.11\\.1\\s+set\\s+HMAC_MD5\\+DES_56_CB\\s+${echoes}\\s+0$`, 'm'),
      'the outbound SA encrypted every echo request',
    );

    // the console tells the story of the seed, in order
    const daphneLog = await lab.console('daphne');
    const order = [
      'IPSEC(tunnel discover request)',
      'GOT A PEER DISCOVERY MESSAGE FROM THE SA MANAGER!!!',
      'beginning peer discovery exchange',
      'sending packet to 12.12.12.13 (I) PEER_DISCOVERY',
      'received response to my peer discovery probe!',
      'initiating IKE to 11.11.11.2 in response to probe.',
      'sending packet to 11.11.11.2 (I) MM_NO_STATE',
      'sending packet to 11.11.11.2 (I) MM_SA_SETUP',
      'sending packet to 11.11.11.2 (I) MM_KEY_EXCH',
      'SA has been authenticated with 11.11.11.2',
      'beginning Quick Mode exchange',
      'Creating IPSec SAs',
      'IPSEC(create_sa): sa created',
    ];
    let at = 0;
    for (const line of order) {
      const i = daphneLog.indexOf(line, at);
      t.true(i >= 0, `Daphne's debug output has "${line}" after the previous line`);
      if (i >= 0) at = i;
    }
    t.regex(
      daphneLog,
      /^\*\w{3} [ \d]\d \d\d:\d\d:\d\d\.\d{3}: ISAKMP \(0:2\): sending packet to 11\.11\.11\.2 \(I\) MM_NO_STATE$/m,
      'service timestamps debug datetime msec',
    );
    const fredLog = await lab.console('fred');
    t.regex(fredLog, /responding to peer discovery probe!/);
    t.regex(fredLog, /peer can handle TED V3/);

    // Wireshark's view: with the key tables the routers report, ESP turns back into the pings
    const files = await lab.writeKeyTables();
    t.true(files.esp >= 2 && files.isakmp >= 1);
    t.deepEqual(files.unread, [], "both routers' key journals were read");
    const analysis = await analyzePcap(lab.pcapPath('wan'), ['ip.src', 'ip.dst', 'esp.spi', 'icmp.type'], { keys: await lab.keys() });
    const decrypted = analysis.packets.filter((p) => (p.fields['esp.spi'] ?? []).length > 0 && (p.fields['icmp.type'] ?? []).length > 0);
    const pairs = decrypted.map((p) => `${p.fields['ip.src']![1]}>${p.fields['ip.dst']![1]}:${p.fields['icmp.type']![0]}`);
    t.is(pairs.filter((x) => x === '13.13.13.4>12.12.12.13:8').length, echoes, 'every echo request that crossed is inside ESP');
    t.is(pairs.filter((x) => x === '12.12.12.13>13.13.13.4:0').length, echoes, 'every echo reply that crossed is inside ESP');
    t.deepEqual(analysis.malformed, [], 'no malformed packets');
  }
  t.deepEqual(await leftovers(name), { containers: 0, networks: 0, rules: 0 });
});

test('seed: fred can be the one that discovers (ping from 12.12.12.13 first)', async (t) => {
  await using lab = await Lab.up(seedTopology, { name: labName('seed-fred'), capture: true });
  await firstPings(t, lab, 'a1', '13.13.13.4', ['fred', 'daphne']);
  assertWanSequence(t, await lab.packets('wan'), {
    initiator: { ike: fred.ike, lan: F_LAN },
    responder: { ike: daphne.ike },
    target: '13.13.13.4',
    phase1: 'main',
  });
  await assertRoutersAgree(t, lab, fred, daphne);
  t.regex(await lab.ios('fred', 'show crypto map'), /Crypto Map "tedtag" 11 ipsec-isakmp\n\s+Peer = 11\.11\.11\.1\n/);
});

test('seed with Aggressive Mode: TED, then three Aggressive Mode messages and Quick Mode', async (t) => {
  await using lab = await Lab.up(`${root}tests/fixtures/topologies/ted-aggressive.yaml`, { name: labName('ted-am'), capture: true });
  await firstPings(t, lab, 'd1', '12.12.12.13', ['daphne', 'fred']);
  assertWanSequence(t, await lab.packets('wan'), {
    initiator: { ike: daphne.ike, lan: D_LAN },
    responder: { ike: fred.ike },
    target: '12.12.12.13',
    phase1: 'aggressive',
  });
  await assertRoutersAgree(t, lab, daphne, fred);
});

test('seed with AES, SHA-1, group 14 and PFS', async (t) => {
  await using lab = await Lab.up(`${root}tests/fixtures/topologies/ted-aes-pfs.yaml`, { name: labName('ted-aes'), capture: true });
  await firstPings(t, lab, 'd1', '12.12.12.13', ['daphne', 'fred']);
  assertWanSequence(t, await lab.packets('wan'), {
    initiator: { ike: daphne.ike, lan: D_LAN },
    responder: { ike: fred.ike },
    target: '12.12.12.13',
    phase1: 'main',
  });
  await assertRoutersAgree(t, lab, daphne, fred);
  const sa = await lab.ios('daphne', 'show crypto ipsec sa');
  t.regex(sa, /transform: esp-aes esp-sha-hmac ,/);
  t.regex(sa, /IV size: 16 bytes/);
  t.regex(await lab.ios('daphne', 'show crypto map'), /PFS \(Y\/N\): Y\n\s+DH group:\s+group14/);
  t.regex(await lab.ios('daphne', 'show crypto engine connections active'), /HMAC_SHA\+AES_128_CB/);
});

test('a rekey during a continuous ping loses no packet after the first', async (t) => {
  await using lab = await Lab.up(`${root}tests/fixtures/topologies/ted-rekey.yaml`, { name: labName('ted-rekey'), capture: true });
  await firstPings(t, lab, 'd1', '12.12.12.13', ['daphne', 'fred'], 4);
  const firstSpi = /outbound esp sas:\n\s+spi: (0x[0-9A-F]+)/.exec(await lab.ios('daphne', 'show crypto ipsec sa'))?.[1];
  t.truthy(firstSpi);
  // 1400-byte pings every 5 ms: about 560 KB/s each way, so the 2560 KB lifetime runs out several times
  const flood = await lab.sh('d1', 'ping -q -c 3000 -i 0.005 -s 1372 -W 2 12.12.12.13', 120_000);
  t.regex(flood, /3000 packets transmitted, 3000 received, 0% packet loss/, flood);
  const after = await lab.ios('daphne', 'show crypto ipsec sa');
  const nowSpi = /current outbound spi: ([0-9A-F]+)/.exec(after)?.[1];
  t.not(`0x${nowSpi}`, firstSpi, 'the SA pair was replaced');
  // each rekey is a new Quick Mode on the same ISAKMP SA
  const qm = (await lab.packets('wan')).filter((p) => p.isakmp?.exchangeType === 32);
  t.true(qm.length >= 6, `at least one rekey (Quick Mode messages: ${qm.length})`);
});

test('clear crypto sa and clear crypto isakmp tell the peer (Delete) and the next packets build new SAs; undebug all stops the debug output', async (t) => {
  await using lab = await Lab.up(seedTopology, { name: labName('seed-clear'), capture: true });
  await lab.ios('daphne', 'debug crypto isakmp');
  await lab.exec('d1', 'ping -c 2 -W 2 12.12.12.13');
  const before = parseIpsecSaOf(await lab.ios('fred', 'show crypto ipsec sa'));
  t.truthy(before, 'fred has an SA pair');

  await lab.ios('daphne', 'clear crypto sa');
  // fred learns it from Daphne's Delete notification
  t.is(parseIpsecSaOf(await lab.ios('fred', 'show crypto ipsec sa')), null, 'fred removed the pair Daphne deleted');
  t.regex(await lab.ios('fred', 'show crypto isakmp sa'), /QM_IDLE/, 'the ISAKMP SA stays');
  const informational = (await lab.packets('wan')).filter((p) => p.isakmp?.exchangeType === 5 && p.src === '11.11.11.1');
  t.true(informational.length >= 1, 'a Delete went out in an Informational exchange');

  const again = await lab.exec('d1', 'ping -c 3 -W 2 12.12.12.13');
  t.true(repliedSeqs(again.stdout).length >= 2, again.stdout);
  const after = parseIpsecSaOf(await lab.ios('fred', 'show crypto ipsec sa'));
  t.truthy(after);
  t.not(after, before, 'a new SA pair');

  await lab.ios('daphne', 'clear crypto isakmp');
  t.notRegex(await lab.ios('fred', 'show crypto isakmp sa'), /QM_IDLE/, 'the peer deleted the ISAKMP SA too');

  const debugOn = await lab.ios('daphne', 'show debug');
  t.regex(debugOn, /Crypto ISAKMP debugging is on/);
  t.regex(await lab.ios('daphne', 'undebug all'), /All possible debugging has been turned off/);
  t.notRegex(await lab.ios('daphne', 'show debug'), /debugging is on/);
  const lines = (await lab.console('daphne')).split('\n').length;
  await lab.ios('daphne', 'clear crypto sa');
  await lab.exec('d1', 'ping -c 2 -W 2 12.12.12.13');
  const newLines = (await lab.console('daphne'))
    .split('\n')
    .slice(lines - 1)
    .filter((l) => /ISAKMP|IPSEC/.test(l));
  t.deepEqual(newLines, [], 'no debug output after undebug all');
});

/** The inbound SPI of the first pair in `show crypto ipsec sa`, or null when there is none. */
function parseIpsecSaOf(text: string): string | null {
  return /inbound esp sas:\n\s+spi: (0x[0-9A-F]+)/.exec(text)?.[1] ?? null;
}
