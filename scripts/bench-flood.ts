/**
 * npm run bench:flood: the memory of one router agent (its IKE engine and
 * datapath, in this process, as src/agent/router wires them) under a flood,
 * and the time one packet takes at the end of it. The same script measures
 * any build of the project: `--root DIR` names a checkout whose `dist/`
 * holds an older build (docs/fuzzing.md measured the code before the bounds
 * with it), by default this one.
 *
 *   phase1     valid Main Mode first messages from spoofed sources, each with its own cookie, 10,000 a second
 *   fragments  1,480-byte fragments addressed to the router, of 256 datagrams that never complete
 *              (random offsets, more-fragments set), 10,000 a second
 *
 *   node --expose-gc --openssl-legacy-provider dist/scripts/bench-flood.js [--root DIR] [--flood phase1|fragments] [--count N] [--json]
 *
 * Memory is read after a full garbage collection (heap used, and the
 * process's resident set) before the flood and at checkpoints; the packet
 * time is the mean over the last 1,000 packets of each stretch (wall time,
 * so it depends on the machine's load: the figures in the docs say it).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { pathToFileURL, fileURLToPath } from 'node:url';

/* eslint-disable @typescript-eslint/no-explicit-any -- the modules come from a build chosen at run time, whose types this build does not know */

const here = fileURLToPath(new URL('../../', import.meta.url));

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}

const root = arg('root', here).replace(/\/?$/, '/');
const flood = arg('flood', 'phase1');
const count = Number(arg('count', '50000'));
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const load = async (path: string): Promise<any> => import(pathToFileURL(`${root}dist/src/${path}`).href);
const ios = await load('ios/index.js');
const ike = await load('agent/ike/index.js');
const { Datapath } = await load('agent/datapath/datapath.js');
const { udpPacket } = await load('agent/datapath/packet.js');
const { encodeIpv4 } = await load('codecs/net/ipv4.js');

const cfg = (name: string) => readFileSync(`${here}topologies/daphne-fred/${name}.cfg`, 'utf8');

/** The router: fred's engine and datapath, wired as the agent wires them (the datapath's writes are dropped). */
function agent(text: string, clock: { now: number }) {
  const { config } = ios.parseConfig(text);
  const policy = ike.policyFromConfig(config);
  const engine = new ike.IkeEngine({ policy, random: randomBytes });
  const routes = ios.computeRoutes(config);
  const local = new Set<number>(config.interfaces.flatMap((i: any) => (i.address ? [ios.parseIpv4(i.address.address)] : [])));
  let written = 0;
  const act = (actions: any[]) => {
    for (const a of actions) {
      if (a.kind === 'send') dp.sendUdp(a.from, a.to, a.payload);
      else if (a.kind === 'install-ipsec') dp.install(a.sa, a.replaces);
      else if (a.kind === 'delete-ipsec') dp.remove(a.inboundSpi, a.outboundSpi);
    }
  };
  const dp: any = new Datapath({
    write: () => written++,
    isLocal: (a: number) => local.has(a),
    route: (d: number) => {
      const hit = ios.lookupRoute(routes, d);
      return hit ? { iface: hit.path.outInterface, nextHop: hit.path.gateway, mtu: 1500, address: null } : null;
    },
    policy: () => policy,
    engine,
    act,
    log: () => {},
    now: () => clock.now,
    random: randomBytes,
  });
  return { engine, dp, act, written: () => written };
}

function memory(): { heapMB: number; rssMB: number } {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return { heapMB: m.heapUsed / 2 ** 20, rssMB: m.rss / 2 ** 20 };
}

const clock = { now: 1_000_000 };
const fred = agent(cfg('fred'), clock);
const fredWan = ios.parseIpv4('11.11.11.2');

/** A valid Main Mode message 1, as daphne sends it (from its own engine). */
function mm1(): Buffer {
  const { config } = ios.parseConfig(cfg('daphne'));
  const daphne = new ike.IkeEngine({ policy: ike.policyFromConfig(config), random: randomBytes });
  // TED: a probe first; answer it with fred's engine to get daphne's Main Mode message 1
  const acts = daphne.acquire(
    { packet: { source: '13.13.13.4', destination: '12.12.12.13', protocol: 1 }, interface: 'FastEthernet0/0', nextHop: '11.11.11.2' },
    0,
  );
  const probe = acts.find((a: any) => a.kind === 'send-probe');
  const answer = fred.engine
    .receiveTransitProbe({ ipSource: probe.ipSource, ipDestination: probe.ipDestination, payload: probe.payload }, 0)
    .actions.find((a: any) => a.kind === 'send');
  const first = daphne.receive({ from: answer.from, to: answer.to, payload: answer.payload }, 0).find((a: any) => a.kind === 'send');
  if (!first || first.payload[18] !== 2) throw new Error('no Main Mode message 1');
  return first.payload;
}

const packets: (i: number) => Buffer =
  flood === 'phase1'
    ? (() => {
        const base = mm1();
        return (i: number) => {
          const m = Buffer.from(base);
          m.writeUInt32BE(0xf100d000, 0);
          m.writeUInt32BE(i + 1, 4);
          return udpPacket((0x0a000000 + i) >>> 0, fredWan, 500, 500, m);
        };
      })()
    : (() => {
        let seed = 12345;
        const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
        const body = randomBytes(1480);
        // 256 datagrams (16 sources x 16 IDs), each sent fragments at random offsets, more-fragments always set
        return (i: number) => {
          const key = i % 256;
          return encodeIpv4(
            {
              protocol: 50,
              source: 0x0a000000 + (key >> 4),
              destination: fredWan,
              identification: key & 15,
              moreFragments: true,
              fragmentOffset: next() % 8000,
            },
            body,
          );
        };
      })();

const header = `bench:flood ${flood}, ${count.toLocaleString('en-US')} packets at 10,000/s (simulated clock), build ${root === here ? 'this checkout' : root}`;
console.log(header);
console.log(
  `machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, Node ${process.version}, load ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
const before = memory();
console.log(`before: heap ${before.heapMB.toFixed(1)} MB, RSS ${before.rssMB.toFixed(1)} MB`);
const rows: unknown[] = [];
const checkpoints = [0.1, 0.25, 0.5, 1].map((f) => Math.round(count * f));
let t0 = performance.now();
for (let i = 0; i < count; i++) {
  if (i % 1000 === 0) t0 = performance.now();
  clock.now += 0.1;
  fred.dp.handle(packets(i));
  // as the agent: the engine's timers when due, the reassembly sweep once a (simulated) second
  const due = fred.engine.nextDeadline();
  if (due !== null && due <= clock.now) fred.act(fred.engine.tick(clock.now));
  if (i % 10_000 === 9_999) fred.dp.sweep?.(clock.now);
  if (checkpoints.includes(i + 1)) {
    const perPacketUs = ((performance.now() - t0) / ((i % 1000) + 1)) * 1000;
    const m = memory();
    const sas = fred.engine.isakmpSas().length;
    const row = {
      packets: i + 1,
      heapMB: +(m.heapMB - before.heapMB).toFixed(1),
      rssMB: +(m.rssMB - before.rssMB).toFixed(1),
      isakmpSas: sas,
      perPacketUs: +perPacketUs.toFixed(1),
    };
    rows.push(row);
    console.log(
      `${String(i + 1).padStart(8)} packets: heap +${row.heapMB} MB, RSS +${row.rssMB} MB, ${sas} ISAKMP SAs listed, ${row.perPacketUs} us per packet`,
    );
  }
}
if (process.argv.includes('--json')) console.log(JSON.stringify({ flood, count, root, before, rows }));
