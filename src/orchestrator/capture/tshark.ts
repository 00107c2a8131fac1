/**
 * A small wrapper around tshark (Wireshark 4.0): read a pcap with given key
 * tables and return per-packet fields, expert info and malformed frames.
 *
 * Fields come from `-T json -e FIELD ...`, which gives every occurrence of a
 * field as an array of strings (no separator ambiguity). Expert items come
 * from `_ws.expert.severity/.group/.message`, malformed frames from
 * `_ws.malformed`.
 *
 * tshark runs with WIRESHARK_CONFIG_DIR pointing at an empty temporary
 * directory unless `configDir` is given, so the user's own preferences and
 * key tables never change a result; the keys come only from `keys`,
 * `options` or an explicit profile.
 */
import { execFile, type ExecFileException } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tsharkKeyOptions, type WiresharkKeys } from './wireshark.js';

export const DEFAULT_TSHARK = 'tshark';

/** tshark could not be started: not installed, or not at the path given. */
export class TsharkMissingError extends Error {
  constructor(
    readonly tshark: string,
    cause?: unknown,
  ) {
    super(`tshark not found (tried "${tshark}"): install Wireshark's command-line tool (Debian/Ubuntu: apt-get install tshark) or set TSHARK to its path`, {
      cause,
    });
    this.name = 'TsharkMissingError';
  }
}

/** tshark ran and failed (bad option, unreadable file, timeout). */
export class TsharkError extends Error {
  constructor(
    message: string,
    readonly args: readonly string[],
    readonly exitCode: number | string | null,
    readonly stderr: string,
  ) {
    super(message);
    this.name = 'TsharkError';
  }
}

export interface TsharkOptions {
  /** tshark binary; default $TSHARK or "tshark" on the PATH. */
  readonly tshark?: string;
  /** Key tables, passed as -o options (see tsharkKeyOptions). */
  readonly keys?: WiresharkKeys;
  /** More raw arguments placed before -r (e.g. ["-o", "udp.check_checksum:TRUE"]). */
  readonly options?: readonly string[];
  /** WIRESHARK_CONFIG_DIR; default: a fresh empty temporary directory. */
  readonly configDir?: string;
  /** Configuration profile (-C NAME): <configDir>/profiles/NAME. */
  readonly profile?: string;
  /** Display filter (-Y). */
  readonly displayFilter?: string;
  /** Two-pass analysis (-2). */
  readonly twoPass?: boolean;
  /** Kill tshark after this long (default 60 s). */
  readonly timeoutMs?: number;
}

export interface TsharkRun {
  readonly stdout: string;
  readonly stderr: string;
}

function tsharkPath(opts: TsharkOptions): string {
  return opts.tshark ?? process.env.TSHARK ?? DEFAULT_TSHARK;
}

/** Lines of tshark's stderr that are not problems (root warning). */
function meaningfulStderr(stderr: string): string {
  return stderr
    .split('\n')
    .filter((l) => l.trim() !== '' && !/^Running as user "root"/.test(l))
    .join('\n');
}

async function withConfigDir<T>(opts: TsharkOptions, run: (dir: string) => Promise<T>): Promise<T> {
  if (opts.configDir !== undefined) return run(opts.configDir);
  const dir = await mkdtemp(join(tmpdir(), 'testbed-wireshark-'));
  try {
    return await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The argument list for reading `pcap` (without output-format arguments). */
export function tsharkReadArgs(pcap: string, opts: TsharkOptions = {}): string[] {
  return [
    ...(opts.profile !== undefined ? ['-C', opts.profile] : []),
    ...(opts.keys ? tsharkKeyOptions(opts.keys) : []),
    ...(opts.options ?? []),
    ...(opts.twoPass ? ['-2'] : []),
    ...(opts.displayFilter !== undefined ? ['-Y', opts.displayFilter] : []),
    '-r',
    pcap,
  ];
}

/** Runs tshark with `args`; throws TsharkMissingError or TsharkError. */
export function runTshark(args: readonly string[], opts: TsharkOptions = {}): Promise<TsharkRun> {
  const tshark = tsharkPath(opts);
  return withConfigDir(
    opts,
    (configDir) =>
      new Promise<TsharkRun>((resolve, reject) => {
        execFile(
          tshark,
          [...args],
          { env: { ...process.env, WIRESHARK_CONFIG_DIR: configDir }, maxBuffer: 512 * 1024 * 1024, timeout: opts.timeoutMs ?? 60_000, encoding: 'utf8' },
          (err: ExecFileException | null, stdout: string, stderr: string) => {
            if (err === null) return resolve({ stdout, stderr });
            if (err.code === 'ENOENT' || err.code === 'EACCES') return reject(new TsharkMissingError(tshark, err));
            const why = err.killed ? `killed after ${opts.timeoutMs ?? 60_000} ms` : `exit code ${String(err.code)}`;
            reject(new TsharkError(`tshark failed (${why}): ${meaningfulStderr(stderr) || err.message}`, args, err.code ?? null, stderr));
          },
        );
      }),
  );
}

/** tshark's version line ("TShark (Wireshark) 4.0.17 ..."); throws TsharkMissingError when absent. */
export async function tsharkVersion(opts: TsharkOptions = {}): Promise<string> {
  const { stdout } = await runTshark(['--version'], opts);
  return stdout.split('\n')[0]!.trim();
}

/** One dissected packet: every requested field that occurred, with all its occurrences in order. */
export interface TsharkPacket {
  /** frame.number. */
  readonly number: number;
  readonly fields: Readonly<Record<string, readonly string[]>>;
}

/** All occurrences of `field` in `packet` (empty when absent). */
export function fieldValues(packet: TsharkPacket, field: string): readonly string[] {
  return packet.fields[field] ?? [];
}

/** The first occurrence of `field`, or undefined. */
export function fieldValue(packet: TsharkPacket, field: string): string | undefined {
  return packet.fields[field]?.[0];
}

/** Parses `tshark -T json -e ...` output. */
export function parseTsharkJson(stdout: string): TsharkPacket[] {
  const text = stdout.trim();
  if (text === '') return [];
  const doc = JSON.parse(text) as unknown;
  if (!Array.isArray(doc)) throw new TsharkError('tshark -T json did not print an array', [], null, '');
  return doc.map((entry, i) => {
    const layers = (entry as { _source?: { layers?: Record<string, unknown> } })._source?.layers ?? {};
    const fields: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(layers)) {
      fields[name] = Array.isArray(value) ? value.map(String) : [String(value)];
    }
    const number = Number(fields['frame.number']?.[0] ?? i + 1);
    return { number, fields };
  });
}

/** Dissects `pcap` and returns the listed fields of every (displayed) packet. */
export async function tsharkFields(pcap: string, fields: readonly string[], opts: TsharkOptions = {}): Promise<TsharkPacket[]> {
  const wanted = ['frame.number', ...fields.filter((f) => f !== 'frame.number')];
  const args = [...tsharkReadArgs(pcap, opts), '-T', 'json', ...wanted.flatMap((f) => ['-e', f])];
  return parseTsharkJson((await runTshark(args, opts)).stdout);
}

/** Expert info severities (epan/proto.h PI_SEVERITY_MASK values). */
export const ExpertSeverity = {
  comment: 0x00100000,
  chat: 0x00200000,
  note: 0x00400000,
  warning: 0x00600000,
  error: 0x00800000,
} as const;
export type ExpertSeverityName = keyof typeof ExpertSeverity;

/** Expert info groups (epan/proto.h PI_GROUP_MASK values). */
export const ExpertGroup: Readonly<Record<number, string>> = {
  0x01000000: 'Checksum',
  0x02000000: 'Sequence',
  0x03000000: 'Response code',
  0x04000000: 'Request code',
  0x05000000: 'Undecoded',
  0x06000000: 'Reassemble',
  0x07000000: 'Malformed',
  0x08000000: 'Debug',
  0x09000000: 'Protocol',
  0x0a000000: 'Security',
  0x0b000000: 'Comment',
  0x0c000000: 'Decryption',
  0x0d000000: 'Assumption',
  0x0e000000: 'Deprecated',
};

export interface ExpertItem {
  readonly frame: number;
  readonly severity: ExpertSeverityName | `unknown ${number}`;
  readonly group: string;
  readonly message: string;
}

export interface MalformedFrame {
  readonly frame: number;
  /** "[Malformed Packet: ISAKMP]" -> "ISAKMP". */
  readonly protocols: readonly string[];
}

export const EXPERT_FIELDS = ['_ws.expert.severity', '_ws.expert.group', '_ws.expert.message', '_ws.malformed'] as const;

/** The expert items of one packet (needs EXPERT_FIELDS among its fields). */
export function expertItems(packet: TsharkPacket): ExpertItem[] {
  const severities = fieldValues(packet, '_ws.expert.severity');
  const groups = fieldValues(packet, '_ws.expert.group');
  const messages = fieldValues(packet, '_ws.expert.message');
  return severities.map((s, i) => {
    const n = Number(s);
    const name = (Object.keys(ExpertSeverity) as ExpertSeverityName[]).find((k) => ExpertSeverity[k] === n);
    const g = Number(groups[i]);
    return {
      frame: packet.number,
      severity: name ?? (`unknown ${n}` as const),
      group: ExpertGroup[g] ?? `group 0x${g.toString(16)}`,
      message: messages[i] ?? '',
    };
  });
}

/** The malformed-packet marker of one packet, if any. */
export function malformedFrame(packet: TsharkPacket): MalformedFrame | undefined {
  const values = fieldValues(packet, '_ws.malformed');
  if (values.length === 0) return undefined;
  const protocols = values.flatMap((v) => /^\[Malformed Packet: ([^\]]+)\]$/.exec(v)?.[1] ?? []);
  return { frame: packet.number, protocols };
}

export interface TsharkAnalysis {
  readonly packets: TsharkPacket[];
  /** Every expert item of every packet, in frame order. */
  readonly expert: ExpertItem[];
  readonly malformed: MalformedFrame[];
}

/** Fields, expert info and malformed frames of `pcap` in one tshark run. */
export async function analyzePcap(pcap: string, fields: readonly string[], opts: TsharkOptions = {}): Promise<TsharkAnalysis> {
  const packets = await tsharkFields(pcap, [...fields, ...EXPERT_FIELDS.filter((f) => !fields.includes(f))], opts);
  return {
    packets,
    expert: packets.flatMap(expertItems),
    malformed: packets.flatMap((p) => malformedFrame(p) ?? []),
  };
}

/** The packet with frame number `n`; throws when tshark did not report it. */
export function packetByNumber(analysis: { readonly packets: readonly TsharkPacket[] }, n: number): TsharkPacket {
  const p = analysis.packets.find((x) => x.number === n);
  if (!p) throw new TsharkError(`tshark reported no frame ${n} (frames: ${analysis.packets.map((x) => x.number).join(', ') || 'none'})`, [], null, '');
  return p;
}

/** The full text dissection (-V), for diagnostics in failure messages. */
export async function tsharkVerbose(pcap: string, opts: TsharkOptions = {}): Promise<string> {
  return (await runTshark([...tsharkReadArgs(pcap, opts), '-V'], opts)).stdout;
}

/** Quotes arguments for a POSIX shell, to print a command users can paste. */
export function shellQuote(args: readonly string[]): string {
  return args.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
