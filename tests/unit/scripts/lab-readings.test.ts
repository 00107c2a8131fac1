/**
 * What the lab benchmarks read from containers: ss's TCP info, the kernel's
 * /proc/net/snmp counters, `ip -o link` MTUs, swanctl's algorithm list (the
 * plugin charon uses is the first one listed) and charon's busiest threads.
 */
import test from 'ava';
import { counterDelta, counterSum, parseLinkMtus, parseSnmp, parseSsTcpInfo } from '../../../scripts/lib/lab-bench.js';
import { busiestThreads, parseListAlgs, pluginFor } from '../../../scripts/lib/strongswan-bench.js';

test('ss -ti: the segment size and the path MTU of the busiest connection, not rcvmss or advmss', (t) => {
  const ss =
    'State Recv-Q Send-Q Local Address:Port Peer Address:Port\n' +
    'ESTAB 0 0 13.13.13.4:43208 12.12.12.13:5201\n\t cubic wscale:7,7 rto:204 rtt:0.5/0.1 mss:1448 pmtu:1500 rcvmss:536 advmss:1448 cwnd:10 bytes_sent:160 bytes_acked:161\n' +
    'ESTAB 0 93440 13.13.13.4:43210 12.12.12.13:5201\n\t cubic wscale:7,7 rto:204 rtt:0.5/0.1 ato:40 mss:1348 pmtu:1400 rcvmss:536 advmss:1448 cwnd:10 bytes_sent:99123456 bytes_acked:98765432\n';
  t.deepEqual(parseSsTcpInfo(ss), { mss: 1348, pmtu: 1400 }, "the data connection, not iperf3's control connection");
  t.deepEqual(parseSsTcpInfo('State Recv-Q Send-Q\n'), { mss: null, pmtu: null }, 'no connection: nothing');
});

test('/proc/net/snmp: fragments made, reassembled, UDP receive-buffer drops; deltas', (t) => {
  const snmp = (frag: number, rcvbuf: number) =>
    'Ip: Forwarding DefaultTTL InReceives ReasmOKs ReasmFails FragOKs FragFails FragCreates\nIp: 1 64 100 7 0 3 0 ' +
    `${frag}\nIcmp: InMsgs OutDestUnreachs\nIcmp: 4 ${frag * 2}\nUdp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors\nUdp: 50 0 ${rcvbuf + 1} 40 ${rcvbuf} 0\n`;
  const a = parseSnmp(snmp(10, 5));
  t.deepEqual(a, { fragCreates: 10, reasmOKs: 7, udpRcvbufErrors: 5, udpInErrors: 6, icmpOutDestUnreachs: 20, tunDropped: 0 });
  const b = parseSnmp(snmp(25, 105));
  t.deepEqual(counterDelta(a, b), { fragCreates: 15, reasmOKs: 0, udpRcvbufErrors: 100, udpInErrors: 100, icmpOutDestUnreachs: 30, tunDropped: 0 });
  t.deepEqual(counterSum([a, b]), { fragCreates: 35, reasmOKs: 14, udpRcvbufErrors: 110, udpInErrors: 112, icmpOutDestUnreachs: 70, tunDropped: 0 });
});

test('ip -o link: MTU per interface, without lo and without the peer suffix', (t) => {
  const text = [
    '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00',
    '3: ipsec0: <POINTOPOINT,MULTICAST,NOARP,UP,LOWER_UP> mtu 1400 qdisc fq_codel state UNKNOWN mode DEFAULT group default qlen 500\\    link/none ',
    '57: eth0@if58: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default \\    link/ether 02:42:c6:12:00:02',
  ].join('\n');
  t.deepEqual(parseLinkMtus(text), { ipsec0: 1400, eth0: 1500 });
});

test('swanctl --list-algs: the first plugin listed for an algorithm is the one charon uses', (t) => {
  const algs = parseListAlgs(
    'encryption:\n  AES_CBC[aesni]\n  AES_CBC[aes]\n  AES_CBC[openssl]\n  DES_CBC[openssl]\nintegrity:\n  HMAC_SHA1_96[openssl]\n  HMAC_SHA1_96[hmac]\nhasher:\n  HASH_SHA1[sha1]\n',
  );
  t.deepEqual(algs.encryption, ['AES_CBC[aesni]', 'AES_CBC[aes]', 'AES_CBC[openssl]', 'DES_CBC[openssl]']);
  t.is(pluginFor(algs, 'AES_CBC'), 'aesni');
  t.is(pluginFor(algs, 'DES_CBC'), 'openssl');
  t.is(pluginFor(algs, 'HMAC_SHA1_96'), 'openssl');
  t.is(pluginFor(algs, 'HMAC_MD5_96'), null);
});

test('busiest threads: CPU ticks over the run as shares of one core, highest first', (t) => {
  const before = new Map([
    [10, 100],
    [11, 50],
  ]);
  const after = new Map([
    [10, 1100],
    [11, 450],
    [12, 90],
  ]);
  t.deepEqual(busiestThreads(before, after, 20, 2), [0.5, 0.2]);
});
