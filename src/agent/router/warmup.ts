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
import { IkeEngine, policyFromConfig, type IpsecSaSpec } from '../ike/index.js';
import { loopbackConfig, loopbackHandshake } from '../ike/loopback.js';
import { EspInboundSa, EspOutboundSa } from '../esp/sa.js';
import { parseConfig } from '../ios/index.js';
import { randomBytes } from 'node:crypto';

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
            const a = new IkeEngine({ policy: policyFromConfig(parseConfig(loopbackConfig(1, p1, transform, pfs, ted)).config, { natTraversal: true }), random: randomBytes });
            const b = new IkeEngine({ policy: policyFromConfig(parseConfig(loopbackConfig(2, p1, transform, pfs, ted)).config, { natTraversal: true }), random: randomBytes });
            const sa = loopbackHandshake(a, b, Date.now());
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
