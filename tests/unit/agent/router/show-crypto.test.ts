/**
 * The crypto show commands against the seed's real output: Daphne and Fred
 * (the seed's configurations, unchanged) negotiate in memory with TED, and
 * what Daphne's renderers print must read as the seed's console capture,
 * token for token, once the values that differ from run to run (SPIs, the
 * remaining lifetime) are replaced by placeholders.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IkeEngine, policyFromConfig } from '../../../../src/agent/ike/index.js';
import { loopbackHandshake } from '../../../../src/agent/ike/loopback.js';
import type { EspCounters } from '../../../../src/agent/esp/counters.js';
import {
  renderShowCryptoEngineConnections,
  renderShowCryptoIpsecSa,
  renderShowCryptoIsakmpPolicy,
  renderShowCryptoIsakmpSa,
  renderShowCryptoMap,
  renderShowCryptoTransformSets,
} from '../../../../src/agent/router/show-crypto.js';
import { parseConfig } from '../../../../src/ios/index.js';
import { root as REPO_ROOT } from '../../../root.js';

const NOW = 1_000_000;
const config = (name: string) => readFileSync(join(REPO_ROOT, 'topologies', 'daphne-fred', `${name}.cfg`), 'utf8');
const engine = (name: string) => new IkeEngine({ policy: policyFromConfig(parseConfig(config(name)).config), random: randomBytes });

/** The seed's capture: one line holding every command and its output, whitespace collapsed. */
const SEED = readFileSync(join(REPO_ROOT, 'tests', 'fixtures', 'checks', 'seed-show-daphne.txt'), 'utf8');
function seedOutput(command: string): string {
  const start = SEED.indexOf(`Daphne#${command} `);
  const end = SEED.indexOf('Daphne#', start + 1);
  return SEED.slice(start + `Daphne#${command} `.length, end < 0 ? undefined : end).trim();
}

/** Whitespace collapsed (as in the capture) and run-dependent values replaced. */
function normal(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/spi: 0x[0-9A-F]{8}\(\d+\)/g, 'spi: 0xSPI(SPI)')
    .replace(/current outbound spi: [0-9A-F]{8}/g, 'current outbound spi: SPI')
    .replace(/remaining key lifetime \(k\/sec\): \(\d+\/\d+\)/g, 'remaining key lifetime (k/sec): (K/S)');
}

/** Daphne after the seed's exchange: a TED probe, Main Mode and Quick Mode with Fred, from 13.13.13.1 to 12.12.12.1. */
function seedPair(): { daphne: IkeEngine; fred: IkeEngine } {
  const daphne = engine('daphne');
  const fred = engine('fred');
  const sa = loopbackHandshake(daphne, fred, NOW, { packet: { source: '13.13.13.1', destination: '12.12.12.1', protocol: 1 }, interface: 'FastEthernet0/0' });
  if (!sa) throw new Error('the seed handshake did not complete');
  return { daphne, fred };
}

/** The seed's nine pings: 9 packets each way on every SA. */
const nine: EspCounters = {
  encaps: 9,
  encrypt: 9,
  digest: 9,
  decaps: 9,
  decrypt: 9,
  verify: 9,
  replayFailures: 0,
  authFailures: 0,
  sendErrors: 0,
  recvErrors: 0,
  packets: 9,
  bytes: 900,
};

test('show crypto isakmp sa reads as the seed', (t) => {
  const { daphne } = seedPair();
  t.is(normal(renderShowCryptoIsakmpSa(daphne.isakmpSas())), normal(seedOutput('show crypto isakmp sa')));
});

test('show crypto ipsec sa reads as the seed (SPIs and remaining lifetime aside)', (t) => {
  const { daphne } = seedPair();
  const text = renderShowCryptoIpsecSa(
    daphne.ipsecSas(NOW),
    () => nine,
    () => 1500,
  );
  t.is(normal(text), normal(seedOutput('show crypto ipsec sa')));
  t.regex(text, /^interface: FastEthernet0\/0\n {4}Crypto map tag: tedtag, local addr\. 11\.11\.11\.1\n/, 'line breaks and indentation as IOS prints them');
});

test('show crypto ipsec sa: an SA the datapath does not hold counts zero; a peer filter that matches nothing prints an empty line', (t) => {
  const { daphne } = seedPair();
  const text = renderShowCryptoIpsecSa(
    daphne.ipsecSas(NOW),
    () => undefined,
    () => 1500,
  );
  t.regex(text, /#pkts encaps: 0, #pkts encrypt: 0, #pkts digest 0/);
  t.is(
    renderShowCryptoIpsecSa(
      daphne.ipsecSas(NOW),
      () => nine,
      () => 1500,
      '11.11.11.99',
    ),
    '\n',
  );
  t.regex(
    renderShowCryptoIpsecSa(
      daphne.ipsecSas(NOW),
      () => nine,
      () => 1500,
      '11.11.11.2',
    ),
    /current_peer: 11\.11\.11\.2/,
  );
});

test('show crypto map reads as the seed: the discover template and the dynamic instance TED created', (t) => {
  const { daphne } = seedPair();
  t.is(normal(renderShowCryptoMap(daphne.cryptoMaps())), normal(seedOutput('show crypto map')));
});

test('show crypto engine connections active reads as the seed (encrypt on the outbound SA, decrypt on the inbound one)', (t) => {
  const { daphne } = seedPair();
  t.is(normal(renderShowCryptoEngineConnections(daphne.engineConnections(), () => nine)), normal(seedOutput('show crypto engine connections active')));
});

test('show crypto isakmp policy lists the configured suite, then the default one', (t) => {
  const policy = policyFromConfig(parseConfig(config('daphne')).config);
  const text = renderShowCryptoIsakmpPolicy(policy);
  t.is(
    text,
    [
      'Protection suite of priority 10',
      '        encryption algorithm:   DES - Data Encryption Standard (56 bit keys).',
      '        hash algorithm:         Secure Hash Standard',
      '        authentication method:  Pre-Shared Key',
      '        Diffie-Hellman group:   #1 (768 bit)',
      '        lifetime:               86400 seconds, no volume limit',
      'Default protection suite',
      '        encryption algorithm:   DES - Data Encryption Standard (56 bit keys).',
      '        hash algorithm:         Secure Hash Standard',
      '        authentication method:  Rivest-Shamir-Adleman Signature',
      '        Diffie-Hellman group:   #1 (768 bit)',
      '        lifetime:               86400 seconds, no volume limit',
      '',
    ].join('\n'),
  );
});

test('show crypto ipsec transform-set, all or by name', (t) => {
  const policy = policyFromConfig(parseConfig(config('daphne')).config);
  const one = 'Transform set ted-transforms: { esp-des esp-md5-hmac  } \n   will negotiate = { Tunnel,  },\n\n';
  t.is(renderShowCryptoTransformSets(policy, null), one);
  t.is(renderShowCryptoTransformSets(policy, 'ted-transforms'), one);
  t.is(renderShowCryptoTransformSets(policy, 'other'), '\n');
});
