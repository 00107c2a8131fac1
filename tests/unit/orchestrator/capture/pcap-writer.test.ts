/**
 * The classic pcap writer: exact header and record bytes, timestamps,
 * snapshot truncation, and two independent readers (pcap-parser, tshark)
 * agreeing with what was written, for Ethernet and raw-IPv4 link types.
 */
import test from 'ava';
import { Buffer } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { encodeIcmpEcho, encodeIpv4, ICMP_ECHO_REQUEST, IPPROTO_ICMP, parseIpv4 } from '../../../../src/codecs/net/index.js';
import {
  LinkType,
  PcapFormatError,
  decodePcap,
  encodePcap,
  encodePcapHeader,
  encodePcapRecord,
  ethernetFrame,
  macForIpv4,
  parseMac,
  splitTimestamp,
} from '../../../../src/orchestrator/capture/pcap-writer.js';
import { tsharkFields } from '../../../../src/orchestrator/capture/tshark.js';
import { tempDir } from './helpers.js';

const ping = (seq: number): Buffer =>
  encodeIpv4(
    { protocol: IPPROTO_ICMP, source: parseIpv4('13.13.13.4'), destination: parseIpv4('12.12.12.13') },
    encodeIcmpEcho({ type: ICMP_ECHO_REQUEST, identifier: 0x1234, sequence: seq, data: Buffer.alloc(32 + seq, seq) }),
  );

test('global header: magic a1b2c3d4 little-endian, version 2.4, zone 0, snaplen, link type', (t) => {
  t.is(encodePcapHeader({ linkType: LinkType.ETHERNET }).toString('hex'), 'd4c3b2a1' + '0200' + '0400' + '00000000' + '00000000' + 'ffff0000' + '01000000');
  t.is(encodePcapHeader({ linkType: LinkType.RAW_IP, snapLength: 1500 }).toString('hex'), 'd4c3b2a1020004000000000000000000dc050000' + '65000000');
  t.throws(() => encodePcapHeader({ linkType: LinkType.ETHERNET, snapLength: 0 }), { instanceOf: PcapFormatError });
});

test('record: seconds, microseconds, included and original length, then the bytes', (t) => {
  const frame = Buffer.from('0102030405', 'hex');
  t.is(encodePcapRecord({ time: 1_700_000_000.123456, frame }).toString('hex'), '00f15365' + '40e20100' + '05000000' + '05000000' + '0102030405');
  // Truncated to the snapshot length: incl_len 3, orig_len 5.
  t.is(encodePcapRecord({ time: 1, frame }, 3).toString('hex'), '01000000' + '00000000' + '03000000' + '05000000' + '010203');
});

test('timestamps round to the microsecond and carry into the next second', (t) => {
  t.deepEqual(splitTimestamp(12.5), { seconds: 12, microseconds: 500000 });
  t.deepEqual(splitTimestamp(1_700_000_000.000001), { seconds: 1_700_000_000, microseconds: 1 });
  t.deepEqual(splitTimestamp(3.9999996), { seconds: 4, microseconds: 0 });
  t.throws(() => splitTimestamp(-1), { instanceOf: PcapFormatError });
  t.throws(() => splitTimestamp(Number.NaN), { instanceOf: PcapFormatError });
  t.throws(() => splitTimestamp(2 ** 32), { instanceOf: PcapFormatError });
});

test('Ethernet helper: destination, source, ethertype 0x0800, payload', (t) => {
  const frame = ethernetFrame({ source: '02:00:0b:0b:0b:01', destination: macForIpv4('11.11.11.2') }, Buffer.from('4500', 'hex'));
  t.is(frame.toString('hex'), '02000b0b0b02' + '02000b0b0b01' + '0800' + '4500');
  t.is(
    ethernetFrame({ source: Buffer.alloc(6, 1), destination: Buffer.alloc(6, 2), etherType: 0x86dd }, Buffer.alloc(0)).toString('hex'),
    '020202020202010101010101' + '86dd',
  );
  t.deepEqual(parseMac('AA-bb-cc-00-11-22'), Buffer.from('aabbcc001122', 'hex'));
  t.throws(() => parseMac('aa:bb:cc:dd:ee'), { instanceOf: PcapFormatError });
  t.throws(() => ethernetFrame({ source: Buffer.alloc(5), destination: Buffer.alloc(6) }, Buffer.alloc(0)), { instanceOf: PcapFormatError });
  t.throws(() => ethernetFrame({ source: Buffer.alloc(6), destination: Buffer.alloc(6), etherType: 0x05dc }, Buffer.alloc(0)), { instanceOf: PcapFormatError });
  t.throws(() => macForIpv4('11.11.11'), { instanceOf: PcapFormatError });
});

test('decodePcap reads back what encodePcap wrote and rejects truncated files', (t) => {
  const records = [1, 2, 3].map((i) => ({ time: 100 + i / 4, frame: ping(i) }));
  const file = encodePcap(records, { linkType: LinkType.RAW_IP, snapLength: 60 });
  const back = decodePcap(file);
  t.is(back.linkType, 101);
  t.is(back.snapLength, 60);
  t.deepEqual(
    back.records.map((r) => [r.seconds, r.microseconds, r.originalLength, r.frame.length]),
    records.map((r, i) => [100, (i + 1) * 250000, r.frame.length, Math.min(60, r.frame.length)]),
  );
  t.deepEqual(back.records[0]!.frame, records[0]!.frame.subarray(0, 60));
  t.throws(() => decodePcap(file.subarray(0, file.length - 1)), { instanceOf: PcapFormatError });
  t.throws(() => decodePcap(Buffer.alloc(24)), { instanceOf: PcapFormatError, message: /magic/ });
});

interface ParsedPacket {
  header: { timestampSeconds: number; timestampMicroseconds: number; capturedLength: number; originalLength: number };
  data: Buffer;
}

test('pcap-parser (an independent reader) sees the same header and packets', async (t) => {
  const require = createRequire(import.meta.url);
  const pcapParser = require('pcap-parser') as { parse(input: NodeJS.ReadableStream): NodeJS.EventEmitter };
  const frames = [1, 2].map((i) => ethernetFrame({ source: macForIpv4('11.11.11.1'), destination: macForIpv4('11.11.11.2') }, ping(i)));
  await using dir = await tempDir();
  const path = dir.file('eth.pcap');
  await writeFile(
    path,
    encodePcap(
      frames.map((frame, i) => ({ time: 1_700_000_000 + i + 0.5, frame })),
      { linkType: LinkType.ETHERNET },
    ),
  );
  const { header, packets } = await new Promise<{ header: Record<string, number>; packets: ParsedPacket[] }>((resolve, reject) => {
    const parser = pcapParser.parse(createReadStream(path));
    let header: Record<string, number> = {};
    const packets: ParsedPacket[] = [];
    parser.on('globalHeader', (h: Record<string, number>) => (header = h));
    parser.on('packet', (p: ParsedPacket) => packets.push(p));
    parser.on('end', () => resolve({ header, packets }));
    parser.on('error', reject);
  });
  t.like(header, { majorVersion: 2, minorVersion: 4, gmtOffset: 0, snapshotLength: 65535, linkLayerType: 1 });
  t.deepEqual(
    packets.map((p) => [p.header.timestampSeconds, p.header.timestampMicroseconds, p.header.capturedLength, p.header.originalLength]),
    frames.map((f, i) => [1_700_000_000 + i, 500000, f.length, f.length]),
  );
  t.deepEqual(
    packets.map((p) => p.data),
    frames,
  );
});

test('tshark reads both link types with the exact times and the truncation', async (t) => {
  await using dir = await tempDir();
  const raw = dir.file('raw.pcap');
  const eth = dir.file('eth.pcap');
  const packets = [ping(1), ping(2)];
  await writeFile(
    raw,
    encodePcap(
      packets.map((frame, i) => ({ time: 1_700_000_000.000001 + i, frame })),
      { linkType: LinkType.RAW_IP },
    ),
  );
  await writeFile(
    eth,
    encodePcap(
      packets.map((p, i) => ({
        time: 1_700_000_000.25 + i,
        frame: ethernetFrame({ source: macForIpv4('11.11.11.1'), destination: macForIpv4('11.11.11.2') }, p),
      })),
      { linkType: LinkType.ETHERNET, snapLength: 40 },
    ),
  );
  const fields = ['frame.protocols', 'frame.time_epoch', 'frame.len', 'frame.cap_len', 'icmp.seq', 'eth.src', '_ws.malformed'];
  const r = await tsharkFields(raw, fields);
  t.deepEqual(
    r.map((p) => [p.fields['frame.protocols'], p.fields['frame.time_epoch'], p.fields['icmp.seq'], p.fields['_ws.malformed']]),
    [
      [['raw:ip:icmp:data'], ['1700000000.000001000'], ['1'], undefined],
      [['raw:ip:icmp:data'], ['1700000001.000001000'], ['2'], undefined],
    ],
  );
  const e = await tsharkFields(eth, fields);
  t.deepEqual(
    e.map((p) => [p.fields['frame.time_epoch'], p.fields['frame.len'], p.fields['frame.cap_len'], p.fields['eth.src']]),
    packets.map((p, i) => [[`${1_700_000_000 + i}.250000000`], [String(p.length + 14)], ['40'], ['02:00:0b:0b:0b:01']]),
  );
});
