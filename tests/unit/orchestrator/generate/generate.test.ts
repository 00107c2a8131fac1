/**
 * `testbed generate`'s TED labs: the address plan, configs the IOS parser
 * takes whole (no line refused or left unemulated), routes and crypto ACLs
 * that carry every pair of sites, topology files the loader accepts with
 * their tests, and clear errors for bad options.
 */
import test from 'ava';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { aclMatches, computeRoutes, lookupRoute, parseConfig, type RouterConfig } from '../../../../src/ios/index.js';
import { generateTedLab, GenerateError, type TedLabOptions } from '../../../../src/orchestrator/generate/index.js';
import { checkedPairs, coreInterface, defaultPerSegment, planTedLab } from '../../../../src/orchestrator/generate/plan.js';
import { loadLabFile } from '../../../../src/orchestrator/labfile/load.js';

function configs(opts: TedLabOptions): Map<string, RouterConfig> {
  const lab = generateTedLab(opts);
  const out = new Map<string, RouterConfig>();
  for (const f of lab.files.filter((x) => x.path.endsWith('.cfg'))) {
    const r = parseConfig(f.content);
    if (r.diagnostics.length > 0 || r.summary.refused + r.summary.notEmulated > 0) {
      throw new Error(`${f.path}: ${JSON.stringify(r.summary)} ${r.diagnostics.map((d) => `${d.line}: ${d.message}`).join('; ')}`);
    }
    out.set(f.path.replace(/^.*\/(.*)\.cfg$/, '$1'), r.config);
  }
  return out;
}

async function writeLab(opts: TedLabOptions): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tb-generate-'));
  const lab = generateTedLab(opts);
  for (const f of lab.files) {
    await mkdir(dirname(join(dir, f.path)), { recursive: true });
    await writeFile(join(dir, f.path), f.content);
  }
  return join(dir, lab.topology);
}

test('address plan: site i has LAN 10.<i div 256>.<i mod 256>.0/24 (router .1, host .10); shared WAN 172.16.0.0/16', (t) => {
  const plan = planTedLab({ spokes: 300 });
  const at = (n: number) => plan.sites[n - 1]!;
  t.like(at(1), {
    router: 'spoke1',
    host: 'h1',
    lan: '10.0.1.0',
    gateway: '10.0.1.1',
    hostIp: '10.0.1.10',
    wan: '172.16.0.1',
    wanMask: '255.255.0.0',
    wanLink: 'wan',
    coreAddress: null,
  });
  t.like(at(250), { lan: '10.0.250.0', wan: '172.16.0.250' });
  t.like(at(256), { lan: '10.1.0.0', gateway: '10.1.0.1', hostIp: '10.1.0.10', wan: '172.16.1.0' });
  t.like(at(300), { lan: '10.1.44.0', wan: '172.16.1.44' });
  t.is(plan.segments.length, 0);
  t.is(plan.supernet.prefix, '10.0.0.0/8');
  const big = planTedLab({ spokes: 1000 });
  t.is(new Set(big.sites.map((s) => s.lan)).size, 1000, 'every LAN is its own');
  t.is(new Set(big.sites.map((s) => s.wan)).size, 1000, 'every WAN address is its own');
  t.true(big.sites.every((s) => s.lan.startsWith('10.') && s.wan.startsWith('172.16.')));
});

test('address plan, core shape: segment g is 172.16.g.0/24, the core .1 on its g-th interface, the spokes .2 up', (t) => {
  const plan = planTedLab({ spokes: 10, shape: 'core' });
  t.is(plan.perSegment, 4);
  t.deepEqual(
    plan.segments.map((s) => [s.link, s.network, s.coreAddress, s.coreInterface, s.sites.map((x) => `${x.router}=${x.wan}`)]),
    [
      ['wan1', '172.16.1.0', '172.16.1.1', 'FastEthernet0/0', ['spoke1=172.16.1.2', 'spoke2=172.16.1.3', 'spoke3=172.16.1.4', 'spoke4=172.16.1.5']],
      ['wan2', '172.16.2.0', '172.16.2.1', 'FastEthernet0/1', ['spoke5=172.16.2.2', 'spoke6=172.16.2.3', 'spoke7=172.16.2.4', 'spoke8=172.16.2.5']],
      ['wan3', '172.16.3.0', '172.16.3.1', 'FastEthernet1/0', ['spoke9=172.16.3.2', 'spoke10=172.16.3.3']],
    ],
  );
  t.true(plan.sites.every((s) => s.wanMask === '255.255.255.0' && s.coreAddress === `172.16.${s.wanLink.slice(3)}.1`));
  t.deepEqual([1, 2, 3, 16].map(coreInterface), ['FastEthernet0/0', 'FastEthernet0/1', 'FastEthernet1/0', 'FastEthernet1/13']);
  // the default: at least 4 spokes to a segment, at most 16 segments
  t.deepEqual([3, 10, 64, 65, 100, 250, 1000].map(defaultPerSegment), [4, 4, 4, 5, 7, 16, 63]);
  for (const n of [2, 17, 100, 250, 1000]) t.true(planTedLab({ spokes: n, shape: 'core' }).segments.length <= 16, `${n} spokes`);
  const one = planTedLab({ spokes: 12, shape: 'core', perSegment: 1 });
  t.is(one.segments.length, 12, 'one spoke per segment: point-to-point links');
  t.is(planTedLab({ spokes: 253 * 2, shape: 'core', perSegment: 253 }).sites.at(-1)!.wan, '172.16.2.254');
});

test('the tests ping every pair up to 12 spokes (45 for 10), beyond that a ring and its chords', (t) => {
  const pairs = (n: number) => checkedPairs(planTedLab({ spokes: n }).sites).map(([a, b]) => `${a.n}-${b.n}`);
  t.is(pairs(10).length, 45);
  t.deepEqual(pairs(3), ['1-2', '1-3', '2-3']);
  t.is(pairs(12).length, 66);
  const p13 = pairs(13);
  t.is(p13.length, 26);
  t.true(p13.includes('13-1') && p13.includes('1-7') && p13.includes('13-6'));
  const p100 = pairs(100);
  t.is(p100.length, 150, 'a ring of 100 and 50 chords across');
  t.is(new Set(p100.map((p) => p.split('-').sort().join('-'))).size, 150, 'no pair twice');
  for (let i = 1; i <= 100; i++) t.true(p100.filter((p) => p.split('-').includes(String(i))).length >= 2, `spoke${i} is in at least two pairs`);
});

for (const shape of ['shared', 'core'] as const) {
  for (const acl of ['supernet', 'per-peer'] as const) {
    test(`${shape} shape, ${acl} ACLs: every config parses whole, and routes and crypto ACLs carry every pair of sites`, (t) => {
      const spokes = 9;
      const cfgs = configs({ spokes, shape, acl, ...(shape === 'core' ? { perSegment: 4 } : {}) });
      const plan = planTedLab({ spokes, shape, acl, ...(shape === 'core' ? { perSegment: 4 } : {}) });
      t.is(cfgs.size, spokes + (shape === 'core' ? 1 : 0));
      for (const a of plan.sites) {
        const cfg = cfgs.get(a.router)!;
        t.is(cfg.hostname, a.router);
        const wan = cfg.interfaces.find((i) => i.name === 'FastEthernet0/0')!;
        t.deepEqual([wan.address, wan.cryptoMap], [{ address: a.wan, mask: a.wanMask }, 'tedtag']);
        t.deepEqual(
          cfg.crypto.cryptoMaps.map((m) => [m.name, m.seq, m.dynamic]),
          [['tedtag', 10, { map: 'ted-map', discover: true }]],
        );
        const acl110 = cfg.accessLists.find((l) => l.name === '110')!;
        t.is(acl110.entries.length, acl === 'supernet' ? 1 : spokes - 1);
        const routes = computeRoutes(cfg);
        t.is(lookupRoute(routes, a.hostIp)!.path.outInterface, 'FastEthernet0/1', `${a.router}: its LAN is behind Fa0/1`);
        for (const b of plan.sites.filter((x) => x !== a)) {
          const toPeerLan = lookupRoute(routes, b.hostIp)!;
          t.is(toPeerLan.path.outInterface, 'FastEthernet0/0', `${a.router} -> ${b.lan}: out of the crypto map's interface`);
          t.is(toPeerLan.path.gateway, shape === 'core' ? a.coreAddress : b.wan);
          t.is(aclMatches(acl110, { protocol: 1, source: a.hostIp, destination: b.hostIp }), 'permit', `${a.router} protects ${a.lan} -> ${b.lan}`);
          t.not(aclMatches(acl110, { protocol: 1, source: b.hostIp, destination: a.hostIp }), 'permit', 'only its own LAN as the source');
        }
      }
      if (shape === 'core') {
        const core = cfgs.get('core')!;
        t.deepEqual(core.crypto.cryptoMaps, []);
        t.deepEqual(core.accessLists, []);
        const routes = computeRoutes(core);
        for (const b of plan.sites) {
          const lan = lookupRoute(routes, b.hostIp)!;
          const wan = lookupRoute(routes, b.wan)!;
          t.is(lan.path.gateway, b.wan, `core: ${b.lan} by ${b.router}`);
          t.is(wan.path.outInterface, plan.segments.find((s) => s.sites.includes(b))!.coreInterface, `core: ${b.wan} on its segment`);
        }
      }
    });
  }
}

test('suites: the ISAKMP policy, transform set and PFS of each', (t) => {
  const policy = (suite: 'seed' | 'aes128' | 'aes256-pfs') => {
    const cfg = configs({ spokes: 2, suite }).get('spoke1')!;
    const p = cfg.crypto.isakmpPolicies[0]!;
    return [
      p.encryption,
      p.keyLength,
      p.hash,
      p.group,
      p.authentication,
      cfg.crypto.transformSets[0]!.transforms.map((x) => x.name).join(' '),
      cfg.crypto.dynamicMaps[0]!.pfs,
    ];
  };
  t.deepEqual(policy('seed'), ['des', null, 'sha', 1, 'pre-share', 'esp-des esp-md5-hmac', null]);
  t.deepEqual(policy('aes128'), ['aes', 128, 'sha', 2, 'pre-share', 'esp-aes esp-sha-hmac', null]);
  t.deepEqual(policy('aes256-pfs'), ['aes', 256, 'sha256', 14, 'pre-share', 'esp-aes esp-sha256-hmac', 'group14']);
});

for (const [label, opts] of [
  ['shared, 3 spokes', { spokes: 3 }],
  ['core, 10 spokes', { spokes: 10, shape: 'core', acl: 'per-peer', suite: 'aes128' }],
  ['core, 40 spokes', { spokes: 40, shape: 'core' }],
] as [string, TedLabOptions][]) {
  test(`the topology file passes the loader with its tests (${label})`, async (t) => {
    const file = await writeLab(opts);
    try {
      const { topology, tests } = await loadLabFile(file);
      const plan = planTedLab(opts);
      const n = opts.spokes;
      t.is(topology.name, plan.name);
      t.is(topology.nodes.filter((x) => x.kind === 'router2600').length, n + (plan.shape === 'core' ? 1 : 0));
      t.is(topology.nodes.filter((x) => x.kind === 'host').length, n);
      t.is(topology.links.length, n + Math.max(1, plan.segments.length));
      const names = tests.map((s) => s.name);
      t.is(names.filter((x) => /^h\d+-h\d+$/.test(x)).length, plan.pairs.length);
      t.is(names.filter((x) => /-peers$/.test(x)).length, n, 'one peers check per spoke');
      t.is(names.filter((x) => /-no-clear-text$/.test(x)).length, Math.max(1, plan.segments.length), 'one capture check per WAN segment');
      t.is(names.includes('core-no-crypto'), plan.shape === 'core');
      t.is(generateTedLab(opts).summary.steps, tests.length);
    } finally {
      await rm(dirname(file), { recursive: true, force: true });
    }
  });
}

test("the checks name each router's peers with their role, and every pair is pinged once", (t) => {
  const yaml = generateTedLab({ spokes: 3 }).files[0]!.content;
  t.regex(yaml, /- name: h1-h2\n {4}description: .*\n {4}exec: ping -c 4 -i 0\.2 -W 2 10\.0\.2\.10\n {4}nodes: h1\n/);
  t.regex(
    yaml,
    /- name: spoke2-peers\n(?: {4}.*\n)*? {6}count: 2\n {6}has:\n {8}- \{ peer: 172\.16\.0\.1, role: responder, state: QM_IDLE \}\n {8}- \{ peer: 172\.16\.0\.3, role: initiator, state: QM_IDLE \}\n/,
  );
  t.regex(yaml, /remote_ident: 10\.0\.3\.0\/24, transform: esp-des esp-md5-hmac/);
  t.regex(yaml, /^# {3}npx testbed generate --spokes 3 --shape shared --acl supernet --suite seed --name ted-shared-3 --output \. --force$/m);
  t.notRegex(yaml, /yaml-language-server/, 'no schema line unless asked');
  t.regex(
    generateTedLab({ spokes: 3, schema: '../schema/topology.schema.json' }).files[0]!.content,
    /^# yaml-language-server: \$schema=\.\.\/schema\/topology\.schema\.json\n/,
  );
});

test('the same options give the same files; the files are the topology, then core and spokes in order', (t) => {
  const a = generateTedLab({ spokes: 5, shape: 'core', perSegment: 2 });
  t.deepEqual(generateTedLab({ spokes: 5, shape: 'core', perSegment: 2 }), a);
  t.deepEqual(
    a.files.map((f) => f.path),
    ['ted-core-5.yaml', 'ted-core-5/core.cfg', ...[1, 2, 3, 4, 5].map((i) => `ted-core-5/spoke${i}.cfg`)],
  );
  t.like(a.summary, { spokes: 5, segments: 3, routers: 6, hosts: 5, pairs: 10 });
});

test('bad options are refused with what is wrong', (t) => {
  const refused = (opts: Partial<TedLabOptions>, message: RegExp) =>
    t.throws(() => generateTedLab(opts as TedLabOptions), { instanceOf: GenerateError, message });
  refused({}, /the number of spokes is missing/);
  refused({ spokes: 1 }, /the number of spokes must be a whole number from 2 to 1000, not 1/);
  refused({ spokes: 1001 }, /from 2 to 1000, not 1001/);
  refused({ spokes: 2.5 }, /whole number/);
  refused({ spokes: Number.NaN }, /not NaN/);
  refused({ spokes: 4, shape: 'star' as never }, /the shape must be shared or core, not "star"/);
  refused({ spokes: 4, acl: 'any' as never }, /the ACL style must be supernet or per-peer, not "any"/);
  refused({ spokes: 4, suite: '3des' as never }, /the suite must be seed or aes128 or aes256-pfs, not "3des"/);
  refused({ spokes: 4, perSegment: 2 }, /spokes per segment only apply to the core shape/);
  refused({ spokes: 4, shape: 'core', perSegment: 0 }, /spokes per segment must be a whole number from 1 to 253, not 0/);
  refused({ spokes: 300, shape: 'core', perSegment: 1 }, /300 spokes at 1 per segment need 300 core segments; the address plan has 255/);
  refused({ spokes: 4, name: 'Big_Lab' }, /lab name "Big_Lab" must be lower-case letters, digits and dashes/);
});
