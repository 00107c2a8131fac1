/**
 * Warm-up after boot: the first negotiation of a fresh Node process runs
 * cold code (parsed, not yet compiled) and takes several times longer than
 * the next ones. Right after the router is up, it runs a few complete
 * handshakes between two in-memory engines with its own ISAKMP policies and
 * transform sets, plus ESP on their keys, one step per turn of the event
 * loop, so the first real tunnel does not pay for compiling the code. Real
 * packets are never kept waiting: each step is short and yields.
 */
import type { IkePolicy } from '../ike/policy.js';
import { IkeEngine, policyFromConfig, type IkeAction, type IpsecSaSpec } from '../ike/index.js';
import { EspInboundSa, EspOutboundSa } from '../esp/sa.js';
import { parseConfig } from '../ios/index.js';
import { randomBytes } from 'node:crypto';

const PHASE1_LINES: Record<string, string> = {
  'des-cbc': 'encryption des',
  '3des-cbc': 'encryption 3des',
  'aes128-cbc': 'encryption aes',
  'aes192-cbc': 'encryption aes 192',
  'aes256-cbc': 'encryption aes 256',
};
const HASH_LINES: Record<string, string> = { md5: 'hash md5', sha1: 'hash sha', sha256: 'hash sha256' };

function config(self: 1 | 2, p1: IkePolicy['phase1'][number], transform: string, pfs: number | null, ted: boolean): string {
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
      ? ['crypto dynamic-map d 10', ' set transform-set t', ...(pfs ? [` set pfs group${pfs}`] : []), ' match address 101', 'crypto map m 10 ipsec-isakmp dynamic d discover']
      : ['crypto map m 10 ipsec-isakmp', ` set peer ${peer}`, ' set transform-set t', ...(pfs ? [` set pfs group${pfs}`] : []), ' match address 101']),
    'interface FastEthernet0/0',
    ` ip address ${me} 255.255.255.0`,
    ' crypto map m',
    `access-list 101 permit ip ${local} 0.0.255.255 ${remote} 0.0.255.255`,
    `ip route 0.0.0.0 0.0.0.0 ${peer}`,
  ].join('\n');
}

/** One handshake between two engines in memory; returns the installed SA of the initiator. */
function handshake(a: IkeEngine, b: IkeEngine, now: number): IpsecSaSpec | null {
  const queue: [IkeEngine, IkeAction][] = a
    .acquire({ packet: { source: '10.1.0.1', destination: '10.2.0.1', protocol: 1 }, interface: 'FastEthernet0/0' }, now)
    .map((x) => [a, x]);
  let installed: IpsecSaSpec | null = null;
  for (let steps = 0; queue.length > 0 && steps < 100; steps++) {
    const [from, action] = queue.shift()!;
    if (action.kind === 'install-ipsec' && from === a) installed = action.sa;
    const to = from === a ? b : a;
    if (action.kind === 'send-probe') {
      const verdict = to.receiveTransitProbe({ ipSource: action.ipSource, ipDestination: action.ipDestination, payload: action.payload }, now);
      for (const x of verdict.actions) queue.push([to, x]);
      continue;
    }
    if (action.kind !== 'send') continue;
    for (const x of to.receive({ from: action.from, to: action.to, payload: action.payload }, now)) queue.push([to, x]);
  }
  return installed;
}

function esp(sa: IpsecSaSpec): void {
  const cfg = (d: IpsecSaSpec['outbound']) => ({ spi: d.spi, cipher: sa.cipher, integrity: sa.integrity, encryptionKey: d.encryptionKey, authenticationKey: d.authenticationKey });
  const out = new EspOutboundSa(cfg(sa.outbound));
  const inn = new EspInboundSa(cfg(sa.outbound));
  const packet = Buffer.alloc(1400, 0x45);
  for (let i = 0; i < 200; i++) {
    const r = out.encapsulate(packet, randomBytes);
    if (r.ok) inn.decapsulate(r.packet);
  }
}

/** Run the warm-up in the background; resolves when done. */
export function warmUp(policy: IkePolicy, rounds = 10): Promise<void> {
  const p1s = policy.phase1.length ? policy.phase1 : [];
  const sets = policy.transformSets.length ? policy.transformSets.map((t) => t.text) : ['esp-des esp-md5-hmac'];
  const pfsGroups = [...new Set(policy.cryptoMaps.flatMap((m) => m.entries.map((e) => e.pfsGroup)))];
  const steps: (() => void)[] = [];
  for (const p1 of p1s.slice(0, 3)) {
    for (const transform of sets.slice(0, 3)) {
      for (const pfs of pfsGroups.slice(0, 2)) {
        for (let i = 0; i < rounds; i++) {
          steps.push(() => {
            const ted = i % 2 === 0;
            const a = new IkeEngine({ policy: policyFromConfig(parseConfig(config(1, p1, transform, pfs, ted)).config, { natTraversal: true }), random: randomBytes });
            const b = new IkeEngine({ policy: policyFromConfig(parseConfig(config(2, p1, transform, pfs, ted)).config, { natTraversal: true }), random: randomBytes });
            const sa = handshake(a, b, Date.now());
            if (sa) esp(sa);
          });
        }
      }
    }
  }
  return new Promise((resolve) => {
    const next = () => {
      const step = steps.shift();
      if (!step) return resolve();
      try {
        step();
      } catch {
        // a warm-up that fails only means the first real tunnel is slower
      }
      setImmediate(next);
    };
    setImmediate(next);
  });
}
