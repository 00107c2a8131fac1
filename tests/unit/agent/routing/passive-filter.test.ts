/**
 * EIGRP's passive interfaces in the kernel (src/agent/routing/passive-filter.ts):
 * the chains drop IP protocol 88 in and out of exactly the passive
 * interfaces, `passive-interface default` and its exceptions included, never
 * on loopbacks, and are emptied when the process or its passive interfaces go;
 * an interface whose EIGRP settings eigrpd has yet to take is held the same way.
 */
import test from 'ava';
import { parseConfig } from '../../../../src/ios/index.js';
import { frrConfig } from '../../../../src/agent/routing/frr-config.js';
import { frrSteps } from '../../../../src/agent/routing/frr-diff.js';
import { eigrpHeld, eigrpPassiveDevices, eigrpPassiveRules } from '../../../../src/agent/routing/passive-filter.js';

const INTERFACES = `
interface Loopback0
 ip address 10.255.0.1 255.255.255.255
interface FastEthernet0/0
 ip address 192.168.0.1 255.255.255.0
interface Serial0/0.102 point-to-point
 ip address 10.1.2.1 255.255.255.252
interface Serial0/0.103 point-to-point
 ip address 10.1.3.1 255.255.255.252
`;

const devices = new Map([
  ['Loopback0', 'lo'],
  ['FastEthernet0/0', 'eth0'],
  ['Serial0/0.102', 'eth1'],
  ['Serial0/0.103', 'eth2'],
]);

const config = (router: string) => parseConfig(INTERFACES + router).config;

test('the hub: one passive LAN, its EIGRP dropped both ways; the chains hooked only the first time', (t) => {
  const hub = config('router eigrp 100\n passive-interface FastEthernet0/0\n network 10.0.0.0\n network 192.168.0.0\n');
  t.deepEqual(eigrpPassiveDevices(hub, devices), ['eth0']);
  t.is(
    eigrpPassiveRules({ config: hub, devices, first: true }),
    [
      '*filter',
      ':TB-EIGRP-IN - [0:0]',
      ':TB-EIGRP-OUT - [0:0]',
      '-A INPUT -p 88 -j TB-EIGRP-IN',
      '-A OUTPUT -p 88 -j TB-EIGRP-OUT',
      '-A TB-EIGRP-IN -i eth0 -j DROP',
      '-A TB-EIGRP-OUT -o eth0 -j DROP',
      'COMMIT',
      '',
    ].join('\n'),
  );
  const again = eigrpPassiveRules({ config: hub, devices, first: false });
  t.notRegex(again, /-A (INPUT|OUTPUT)/, 'hooked once');
  t.regex(again, /^:TB-EIGRP-OUT - \[0:0\]$/m, 'the chain is declared, so iptables-restore empties it before refilling');
});

test('passive-interface default: every interface but the exceptions, and never the loopback', (t) => {
  const c = config('router eigrp 100\n passive-interface default\n no passive-interface Serial0/0.102\n network 10.0.0.0\n');
  t.deepEqual(eigrpPassiveDevices(c, devices), ['eth0', 'eth2']);
});

test('no EIGRP, or no passive interface: the chains are left empty', (t) => {
  for (const c of [
    config('router ospf 1\n passive-interface FastEthernet0/0\n network 10.0.0.0 0.255.255.255 area 0\n'),
    config('router eigrp 1\n network 10.0.0.0\n'),
  ]) {
    t.deepEqual(eigrpPassiveDevices(c, devices), []);
    t.notRegex(eigrpPassiveRules({ config: c, devices, first: false }), /DROP/);
  }
});

test('held: the interfaces whose bandwidth and delay are about to be given to eigrpd, until it took them', (t) => {
  const hub = config('router eigrp 100\n passive-interface FastEthernet0/0\n network 10.0.0.0\n network 192.168.0.0\n');
  const target = frrConfig({ config: hub, devices, ospfRouterId: null, eigrpRouterId: '10.255.0.1' });
  const keys = frrSteps(new Map(), target).map((s) => s.key);
  t.deepEqual(keys, ['router eigrp 100', 'interface lo (eigrp)', 'interface eth0 (eigrp)', 'interface eth1 (eigrp)', 'interface eth2 (eigrp)']);
  const held = eigrpHeld(keys);
  t.deepEqual(held, ['lo', 'eth0', 'eth1', 'eth2']);
  t.deepEqual(eigrpPassiveDevices(hub, devices, held), ['eth0', 'eth1', 'eth2'], 'the passive LAN once, the loopback never');
  t.deepEqual(eigrpPassiveDevices(hub, devices, eigrpHeld(['interface eth2 (eigrp)'])), ['eth0', 'eth2'], 'eth1 taken: released');
  t.deepEqual(eigrpPassiveDevices(hub, devices, eigrpHeld([])), ['eth0'], 'all taken: only the passive LAN');
  t.deepEqual(eigrpHeld(['interface eth1', 'router ospf']), [], 'other sections hold nothing');
});
