/**
 * `show ip traffic`: the kernel's /proc/net/snmp counters parsed, added to
 * the agent's, and printed as IOS 12.2's "Frags:" lines; without the
 * kernel's counters the output says the numbers are the agent's only.
 */
import test from 'ava';
import { ipTraffic, parseSnmpIp } from '../../../../src/agent/router/ip-traffic.js';
import { renderShowIpTraffic } from '../../../../src/ios/index.js';

const SNMP = `Ip: Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams InUnknownProtos InDiscards InDelivers OutRequests OutDiscards OutNoRoutes ReasmTimeout ReasmReqds ReasmOKs ReasmFails FragOKs FragFails FragCreates OutTransmits
Ip: 1 64 9203 0 0 0 0 0 9203 8149 0 0 2 9 3 5 4 1 8 8149
Icmp: InMsgs InErrors
Icmp: 0 0
`;

const agent = {
  reassembly: { fragments: 12, reassembled: 5, timeouts: 1, failed: 2 },
  counters: {
    noSaDrops: 0,
    unknownSpi: 0,
    wrongEncapsulation: 0,
    proxyViolations: 0,
    clearTextDrops: 0,
    forwarded: 0,
    malformed: 0,
    fragNeeded: 6,
    fragmented: 7,
    mssAdjusted: 0,
  },
};

test('the Ip: line of /proc/net/snmp, by name', (t) => {
  t.deepEqual(parseSnmpIp(SNMP), { ReasmTimeout: 2, ReasmOKs: 3, ReasmFails: 5, FragOKs: 4, FragFails: 1 });
  t.is(parseSnmpIp(''), null);
  t.is(parseSnmpIp('Ip: Forwarding ReasmOKs\nIp: 1 2\n'), null, 'a missing counter');
  t.is(parseSnmpIp(SNMP.replace(' 2 9 3 ', ' x 9 3 ')), null, 'not a number');
});

test('agent and kernel added up in the Frags lines (Linux counts a timeout as a failure too)', (t) => {
  t.is(
    renderShowIpTraffic(ipTraffic(agent, parseSnmpIp(SNMP))),
    ['IP statistics:', "  Frags: 8 reassembled, 3 timeouts, 5 couldn't reassemble", "         11 fragmented, 7 couldn't fragment", ''].join('\n'),
  );
});

test("without the kernel counters: the agent's, and a note that says so", (t) => {
  const out = renderShowIpTraffic(ipTraffic(agent, null, '/proc/net/snmp: ENOENT'));
  t.regex(out, /^ {2}Frags: 5 reassembled, 1 timeouts, 2 couldn't reassemble$/m);
  t.regex(out, /^% testbed: \/proc\/net\/snmp: ENOENT; these are the agent's counters only$/m);
});
