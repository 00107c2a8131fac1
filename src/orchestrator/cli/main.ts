/**
 * The `testbed` command line. `main(argv)` returns the exit code; the bin
 * script only calls it. Every command returns data that one renderer prints
 * as text, or as JSON with --json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { DockerodeEngine } from '../docker/dockerode.js';
import { DockerUnavailableError, type Engine } from '../docker/engine.js';
import { ensureLabImage, ImageError, PACKAGE_ROOT, type BaseStrategy } from '../image/build.js';
import { listLabImages, pruneImages } from '../image/prune.js';
import { startCapture, stopCapture } from '../lab/capture.js';
import { down, execOnNode, findNode, LabError, listLabs, status, up } from '../lab/lifecycle.js';
import { bridgeName } from '../lab/naming.js';
import { collectKeys, writeKeyTables } from '../lab/keys.js';
import { silentProgress, streamProgress } from '../progress.js';
import { formatIssue, loadTopology, TopologyError } from '../topology/load.js';
import { countDiagnostics, describeCounts, describeDiagnostic, diagnosticClass } from '../../ios/index.js';
import { json, renderDown, renderImages, renderLab, renderLabs, renderPrune } from './render.js';
import { formatHeader, formatJunit, formatSummary, LabUpError, liveReporter, runTests, SelectionError } from '../checks/index.js';
import { graphModel, labTunnels, renderMermaid, renderSvg, type Tunnel } from '../graph/index.js';
import { Lab } from '../index.js';

/** Exit codes, in one table. */
export const EXIT = {
  ok: 0,
  /** a command on a node failed, or a check failed */
  failed: 1,
  /** bad usage, an invalid topology or config */
  invalid: 2,
  /** the lab could not be brought up (Docker missing, image build failed ...) */
  labFailed: 3,
  interrupted: 130,
} as const;

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  stdin?: () => Promise<string>;
}

const defaultIo: Io = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  stdin: async () => {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
};

class UsageError extends Error {
  override name = 'UsageError';
}

/** `up` failed after the topology was found valid: exit code 3. */
class UpFailed extends Error {
  override name = 'UpFailed';
}

const HELP = `testbed: emulated Cisco 2600 routers (IOS 12.2, IPsec, TED) in Docker

Usage:
  testbed up <topology.yaml> [--name LAB] [--capture] [--artifacts DIR] [--base auto|registry|debootstrap] [--strict] [--json]
  testbed down <lab | topology.yaml> [--name LAB] [--json]
  testbed down --all [--json]
  testbed status [lab] [--json]
  testbed exec [--lab LAB] <node> <command ...>     IOS on routers (lines split on newlines), sh -c on hosts; - reads stdin
  testbed logs [--lab LAB] <node>                   a router's console: log and debug lines
  testbed capture start|stop [lab]                  one pcap per link in the lab's artifacts folder
  testbed keys [lab] [--json]                       write Wireshark's key tables (esp_sa, ikev1_decryption_table) next to the pcaps
  testbed validate <topology.yaml> [--strict] [--json]
                                                    check a topology and its IOS configs without starting anything;
                                                    --strict: IOS lines accepted but not emulated are errors (exit 2)
  testbed test <topology.yaml> [--name LAB] [--keep] [--only STEP]... [--node NODE] [--junit FILE] [--json] [--artifacts DIR]
                                                    run the topology's tests: section (up, checks, artifacts, down);
                                                    exit 1: a check failed, 2: a check is invalid
  testbed graph <topology.yaml> [--format svg|mermaid] [--output FILE] [--name LAB]
                                                    draw the lab (with its IPsec tunnels when it is up)
  testbed image build [--base auto|registry|debootstrap]
  testbed image ls [--json]                         the lab images on this machine: current, in use, or old
  testbed image prune [--all] [--json]              remove old lab images no container uses (--all: the current ones too)
  testbed version

Exit codes: 0 ok, 1 a command on a node failed, 2 bad usage or invalid topology, 3 the lab could not be brought up.
`;

function version(): string {
  return (JSON.parse(readFileSync(`${PACKAGE_ROOT}/package.json`, 'utf8')) as { version: string }).version;
}

export async function main(argv: string[], io: Io = defaultIo, engine: Engine = new DockerodeEngine()): Promise<number> {
  const [command, ...rest] = argv;
  const wantsJson = rest.includes('--json');
  try {
    switch (command) {
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout(HELP);
        return command === undefined ? EXIT.invalid : EXIT.ok;
      case 'version':
      case '--version':
        io.stdout(`${version()}\n`);
        return EXIT.ok;
      case 'up':
        return await cmdUp(rest, io, engine);
      case 'down':
        return await cmdDown(rest, io, engine);
      case 'status':
        return await cmdStatus(rest, io, engine);
      case 'exec':
        return await cmdExec(rest, io, engine);
      case 'logs':
        return await cmdLogs(rest, io, engine);
      case 'capture':
        return await cmdCapture(rest, io, engine);
      case 'validate':
        return await cmdValidate(rest, io);
      case 'keys':
        return await cmdKeys(rest, io, engine);
      case 'image':
        return await cmdImage(rest, io, engine);
      case 'test':
        return await cmdTest(rest, io, engine);
      case 'graph':
        return await cmdGraph(rest, io, engine);
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    return report(e, io, wantsJson);
  }
}

function report(e: unknown, io: Io, asJson: boolean): number {
  const code =
    e instanceof UsageError || e instanceof TopologyError
      ? EXIT.invalid
      : e instanceof DockerUnavailableError || e instanceof ImageError || e instanceof UpFailed
        ? EXIT.labFailed
        : e instanceof LabError
          ? EXIT.failed
          : EXIT.labFailed;
  const message = e instanceof TopologyError ? e.issues.map(formatIssue).join('\n') : (e as Error).message;
  if (asJson) io.stdout(json({ error: { kind: (e as Error).name, message, ...(e instanceof TopologyError ? { issues: e.issues } : {}) } }));
  else io.stderr(`testbed: ${message}\n${e instanceof UsageError ? 'Run "testbed help" for usage.\n' : ''}`);
  return code;
}

type OptionSpec = Record<string, { type: 'string' | 'boolean' }>;

function args(argv: string[], options: OptionSpec): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const r = parseArgs({ args: argv, options: { json: { type: 'boolean' }, ...options }, allowPositionals: true, strict: true });
    return { values: r.values as Record<string, string | boolean | undefined>, positionals: r.positionals };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function baseOption(v: unknown): BaseStrategy | undefined {
  if (v === undefined) return undefined;
  if (v === 'auto' || v === 'registry' || v === 'debootstrap') return v;
  throw new UsageError(`--base must be auto, registry or debootstrap, not "${String(v)}"`);
}

async function cmdUp(argv: string[], io: Io, engine: Engine): Promise<number> {
  const { values, positionals } = args(argv, { name: { type: 'string' }, capture: { type: 'boolean' }, artifacts: { type: 'string' }, base: { type: 'string' }, strict: { type: 'boolean' } });
  if (positionals.length !== 1) throw new UsageError('up needs one topology file');
  if (values.strict) {
    // before anything is created: a lab that would not run a line as written does not start
    const report = configReport(await loadTopology(positionals[0]!), true);
    if (report.counts.notEmulated > 0) {
      if (values.json) io.stdout(json({ error: { kind: 'StrictConfigError', message: describeCounts(report.counts), configWarnings: report.rows } }));
      else io.stderr(`${report.lines.join('\n')}\ntestbed: --strict: ${describeCounts(report.counts)}\n`);
      return EXIT.invalid;
    }
  }
  const progress = streamProgress();
  let labName: string | undefined = values.name as string | undefined;
  const onSignal = () => {
    progress.note('interrupted: removing what was created ...');
    const finish = () => process.exit(EXIT.interrupted);
    (labName ? down(engine, labName) : Promise.resolve()).then(finish, finish);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    labName ??= (await loadTopology(positionals[0]!)).name;
    const info = await up(engine, positionals[0]!, {
      name: labName,
      capture: values.capture === true,
      artifacts: values.artifacts as string | undefined,
      base: baseOption(values.base),
      progress,
    });
    io.stdout(values.json ? json(info) : renderLab(info));
    return EXIT.ok;
  } catch (e) {
    if (e instanceof TopologyError || e instanceof UsageError) throw e;
    throw new UpFailed((e as Error).message);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function labFromArg(arg: string, name: string | undefined): Promise<string> {
  if (/\.ya?ml$/.test(arg) || existsSync(arg)) return name ?? (await loadTopology(arg)).name;
  return name ?? arg;
}

async function cmdDown(argv: string[], io: Io, engine: Engine): Promise<number> {
  const { values, positionals } = args(argv, { all: { type: 'boolean' }, name: { type: 'string' } });
  if (values.all && positionals.length > 0) throw new UsageError('down takes a lab or --all, not both');
  if (!values.all && positionals.length !== 1) throw new UsageError('down needs a lab name or topology file (or --all)');
  const lab = values.all ? undefined : await labFromArg(positionals[0]!, values.name as string | undefined);
  const result = await down(engine, lab, values.json ? silentProgress : streamProgress());
  io.stdout(values.json ? json(result) : renderDown(result));
  return EXIT.ok;
}

async function cmdStatus(argv: string[], io: Io, engine: Engine): Promise<number> {
  const { values, positionals } = args(argv, {});
  if (positionals.length > 1) throw new UsageError('status takes at most one lab name');
  const labs = positionals[0] ? [await status(engine, positionals[0])].filter((l) => l !== null) : await listLabs(engine);
  if (positionals[0] && labs.length === 0) throw new LabError(`no lab named "${positionals[0]}" is up`);
  io.stdout(values.json ? json(positionals[0] ? labs[0] : labs) : renderLabs(labs));
  return EXIT.ok;
}

/** --lab, $TESTBED_LAB, or the only lab that is up. */
async function pickLab(engine: Engine, lab: string | undefined): Promise<string> {
  if (lab) return lab;
  if (process.env.TESTBED_LAB) return process.env.TESTBED_LAB;
  const labs = await listLabs(engine);
  if (labs.length === 1) return labs[0]!.name;
  if (labs.length === 0) throw new LabError('no lab is up (testbed up <topology> first)');
  throw new UsageError(`${labs.length} labs are up (${labs.map((l) => l.name).join(', ')}): say which with --lab`);
}

async function cmdExec(argv: string[], io: Io, engine: Engine): Promise<number> {
  // options come before the node; everything after the node is the command, untouched
  const firstWord = argv.findIndex((a, i) => !a.startsWith('-') && !['--lab', '--timeout'].includes(argv[i - 1] ?? ''));
  if (firstWord < 0 || firstWord === argv.length - 1) throw new UsageError('exec needs a node and a command');
  const { values } = args(argv.slice(0, firstWord), { lab: { type: 'string' }, timeout: { type: 'string' } });
  const [node, ...words] = argv.slice(firstWord);
  let text = words.join(' ');
  if (text === '-') text = io.stdin ? await io.stdin() : '';
  const lab = await pickLab(engine, values.lab as string | undefined);
  const c = await findNode(engine, lab, node!);
  const command = c.labels['testbed.kind'] === 'router2600' ? text.split('\n').filter((l) => l.trim() !== '') : text;
  const timeout = values.timeout ? Number(values.timeout) * 1000 : undefined;
  const r = await execOnNode(engine, lab, node!, command, timeout);
  if (values.json) io.stdout(json(r));
  else {
    io.stdout(r.stdout);
    if (r.stderr) io.stderr(r.stderr);
  }
  return r.exitCode === 0 ? EXIT.ok : EXIT.failed;
}

async function cmdLogs(argv: string[], io: Io, engine: Engine): Promise<number> {
  const { values, positionals } = args(argv, { lab: { type: 'string' } });
  if (positionals.length !== 1) throw new UsageError('logs needs a node');
  const lab = await pickLab(engine, values.lab as string | undefined);
  const c = await findNode(engine, lab, positionals[0]!);
  const text = await engine.logs(c.id);
  io.stdout(values.json ? json({ node: positionals[0], lines: text.split('\n').filter(Boolean) }) : text);
  return EXIT.ok;
}

async function cmdCapture(argv: string[], io: Io, engine: Engine): Promise<number> {
  const { values, positionals } = args(argv, {});
  const [action, labArg] = positionals;
  if (action !== 'start' && action !== 'stop') throw new UsageError('capture needs start or stop');
  const lab = await pickLab(engine, labArg);
  const info = await status(engine, lab);
  if (!info) throw new LabError(`no lab named "${lab}" is up`);
  if (action === 'start') {
    if (info.capturing) throw new LabError(`lab ${lab} is already being captured (${info.artifacts})`);
    const files = await startCapture(engine, lab, info.image, info.artifacts, info.links.map((l) => ({ link: l.name, bridge: l.bridge || bridgeName(lab, l.name) })));
    io.stdout(values.json ? json({ lab, pcaps: files }) : Object.entries(files).map(([l, f]) => `capturing ${l} -> ${f}\n`).join(''));
  } else {
    await writeKeyTables(info.artifacts, await collectKeys(engine, lab));
    const n = await stopCapture(engine, lab);
    const pcaps = Object.fromEntries(info.links.map((l) => [l.name, `${info.artifacts}/${l.name}.pcap`]));
    io.stdout(values.json ? json({ lab, stopped: n > 0, pcaps }) : n > 0 ? `capture stopped; pcaps in ${info.artifacts}\n` : `lab ${lab} was not being captured\n`);
  }
  return EXIT.ok;
}

/** The IOS diagnostics of a topology's routers: rows for JSON, lines for text, counts per class. */
function configReport(topo: Awaited<ReturnType<typeof loadTopology>>, strict: boolean) {
  const rows = topo.nodes.flatMap((n) =>
    n.kind === 'router2600'
      ? n.diagnostics.map((d) => ({
          node: n.name, file: n.configFile, line: d.line, column: d.column, text: d.text, class: diagnosticClass(d),
          message: d.message.split('\n').pop()!, detail: d.detail ?? null, ...(d.blockLines ? { blockLines: d.blockLines } : {}),
        }))
      : [],
  );
  const lines = topo.nodes.flatMap((n) => (n.kind === 'router2600' ? n.diagnostics.map((d) => describeDiagnostic(d, n.configFile, n.name, strict)) : []));
  const counts = countDiagnostics(topo.nodes.flatMap((n) => (n.kind === 'router2600' ? n.diagnostics : [])));
  return { rows, lines, counts };
}

async function cmdValidate(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = args(argv, { strict: { type: 'boolean' } });
  if (positionals.length !== 1) throw new UsageError('validate needs one topology file');
  const topo = await loadTopology(positionals[0]!);
  const strict = values.strict === true;
  const report = configReport(topo, strict);
  const valid = !(strict && report.counts.notEmulated > 0);
  if (values.json) {
    io.stdout(json({ valid, strict, lab: topo.name, nodes: topo.nodes.length, links: topo.links.length, counts: report.counts, configWarnings: report.rows }));
  } else {
    io.stdout(`${positionals[0]}: ${valid ? 'valid' : 'invalid (--strict)'} (lab ${topo.name}, ${topo.nodes.length} nodes, ${topo.links.length} links)\n`);
    for (const line of report.lines) io.stdout(`${line}\n`);
    if (report.lines.length) io.stdout(`IOS configs: ${describeCounts(report.counts)}\n`);
  }
  return valid ? EXIT.ok : EXIT.invalid;
}

async function cmdImage(argv: string[], io: Io, engine: Engine): Promise<number> {
  const { values, positionals } = args(argv, { base: { type: 'string' }, all: { type: 'boolean' } });
  const [sub, ...extra] = positionals;
  if (sub !== 'build' && sub !== 'ls' && sub !== 'prune') throw new UsageError('image needs "build", "ls" or "prune"');
  if (extra.length > 0) throw new UsageError(`image ${sub} takes no arguments, got "${extra.join(' ')}"`);
  if (values.all && sub !== 'prune') throw new UsageError('--all belongs to image prune');
  const base = baseOption(values.base);
  await engine.ping();
  if (sub === 'ls') {
    const images = await listLabImages(engine, base);
    io.stdout(values.json ? json({ images }) : renderImages(images));
    return EXIT.ok;
  }
  if (sub === 'prune') {
    const result = await pruneImages(engine, { all: values.all === true, base });
    io.stdout(values.json ? json(result) : renderPrune(result));
    return EXIT.ok;
  }
  const tag = await ensureLabImage(engine, { base, progress: streamProgress() });
  io.stdout(values.json ? json({ image: tag }) : `${tag}\n`);
  return EXIT.ok;
}

async function cmdKeys(argv: string[], io: Io, engine: Engine): Promise<number> {
  const { values, positionals } = args(argv, {});
  if (positionals.length > 1) throw new UsageError('keys takes at most one lab name');
  const lab = await pickLab(engine, positionals[0]);
  const info = await status(engine, lab);
  if (!info) throw new LabError(`no lab named "${lab}" is up`);
  const files = await writeKeyTables(info.artifacts, await collectKeys(engine, lab));
  io.stdout(
    values.json
      ? json({ lab, ...files })
      : `${files.isakmp} ISAKMP and ${files.esp} ESP SAs written to ${files.ikev1} and ${files.espSa}\n` +
          `open a capture decrypted: WIRESHARK_CONFIG_DIR=${files.configDir} wireshark -C testbed ${info.artifacts}/<link>.pcap\n`,
  );
  return EXIT.ok;
}

async function cmdTest(argv: string[], io: Io, engine: Engine): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean' },
        name: { type: 'string' },
        keep: { type: 'boolean' },
        only: { type: 'string', multiple: true },
        node: { type: 'string' },
        junit: { type: 'string' },
        artifacts: { type: 'string' },
        base: { type: 'string' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError('test needs one topology file');
  // the live report goes to stdout, or to stderr when stdout carries JSON
  const live = values.json ? io.stderr : io.stdout;
  const tty = (values.json ? process.stderr : process.stdout).isTTY === true && io === defaultIo;
  const progress = streamProgress();
  let labName: string | undefined;
  let removeOnSignal = false;
  const onSignal = () => {
    progress.note('interrupted: removing what was created ...');
    const finish = () => process.exit(EXIT.interrupted);
    (labName && removeOnSignal ? down(engine, labName) : Promise.resolve()).then(finish, finish);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const summary = await runTests(positionals[0]!, {
      name: values.name,
      keep: values.keep === true,
      only: values.only?.flatMap((o) => o.split(',')).filter(Boolean),
      node: values.node,
      artifacts: values.artifacts,
      base: baseOption(values.base),
      engine,
      progress,
      listener: liveReporter(live, tty),
      onPlan: (plan) => live(formatHeader(positionals[0]!, plan.lab, plan.steps.length, plan.keep)),
      onLab: (lab, created) => {
        labName = lab;
        removeOnSignal = created && values.keep !== true;
      },
    });
    live(formatSummary(summary, { color: tty && !process.env.NO_COLOR }));
    if (values.junit) {
      await mkdir(dirname(values.junit), { recursive: true });
      await writeFile(values.junit, formatJunit(summary));
    }
    if (values.json) io.stdout(json(summary));
    return summary.status === 'passed' ? EXIT.ok : EXIT.failed;
  } catch (e) {
    if (e instanceof SelectionError) throw new UsageError(e.message);
    if (e instanceof LabUpError) throw new UpFailed(e.message);
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function cmdGraph(argv: string[], io: Io, engine: Engine): Promise<number> {
  const { values, positionals } = args(argv, { format: { type: 'string' }, output: { type: 'string' }, name: { type: 'string' } });
  if (positionals.length !== 1) throw new UsageError('graph needs one topology file');
  const output = values.output as string | undefined;
  const format = (values.format as string | undefined) ?? (output?.endsWith('.svg') ? 'svg' : 'mermaid');
  if (format !== 'svg' && format !== 'mermaid') throw new UsageError(`--format must be svg or mermaid, not "${format}"`);
  const topo = await loadTopology(positionals[0]!);
  // tunnels only when the lab is up; without Docker the picture is drawn all the same
  let tunnels: Tunnel[] = [];
  const lab = (values.name as string | undefined) ?? topo.name;
  const running = await engine
    .ping()
    .then(() => status(engine, lab))
    .catch(() => null);
  if (running) tunnels = await labTunnels(await Lab.attach(lab, { engine }), topo).catch(() => []);
  const model = graphModel(topo, tunnels);
  const text = format === 'svg' ? renderSvg(model) : renderMermaid(model);
  if (output) {
    await mkdir(dirname(output), { recursive: true });
    await writeFile(output, text);
    if (values.json) io.stdout(json({ output, format, nodes: model.nodes.length, links: model.links.length, tunnels }));
    else io.stderr(`wrote ${output} (${format}${running ? `, lab ${lab} is up: ${tunnels.length} tunnel${tunnels.length === 1 ? '' : 's'}` : ''})\n`);
  } else io.stdout(values.json ? json({ format, text, tunnels }) : text);
  return EXIT.ok;
}
