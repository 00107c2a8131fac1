/**
 * The TED responder answers a probe by IOS's first match (issue 11): in a
 * `discover` entry's ACL the first line that covers the probe's host pair
 * decides, so a deny in front of a wider permit exempts the pair (the
 * answer came from the permit behind it before); a later entry that
 * permits the pair still answers.
 */
import test from 'ava';
import type { IkeEngine } from '../../../../../../src/agent/ike/v1/engine.js';
import { engineFromConfig, seedConfig } from '../../helpers.js';

/** The seed's Fred with other lines in ACL 101 (and optionally a second discover entry). */
function fred(acl: string[], extra = ''): IkeEngine {
  const cfg = seedConfig('fred').replace('access-list 101 permit ip 12.12.12.0 0.0.0.255 13.13.13.0 0.0.0.255', [...acl, extra].join('\n'));
  return engineFromConfig(cfg, 8);
}

/** Daphne's probe for a packet from 13.13.13.4 to `target`. */
function probe(target: string): Buffer {
  const daphne = engineFromConfig(seedConfig('daphne'), 7);
  const sent = daphne.acquire({ packet: { source: '13.13.13.4', destination: target, protocol: 1 }, interface: 'FastEthernet0/0', nextHop: '11.11.11.2' }, 0);
  const p = sent.find((a) => a.kind === 'send-probe');
  if (!p || p.kind !== 'send-probe') throw new Error('no probe');
  return p.payload;
}

function answers(engine: IkeEngine, target: string): boolean {
  const v = engine.receiveTransitProbe({ ipSource: '13.13.13.4', ipDestination: target, payload: probe(target) }, 0);
  const replied = v.actions.some((a) => a.kind === 'send');
  if (replied !== (v.verdict === 'handled')) throw new Error('verdict and reply disagree');
  return replied;
}

const DENY_13 = 'access-list 101 deny ip host 12.12.12.13 host 13.13.13.4';
const PERMIT = 'access-list 101 permit ip 12.12.12.0 0.0.0.255 13.13.13.0 0.0.0.255';

test('a deny line in front of the permit exempts its host pair: the probe is not answered, it goes on', (t) => {
  const f = fred([DENY_13, PERMIT]);
  t.false(answers(f, '12.12.12.13'));
  t.true(answers(f, '12.12.12.14'), 'other hosts of the permit are still answered');
});

test('the same lines the other way round: the permit comes first and answers', (t) => {
  t.true(answers(fred([PERMIT, DENY_13]), '12.12.12.13'));
});

test('a deny in one entry leaves the pair to the next discover entry, which answers', (t) => {
  const second = [
    'crypto dynamic-map ted-map 20',
    ' set transform-set ted-transforms',
    ' match address 102',
    'access-list 102 permit ip host 12.12.12.13 13.13.13.0 0.0.0.255',
  ].join('\n');
  t.true(answers(fred([DENY_13, PERMIT], second), '12.12.12.13'));
});
