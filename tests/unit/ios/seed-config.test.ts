import test from 'ava';
import { parseConfig, newCryptoConfig, newInterface, newNatConfig, newRoutingConfig, type RouterConfig } from '../../../src/ios/index.js';
import { DAPHNE_CFG, FRED_CFG, modelOf } from './fixtures.js';

function seedModel(o: {
  hostname: string;
  wan: string;
  lanAddress: string;
  gateway: string;
  aclSource: string;
  aclDestination: string;
}): Omit<RouterConfig, 'sourceLines' | 'extras'> {
  const iface = (name: string, address: string, cryptoMap: string | null) => ({
    ...newInterface(name),
    address: { address, mask: '255.255.255.0' },
    cryptoMap,
    extras: ['duplex auto', 'speed auto'],
  });
  return {
    hostname: o.hostname,
    version: '12.2',
    interfaces: [iface('FastEthernet0/0', o.wan, 'tedtag'), iface('FastEthernet0/1', o.lanAddress, null)],
    staticRoutes: [{ prefix: '0.0.0.0', mask: '0.0.0.0', nextHop: o.gateway, interface: null, distance: 1, name: null, permanent: false, tag: null }],
    accessLists: [
      {
        name: '101',
        kind: 'extended',
        numbered: true,
        entries: [
          {
            type: 'rule',
            seq: 10,
            action: 'permit',
            protocol: 'ip',
            source: { kind: 'wildcard', address: o.aclSource, wildcard: '0.0.0.255' },
            sourcePort: null,
            destination: { kind: 'wildcard', address: o.aclDestination, wildcard: '0.0.0.255' },
            destinationPort: null,
            icmp: null,
            established: false,
            log: null,
          },
        ],
      },
    ],
    crypto: {
      ...newCryptoConfig(),
      isakmpPolicies: [{ priority: 10, encryption: 'des', keyLength: null, hash: 'sha', authentication: 'pre-share', group: 1, lifetime: 86400 }],
      isakmpKeys: [{ key: 'abc123', address: '0.0.0.0', mask: '0.0.0.0', noXauth: false }],
      transformSets: [
        {
          name: 'ted-transforms',
          mode: 'tunnel',
          transforms: [
            { kind: 'esp-cipher', name: 'esp-des', keyBits: null },
            { kind: 'esp-auth', name: 'esp-md5-hmac' },
          ],
        },
      ],
      ipsecLifetime: { seconds: 3600, kilobytes: 4608000 },
      dynamicMaps: [
        {
          name: 'ted-map',
          seq: 10,
          transformSets: ['ted-transforms'],
          matchAddress: '101',
          pfs: null,
          lifetime: { seconds: null, kilobytes: null },
          peers: [],
        },
      ],
      cryptoMaps: [
        {
          name: 'tedtag',
          seq: 10,
          mode: 'ipsec-isakmp',
          dynamic: { map: 'ted-map', discover: true },
          peers: [],
          matchAddress: null,
          transformSets: [],
          pfs: null,
          lifetime: { seconds: null, kilobytes: null },
        },
      ],
    },
    routing: newRoutingConfig(),
    nat: newNatConfig(),
    routeMaps: [],
  };
}

function withoutExtras(config: RouterConfig): Omit<RouterConfig, 'sourceLines' | 'extras'> {
  const { sourceLines: _s, extras: _e, ...rest } = config;
  return rest;
}

/** The seed routers run every line of their configs: each is emulated or cosmetic (`ip http server`: nothing in a lab talks to it). */
const SEED_WARNING: string[][] = [];

test("Daphne's seed configuration parses into the expected model, every line emulated or cosmetic", (t) => {
  const { config, diagnostics } = parseConfig(DAPHNE_CFG);
  t.deepEqual(
    diagnostics.map((d) => [d.code, d.text]),
    SEED_WARNING,
  );
  t.deepEqual(
    withoutExtras(config),
    seedModel({
      hostname: 'Daphne',
      wan: '11.11.11.1',
      lanAddress: '13.13.13.13',
      gateway: '11.11.11.2',
      aclSource: '13.13.13.0',
      aclDestination: '12.12.12.0',
    }),
  );
});

test("fred's seed configuration parses into the mirrored model, every line emulated or cosmetic", (t) => {
  const { config, diagnostics } = parseConfig(FRED_CFG);
  t.deepEqual(
    diagnostics.map((d) => [d.code, d.text]),
    SEED_WARNING,
  );
  t.deepEqual(
    withoutExtras(config),
    seedModel({
      hostname: 'fred',
      wan: '11.11.11.2',
      lanAddress: '12.12.12.12',
      gateway: '11.11.11.1',
      aclSource: '12.12.12.0',
      aclDestination: '13.13.13.0',
    }),
  );
});

test('the ISAKMP policy of the seed gets the IOS 12.2 defaults for what it does not set', (t) => {
  const [policy] = parseConfig(DAPHNE_CFG).config.crypto.isakmpPolicies;
  t.like(policy, { encryption: 'des', hash: 'sha', group: 1, lifetime: 86400, authentication: 'pre-share' });
});

test('a policy with no authentication line defaults to rsa-sig, as IOS does', (t) => {
  const { config } = parseConfig('crypto isakmp policy 20\n hash md5\n');
  t.deepEqual(config.crypto.isakmpPolicies, [
    { priority: 20, encryption: 'des', keyLength: null, hash: 'md5', authentication: 'rsa-sig', group: 1, lifetime: 86400 },
  ]);
});

test('the lines the emulator does not emulate are kept, in their running-config sections', (t) => {
  const { config } = parseConfig(DAPHNE_CFG);
  t.deepEqual(config.extras, [
    { section: 'service', lines: ['service timestamps debug datetime msec'] },
    { section: 'service', lines: ['service timestamps log datetime msec'] },
    { section: 'service', lines: ['no service password-encryption'] },
    { section: 'global', lines: ['boot system flash c2600-jk9s-mz.122-27.bin'] },
    { section: 'global', lines: ['enable password cisco'] },
    { section: 'global', lines: ['memory-size iomem 10'] },
    { section: 'global', lines: ['ip subnet-zero'] },
    { section: 'global', lines: ['no ip domain-lookup'] },
    { section: 'routing', lines: ['ip classless'] },
    { section: 'http', lines: ['ip http server'] },
    { section: 'tail', lines: ['line con 0'] },
    { section: 'tail', lines: ['line aux 0'] },
    { section: 'tail', lines: ['line vty 0 4', ' login'] },
  ]);
});

test('a pasted show running-config (prompt, Building configuration, byte count) parses to the same model', (t) => {
  const pasted = `Daphne#show running-config\nBuilding configuration...\n\nCurrent configuration : 1426 bytes\n${DAPHNE_CFG}Daphne#\n`;
  const plain = parseConfig(DAPHNE_CFG);
  const fromPaste = parseConfig(pasted);
  t.deepEqual(
    fromPaste.diagnostics.map((d) => [d.code, d.text]),
    SEED_WARNING,
  );
  t.deepEqual(modelOf(fromPaste.config), modelOf(plain.config));
});

test('CRLF line endings, tabs and missing indentation give the same model', (t) => {
  const variant = DAPHNE_CFG.split('\n')
    .map((l) => l.replace(/^ /, '\t'))
    .join('\r\n');
  const flat = DAPHNE_CFG.split('\n')
    .map((l) => l.trimStart())
    .join('\n');
  const plain = modelOf(parseConfig(DAPHNE_CFG).config);
  t.deepEqual(modelOf(parseConfig(variant).config), plain);
  t.deepEqual(
    parseConfig(flat).diagnostics.map((d) => [d.code, d.text]),
    SEED_WARNING,
  );
  t.deepEqual(modelOf(parseConfig(flat).config), plain);
});

test('commands may be abbreviated as IOS allows', (t) => {
  const { config, diagnostics } = parseConfig(
    [
      'int fa0/0',
      ' ip add 11.11.11.1 255.255.255.0',
      ' cry map tedtag',
      'int fastethernet 0/1',
      ' shut',
      'ip route 0.0.0.0 0.0.0.0 11.11.11.2',
      'access-l 101 perm ip any host 12.12.12.13',
    ].join('\n'),
  );
  t.deepEqual(
    diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  t.deepEqual(
    config.interfaces.map((i) => [i.name, i.address?.address ?? null, i.cryptoMap, i.shutdown]),
    [
      ['FastEthernet0/0', '11.11.11.1', 'tedtag', false],
      ['FastEthernet0/1', null, null, true],
    ],
  );
  t.is(config.staticRoutes[0]?.nextHop, '11.11.11.2');
  t.is(config.accessLists[0]?.entries.length, 1);
});

test('the source text is kept for show startup-config', (t) => {
  const { config } = parseConfig(FRED_CFG);
  t.is(config.sourceLines.join('\n') + '\n', FRED_CFG);
});
