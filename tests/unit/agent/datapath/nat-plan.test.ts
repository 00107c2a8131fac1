/**
 * The NAT part of the steering plan, as `ip -batch` lines: inside interfaces
 * look up the NAT egress table first, globals coming in by an outside
 * interface go to the NAT tun device (by protocol, so ARP still sees the
 * local table), and the router's own and global addresses are thrown back.
 */
import test from 'ava';
import { formatIpv4, parseIpv4 } from '../../../../src/codecs/net/address.js';
import { natPolicy } from '../../../../src/agent/datapath/nat/policy.js';
import { natSteering, rangePrefixes } from '../../../../src/agent/datapath/nat-plan.js';
import { ownAddresses, steeringPlan } from '../../../../src/agent/datapath/plan.js';
import { steeringCommands } from '../../../../src/agent/datapath/steering.js';
import { policyFromConfig } from '../../../../src/agent/ike/index.js';
import { computeRoutes, parseConfig } from '../../../../src/ios/index.js';
import { branchConfig, EXEMPTION } from './nat-lab.js';

function commands(text: string, natTun: string | null = 'ipnat0'): string[] {
  const { config } = parseConfig(text);
  const addresses = config.interfaces.flatMap((i) => (i.address ? [{ name: i.name, ...i.address }] : []));
  const plan = steeringPlan({
    policy: policyFromConfig(config),
    routes: computeRoutes(config),
    links: config.interfaces.map((i) => i.name),
    own: ownAddresses(config),
    nat: natSteering(natPolicy(config), addresses),
  });
  const linux = new Map([
    ['FastEthernet0/0', 'eth0'],
    ['FastEthernet0/1', 'eth1'],
  ]);
  return steeringCommands(plan, { linux, tun: 'ipsec0', dropTun: 'ipsecdrop0', ...(natTun ? { natTun } : {}) });
}

test('the branch: its LAN looks up the NAT egress table before ESP and IKE; TCP, UDP and ICMP for the WAN address go to the NAT tun device after IKE', (t) => {
  const cmds = commands(branchConfig(EXEMPTION));
  const at = (c: string) => cmds.indexOf(c);
  t.true(at('rule add pref 105 iif eth1 lookup 203') >= 0);
  for (const p of [1, 6, 17]) t.true(at(`rule add pref 113 iif eth0 to 11.11.11.1/32 ipproto ${p} lookup 204`) >= 0, `protocol ${p}`);
  t.false(
    cmds.some((c) => / ipproto (47|50|51) lookup 204/.test(c)),
    "GRE and ESP for the router's own address are its own",
  );
  t.true(at('route replace default dev ipnat0 table 204') >= 0);
  t.true(at('route replace 0.0.0.0/0 dev ipnat0 table 203') >= 0, 'the default route leaves by the outside interface');
  t.true(at('route replace 10.2.2.0/24 dev ipnat0 table 203') >= 0);
  t.true(at('route replace throw 10.1.1.0/24 table 203') >= 0, 'the LAN is inside');
  for (const a of ['11.11.11.1', '11.11.11.255', '10.1.1.1', '10.1.1.255'])
    t.true(at(`route replace throw ${a}/32 table 203`) >= 0, `${a} is never translated`);
  t.true(at('route flush table 203') < at('route replace 0.0.0.0/0 dev ipnat0 table 203'));
});

test('static and pool globals: every NAT protocol, before the ESP rules, and thrown back from the egress table', (t) => {
  const cmds = commands(
    branchConfig(
      'ip nat pool p 11.11.11.10 11.11.11.13 netmask 255.255.255.0\naccess-list 1 permit 10.1.1.0 0.0.0.255\nip nat inside source list 1 pool p\nip nat inside source static 10.1.1.20 11.11.11.20',
    ),
  );
  for (const p of [1, 6, 17, 47, 50, 51]) {
    t.true(cmds.includes(`rule add pref 106 iif eth0 to 11.11.11.20/32 ipproto ${p} lookup 204`), `static, protocol ${p}`);
    t.true(cmds.includes(`rule add pref 106 iif eth0 to 11.11.11.12/31 ipproto ${p} lookup 204`), `pool, protocol ${p}`);
  }
  t.true(cmds.includes('route replace throw 11.11.11.10/31 table 203'));
  t.false(
    cmds.some((c) => / to 11\.11\.11\.1\/32 /.test(c)),
    'nothing overloads the WAN address',
  );
});

test('without a NAT tun device (or without NAT) no NAT rule is written', (t) => {
  t.false(commands(branchConfig(EXEMPTION), null).some((c) => /table 20[34]|lookup 20[34]/.test(c)));
  t.false(commands(branchConfig('')).some((c) => /lookup 20[34]/.test(c)));
});

test('a range of addresses as the fewest prefixes covering exactly it', (t) => {
  const show = (a: string, b: string) => rangePrefixes(parseIpv4(a), parseIpv4(b)).map((p) => `${formatIpv4(p.address)}/${p.length}`);
  t.deepEqual(show('11.11.11.10', '11.11.11.13'), ['11.11.11.10/31', '11.11.11.12/31']);
  t.deepEqual(show('10.0.0.0', '10.0.0.255'), ['10.0.0.0/24']);
  t.deepEqual(show('10.0.0.5', '10.0.0.5'), ['10.0.0.5/32']);
  t.deepEqual(show('10.0.0.1', '10.0.0.6'), ['10.0.0.1/32', '10.0.0.2/31', '10.0.0.4/31', '10.0.0.6/32']);
});
