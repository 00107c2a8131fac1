/**
 * The `testbed` command line. `main(argv)` returns the exit code; the bin
 * script only calls it. Every command returns data that one renderer prints
 * as text, or as JSON with --json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { engineFromEnv, isFederated } from '../engines/index.js';
import { startSwarmCapture } from '../engines/capture.js';
import { parsePlaceOptions, PlacementError } from '../engines/placement.js';
import { EnginesError } from '../engines/engines.js';
import { RegistryError } from '../engines/registry.js';
import { DockerUnavailableError, type Engine } from '../docker/engine.js';
import { ensureLabImage, ImageError, PACKAGE_ROOT, type BaseStrategy } from '../image/build.js';
import { listLabImages, pruneImages } from '../image/prune.js';
import { startCapture, stopCapture } from '../lab/capture.js';
import { down } from '../lab/down.js';
import { runOnNode } from '../lab/exec.js';
import { findNode, listLabs, status } from '../lab/inventory.js';
import { Lab } from '../lab/lab.js';
import { bridgeName } from '../lab/naming.js';
import { collectKeys, writeKeyTables } from '../lab/keys.js';
import { LabError } from '../lab/types.js';
import { up } from '../lab/up.js';
import { chooseFirewall, type Firewall } from '../lab/firewall.js';
import { Interrupter, onStopSignals } from '../lab/interrupt.js';
import { loadLabFile, loadTopology } from '../labfile/load.js';
import { silentProgress, streamProgress } from '../progress.js';
import { TopologyError } from '../topology/source.js';
import { configReport } from '../topology/config-report.js';
import { GenerateError } from '../generate/index.js';
import { cmdGenerate } from './generate.js';
import { liveReporter, render, renderTestHeader, strictFails, type View } from './render.js';
import { formatJunit, LabUpError, runTests, SelectionError } from '../checks/index.js';
import { graphModel, labTunnels, renderMermaid, renderSvg, type Tunnel } from '../graph/index.js';
import { clearImpairment, impair, listImpairment } from '../impair/apply.js';
import { describeTarget, formatKnobs } from '../impair/spec.js';
import { ImpairUsageError, parseImpairArgs } from './impair.js';

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

function version(): string {
  return (JSON.parse(readFileSync(`${PACKAGE_ROOT}/package.json`, 'utf8')) as { version: string }).version;
}

/** What a command returns: what to show, and the exit code. */
interface Result {
  view: View;
  code: number;
}

const ok = (view: View): Result => ({ view, code: EXIT.ok });

export async function main(argv: string[], io: Io = defaultIo, engine?: Engine): Promise<number> {
  const [command, ...rest] = argv;
  const wantsJson = rest.includes('--json');
  let result: Result;
  try {
    // TESTBED_SWARM: every engine of that swarm (src/orchestrator/engines)
    result = await run(command, rest, io, engine ?? (await engineFromEnv()));
  } catch (e) {
    result = { view: { type: 'error', error: e as Error, usage: e instanceof UsageError || e instanceof ImpairUsageError }, code: exitCodeOf(e) };
  }
  const text = render(result.view, wantsJson && result.view.type !== 'help' && result.view.type !== 'version');
  if (text.stdout) io.stdout(text.stdout);
  if (text.stderr) io.stderr(text.stderr);
  return result.code;
}

async function run(command: string | undefined, rest: string[], io: Io, engine: Engine): Promise<Result> {
  switch (command) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      return { view: { type: 'help' }, code: command === undefined ? EXIT.invalid : EXIT.ok };
    case 'version':
    case '--version':
      return ok({ type: 'version', version: version() });
    case 'up':
      return cmdUp(rest, engine);
    case 'down':
      return cmdDown(rest, engine);
    case 'status':
      return cmdStatus(rest, engine);
    case 'exec':
      return cmdExec(rest, io, engine);
    case 'logs':
      return cmdLogs(rest, engine);
    case 'capture':
      return cmdCapture(rest, engine);
    case 'validate':
      return cmdValidate(rest);
    case 'keys':
      return cmdKeys(rest, engine);
    case 'image':
      return cmdImage(rest, engine);
    case 'test':
      return cmdTest(rest, io, engine);
    case 'graph':
      return cmdGraph(rest, engine);
    case 'impair':
      return cmdImpair(rest, engine);
    case 'generate':
      return cmdGenerate(rest, { schemaFile: `${PACKAGE_ROOT}/schema/topology.schema.json` });
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

function exitCodeOf(e: unknown): number {
  return e instanceof UsageError ||
    e instanceof TopologyError ||
    e instanceof EnginesError ||
    e instanceof RegistryError ||
    e instanceof ImpairUsageError ||
    e instanceof GenerateError
    ? EXIT.invalid
    : e instanceof DockerUnavailableError || e instanceof ImageError || e instanceof UpFailed
      ? EXIT.labFailed
      : e instanceof LabError
        ? EXIT.failed
        : EXIT.labFailed;
}

type OptionSpec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>;

function args(argv: string[], options: OptionSpec): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  try {
    const r = parseArgs({ args: argv, options: { json: { type: 'boolean' }, ...options }, allowPositionals: true, strict: true });
    return { values: r.values as Record<string, string | boolean | string[] | undefined>, positionals: r.positionals };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function baseOption(v: unknown): BaseStrategy | undefined {
  if (v === undefined) return undefined;
  if (v === 'auto' || v === 'registry' || v === 'debootstrap') return v;
  throw new UsageError(`--base must be auto, registry or debootstrap, not "${String(v)}"`);
}

async function cmdUp(argv: string[], engine: Engine): Promise<Result> {
  const { values, positionals } = args(argv, {
    name: { type: 'string' },
    capture: { type: 'boolean' },
    artifacts: { type: 'string' },
    base: { type: 'string' },
    strict: { type: 'boolean' },
    place: { type: 'string', multiple: true },
  });
  if (positionals.length !== 1) throw new UsageError('up needs one topology file');
  let place: Record<string, string>;
  try {
    place = parsePlaceOptions((values.place as string[] | undefined) ?? []);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.strict) {
    // before anything is created: a lab that would not run a line as written does not start
    const report = configReport((await loadLabFile(positionals[0]!)).topology);
    if (strictFails(report, true)) return { view: { type: 'strict-refused', file: positionals[0]!, report }, code: EXIT.invalid };
  }
  const progress = streamProgress();
  let labName: string | undefined = values.name as string | undefined;
  // SIGINT/SIGTERM: refuse new creations, wait for those in flight, remove the lab, sweep again (lab/interrupt.ts)
  const interrupter = new Interrupter();
  const firewall = await localFirewall(engine, interrupter);
  const uninstall = onStopSignals(interrupter, engine, () => labName, progress, firewall, EXIT.interrupted);
  try {
    const { topology } = await loadLabFile(positionals[0]!); // TopologyError before anything is created
    labName ??= topology.name;
    const info = await up(interrupter.wrap(engine), topology, {
      name: labName,
      capture: values.capture === true,
      artifacts: values.artifacts as string | undefined,
      base: baseOption(values.base),
      progress,
      firewall,
      place,
    });
    return ok({ type: 'lab', lab: info });
  } catch (e) {
    if (e instanceof TopologyError || e instanceof UsageError) throw e;
    if (e instanceof PlacementError) throw new UsageError(e.message);
    throw new UpFailed((e as Error).message);
  } finally {
    uninstall();
  }
}

/** As root, the host's iptables, seen by the interrupter; otherwise up chooses (a helper container, which the wrapped engine sees). */
async function localFirewall(engine: Engine, interrupter: Interrupter): Promise<Firewall | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const fw = await chooseFirewall(engine, null).catch(() => undefined);
  return fw ? interrupter.wrap(fw) : undefined;
}

async function labFromArg(arg: string, name: string | undefined): Promise<string> {
  if (/\.ya?ml$/.test(arg) || existsSync(arg)) return name ?? (await loadTopology(arg)).name;
  return name ?? arg;
}

async function cmdDown(argv: string[], engine: Engine): Promise<Result> {
  const { values, positionals } = args(argv, { all: { type: 'boolean' }, name: { type: 'string' } });
  if (values.all && positionals.length > 0) throw new UsageError('down takes a lab or --all, not both');
  if (!values.all && positionals.length !== 1) throw new UsageError('down needs a lab name or topology file (or --all)');
  const lab = values.all ? undefined : await labFromArg(positionals[0]!, values.name as string | undefined);
  const result = await down(engine, lab, { progress: values.json ? silentProgress : streamProgress() });
  // an engine that did not answer keeps its part of the lab: not done
  return { view: { type: 'down', result }, code: result.unreachable?.length ? EXIT.failed : EXIT.ok };
}

async function cmdStatus(argv: string[], engine: Engine): Promise<Result> {
  const { positionals } = args(argv, {});
  if (positionals.length > 1) throw new UsageError('status takes at most one lab name');
  const labs = positionals[0] ? [await status(engine, positionals[0])].filter((l) => l !== null) : await listLabs(engine);
  if (positionals[0] && labs.length === 0) throw new LabError(`no lab named "${positionals[0]}" is up`);
  return ok({ type: 'labs', labs, one: positionals[0] !== undefined });
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

async function cmdExec(argv: string[], io: Io, engine: Engine): Promise<Result> {
  // options come before the node; everything after the node is the command, untouched
  const firstWord = argv.findIndex((a, i) => !a.startsWith('-') && !['--lab', '--timeout'].includes(argv[i - 1] ?? ''));
  if (firstWord < 0 || firstWord === argv.length - 1) throw new UsageError('exec needs a node and a command');
  const { values } = args(argv.slice(0, firstWord), { lab: { type: 'string' }, timeout: { type: 'string' } });
  const [node, ...words] = argv.slice(firstWord);
  let text = words.join(' ');
  if (text === '-') text = io.stdin ? await io.stdin() : '';
  const lab = await pickLab(engine, values.lab as string | undefined);
  const timeout = values.timeout ? Number(values.timeout) * 1000 : undefined;
  // the node's kind decides: IOS lines (split on newlines, one session) on routers, a shell command line elsewhere;
  // the output is printed as it comes, or with --json all at the end
  const streamed = values.json !== true;
  const onOutput = streamed ? (stream: 'stdout' | 'stderr', chunk: string) => (stream === 'stdout' ? io.stdout : io.stderr)(chunk) : undefined;
  const output = await runOnNode(engine, lab, node!, text, { timeoutMs: timeout, onOutput });
  return { view: { type: 'exec', output, streamed }, code: output.exitCode === 0 ? EXIT.ok : EXIT.failed };
}

async function cmdLogs(argv: string[], engine: Engine): Promise<Result> {
  const { values, positionals } = args(argv, { lab: { type: 'string' } });
  if (positionals.length !== 1) throw new UsageError('logs needs a node');
  const lab = await pickLab(engine, values.lab as string | undefined);
  const c = await findNode(engine, lab, positionals[0]!);
  return ok({ type: 'logs', node: positionals[0]!, text: await engine.logs(c.id) });
}

async function cmdCapture(argv: string[], engine: Engine): Promise<Result> {
  const { positionals } = args(argv, {});
  const [action, labArg] = positionals;
  if (action !== 'start' && action !== 'stop') throw new UsageError('capture needs start or stop');
  const lab = await pickLab(engine, labArg);
  const info = await status(engine, lab);
  if (!info) throw new LabError(`no lab named "${lab}" is up`);
  if (action === 'start') {
    if (info.capturing) throw new LabError(`lab ${lab} is already being captured (${info.artifacts})`);
    const pcaps = isFederated(engine)
      ? await startSwarmCapture(engine, lab, info.image, info.artifacts)
      : await startCapture(
          engine,
          lab,
          info.image,
          info.artifacts,
          info.links.map((l) => ({ link: l.name, bridge: l.bridge || bridgeName(lab, l.name) })),
        );
    return ok({ type: 'capture-started', lab, pcaps });
  }
  await writeKeyTables(info.artifacts, await collectKeys(engine, lab));
  const n = await stopCapture(engine, lab);
  const pcaps = Object.fromEntries(info.links.map((l) => [l.name, `${info.artifacts}/${l.name}.pcap`]));
  return ok({ type: 'capture-stopped', lab, stopped: n > 0, pcaps, artifacts: info.artifacts });
}

async function cmdValidate(argv: string[]): Promise<Result> {
  const { values, positionals } = args(argv, { strict: { type: 'boolean' } });
  if (positionals.length !== 1) throw new UsageError('validate needs one topology file');
  const topo = await loadTopology(positionals[0]!);
  const strict = values.strict === true;
  const report = configReport(topo);
  const view: View = { type: 'valid', file: positionals[0]!, lab: topo.name, nodes: topo.nodes.length, links: topo.links.length, report, strict };
  return { view, code: strictFails(report, strict) ? EXIT.invalid : EXIT.ok };
}

async function cmdImage(argv: string[], engine: Engine): Promise<Result> {
  const { values, positionals } = args(argv, { base: { type: 'string' }, all: { type: 'boolean' } });
  const [sub, ...extra] = positionals;
  if (sub !== 'build' && sub !== 'ls' && sub !== 'prune') throw new UsageError('image needs "build", "ls" or "prune"');
  if (extra.length > 0) throw new UsageError(`image ${sub} takes no arguments, got "${extra.join(' ')}"`);
  if (values.all && sub !== 'prune') throw new UsageError('--all belongs to image prune');
  const base = baseOption(values.base);
  await engine.ping();
  if (sub === 'ls') return ok({ type: 'images', images: await listLabImages(engine, base) });
  if (sub === 'prune') return ok({ type: 'prune', result: await pruneImages(engine, { all: values.all === true, base }) });
  return ok({ type: 'image', tag: await ensureLabImage(engine, { base, progress: streamProgress() }) });
}

async function cmdKeys(argv: string[], engine: Engine): Promise<Result> {
  const { positionals } = args(argv, {});
  if (positionals.length > 1) throw new UsageError('keys takes at most one lab name');
  const lab = await pickLab(engine, positionals[0]);
  const info = await status(engine, lab);
  if (!info) throw new LabError(`no lab named "${lab}" is up`);
  const files = await writeKeyTables(info.artifacts, await collectKeys(engine, lab));
  return ok({ type: 'keys', lab, files, artifacts: info.artifacts });
}

async function cmdTest(argv: string[], io: Io, engine: Engine): Promise<Result> {
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
        place: { type: 'string', multiple: true },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError('test needs one topology file');
  let place: Record<string, string>;
  try {
    place = parsePlaceOptions(values.place ?? []);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  // the live report goes to stdout, or to stderr when stdout carries JSON
  const live = values.json ? io.stderr : io.stdout;
  const tty = (values.json ? process.stderr : process.stdout).isTTY === true && io === defaultIo;
  const progress = streamProgress();
  let labName: string | undefined;
  let removeOnSignal = false;
  const interrupter = new Interrupter();
  const firewall = await localFirewall(engine, interrupter);
  const uninstall = onStopSignals(interrupter, engine, () => (removeOnSignal ? labName : undefined), progress, firewall, EXIT.interrupted);
  try {
    const summary = await runTests(positionals[0]!, {
      name: values.name,
      keep: values.keep === true,
      only: values.only?.flatMap((o) => o.split(',')).filter(Boolean),
      node: values.node,
      artifacts: values.artifacts,
      base: baseOption(values.base),
      ...(Object.keys(place).length > 0 ? { place } : {}),
      engine: interrupter.wrap(engine),
      firewall,
      progress,
      listener: liveReporter(live, tty),
      onPlan: (plan) => live(renderTestHeader(positionals[0]!, plan.lab, plan.steps.length, plan.keep)),
      onLab: (lab, created) => {
        labName = lab;
        removeOnSignal = created && values.keep !== true;
      },
    });
    if (values.junit) {
      await mkdir(dirname(values.junit), { recursive: true });
      await writeFile(values.junit, formatJunit(summary));
    }
    return { view: { type: 'test', summary, color: tty && !process.env.NO_COLOR }, code: summary.status === 'passed' ? EXIT.ok : EXIT.failed };
  } catch (e) {
    if (e instanceof SelectionError) throw new UsageError(e.message);
    if (e instanceof LabUpError) throw new UpFailed(e.message);
    throw e;
  } finally {
    uninstall();
  }
}

async function cmdGraph(argv: string[], engine: Engine): Promise<Result> {
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
  if (running) tunnels = await labTunnels(await Lab.attach(lab, { engine, kinds: topo.kinds }), topo).catch(() => []);
  // on a swarm, each node says which engine it runs on
  const engines = Object.fromEntries((running?.nodes ?? []).filter((n) => n.engine).map((n) => [n.name, n.engine!]));
  const model = graphModel(topo, tunnels, engines);
  const text = format === 'svg' ? renderSvg(model) : renderMermaid(model);
  if (!output) return ok({ type: 'graph', format, text, tunnels });
  await mkdir(dirname(output), { recursive: true });
  await writeFile(output, text);
  return ok({ type: 'graph-written', output, format, nodes: model.nodes.length, links: model.links.length, tunnels, runningLab: running ? lab : null });
}

async function cmdImpair(argv: string[], engine: Engine): Promise<Result> {
  const req = parseImpairArgs(argv);
  if (req.action === 'list') return ok({ type: 'impair', state: await listImpairment(engine, req.lab), done: null });
  if (req.action === 'clear') {
    const state = await clearImpairment(engine, req.lab, req.link ?? undefined, req.endpoint ?? undefined);
    return ok({
      type: 'impair',
      state,
      done: `cleared ${req.link ? describeTarget({ link: req.link, endpoint: req.endpoint, direction: 'both' }) : 'every link'}`,
    });
  }
  const state = await impair(engine, req.lab, { link: req.link, endpoint: req.endpoint, direction: req.direction, knobs: req.knobs });
  return ok({ type: 'impair', state, done: `set ${describeTarget(req)}: ${formatKnobs(req.knobs)}` });
}
