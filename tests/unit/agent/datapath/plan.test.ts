/**
 * The steering plan with IOS semantics, table-driven: for each router
 * configuration, packets as the kernel sees them and what must become of
 * them (kernelVerdict evaluates the plan as Linux would), and the entry the
 * agent's exact check picks (crypto-policy.ts). Every case also checks that
 * the kernel rules are a superset of the exact decision.
 */
import test, { type ExecutionContext } from 'ava';
import { inboundEntry, outboundEntry } from '../../../../src/agent/datapath/crypto-policy.js';
import { ownAddresses, steeringPlan, TUN_IIF } from '../../../../src/agent/datapath/plan.js';
import { steeringCommands } from '../../../../src/agent/datapath/steering.js';
import { policyFromConfig } from '../../../../src/agent/ike/policy.js';
import { computeRoutes, lookupRoute, parseConfig, parseIpv4 } from '../../../../src/ios/index.js';
import { kernelVerdict, type SimPacket, type Verdict } from './kernel-sim.js';

const BASE = `hostname spoke1
crypto isakmp policy 10
 authentication pre-share
crypto isakmp key abc123 address 0.0.0.0 0.0.0.0
crypto ipsec transform-set ts esp-des esp-md5-hmac
`;

/** A TED spoke: WAN Fa0/0 with the map, LAN Fa0/1 10.1.1.1/24, default route to the WAN. */
function spoke(acl: string, extra = ''): string {
  return `${BASE}crypto dynamic-map ted-map 10
 set transform-set ts
 match address 110
crypto map tedtag 10 ipsec-isakmp dynamic ted-map discover
interface FastEthernet0/0
 ip address 192.168.1.2 255.255.255.252
 crypto map tedtag
interface FastEthernet0/1
 ip address 10.1.1.1 255.255.255.0
${extra}ip route 0.0.0.0 0.0.0.0 192.168.1.1
${acl}`;
}

const SUPERNET = 'access-list 110 permit ip 10.1.1.0 0.0.0.255 10.0.0.0 0.255.255.255\n';

interface Case {
  name: string;
  packet: SimPacket;
  kernel: Verdict;
  /** "map seq" (dynamic: "map seq dmap/dseq") of the entry the exact check picks, or null. */
  entry?: string | null;
}

const host = (dst: string, protocol = 1): SimPacket => ({ iif: 'FastEthernet0/1', source: '10.1.1.10', destination: dst, protocol });
const wan = (src: string, dst: string, protocol = 1, dport?: number): SimPacket => ({
  iif: 'FastEthernet0/0',
  source: src,
  destination: dst,
  protocol,
  ...(dport ? { dport } : {}),
});

function entryName(m: ReturnType<typeof outboundEntry>): string | null {
  if (!m) return null;
  const d = m.entry.ref.dynamic;
  return `${m.map.name} ${m.entry.ref.seq}${d ? ` ${d.map}/${d.seq}` : ''}`;
}

function check(title: string, configText: string, cases: Case[], more?: (t: ExecutionContext, commands: string[]) => void): void {
  test(title, (t) => {
    const { config, diagnostics } = parseConfig(configText);
    t.deepEqual(
      diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    const policy = policyFromConfig(config);
    const routes = computeRoutes(config);
    const links = config.interfaces.map((i) => i.name);
    const local = ownAddresses(config);
    const plan = steeringPlan({ policy, routes, links, own: local });
    for (const c of cases) {
      const verdict = kernelVerdict(plan, c.packet, { local, routes });
      t.is(verdict, c.kernel, `${c.name}: kernel`);
      const tuple = { protocol: c.packet.protocol, source: c.packet.source, destination: c.packet.destination };
      // the exact check: outbound by the interface the route leaves by; inbound clear text by the interface it came in by
      const out = lookupRoute(routes, c.packet.destination);
      const exactOut = out && !local.has(parseIpv4(c.packet.destination)) ? outboundEntry(policy, out.path.outInterface, tuple) : null;
      const exactIn = inboundEntry(policy, c.packet.iif, tuple);
      if (c.entry !== undefined) t.is(entryName(verdict === 'drop' ? exactIn : exactOut), c.entry, `${c.name}: entry`);
      // superset: what the exact check protects on its way out, the kernel hands to the agent (what comes in by the
      // WAN is judged inbound; what the agent writes back was judged already)
      if (exactOut && c.packet.iif !== 'FastEthernet0/0' && c.packet.iif !== TUN_IIF)
        t.is(verdict, 'agent', `${c.name}: the kernel hands the agent what a crypto map protects`);
    }
    more?.(t, steeringCommands(plan, { linux: new Map(links.map((l, i) => [l, `eth${i}`])), tun: 'ipsec0', dropTun: 'ipsecdrop0' }));
  });
}

check('a supernet crypto ACL with the LAN inside it: ARP and traffic to the router stay local, other sites go to the agent', spoke(SUPERNET), [
  { name: 'ARP check for the router (LAN)', packet: { iif: 'FastEthernet0/1', source: '10.1.1.10', destination: '10.1.1.1', protocol: 0 }, kernel: 'local' },
  { name: 'host pings its router', packet: host('10.1.1.1'), kernel: 'local', entry: null },
  { name: 'host pings another site', packet: host('10.2.2.10'), kernel: 'agent', entry: 'tedtag 10 ted-map/10' },
  { name: 'host reaches the Internet', packet: host('8.8.8.8'), kernel: 'main', entry: null },
  { name: 'the router answers its host', packet: { iif: 'lo', source: '10.1.1.1', destination: '10.1.1.10', protocol: 1 }, kernel: 'main', entry: null },
  {
    name: 'the router pings a site from its LAN address',
    packet: { iif: 'lo', source: '10.1.1.1', destination: '10.3.3.10', protocol: 1 },
    kernel: 'agent',
    entry: 'tedtag 10 ted-map/10',
  },
  { name: 'clear text from another site', packet: wan('10.2.2.10', '10.1.1.10'), kernel: 'drop', entry: 'tedtag 10 ted-map/10' },
  { name: 'clear text from another site to the router', packet: wan('10.2.2.10', '10.1.1.1'), kernel: 'local' },
  { name: 'ARP check on the WAN', packet: { iif: 'FastEthernet0/0', source: '192.168.1.1', destination: '192.168.1.2', protocol: 0 }, kernel: 'local' },
  { name: 'ESP for the router', packet: wan('192.168.9.2', '192.168.1.2', 50), kernel: 'agent' },
  { name: 'a TED probe crossing: a discover entry here may answer it', packet: wan('10.2.2.10', '10.1.1.10', 17, 500), kernel: 'agent' },
  { name: 'ESP crossing (to the LAN): forwarded by the kernel, no crypto map applies to it', packet: wan('192.168.9.2', '10.1.1.10', 50), kernel: 'main' },
  { name: 'NAT-T crossing', packet: wan('192.168.9.2', '10.1.1.10', 17, 4500), kernel: 'main' },
  { name: 'what the agent writes back', packet: { iif: TUN_IIF, source: '10.1.1.10', destination: '10.2.2.10', protocol: 1 }, kernel: 'main' },
]);

check(
  'deny lines in front exempt: in the kernel where certain, exactly in the agent',
  spoke(`access-list 110 deny ip 10.1.1.0 0.0.0.255 10.1.1.0 0.0.0.255
access-list 110 deny ip 10.1.1.0 0.0.0.255 10.9.0.0 0.0.255.255
access-list 110 deny tcp 10.1.1.0 0.0.0.255 10.2.2.0 0.0.0.255 eq www
${SUPERNET}`),
  [
    { name: 'ARP check for the router', packet: { iif: 'FastEthernet0/1', source: '10.1.1.10', destination: '10.1.1.1', protocol: 0 }, kernel: 'local' },
    { name: 'host pings its router', packet: host('10.1.1.1'), kernel: 'local', entry: null },
    { name: 'denied site', packet: host('10.9.1.1'), kernel: 'main', entry: null },
    { name: 'permitted site', packet: host('10.2.2.10'), kernel: 'agent', entry: 'tedtag 10 ted-map/10' },
    { name: 'web to a permitted site: the kernel cannot tell, the agent exempts it', packet: { ...host('10.2.2.10', 6) }, kernel: 'agent' },
    { name: 'clear text from the denied site', packet: wan('10.9.1.1', '10.1.1.10'), kernel: 'main', entry: null },
    { name: 'clear text from a permitted site', packet: wan('10.2.2.10', '10.1.1.10'), kernel: 'drop', entry: 'tedtag 10 ted-map/10' },
  ],
  (t, cmds) => {
    t.true(cmds.includes('rule add pref 200 from 10.1.1.0/24 to 10.9.0.0/16 lookup main'), cmds.join('\n'));
    t.true(cmds.includes('rule add pref 120 iif eth0 from 10.9.0.0/16 to 10.1.1.0/24 lookup main'), cmds.join('\n'));
    t.false(
      cmds.some((c) => /ipproto 6 lookup main/.test(c)),
      'a deny with ports is left to the agent',
    );
  },
);

check(
  'a route out of an interface without a crypto map is never diverted, even inside the ACL',
  spoke(SUPERNET, 'interface FastEthernet1/0\n ip address 10.50.0.1 255.255.255.0\nip route 10.60.0.0 255.255.0.0 10.50.0.2\n'),
  [
    { name: 'to the second LAN', packet: host('10.50.0.7'), kernel: 'main', entry: null },
    { name: 'to a network behind the second LAN', packet: host('10.60.1.1'), kernel: 'main', entry: null },
    { name: 'to a site across the WAN', packet: host('10.2.2.10'), kernel: 'agent', entry: 'tedtag 10 ted-map/10' },
  ],
);

check('a packet to one of the router\'s own addresses is delivered, even when the ACL is "any any"', spoke('access-list 110 permit ip any any\n'), [
  { name: 'to the LAN address', packet: host('10.1.1.1'), kernel: 'local', entry: null },
  { name: 'to the WAN address', packet: host('192.168.1.2'), kernel: 'local', entry: null },
  { name: 'ARP on the WAN', packet: { iif: 'FastEthernet0/0', source: '192.168.1.1', destination: '192.168.1.2', protocol: 0 }, kernel: 'local' },
  { name: 'to the Internet', packet: host('8.8.8.8'), kernel: 'agent', entry: 'tedtag 10 ted-map/10' },
]);

check(
  'two maps on two interfaces: each protects what leaves by its interface',
  `${BASE}crypto map mapa 10 ipsec-isakmp
 set peer 192.168.1.1
 set transform-set ts
 match address 101
crypto map mapb 10 ipsec-isakmp
 set peer 192.168.2.1
 set transform-set ts
 match address 102
interface FastEthernet0/0
 ip address 192.168.1.2 255.255.255.252
 crypto map mapa
interface FastEthernet0/1
 ip address 10.1.1.1 255.255.255.0
interface FastEthernet1/0
 ip address 192.168.2.2 255.255.255.252
 crypto map mapb
ip route 10.2.0.0 255.255.0.0 192.168.1.1
ip route 10.3.0.0 255.255.0.0 192.168.2.1
ip route 10.3.5.0 255.255.255.0 192.168.1.1
access-list 101 permit ip 10.1.1.0 0.0.0.255 10.2.0.0 0.0.255.255
access-list 102 permit ip 10.1.1.0 0.0.0.255 10.3.0.0 0.0.255.255
`,
  [
    { name: 'via A', packet: host('10.2.1.1'), kernel: 'agent', entry: 'mapa 10' },
    { name: 'via B', packet: host('10.3.1.1'), kernel: 'agent', entry: 'mapb 10' },
    { name: "B's ACL, but routed out of A: A's map does not cover it", packet: host('10.3.5.1'), kernel: 'agent', entry: null },
    {
      name: "clear text on B from B's sites",
      packet: { iif: 'FastEthernet1/0', source: '10.3.1.1', destination: '10.1.1.10', protocol: 1 },
      kernel: 'drop',
      entry: 'mapb 10',
    },
    { name: "clear text on A from B's sites", packet: wan('10.3.1.1', '10.1.1.10'), kernel: 'main' },
  ],
);

check(
  'static and dynamic entries in one map: the first entry (by sequence) that permits',
  `${BASE}crypto dynamic-map dmap 10
 set transform-set ts
 match address 110
crypto map mix 10 ipsec-isakmp
 set peer 192.168.1.1
 set transform-set ts
 match address 101
crypto map mix 20 ipsec-isakmp dynamic dmap discover
interface FastEthernet0/0
 ip address 192.168.1.2 255.255.255.252
 crypto map mix
interface FastEthernet0/1
 ip address 10.1.1.1 255.255.255.0
ip route 0.0.0.0 0.0.0.0 192.168.1.1
access-list 101 permit ip 10.1.1.0 0.0.0.255 10.2.0.0 0.0.255.255
${SUPERNET}`,
  [
    { name: 'static peer', packet: host('10.2.1.1'), kernel: 'agent', entry: 'mix 10' },
    { name: 'anywhere else: TED', packet: host('10.4.1.1'), kernel: 'agent', entry: 'mix 20 dmap/10' },
    { name: 'own router', packet: host('10.1.1.1'), kernel: 'local', entry: null },
  ],
);

check(
  'overlapping lines: a deny exempts from its own entry only, so the kernel may not exempt it',
  `${BASE}crypto map ov 10 ipsec-isakmp
 set peer 192.168.1.1
 set transform-set ts
 match address 101
crypto map ov 20 ipsec-isakmp
 set peer 192.168.1.5
 set transform-set ts
 match address 102
interface FastEthernet0/0
 ip address 192.168.1.2 255.255.255.248
 crypto map ov
interface FastEthernet0/1
 ip address 10.1.1.1 255.255.255.0
ip route 0.0.0.0 0.0.0.0 192.168.1.1
access-list 101 deny ip 10.1.1.0 0.0.0.255 10.2.2.0 0.0.0.255
access-list 101 permit ip 10.1.1.0 0.0.0.255 10.2.0.0 0.0.255.255
access-list 101 permit ip 10.1.1.0 0.0.0.255 10.2.3.0 0.0.0.255
access-list 102 permit ip 10.1.1.0 0.0.0.255 10.2.2.0 0.0.0.255
`,
  [
    { name: 'denied by 10, permitted by 20', packet: host('10.2.2.5'), kernel: 'agent', entry: 'ov 20' },
    { name: 'both lines of 10 cover it: the first wins', packet: host('10.2.3.5'), kernel: 'agent', entry: 'ov 10' },
    { name: 'the /16 line', packet: host('10.2.9.9'), kernel: 'agent', entry: 'ov 10' },
    { name: 'clear text from 10.2.2.0/24 should have been ESP (entry 20)', packet: wan('10.2.2.5', '10.1.1.10'), kernel: 'drop', entry: 'ov 20' },
  ],
  (t, cmds) =>
    t.false(
      cmds.some((c) => /^rule add pref (120|200) /.test(c)),
      cmds.join('\n'),
    ),
);

check(
  'a router with no crypto map steers only the ESP and IKE addressed to it, and leaves its routes alone',
  'hostname transit\ninterface FastEthernet0/0\n ip address 192.168.1.1 255.255.255.252\ninterface FastEthernet0/1\n ip address 192.168.2.1 255.255.255.252\nip route 10.2.2.0 255.255.255.0 192.168.2.2\n',
  [
    { name: 'ESP for the router', packet: wan('192.168.9.2', '192.168.1.1', 50), kernel: 'agent' },
    { name: 'IKE for the router', packet: wan('192.168.9.2', '192.168.2.1', 17, 500), kernel: 'agent' },
    { name: 'NAT-T for the router', packet: wan('192.168.9.2', '192.168.1.1', 17, 4500), kernel: 'agent' },
    { name: 'a TED probe crossing: no entry here could answer it, the kernel forwards it', packet: wan('10.1.1.10', '10.2.2.10', 17, 500), kernel: 'main' },
    { name: 'ESP crossing: forwarded by the kernel', packet: wan('192.168.1.2', '192.168.2.2', 50), kernel: 'main' },
    { name: 'IKE crossing', packet: wan('192.168.1.2', '192.168.2.2', 17, 500), kernel: 'main' },
    { name: 'NAT-T crossing', packet: wan('192.168.1.2', '192.168.2.2', 17, 4500), kernel: 'main' },
    { name: 'anything else', packet: wan('192.168.1.2', '192.168.2.2', 1), kernel: 'main' },
  ],
  (t, cmds) => {
    t.true(cmds.includes('route replace 192.168.1.1/32 dev ipsec0 table 205'), cmds.join('\n'));
    t.true(cmds.includes('route replace 192.168.2.1/32 dev ipsec0 table 205'), cmds.join('\n'));
    t.false(
      cmds.some((c) => /table 200$/.test(c) && c.startsWith('rule')),
      'nothing is handed to the agent whatever its destination',
    );
    t.false(
      cmds.some((c) => /table 202$/.test(c) && !c.startsWith('route flush')),
      cmds.join('\n'),
    );
    t.false(cmds.some((c) => /^rule add pref 2\d\d /.test(c)));
  },
);
