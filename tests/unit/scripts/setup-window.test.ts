/**
 * bench:tunnel's reading of one setup from the captures: the right packets
 * mark its start and end, and a setup that is not what the figure claims
 * (no TED probe or two, an echo in clear on the WAN, nothing decrypted) is
 * refused with the reason.
 */
import test from 'ava';
import type { CapturedPacket } from '../../../src/orchestrator/index.js';
import { setupTimes, type SetupCaptures } from '../../../scripts/lib/setup-window.js';

const D1 = '13.13.13.4';
const A1 = '12.12.12.13';
const flow = { src: D1, dst: A1, probes: 1 };

function pkt(time: number, fields: Partial<CapturedPacket>): CapturedPacket {
  return {
    time,
    frame: 0,
    ip: null,
    ethertype: 0x800,
    src: null,
    dst: null,
    protocol: null,
    ttl: 64,
    sport: null,
    dport: null,
    payload: null,
    icmp: null,
    esp: null,
    isakmp: null,
    ...fields,
  };
}
const echo = (time: number, type: 0 | 8, src = D1, dst = A1) => pkt(time, { src, dst, protocol: 1, icmp: { type, code: 0, id: 1, seq: 1 } });
const isakmp = (time: number, exchangeType: number, responderCookie = '0000000000000000') =>
  pkt(time, {
    src: '11.11.11.1',
    dst: '11.11.11.2',
    protocol: 17,
    sport: 500,
    dport: 500,
    isakmp: { exchangeType, initiatorCookie: '1111111111111111', responderCookie, messageId: 0, encrypted: false, nextPayload: 1 },
  });
const esp = (time: number) => pkt(time, { src: '11.11.11.1', dst: '11.11.11.2', protocol: 50, esp: { spi: 1, seq: 1 } });

/** A TED setup: trigger at 100.000, probe, reply, Main Mode at 100.002, ESP at 100.007, echo across at 100.0075, reply back at 100.009. */
function ted(): SetupCaptures {
  return {
    near: [echo(99.5, 8), echo(100.0, 8), echo(100.001, 8), echo(100.009, 0, A1, D1)],
    wan: [
      isakmp(100.0005, 240),
      isakmp(100.001, 240, '2222222222222222'),
      isakmp(100.002, 2),
      isakmp(100.003, 2, '2222222222222222'),
      isakmp(100.005, 32, '2222222222222222'),
      esp(100.007),
    ],
    far: [echo(99.5, 8), echo(100.0075, 8)],
  };
}

test('a TED setup: trigger, one probe, Main Mode, the first echo decrypted on the far LAN, its reply', (t) => {
  const r = setupTimes(ted(), 99.9, flow);
  t.deepEqual(r, { trigger: 100.0, probes: 1, mm1: 100.002, mm1Count: 1, firstEsp: 100.007, end: 100.0075, reply: 100.009 });
});

test('packets before the sample do not count', (t) => {
  const r = setupTimes(ted(), 100.0001, flow);
  t.like(r, { trigger: 100.001 });
});

test('a setup without its TED probe, or with two, is refused', (t) => {
  const none = ted();
  const noProbe = { ...none, wan: none.wan.filter((p) => !(p.isakmp?.exchangeType === 240 && p.isakmp.responderCookie === '0000000000000000')) };
  t.deepEqual(setupTimes(noProbe, 99.9, flow), { problem: '0 TED probes on the WAN, expected 1' });
  const two = ted();
  const twice = { ...two, wan: [...two.wan, isakmp(100.0015, 240)] };
  t.deepEqual(setupTimes(twice, 99.9, flow), { problem: '2 TED probes on the WAN, expected 1' });
  t.like(setupTimes(noProbe, 99.9, { ...flow, probes: 0 }), { probes: 0, mm1: 100.002 }, 'a static peer has none');
});

test('an echo in clear on the WAN, or none decrypted, is refused', (t) => {
  const c = ted();
  t.deepEqual(setupTimes({ ...c, wan: [...c.wan, echo(100.004, 8)] }, 99.9, flow), { problem: '1 echo requests crossed the WAN in clear' });
  t.deepEqual(setupTimes({ ...c, far: [] }, 99.9, flow), { problem: 'no echo request reached the far LAN' });
  t.deepEqual(setupTimes({ ...c, wan: c.wan.filter((p) => p.esp === null) }, 99.9, flow), {
    problem: 'the first echo request on the far LAN came before any ESP on the WAN',
  });
  t.deepEqual(setupTimes({ ...c, wan: c.wan.filter((p) => p.isakmp?.exchangeType !== 2) }, 99.9, flow), { problem: 'no Main Mode message 1 on the WAN' });
});

test('a retransmitted Main Mode message 1 is counted', (t) => {
  const c = ted();
  t.like(setupTimes({ ...c, wan: [...c.wan, isakmp(100.0025, 2)] }, 99.9, flow), { mm1: 100.002, mm1Count: 2 });
});

const datagram = (time: number, port = 9, src = D1, dst = A1) => pkt(time, { src, dst, protocol: 17, sport: 40000, dport: port });
const unreachable = (time: number, code: number) => pkt(time, { src: A1, dst: D1, protocol: 1, icmp: { type: 3, code, id: 0, seq: 0 } });

/** The same setup with UDP datagrams every millisecond instead of a ping; the far host answers port unreachable. */
function tedUdp(): SetupCaptures {
  const c = ted();
  return {
    near: [datagram(100.0), datagram(100.001), echo(100.0082, 0, A1, D1), unreachable(100.0085, 1), unreachable(100.009, 3)],
    wan: c.wan,
    far: [datagram(100.0075)],
  };
}

test('UDP traffic: the first datagram to the port starts it, the first decrypted ends it, port unreachable is its reply', (t) => {
  const udpFlow = { ...flow, udpPort: 9 };
  t.deepEqual(setupTimes(tedUdp(), 99.9, udpFlow), { trigger: 100.0, probes: 1, mm1: 100.002, mm1Count: 1, firstEsp: 100.007, end: 100.0075, reply: 100.009 });
  const otherPort = { ...tedUdp(), far: [datagram(100.0072, 53), datagram(100.0075)] };
  t.like(setupTimes(otherPort, 99.9, udpFlow), { end: 100.0075 }, 'datagrams to another port are not the traffic');
  t.deepEqual(setupTimes({ ...tedUdp(), wan: [...tedUdp().wan, datagram(100.004)] }, 99.9, udpFlow), {
    problem: '1 UDP datagrams to port 9 crossed the WAN in clear',
  });
  t.deepEqual(setupTimes(tedUdp(), 99.9, flow), { problem: 'no echo request on the near LAN' }, 'a ping flow does not read datagrams');
});
