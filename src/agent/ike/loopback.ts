/**
 * Two IKE engines talking to each other in memory: configs for a pair of
 * peers (static crypto map, or TED with `discover`) from a phase-1 policy and
 * a transform set, and one complete handshake between them. Pure. Used by
 * the agent's warm-up after boot and by bench:crypto.
 */
import type { IkePolicy } from './policy.js';
import type { IkeEngine } from './v1/engine.js';
import type { AcquireTrigger, IkeAction, IpsecSaSpec } from './types.js';

/** The first packet of the loopback pair's configs: 10.1.0.1 to 10.2.0.1, leaving through the crypto interface. */
const LOOPBACK_TRIGGER: AcquireTrigger = { packet: { source: '10.1.0.1', destination: '10.2.0.1', protocol: 1 }, interface: 'FastEthernet0/0' };

const PHASE1_LINES: Record<string, string> = {
  'des-cbc': 'encryption des',
  '3des-cbc': 'encryption 3des',
  'aes128-cbc': 'encryption aes',
  'aes192-cbc': 'encryption aes 192',
  'aes256-cbc': 'encryption aes 256',
};
const HASH_LINES: Record<string, string> = { md5: 'hash md5', sha1: 'hash sha', sha256: 'hash sha256' };

export function loopbackConfig(self: 1 | 2, p1: IkePolicy['phase1'][number], transform: string, pfs: number | null, ted: boolean): string {
  const me = `10.255.0.${self}`;
  const peer = `10.255.0.${3 - self}`;
  const [local, remote] = self === 1 ? ['10.1.0.0', '10.2.0.0'] : ['10.2.0.0', '10.1.0.0'];
  return [
    `hostname warm${self}`,
    'crypto isakmp policy 10',
    ` ${PHASE1_LINES[p1.cipher] ?? 'encryption des'}`,
    ` ${HASH_LINES[p1.hash] ?? 'hash sha'}`,
    ' authentication pre-share',
    ` group ${p1.group}`,
    'crypto isakmp key warmup address 0.0.0.0 0.0.0.0',
    `crypto ipsec transform-set t ${transform}`,
    ...(ted
      ? [
          'crypto dynamic-map d 10',
          ' set transform-set t',
          ...(pfs ? [` set pfs group${pfs}`] : []),
          ' match address 101',
          'crypto map m 10 ipsec-isakmp dynamic d discover',
        ]
      : ['crypto map m 10 ipsec-isakmp', ` set peer ${peer}`, ' set transform-set t', ...(pfs ? [` set pfs group${pfs}`] : []), ' match address 101']),
    'interface FastEthernet0/0',
    ` ip address ${me} 255.255.255.0`,
    ' crypto map m',
    `access-list 101 permit ip ${local} 0.0.255.255 ${remote} 0.0.255.255`,
    `ip route 0.0.0.0 0.0.0.0 ${peer}`,
  ].join('\n');
}

/**
 * One handshake between two engines in memory (a initiates), one engine call
 * per step: the generator pauses after each, so a caller can spread the
 * handshake over several turns of the event loop. Returns the SA a installed,
 * or null.
 */
export function* loopbackSteps(a: IkeEngine, b: IkeEngine, now: number, trigger: AcquireTrigger = LOOPBACK_TRIGGER): Generator<void, IpsecSaSpec | null> {
  const queue: [IkeEngine, IkeAction][] = a.acquire(trigger, now).map((x) => [a, x]);
  let installed: IpsecSaSpec | null = null;
  // bounded, in case two engines kept answering each other forever
  for (let steps = 0; queue.length > 0 && steps < 10_000; steps++) {
    const [from, action] = queue.shift()!;
    if (action.kind === 'install-ipsec' && from === a) installed = action.sa;
    const to = from === a ? b : a;
    if (action.kind === 'send-probe') {
      yield;
      const verdict = to.receiveTransitProbe({ ipSource: action.ipSource, ipDestination: action.ipDestination, payload: action.payload }, now);
      for (const x of verdict.actions) queue.push([to, x]);
      continue;
    }
    if (action.kind !== 'send') continue;
    yield;
    for (const x of to.receive({ from: action.from, to: action.to, payload: action.payload }, now)) queue.push([to, x]);
  }
  return installed;
}

/** One handshake between two engines in memory (a initiates), all at once; returns the SA a installed, or null. */
export function loopbackHandshake(a: IkeEngine, b: IkeEngine, now: number, trigger?: AcquireTrigger): IpsecSaSpec | null {
  const steps = loopbackSteps(a, b, now, trigger);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}
