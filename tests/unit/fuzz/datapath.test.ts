/**
 * Short fuzz runs of the ESP receive path against an RFC 4303 model (esp)
 * and of the datapath in the lab (datapath): every packet delivered or
 * dropped as the RFCs say and counted once; the window agrees with the
 * model; the flow cache, reassembly and TED probes bounded; live SAs intact.
 */
import test from 'ava';
import { shortRun } from './run.js';

test('esp: 3 SAs x 1,500 packets (in order, reordered, replayed, tampered, fragmented): RFC 4303 outcomes, window agrees', (t) => {
  const s = shortRun(t, 'esp', 31, 1500, [0, 20_000, 40_000]);
  for (const k of ['delivered', 'replay', 'auth', 'recv-error', 'unknown-spi', 'wrong-encap', 'proxy']) t.true(s[`outcome.${k}`]! > 10, k);
});

test('datapath: 3 labs x 1,000 packets (LAN floods, clear text, fragments, mutated): bounded, live SAs intact', (t) => {
  const s = shortRun(t, 'datapath', 32, 1000, [0, 4000, 8000]);
  t.true(s.reassembled! > 0 && s.fragmentsRefused! > 0 && s.clearTextDrops! > 0 && s.maxFlowCache! > 100);
});
