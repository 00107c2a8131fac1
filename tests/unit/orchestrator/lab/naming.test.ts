import test from 'ava';
import { allocateSubnets, bridgeName, containerName, prefixLengthFor } from '../../../../src/orchestrator/lab/naming.js';
import { parseIpv4 } from '../../../../src/codecs/net/address.js';

test('bridge names fit the 15-character limit and differ per lab and link', (t) => {
  const names = new Set<string>();
  for (const lab of ['daphne-fred', 'copy-2', 'a-very-long-lab-name-24c']) {
    for (const link of ['wan', 'lan-daphne', 'lan-fred']) {
      const b = bridgeName(lab, link);
      t.true(b.length <= 15, b);
      names.add(b);
    }
  }
  t.is(names.size, 9);
  t.is(containerName('daphne-fred', 'd1'), 'tb-daphne-fred-d1');
});

test('subnet sizes leave room for the gateway and every endpoint', (t) => {
  t.is(prefixLengthFor(2), 28);
  t.is(prefixLengthFor(13), 28);
  t.is(prefixLengthFor(14), 27);
  t.is(prefixLengthFor(100), 25);
});

const inBlock = (ip: string, cidr: string) => {
  const [net, len] = cidr.split('/');
  const size = 2 ** (32 - Number(len));
  const a = parseIpv4(ip);
  const n = parseIpv4(net!);
  return a >= n && a < n + size;
};

test('allocated subnets stay in 198.18.0.0/15, avoid subnets in use and each other', (t) => {
  const inUse = ['172.17.0.0/16', '198.18.0.0/20'];
  for (const seed of ['lab-a', 'lab-b', 'x']) {
    const allocs = allocateSubnets([2, 2, 20, 2], inUse, seed);
    const subnets = allocs.map((a) => a.subnet);
    t.is(new Set(subnets).size, 4);
    for (const a of allocs) {
      t.true(inBlock(a.subnet.split('/')[0]!, '198.18.0.0/15'), a.subnet);
      t.false(inBlock(a.subnet.split('/')[0]!, '198.18.0.0/20'), `${a.subnet} overlaps a subnet in use`);
      t.true(inBlock(a.gateway, a.subnet));
      for (const ip of a.addresses) t.true(inBlock(ip, a.subnet), `${ip} in ${a.subnet}`);
      t.false(a.addresses.includes(a.gateway));
    }
    t.is(allocs[2]!.addresses.length, 20);
    // blocks are aligned to their size
    for (const a of allocs) {
      const [net, len] = a.subnet.split('/');
      t.is(parseIpv4(net!) % 2 ** (32 - Number(len)), 0, a.subnet);
    }
  }
});

test('allocation refuses when the pool is exhausted', (t) => {
  t.throws(() => allocateSubnets([2], ['198.18.0.0/15'], 's'), { message: /no free \/28/ });
});
