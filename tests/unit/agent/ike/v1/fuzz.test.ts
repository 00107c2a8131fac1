/**
 * Garbage and mutated messages never make the engine throw: every input
 * gives actions (typically a drop or a log line), never an internal error,
 * and the engine still negotiates afterwards. Seeded, so failures replay.
 */
import test, { type ExecutionContext } from 'ava';
import type { IkeAction } from '../../../../../src/agent/ike/types.js';
import type { IkeEngine } from '../../../../../src/agent/ike/v1/engine.js';
import { engineFromConfig, PING_A, seededRandom, seedConfig, twoSites, Wire } from '../helpers.js';

/** Messages of real exchanges: Main Mode + Quick Mode, Aggressive Mode, TED, DPD. */
function corpus(): Buffer[] {
  const out: Buffer[] = [];
  const mm = twoSites(200, { keepalive: 'crypto isakmp keepalive 10 2 periodic' }, { keepalive: 'crypto isakmp keepalive 10 2 periodic' });
  mm.acquire('A', PING_A);
  mm.run(30_000);
  const am = twoSites(201, { aggressivePassword: 'abc123', pfs: 'group2' }, { pfs: 'group2' });
  am.acquire('A', PING_A);
  am.run(5_000);
  const ted = new Wire();
  ted.add('daphne', engineFromConfig(seedConfig('daphne'), 202), ['11.11.11.1'], ['13.13.13.0/24']);
  ted.add('fred', engineFromConfig(seedConfig('fred'), 203), ['11.11.11.2'], ['12.12.12.0/24']);
  ted.acquire('daphne', { packet: { source: '13.13.13.4', destination: '12.12.12.13', protocol: 1 }, interface: 'FastEthernet0/0' });
  ted.run(5_000);
  for (const w of [mm, am, ted]) for (const p of w.sent) out.push(p.payload);
  return out;
}

function mutate(rnd: (n: number) => Buffer, base: Buffer): Buffer {
  const r = rnd(4);
  const kind = r[0]! % 8;
  const buf = Buffer.from(base);
  switch (kind) {
    case 0: {
      // flip a few bytes anywhere
      const flips = 1 + (r[1]! % 6);
      for (let i = 0; i < flips; i++) {
        const at = rnd(2).readUInt16BE(0) % Math.max(1, buf.length);
        buf[at] = rnd(1)[0]!;
      }
      return buf;
    }
    case 1:
      return buf.subarray(0, r[1]! % Math.max(1, buf.length));
    case 2:
      return Buffer.concat([buf, rnd(1 + (r[1]! % 40))]);
    case 3: {
      // a header field: next payload, exchange type, flags, message ID or length
      const field = [16, 18, 19, 20, 24, 27][r[1]! % 6]!;
      if (buf.length > field) buf[field] = r[2]!;
      return buf;
    }
    case 4: {
      // flip inside the payloads only (header intact)
      const at = 28 + (rnd(2).readUInt16BE(0) % Math.max(1, buf.length - 28));
      if (at < buf.length) buf[at] ^= 1 << (r[1]! % 8);
      return buf;
    }
    case 5:
      return rnd(r[1]! % 200);
    case 6: {
      // a generic payload length set to something odd
      const at = 28 + 2 + ((r[1]! * 4) % Math.max(1, buf.length - 30));
      if (at + 1 < buf.length) buf.writeUInt16BE(r[2]! * 256 + r[3]!, at);
      return buf;
    }
    default: {
      // random body behind a plausible header
      const body = rnd(r[1]! % 120);
      const h = Buffer.from(buf.subarray(0, 28));
      if (h.length === 28) h.writeUInt32BE(28 + body.length, 24);
      return Buffer.concat([h, body]);
    }
  }
}

function noInternalError(t: ExecutionContext, actions: readonly IkeAction[], input: Buffer): void {
  for (const a of actions) {
    if (a.kind === 'drop' && a.reason.startsWith('internal error')) t.fail(`internal error for input ${input.toString('hex')}: ${a.reason}`);
  }
}

function fuzzEngine(
  t: ExecutionContext,
  engine: IkeEngine,
  base: readonly Buffer[],
  seed: number,
  rounds: number,
  to: { ip: string; port: number },
  clock = { start: 0, step: 50 },
): void {
  const rnd = seededRandom(seed);
  let now = clock.start;
  for (let i = 0; i < rounds; i++) {
    const pick = base[rnd(2).readUInt16BE(0) % base.length]!;
    const input = mutate(rnd, pick);
    const port = rnd(1)[0]! % 4 === 0 ? 4500 : to.port;
    const payload = port === 4500 && rnd(1)[0]! % 2 === 0 ? Buffer.concat([Buffer.alloc(4), input]) : input;
    let actions: IkeAction[] = [];
    t.notThrows(() => {
      actions = engine.receive({ from: { ip: '11.11.11.1', port: 500 }, to: { ip: to.ip, port }, payload }, now);
    });
    noInternalError(t, actions, input);
    let transit: IkeAction[] = [];
    t.notThrows(() => {
      transit = engine.receiveTransitProbe({ ipSource: '13.13.13.4', ipDestination: '12.12.12.13', payload: input }, now).actions;
    });
    noInternalError(t, transit, input);
    now += clock.step;
    if (clock.step > 0 && i % 50 === 0) {
      t.notThrows(() => engine.tick(now));
    }
  }
}

test('fuzz: a responder fed mutated and random messages never throws and reports no internal error', (t) => {
  const base = corpus();
  t.true(base.length > 15);
  const engine = engineFromConfig(seedConfig('fred'), 300);
  fuzzEngine(t, engine, base, 301, 3000, { ip: '11.11.11.2', port: 500 });
});

test('fuzz: an engine in the middle of exchanges survives garbage and still negotiates afterwards', (t) => {
  const base = corpus();
  const wire = twoSites(302);
  // Stop B's answers after Main Mode message 4 so A waits in MM_KEY_EXCH, B in MM_KEY_EXCH.
  wire.filter = (p) => (p.n > 4 ? [] : [{ packet: p }]);
  wire.acquire('A', PING_A);
  wire.run(1_000);
  const clock = { start: wire.now, step: 0 };
  fuzzEngine(t, wire.node('A').engine, base, 303, 1500, { ip: '11.11.11.1', port: 500 }, clock);
  fuzzEngine(t, wire.node('B').engine, base, 304, 1500, { ip: '11.11.11.2', port: 500 }, clock);
  // The exchange still completes once the wire is healed (retransmissions).
  wire.filter = null;
  wire.run(120_000);
  const a = wire.actions('A', 'install-ipsec');
  const b = wire.actions('B', 'install-ipsec');
  t.true(a.length >= 1 && b.length >= 1);
  t.true(a.some((x) => b.some((y) => x.sa.outbound.spi === y.sa.inbound.spi && x.sa.outbound.encryptionKey.equals(y.sa.inbound.encryptionKey))));
});

test('fuzz: totally random datagrams on ports 500 and 4500', (t) => {
  const engine = engineFromConfig(seedConfig('daphne'), 305);
  const rnd = seededRandom(306);
  for (let i = 0; i < 3000; i++) {
    const len = rnd(1)[0]!;
    const payload = rnd(len);
    if (len > 28 && i % 2 === 0) {
      payload[17] = 0x10;
      payload.writeUInt32BE(len, 24);
    }
    const port = i % 3 === 0 ? 4500 : 500;
    let actions: IkeAction[] = [];
    t.notThrows(() => {
      actions = engine.receive({ from: { ip: '11.11.11.2', port }, to: { ip: '11.11.11.1', port }, payload }, i);
    });
    noInternalError(t, actions, payload);
  }
});
