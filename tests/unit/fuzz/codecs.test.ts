/**
 * Short fuzz runs of the codec targets (fuzz/targets): ISAKMP, TED, IPv4/UDP/
 * ICMP with the datapath's header code and ESP framing, reassembly. Each
 * asserts every invariant on every input and that the run reached what it is
 * meant to (accepted and refused inputs, reassembled datagrams, bounds).
 */
import test from 'ava';
import { shortRun } from './run.js';

test('isakmp: 3,000 mutated messages and chains: only IsakmpErrors, accepted ones re-encode stably', (t) => {
  const s = shortRun(t, 'isakmp', 11, 3000);
  t.true(s.accepted! > 1000 && s.rejected! > 500);
});

test('ted: 3,000 mutated probes and replies: typed refusals, accepted ones encode back', (t) => {
  const s = shortRun(t, 'ted', 12, 3000);
  t.true(s.probes! > 100 && s.replies! > 100 && s.malformed! > 100 && s.notTed! > 100);
});

test('net: 3,000 mutated packets: PacketError only, peek agrees with decode, fragments reassemble', (t) => {
  const s = shortRun(t, 'net', 13, 3000);
  t.true(s.decoded! > 1000 && s.refused! > 100 && s.udp! > 500 && s.reassembled! > 200);
});

test('reassembly: 5,000 fragments: FragmentError only, counted once, the table bounded, clean datagrams intact', (t) => {
  const s = shortRun(t, 'reassembly', 14, 2500, [0, 5000]);
  t.is(s.maxDatagrams, 16, 'the table filled');
  t.true(s.verified! > 0 && s['refused table-full']! > 0 && s['refused overlap']! > 0);
});
