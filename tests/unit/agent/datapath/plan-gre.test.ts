/** The steering plan's GRE rules: GRE to a tunnel source address goes to the agent on every lab link, before the local table; other GRE is left alone. */
import test from 'ava';
import { ownAddresses, PREF, steeringPlan, TUN_IIF } from '../../../../src/agent/datapath/plan.js';
import { steeringCommands } from '../../../../src/agent/datapath/steering.js';
import { policyFromConfig } from '../../../../src/agent/ike/policy.js';
import { computeRoutes, parseConfig, parseIpv4 } from '../../../../src/ios/index.js';
import { root } from '../../../root.js';
import { readFileSync } from 'node:fs';
import { kernelVerdict } from './kernel-sim.js';

const { config } = parseConfig(readFileSync(`${root}topologies/gre-ipsec/hq.cfg`, 'utf8'));
const routes = computeRoutes(config);
const local = new Set(['10.0.0.1', '203.0.113.1', '10.1.1.1', '172.16.0.1'].map(parseIpv4));
const plan = steeringPlan({
  policy: policyFromConfig(config),
  routes,
  links: ['FastEthernet0/0', 'FastEthernet0/1'],
  own: ownAddresses(config),
  greEndpoints: ['10.0.0.1', '10.0.0.1'],
});

test('one rule per link for each tunnel source, ahead of the local table', (t) => {
  const gre = plan.rules.filter((r) => r.pref === PREF.gre);
  t.deepEqual(
    gre.map((r) => [r.iif, r.to, r.protocol]),
    [
      ['FastEthernet0/0', { address: parseIpv4('10.0.0.1'), length: 32 }, 47],
      ['FastEthernet0/1', { address: parseIpv4('10.0.0.1'), length: 32 }, 47],
    ],
  );
  t.true(PREF.gre < PREF.local);
  const cmds = steeringCommands(plan, {
    linux: new Map([
      ['FastEthernet0/0', 'eth0'],
      ['FastEthernet0/1', 'eth1'],
    ]),
    tun: 'ipsec0',
    dropTun: 'ipsecdrop0',
  });
  t.true(cmds.includes('rule add pref 114 iif eth0 to 10.0.0.1/32 ipproto 47 lookup 200'));
});

test('the kernel hands GRE for the loopback to the agent, and routes GRE for others (or what the agent writes back) normally', (t) => {
  const router = { local, routes };
  t.is(kernelVerdict(plan, { iif: 'FastEthernet0/0', source: '10.0.0.2', destination: '10.0.0.1', protocol: 47 }, router), 'agent');
  t.is(
    kernelVerdict(plan, { iif: 'FastEthernet0/0', source: '10.0.0.2', destination: '203.0.113.1', protocol: 47 }, router),
    'local',
    "GRE to another address is no tunnel's",
  );
  t.is(
    kernelVerdict(plan, { iif: 'FastEthernet0/1', source: '10.1.1.10', destination: '10.2.2.10', protocol: 47 }, router),
    'main',
    'transit GRE is routed (into Tunnel0 here)',
  );
  t.is(
    kernelVerdict(plan, { iif: TUN_IIF, source: '10.0.0.2', destination: '10.0.0.1', protocol: 47 }, router),
    'local',
    'what the agent writes back is not steered again',
  );
  t.deepEqual(
    steeringPlan({ policy: policyFromConfig(config), routes, links: ['FastEthernet0/0'], own: ownAddresses(config) }).rules.filter((r) => r.pref === PREF.gre),
    [],
    'no tunnels, no GRE rules',
  );
});
