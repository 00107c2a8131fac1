/**
 * npm run bench:crypto: IKE handshake and ESP throughput figures on this
 * machine, with the ceilings they are judged against.
 *
 *   1. Handshakes per second in memory (Main Mode + Quick Mode, both sides)
 *      per Diffie-Hellman group, for every implementation in HANDSHAKES.
 *      Two entries: the crypto path alone (handshakeCryptoCost) and the
 *      whole engine (codec, state machines, debug lines and crypto).
 *   2. ESP encapsulate + decapsulate throughput (EspOutboundSa ->
 *      EspInboundSa) for DES-MD5, 3DES-SHA1 and AES128-SHA1 at 64, 512 and
 *      1400-byte inner packets, next to references for the same cipher and
 *      HMAC work (scripts/lib/esp-floors.ts): Node with per-packet contexts
 *      (createCipheriv/update/final + createHmac per packet, which the SAs
 *      now beat), Node with long-lived contexts (one update per direction,
 *      one-shot hashes for the HMAC: the floor of the SAs' own scheme), and
 *      `openssl speed` (bulk cipher rate, per-buffer HMAC: the hard ceiling),
 *      run once per repetition between ours (scripts/lib/bench.ts,
 *      measureInterleavedWith), so every reference is a median over the
 *      same stretch of time as ours.
 *      Target: ESP within 2x of the raw cipher+HMAC cost at 1400 bytes.
 *
 * Run with --openssl-legacy-provider (DES). Flags: --quick (3 short
 * repetitions, for trials only), --no-openssl (skip `openssl speed`),
 * --json (also print the results as JSON). The load averages at the start
 * and the end are printed with the figures.
 */
import { randomBytes, randomFillSync } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { CIPHERS, HASHES, desBackend, dhGroupById, type DhGroup } from '../src/agent/crypto/index.js';
import {
  ESP_CIPHERS,
  ESP_INTEGRITY,
  EspInboundSa,
  EspOutboundSa,
  pooledRandom,
  type EspCipherName,
  type EspIntegrityName,
  type NativeEsp,
} from '../src/agent/esp/index.js';
import { buildNativeEsp } from './lib/native-esp.js';
import {
  describeMachine,
  fmt,
  formatMachine,
  formatTable,
  loadAverage,
  measureInterleaved,
  measureInterleavedWith,
  pct,
  type Machine,
  type Measurement,
  type MeasureOptions,
} from './lib/bench.js';
import { espWork, perPacketContextFloor, persistentContextFloor } from './lib/esp-floors.js';
import { dhCost, handshakeCryptoCost, type HandshakeSuite } from './lib/handshake-crypto.js';
import { engineHandshake } from './lib/handshake-engine.js';
import { opensslSpeed } from './lib/openssl-speed.js';

/** A way of running one whole handshake (both sides) in memory. */
export interface HandshakeImplementation {
  readonly name: string;
  /** What the figure includes, printed under the table. */
  readonly measures: string;
  readonly run: (suite: HandshakeSuite) => unknown;
}

export const HANDSHAKES: readonly HandshakeImplementation[] = [
  {
    name: 'crypto path',
    measures:
      "handshakeCryptoCost: both sides' DH key pairs and g^xy, SKEYID chain, HASH_I/HASH_R, QM HASH(1-3), " +
      'MM5-6 and QM1-3 body encryption and decryption, KEYMAT for both SAs; no ISAKMP codec, no state machine',
    run: handshakeCryptoCost,
  },
  {
    name: 'engine',
    measures:
      "the router's IkeEngine on both sides (src/agent/ike): ISAKMP encoding and decoding, Main Mode and Quick Mode state machines, " +
      'IOS debug lines, and all of the crypto above; static crypto map, no TED',
    run: engineHandshake,
  },
];

export const HANDSHAKE_GROUPS = [1, 2, 14] as const;

function seedSuite(group: DhGroup): HandshakeSuite {
  return {
    name: `DES/SHA1/group ${group.id}`,
    cipher: CIPHERS['des-cbc'],
    hash: HASHES.sha1,
    group,
    espKeySize: ESP_CIPHERS.des.keySize,
    espAuthKeySize: ESP_INTEGRITY['hmac-md5-96'].keySize,
  };
}

export interface HandshakeRow {
  readonly implementation: string;
  readonly group: number;
  readonly handshakesPerSecond: number;
  readonly msPerHandshake: number;
  /** Share of the time spent in the two DH key pairs and shared secrets. */
  readonly dhShare: number;
  readonly spread: number;
}

export function benchHandshakes(opts: MeasureOptions): HandshakeRow[] {
  const rows: HandshakeRow[] = [];
  for (const id of HANDSHAKE_GROUPS) {
    const group = dhGroupById(id);
    for (const impl of HANDSHAKES) {
      const suite = seedSuite(group);
      const [m, dh] = measureInterleaved([() => impl.run(suite), () => dhCost(group)], opts) as [Measurement, Measurement];
      rows.push({
        implementation: impl.name,
        group: id,
        handshakesPerSecond: m.opsPerSecond,
        msPerHandshake: 1000 / m.opsPerSecond,
        dhShare: m.opsPerSecond / dh.opsPerSecond,
        spread: m.spread,
      });
    }
  }
  return rows;
}

export interface EspCase {
  readonly label: string;
  readonly cipher: EspCipherName;
  readonly integrity: EspIntegrityName;
}

export const ESP_CASES: readonly EspCase[] = [
  { label: 'DES-MD5', cipher: 'des', integrity: 'hmac-md5-96' },
  { label: '3DES-SHA1', cipher: '3des', integrity: 'hmac-sha1-96' },
  { label: 'AES128-SHA1', cipher: 'aes128', integrity: 'hmac-sha1-96' },
];
export const ESP_SIZES = [64, 512, 1400] as const;
export const TARGET_SIZE = 1400;
/** ESP may cost at most this many times the raw cipher + HMAC work. */
export const TARGET_FACTOR = 2;

export interface EspRow {
  readonly label: string;
  readonly bytes: number;
  /** Inner-packet megabytes (10^6) per second through encapsulate + decapsulate, as the router runs them (native ESP module). */
  readonly ours: number;
  /** The same SAs with node:crypto only (no native module: unit tests, or a Node that cannot load it). */
  readonly oursNodeCrypto: number;
  /** Node with per-packet cipher and HMAC contexts (scripts/lib/esp-floors.ts). */
  readonly nodePerPacket: number;
  /** Node with long-lived cipher contexts and one-shot HMAC hashes: the floor of our scheme. */
  readonly nodePersistent: number;
  /** Median of the `openssl speed` runs, one per repetition, interleaved with ours. */
  readonly opensslCeiling?: number;
  /** (max - min) / median of the `openssl speed` repetitions. */
  readonly opensslSpread?: number;
  readonly spread: number;
}

export { espWork };

/** Our datapath: EspOutboundSa.encapsulate then EspInboundSa.decapsulate, pooled random IVs; with the native module when given. */
function ourEsp(c: EspCase, n: number, native?: NativeEsp): () => unknown {
  const cipher = ESP_CIPHERS[c.cipher];
  const integrity = ESP_INTEGRITY[c.integrity];
  const cfg = {
    spi: 0x1234abcd,
    cipher: c.cipher,
    integrity: c.integrity,
    encryptionKey: randomBytes(cipher.keySize),
    authenticationKey: randomBytes(integrity.keySize),
    native,
  };
  const out = new EspOutboundSa(cfg);
  const inb = new EspInboundSa(cfg);
  if (native && !(out.nativeCrypto && inb.nativeCrypto)) throw new Error(`the native ESP module does not run ${c.label}`);
  const iv = pooledRandom((len) => randomFillSync(Buffer.allocUnsafe(len)));
  const inner = randomBytes(n);
  return () => {
    const e = out.encapsulate(inner, iv);
    if (!e.ok) throw new Error(`encapsulate: ${e.reason}`);
    const d = inb.decapsulate(e.packet);
    if (!d.ok) throw new Error(`decapsulate: ${d.reason}`);
    return d.inner;
  };
}

const OPENSSL_CIPHER: Readonly<Record<string, string>> = { des: 'des-cbc', '3des': 'des-ede3-cbc', aes128: 'aes-128-cbc' };

/** MB/s of inner packets if the pair cost what `openssl speed` says: encrypt + decrypt + 2 HMACs. */
async function opensslCeiling(c: EspCase, n: number, seconds: number): Promise<number | undefined> {
  const { encrypted, authenticated } = espWork(c, n);
  const algorithm = OPENSSL_CIPHER[c.cipher]!;
  const enc = await opensslSpeed({ kind: 'evp', algorithm, bytes: encrypted, seconds });
  const dec = await opensslSpeed({ kind: 'evp', algorithm, bytes: encrypted, seconds, decrypt: true });
  const mac = await opensslSpeed({ kind: 'hmac', algorithm: ESP_INTEGRITY[c.integrity].nodeName, bytes: authenticated, seconds });
  if (enc === undefined || dec === undefined || mac === undefined) return undefined;
  const secondsPerPacket = encrypted / enc + encrypted / dec + (2 * authenticated) / mac;
  return n / secondsPerPacket / 1e6;
}

export async function benchEsp(opts: MeasureOptions, opensslSeconds: number | undefined): Promise<EspRow[]> {
  const native = buildNativeEsp();
  const rows: EspRow[] = [];
  for (const c of ESP_CASES) {
    for (const n of ESP_SIZES) {
      // openssl speed runs once per repetition, between ours (alternately after and before), so the
      // ceiling and ours are medians over the same stretch of time
      const fns = [ourEsp(c, n, native), ourEsp(c, n), perPacketContextFloor(c, n), persistentContextFloor(c, n)];
      const { measurements, reference } =
        opensslSeconds === undefined
          ? { measurements: measureInterleaved(fns, opts), reference: undefined }
          : await measureInterleavedWith(fns, opts, () => opensslCeiling(c, n, opensslSeconds));
      const [ours, oursNode, perPacket, persistent] = measurements as [Measurement, Measurement, Measurement, Measurement];
      const mbs = (m: Measurement) => (m.opsPerSecond * n) / 1e6;
      rows.push({
        label: c.label,
        bytes: n,
        ours: mbs(ours),
        oursNodeCrypto: mbs(oursNode),
        nodePerPacket: mbs(perPacket),
        nodePersistent: mbs(persistent),
        opensslCeiling: reference?.opsPerSecond,
        opensslSpread: reference?.spread,
        spread: ours.spread,
      });
    }
  }
  return rows;
}

export interface BenchResults {
  readonly machine: Machine;
  readonly desBackend: string;
  readonly options: MeasureOptions;
  readonly opensslSeconds?: number;
  /** The load averages at the start and the end (uptime), on a shared machine. */
  readonly load?: string;
  readonly handshakes: HandshakeRow[];
  readonly esp: EspRow[];
}

export function formatResults(r: BenchResults): string {
  const out: string[] = [];
  out.push(formatMachine(r.machine));
  out.push(`DES      ${r.desBackend}${r.desBackend === 'des-cbc' ? '' : '  (WARNING: start node with --openssl-legacy-provider for real DES)'}`);
  out.push(
    `method   warm-up ${r.options.warmupMs} ms, ${r.options.repetitions} repetitions of >= ${r.options.repetitionMs} ms, median; openssl speed -seconds ${r.opensslSeconds ?? 'n/a'} once per repetition, interleaved`,
  );
  if (r.load) out.push(`load     ${r.load}`);
  out.push('');
  out.push('IKEv1 Main Mode + Quick Mode handshakes, both sides in memory (phase 1 DES/SHA1/PSK, phase 2 esp-des esp-md5-hmac)');
  const g1 = new Map(r.handshakes.filter((h) => h.group === 1).map((h) => [h.implementation, h.handshakesPerSecond]));
  out.push(
    formatTable(
      ['implementation', 'group', 'handshakes/s', 'ms/handshake', 'DH share', 'cost vs group 1', 'spread'],
      r.handshakes.map((h) => [
        h.implementation,
        String(h.group),
        fmt(h.handshakesPerSecond),
        fmt(h.msPerHandshake, 2),
        pct(h.dhShare),
        `${fmt((g1.get(h.implementation) ?? NaN) / h.handshakesPerSecond, 1)}x`,
        pct(h.spread),
      ]),
    ),
  );
  for (const impl of HANDSHAKES) out.push(`  ${impl.name}: ${impl.measures}`);
  out.push('');
  out.push('ESP tunnel mode, encapsulate + decapsulate, MB/s of inner packets (10^6 bytes)');
  out.push(
    formatTable(
      [
        'transform',
        'bytes',
        'ours',
        'ours node:crypto',
        'Node per-pkt',
        'ours/per-pkt',
        'Node long-lived',
        'ours/long-lived',
        'openssl speed',
        'ours/openssl',
        'spread',
        'openssl spread',
      ],
      r.esp.map((e) => [
        e.label,
        String(e.bytes),
        fmt(e.ours),
        fmt(e.oursNodeCrypto),
        fmt(e.nodePerPacket),
        pct(e.ours / e.nodePerPacket),
        fmt(e.nodePersistent),
        pct(e.ours / e.nodePersistent),
        e.opensslCeiling === undefined ? 'n/a' : fmt(e.opensslCeiling),
        e.opensslCeiling === undefined ? 'n/a' : pct(e.ours / e.opensslCeiling),
        pct(e.spread),
        e.opensslSpread === undefined ? 'n/a' : pct(e.opensslSpread),
      ]),
    ),
  );
  out.push('  ours: the SAs as the router runs them, cipher and HMAC of each packet in one call to the native ESP module (images/router2600/addon/esp.c).');
  out.push('  ours node:crypto: the same SAs without the native module (what unit tests and a Node that cannot load it run).');
  out.push('  Node per-pkt: createCipheriv+update+final and one createHmac per packet each way, nothing else (what per-packet contexts cost).');
  out.push("  Node long-lived: one update on a long-lived encryptor and decryptor, HMACs as two one-shot hashes, nothing else (our scheme's floor).");
  out.push(
    '  openssl speed: bulk EVP encrypt and -decrypt rates plus two -hmac runs at the same sizes (the hard ceiling), once per repetition between ours; median.',
  );
  out.push('  spread: (max - min) / median of our repetitions; openssl spread: the same over the openssl speed repetitions.');
  out.push('');
  out.push(
    `Target: ESP within ${TARGET_FACTOR}x of the raw cipher+HMAC cost (openssl speed) at ${TARGET_SIZE} bytes, i.e. ours >= ${pct(1 / TARGET_FACTOR)} of its throughput`,
  );
  out.push('  cost relative to openssl speed (ours, then the two Node floors: can Node reach the target at all?), and ours against our own floor');
  for (const e of r.esp.filter((x) => x.bytes === TARGET_SIZE)) {
    const cli = e.opensslCeiling;
    const times = (mbs: number) => `${fmt(cli! / mbs, 2)}x`;
    const parts =
      cli === undefined
        ? ['openssl speed not measured']
        : [
            `ours ${times(e.ours)} -> ${cli / e.ours <= TARGET_FACTOR ? 'holds' : 'MISSED'}`,
            `ours node:crypto ${times(e.oursNodeCrypto)}`,
            `Node long-lived ${times(e.nodePersistent)}, Node per-pkt ${times(e.nodePerPacket)}`,
          ];
    parts.push(`ours costs ${fmt(e.nodePersistent / e.ours, 2)}x the long-lived floor`);
    out.push(`  ${e.label.padEnd(12)} ${parts.join(';  ')}`);
  }
  return out.join('\n');
}

export async function main(argv: readonly string[]): Promise<void> {
  const quick = argv.includes('--quick');
  const opts: MeasureOptions = quick ? { warmupMs: 200, repetitions: 3, repetitionMs: 200 } : { warmupMs: 500, repetitions: 7, repetitionMs: 300 };
  const opensslSeconds = argv.includes('--no-openssl') ? undefined : 1;
  const machine = await describeMachine();
  const loadBefore = loadAverage();
  const handshakes = benchHandshakes(opts);
  const esp = await benchEsp(opts, opensslSeconds);
  const load = `${loadBefore} at the start, ${loadAverage()} at the end (1, 5, 15 min)`;
  const results: BenchResults = { machine, desBackend: desBackend(), options: opts, opensslSeconds, load, handshakes, esp };
  console.log(formatResults(results));
  if (argv.includes('--json')) console.log(JSON.stringify(results, null, 2));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(`bench:crypto: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
}
