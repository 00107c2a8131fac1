/**
 * Wireshark agrees with our GRE: what the in-memory gre-ipsec lab puts on its
 * WAN, written to a pcap and read by tshark. Plain GRE with a key and a
 * checksum dissects to the hosts' ICMP with the key and a good checksum; a
 * keepalive is GRE in GRE with protocol type 0 inside; GRE over IPsec, with
 * the SA's keys, decrypts to GRE, and a full-size packet's ESP, fragmented
 * after encryption, is reassembled and decrypted whole.
 */
import test from 'ava';
import { encodeIcmpEcho, encodeIpv4, ICMP_ECHO_REQUEST, IPPROTO_ICMP, parseIpv4 } from '../../../../src/codecs/net/index.js';
import { analyzePcap, type TsharkPacket } from '../../../../src/orchestrator/capture/tshark.js';
import type { EspSaKeyEntry } from '../../../../src/orchestrator/capture/wireshark.js';
import { frameOf, summarize, tempDir, writePcap } from '../../orchestrator/capture/helpers.js';
import { GreLab, labConfig } from './gre-lab.js';

const FIELDS = ['frame.protocols', 'ip.src', 'ip.dst', 'ip.len', 'ip.flags.mf', 'gre.proto', 'gre.key', 'gre.checksum.status', 'esp.icv_good', 'icmp.seq'];
/** Wireshark's checksum status values: 0 bad, 1 good, 2 unverified. */
const CHECKSUM_GOOD = '1';
const f = (p: TsharkPacket, name: string): string[] => [...(p.fields[name] ?? [])];

function echo(seq: number, size = 56): Buffer {
  const icmp = encodeIcmpEcho({ type: ICMP_ECHO_REQUEST, identifier: 9, sequence: seq, data: Buffer.alloc(size, seq) });
  return encodeIpv4({ protocol: IPPROTO_ICMP, source: parseIpv4('10.1.1.10'), destination: parseIpv4('10.2.2.10'), ttl: 64 }, icmp);
}

async function read(name: string, packets: Buffer[], esp: EspSaKeyEntry[] = []) {
  await using dir = await tempDir();
  const pcap = await writePcap(dir, `${name}.pcap`, packets.map(frameOf));
  return await analyzePcap(pcap, FIELDS, { keys: { esp } });
}

test('plain GRE with key and checksum, and a keepalive: tshark reads the key, a good checksum, the ICMP inside, GRE in GRE', async (t) => {
  const texts = [labConfig('hq'), labConfig('branch')].map((c) =>
    c.replace(/^ crypto map gre-map\n/gm, '').replace(' tunnel source Loopback0', ' tunnel key 1000\n tunnel checksum\n tunnel source Loopback0'),
  ) as [string, string];
  const lab = new GreLab(texts);
  lab.send(0, echo(1));
  lab.tick(0);
  const a = await read('gre', lab.wan);
  t.deepEqual(a.malformed, []);
  t.deepEqual(
    a.expert.filter((e) => e.severity !== 'chat'),
    [],
    summarize(a.packets),
  );
  const [data, ...keepalives] = a.packets;
  t.deepEqual(
    [f(data!, 'frame.protocols'), f(data!, 'ip.src'), f(data!, 'gre.proto'), f(data!, 'gre.key'), f(data!, 'gre.checksum.status'), f(data!, 'icmp.seq')],
    [['eth:ethertype:ip:gre:ip:icmp:data'], ['10.0.0.1', '10.1.1.10'], ['0x0800'], ['0x000003e8'], [CHECKSUM_GOOD], ['1']],
    summarize([data!]),
  );
  t.true(keepalives.length >= 2, 'keepalives from both ends and their answers');
  const k = keepalives.find((p) => f(p, 'frame.protocols')[0] === 'eth:ethertype:ip:gre:ip:gre')!;
  t.truthy(k, summarize(keepalives));
  t.deepEqual(
    [f(k, 'ip.src'), f(k, 'ip.dst'), f(k, 'gre.proto'), f(k, 'gre.key')],
    [
      ['10.0.0.1', '10.0.0.2'],
      ['10.0.0.2', '10.0.0.1'],
      ['0x0800', '0x0000'],
      ['0x000003e8', '0x000003e8'],
    ],
  );
});

test("GRE over IPsec with the SA's keys: ESP decrypts to GRE between the loopbacks; a full-size packet's ESP fragments reassemble and decrypt whole", async (t) => {
  const lab = new GreLab();
  lab.send(0, echo(1));
  lab.wan.length = 0;
  lab.send(0, echo(2));
  lab.send(0, echo(3, 1476 - 28));
  const s = lab.routers[0]!.dp.saPairs[0]!.spec;
  const sa: EspSaKeyEntry = {
    source: s.local.ip,
    destination: s.remote.ip,
    spi: s.outbound.spi,
    cipher: s.cipher,
    integrity: s.integrity,
    encryptionKey: s.outbound.encryptionKey,
    authenticationKey: s.outbound.authenticationKey,
  };
  const a = await read('gre-esp', lab.wan, [sa]);
  t.deepEqual(a.malformed, []);
  t.deepEqual(
    a.packets.map((p) => f(p, 'frame.protocols')[0]),
    ['eth:ethertype:ip:esp:ip:gre:ip:icmp:data', 'eth:ethertype:ip:data', 'eth:ethertype:ip:esp:ip:gre:ip:icmp:data'],
  );
  t.deepEqual(f(a.packets[1]!, 'ip.flags.mf'), ['1'], 'the first fragment');
  const last = a.packets[2]!;
  t.deepEqual([f(last, 'ip.len').slice(1), f(last, 'esp.icv_good'), f(last, 'ip.src')], [['1500', '1476'], ['1'], ['10.0.0.1', '10.0.0.1', '10.1.1.10']]);
});
