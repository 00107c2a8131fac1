/**
 * The soak's memory question without the lab around it: the seed's two IKE
 * engines in memory (tests/unit/agent/ike/helpers.ts), IPsec SA lifetime
 * 120 s (a rekey every 90 s), DPD on demand, traffic noted on every SA each
 * minute, for 12 simulated hours; after each hour the heap after two full
 * collections. Flat means the engine's tables keep nothing per rekey.
 *
 *   node --expose-gc --openssl-legacy-provider dist/scripts/soak-engine-heap.js
 */
import { twoSites, PING_A } from '../tests/unit/agent/ike/helpers.js';
const lifetime = 'crypto ipsec security-association lifetime seconds 120';
const keepalive = 'crypto isakmp keepalive 10 2';
const wire = twoSites(5, { lifetime, keepalive }, { lifetime, keepalive });
wire.acquire('A', PING_A);
wire.run(5_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
for (let h = 1; h <= 12; h++) {
  // traffic both ways every 10 s so that SAs are used
  for (let t = 0; t < 3600_000; t += 60_000) {
    for (const n of ['A', 'B']) {
      const node = wire.node(n);
      for (const f of node.engine.ipsecSas(wire.now).flatMap((i) => i.flows)) {
        node.engine.noteTraffic({ spi: f.currentOutboundSpi, direction: 'outbound', bytes: 1000 }, wire.now);
        node.engine.noteTraffic({ spi: f.inbound.at(-1)!.spi, direction: 'inbound', bytes: 1000 }, wire.now);
      }
    }
    wire.run(wire.now + 60_000);
  }
  for (const n of wire.nodes) n.log.length = 0;
  wire.sent.length = 0;
  gc();
  gc();
  console.log(
    `hour ${h}: heap ${(process.memoryUsage().heapUsed / 1e6).toFixed(2)} MB, A pairs ${wire
      .node('A')
      .engine.ipsecSas(wire.now)
      .flatMap((i) => i.flows)
      .reduce((a, f) => a + f.inbound.length, 0)}`,
  );
}
