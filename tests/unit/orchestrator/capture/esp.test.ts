/**
 * Wireshark agrees with our ESP: an ICMP echo 13.13.13.4 -> 12.12.12.13 is
 * encapsulated by EspOutboundSa into 11.11.11.1 -> 11.11.11.2, once as IP
 * protocol 50 and once in UDP 4500 (RFC 3948), for every cipher x integrity
 * pair the routers offer. With the esp_sa table tshark must give back the
 * very inner packet and call the ICV good; with a wrong key it must not.
 */
import test, { type ExecutionContext } from 'ava';
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { ESP_CIPHERS, ESP_INTEGRITY, EspOutboundSa, NAT_T_PORT, type EspCipherName, type EspIntegrityName } from '../../../../src/agent/esp/index.js';
import { encodeIcmpEcho, encodeIpv4, ICMP_ECHO_REQUEST, IPPROTO_ICMP, parseIpv4 } from '../../../../src/codecs/net/index.js';
import { analyzePcap, packetByNumber, type TsharkAnalysis, type TsharkPacket } from '../../../../src/orchestrator/capture/tshark.js';
import type { EspSaKeyEntry } from '../../../../src/orchestrator/capture/wireshark.js';
import { espPacket, frameOf, pickFields, summarize, tempDir, udpPacket, writePcap } from './helpers.js';

const CIPHERS: EspCipherName[] = ['des', '3des', 'aes128', 'aes256'];
const INTEGRITIES: EspIntegrityName[] = ['hmac-md5-96', 'hmac-sha1-96', 'hmac-sha256-128'];

const FIELDS = [
  'frame.protocols',
  'ip.src',
  'ip.dst',
  'udp.dstport',
  'esp.spi',
  'esp.sequence',
  'esp.iv',
  'esp.pad_len',
  'esp.protocol',
  'esp.icv_good',
  'esp.icv_bad',
  'esp.contained_data',
  'icmp.type',
  'icmp.ident',
  'icmp.seq',
  'data.data',
];

/** Deterministic key material per label (keys, not IVs: IVs come from the SA's source). */
function bytes(label: string, n: number): Buffer {
  const out: Buffer[] = [];
  for (let i = 0; out.length * 32 < n; i++) out.push(createHash('sha256').update(`${label}/${i}`).digest());
  return Buffer.concat(out).subarray(0, n);
}

interface Case {
  readonly cipher: EspCipherName;
  readonly integrity: EspIntegrityName;
  readonly sa: EspSaKeyEntry;
  /** The inner packet of the protocol-50 frame and of the UDP 4500 frame. */
  readonly inner: readonly [Buffer, Buffer];
  readonly data: readonly [Buffer, Buffer];
  /** Frame numbers: protocol 50, then UDP 4500. */
  readonly frames: readonly [number, number];
  /** Pad length our SA chose, per packet. */
  readonly padLength: readonly [number, number];
}

function echo(id: number, seq: number, data: Buffer): Buffer {
  const icmp = encodeIcmpEcho({ type: ICMP_ECHO_REQUEST, identifier: id, sequence: seq, data });
  return encodeIpv4({ protocol: IPPROTO_ICMP, source: parseIpv4('13.13.13.4'), destination: parseIpv4('12.12.12.13'), identification: 0x4000 + seq }, icmp);
}

function build(): { cases: Case[]; frames: Buffer[] } {
  const cases: Case[] = [];
  const frames: Buffer[] = [];
  let n = 0;
  for (const cipher of CIPHERS) {
    for (const integrity of INTEGRITIES) {
      const sa: EspSaKeyEntry = {
        source: '11.11.11.1',
        destination: '11.11.11.2',
        spi: 0x5000_0100 + n,
        cipher,
        integrity,
        encryptionKey: bytes(`enc ${cipher} ${integrity}`, ESP_CIPHERS[cipher].keySize),
        authenticationKey: bytes(`auth ${cipher} ${integrity}`, ESP_INTEGRITY[integrity].keySize),
      };
      const out = new EspOutboundSa({
        ...sa,
        cipher,
        integrity,
        encryptionKey: Buffer.from(sa.encryptionKey),
        authenticationKey: Buffer.from(sa.authenticationKey),
      });
      // Data sizes vary so the pad length differs between cases.
      const data: [Buffer, Buffer] = [bytes(`data ${n} a`, 24 + n), bytes(`data ${n} b`, 56 + 3 * n)];
      const inner: [Buffer, Buffer] = [echo(0x0c00 + n, 1, data[0]), echo(0x0c00 + n, 2, data[1])];
      const padLength = inner.map((p) => {
        const bs = ESP_CIPHERS[cipher].padBlock;
        return (bs - ((p.length + 2) % bs)) % bs;
      }) as [number, number];
      const iv = (k: number) => bytes(`iv ${n} ${k}`, ESP_CIPHERS[cipher].ivSize);
      const e1 = out.encapsulate(inner[0], iv(1));
      const e2 = out.encapsulate(inner[1], iv(2));
      if (!e1.ok || !e2.ok) throw new Error('ESP encapsulation failed');
      frames.push(frameOf(espPacket(sa.source, sa.destination, e1.packet)));
      frames.push(frameOf(udpPacket(sa.source, sa.destination, e2.packet, NAT_T_PORT, NAT_T_PORT)));
      cases.push({ cipher, integrity, sa, inner, data, frames: [frames.length - 1, frames.length], padLength });
      n++;
    }
  }
  return { cases, frames };
}

const { cases, frames } = build();

/** `mutate` changes the table handed to tshark (the negative controls). */
async function analyse(name: string, mutate: (sa: EspSaKeyEntry) => EspSaKeyEntry = (sa) => sa): Promise<TsharkAnalysis> {
  await using dir = await tempDir();
  const pcap = await writePcap(dir, `${name}.pcap`, frames);
  return await analyzePcap(pcap, FIELDS, { keys: { esp: cases.map((c) => mutate(c.sa)) } });
}

let good: Promise<TsharkAnalysis> | undefined;
const analyseGood = () => (good ??= analyse('esp-good'));

const hex = (b: Buffer): string => b.toString('hex');

function expectFields(t: ExecutionContext, packet: TsharkPacket, expected: Record<string, readonly string[]>): void {
  t.deepEqual(pickFields(packet, expected), expected, summarize([packet]));
}

test('ESP capture: tshark reports no expert info and no malformed packet', async (t) => {
  const a = await analyseGood();
  t.is(a.packets.length, frames.length);
  t.deepEqual(a.expert, [], summarize(a.packets));
  t.deepEqual(a.malformed, []);
});

for (const c of cases) {
  const label = `${c.cipher} + ${c.integrity}`;
  for (const [k, transport] of [
    [0, 'IP protocol 50'],
    [1, 'UDP 4500 (RFC 3948)'],
  ] as const) {
    test(`${label} over ${transport}: with the esp_sa table tshark decrypts the original inner echo and calls the ICV good`, async (t) => {
      const a = await analyseGood();
      const p = packetByNumber(a, c.frames[k]);
      expectFields(t, p, {
        'frame.protocols': [k === 0 ? 'eth:ethertype:ip:esp:ip:icmp:data' : 'eth:ethertype:ip:udp:udpencap:esp:ip:icmp:data'],
        'ip.src': ['11.11.11.1', '13.13.13.4'],
        'ip.dst': ['11.11.11.2', '12.12.12.13'],
        'udp.dstport': k === 0 ? [] : ['4500'],
        'esp.spi': [`0x${c.sa.spi.toString(16).padStart(8, '0')}`],
        'esp.sequence': [String(k + 1)],
        'esp.pad_len': [String(c.padLength[k])],
        'esp.protocol': ['0x04'],
        'esp.icv_good': ['1'],
        'esp.icv_bad': ['0'],
        // The whole inner packet, byte for byte.
        'esp.contained_data': [hex(c.inner[k])],
        'icmp.type': ['8'],
        'icmp.ident': [String(c.inner[k].readUInt16BE(24))],
        'icmp.seq': [String(k + 1)],
        'data.data': [hex(c.data[k])],
      });
    });
  }
}

test('negative control: a wrong authentication key in the table makes tshark call every ICV bad', async (t) => {
  const a = await analyse('esp-wrong-auth', (sa) => {
    const key = Buffer.from(sa.authenticationKey);
    key[0] ^= 0x01;
    return { ...sa, authenticationKey: key };
  });
  for (const c of cases) {
    for (const frame of c.frames) {
      expectFields(t, packetByNumber(a, frame), { 'esp.icv_good': ['0'], 'esp.icv_bad': ['1'] });
    }
  }
});

test('negative control: a wrong encryption key in the table hides the inner packet', async (t) => {
  const a = await analyse('esp-wrong-enc', (sa) => {
    const key = Buffer.from(sa.encryptionKey);
    key[0] ^= 0xf0; // flips more than the DES parity bit
    return { ...sa, encryptionKey: key };
  });
  for (const c of cases) {
    for (const [k, frame] of c.frames.entries()) {
      const p = packetByNumber(a, frame);
      t.false(p.fields['esp.contained_data']?.includes(hex(c.inner[k])) ?? false, summarize([p]));
      t.false(p.fields['ip.src']?.includes('13.13.13.4') ?? false, summarize([p]));
      t.deepEqual(p.fields['icmp.ident'] ?? [], [], summarize([p]));
    }
  }
});
