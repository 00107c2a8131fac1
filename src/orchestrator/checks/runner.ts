/**
 * Runs the steps of a suite in order against a LabDriver: checks with their
 * retries (`wait`: only what failed is run again), actions, stop_on_error,
 * and the selection of --only and --node. Reports progress to a listener.
 */
import type { CapturedPacket } from '../capture/pcap-reader.js';
import type { LabDriver, Clock } from './driver.js';
import { systemClock } from './driver.js';
import { evaluateCapture, evaluateExec, evaluateRelations, evaluateShow, representative, type Failure } from './evaluate.js';
import type { LabShape } from './shape.js';
import type { Evidence, StepFailure, StepResult } from './results.js';
import { SHOW_TABLES, type ShowRecord } from '../show/index.js';
import { startFlow, stopFlow, type Flow } from './traffic.js';
import { isCheck, stepNodes, type ActionStep, type CaptureStep, type CheckStep, type ExecStep, type ShowStep, type Step } from './types.js';

export interface RunListener {
  stepStart?(step: Step, index: number, total: number): void;
  /** A check failed and will be tried again. */
  retry?(step: Step, attempt: number, failures: StepFailure[]): void;
  stepEnd?(result: StepResult, index: number, total: number): void;
}

export interface Selection {
  /** Run only these steps (by name). */
  only?: string[];
  /** Run only the steps that involve this node; exec and show steps run on it alone. */
  node?: string;
}

export class SelectionError extends Error {
  override name = 'SelectionError';
}

/** The steps to run for a selection; unknown names are an error. */
export function selectSteps(steps: Step[], sel: Selection, shape: LabShape): Step[] {
  let out = steps;
  if (sel.only?.length) {
    const names = new Set(steps.map((s) => s.name));
    const unknown = sel.only.filter((n) => !names.has(n));
    if (unknown.length) throw new SelectionError(`--only: no step named ${unknown.map((n) => `"${n}"`).join(', ')} (steps: ${[...names].join(', ')})`);
    out = out.filter((s) => sel.only!.includes(s.name));
  }
  const node = sel.node;
  if (node) {
    if (!shape.nodes.has(node)) throw new SelectionError(`--node: no node named "${node}" (nodes: ${[...shape.nodes.keys()].join(', ')})`);
    const endpoints = (link: string) => shape.links.get(link) ?? [];
    out = out
      .filter((s) => stepNodes(s, endpoints).includes(node))
      .map((s) => {
        if (s.kind === 'exec') return { ...s, nodes: [node] };
        if (s.kind === 'show') {
          const relate = s.relate.filter((r) => r.left.node === node || ('node' in r.right && r.right.node === node));
          const nodes = s.nodes.filter((n) => n === node || relate.some((r) => r.left.node === n || ('node' in r.right && r.right.node === n)));
          return { ...s, nodes, relate };
        }
        return s;
      });
  }
  return out;
}

export interface RunOptions {
  clock?: Clock;
  listener?: RunListener;
  /** The routers' own addresses (for isakmp_sa peer and role). */
  shape: LabShape;
  /** Time (ms) from which capture checks look, unless they say `since`. */
  captureFrom?: number;
}

interface Unit {
  node: string | null;
  failures: Failure[];
  evidence: Evidence;
  records?: ShowRecord[];
  error?: string;
}

const MAX_OUTPUT = 64 * 1024;

function clip(s: string): string {
  return s.length > MAX_OUTPUT ? `${s.slice(0, MAX_OUTPUT)}\n... (${s.length - MAX_OUTPUT} more characters)` : s;
}

export class Runner {
  private readonly clock: Clock;
  private readonly marks = new Map<string, number>();
  private readonly flows = new Map<string, Flow>();
  private readonly startedAt: number;

  constructor(
    private readonly driver: LabDriver,
    private readonly opts: RunOptions,
  ) {
    this.clock = opts.clock ?? systemClock;
    this.startedAt = opts.captureFrom ?? this.clock.now();
  }

  /** Run the steps in order; never throws for a step's failure. */
  async run(steps: Step[]): Promise<StepResult[]> {
    const results: StepResult[] = [];
    let stoppedBy: string | null = null;
    for (const [i, step] of steps.entries()) {
      if (stoppedBy) {
        const r = this.result(step, 'skipped', this.clock.now());
        r.skipped = `"${stoppedBy}" failed and has stop_on_error`;
        results.push(r);
        this.opts.listener?.stepEnd?.(r, i, steps.length);
        continue;
      }
      this.opts.listener?.stepStart?.(step, i, steps.length);
      const r = isCheck(step) ? await this.check(step) : await this.action(step);
      this.marks.set(step.name, this.clock.now());
      results.push(r);
      this.opts.listener?.stepEnd?.(r, i, steps.length);
      if (step.stopOnError && (r.status === 'failed' || r.status === 'error')) stoppedBy = step.name;
    }
    return results;
  }

  /** Stop the flows still running (at the end of a run, or when it is interrupted). */
  async stopAllFlows(): Promise<void> {
    for (const f of [...this.flows.values()]) {
      await stopFlow(this.driver, f).catch(() => undefined);
      this.flows.delete(f.name);
    }
  }

  private result(step: Step, status: StepResult['status'], started: number): StepResult {
    return {
      name: step.name,
      description: step.description,
      kind: step.kind,
      check: isCheck(step),
      status,
      durationMs: this.clock.now() - started,
      attempts: 0,
      timedOutAfterMs: null,
      failures: [],
      evidence: [],
      detail: null,
      error: null,
      skipped: null,
      pos: step.pos,
    };
  }

  // ------------------------------------------------------------ checks

  private async check(step: CheckStep): Promise<StepResult> {
    const started = this.clock.now();
    const latest = new Map<string | null, Unit>();
    let pending: (string | null)[] = step.kind === 'capture' ? [null] : step.nodes;
    let attempts = 0;
    let relationFailures: (Failure & { nodes: string[] })[] = [];
    for (;;) {
      attempts++;
      const units = await Promise.all(pending.map((n) => this.unit(step, n)));
      for (const u of units) latest.set(u.node, u);
      if (step.kind === 'show' && step.relate.length) {
        const reps = new Map([...latest].map(([n, u]) => [n!, u.records ? representative(step.table, step.expect, u.records) : null]));
        relationFailures = evaluateRelations(step.table, step.relate, reps);
      }
      const failing = new Set<string | null>([...latest.values()].filter((u) => u.failures.length || u.error).map((u) => u.node));
      for (const f of relationFailures) for (const n of f.nodes) failing.add(n);
      const elapsed = this.clock.now() - started;
      if (failing.size === 0 || !step.wait || elapsed >= step.wait.timeoutMs) {
        const r = this.result(step, 'passed', started);
        r.attempts = attempts;
        const all = [...latest.values()];
        r.evidence = all.map((u) => u.evidence);
        r.failures = [
          ...all.flatMap((u) => [
            ...(u.error ? [{ node: u.node, expected: 'the check to run', found: `error: ${u.error}` }] : []),
            ...u.failures.map((f) => ({ node: u.node, expected: f.expected, found: f.found })),
          ]),
          ...relationFailures.map((f) => ({ node: f.nodes.join(', '), expected: f.expected, found: f.found })),
        ];
        if (r.failures.length) {
          r.status = all.some((u) => u.error) ? 'error' : 'failed';
          if (step.wait) r.timedOutAfterMs = step.wait.timeoutMs;
          r.error = all.find((u) => u.error)?.error ?? null;
        }
        return r;
      }
      this.opts.listener?.retry?.(
        step,
        attempts,
        [...latest.values()].flatMap((u) => u.failures.map((f) => ({ node: u.node, ...f }))),
      );
      await this.clock.sleep(Math.min(step.wait.intervalMs, step.wait.timeoutMs - elapsed));
      pending = [...failing];
    }
  }

  private async unit(step: CheckStep, node: string | null): Promise<Unit> {
    const evidence: Evidence = { node, command: null, exitCode: null, output: '' };
    try {
      if (step.kind === 'exec') return await this.execUnit(step, node!, evidence);
      if (step.kind === 'show') return await this.showUnit(step, node!, evidence);
      return await this.captureUnit(step, evidence);
    } catch (e) {
      return { node, failures: [], evidence, error: (e as Error).message };
    }
  }

  private async execUnit(step: ExecStep, node: string, evidence: Evidence): Promise<Unit> {
    evidence.command = step.command.join('\n');
    // the node's kind makes the lines one IOS session or one shell command line
    const r = await this.driver.exec(node, step.command, step.timeoutMs);
    const output = r.stdout + (r.stderr ? `${r.stdout && !r.stdout.endsWith('\n') ? '\n' : ''}${r.stderr}` : '');
    Object.assign(evidence, { exitCode: r.exitCode, output: clip(output) });
    return { node, evidence, failures: evaluateExec(step.expect, r.exitCode, output) };
  }

  private async showUnit(step: ShowStep, node: string, evidence: Evidence): Promise<Unit> {
    const table = SHOW_TABLES[step.table];
    evidence.command = table.command;
    const r = await this.driver.exec(node, [table.command], step.timeoutMs);
    Object.assign(evidence, { exitCode: r.exitCode, output: clip(r.stdout + r.stderr) });
    const records = table.parse(r.stdout, this.opts.shape.addresses.get(node) ?? []);
    const failures = evaluateShow(step.table, step.expect, records);
    if (r.exitCode !== 0) failures.unshift({ expected: `IOS to accept "${table.command}"`, found: `exit code ${r.exitCode}` });
    return { node, evidence, failures, records };
  }

  private async captureUnit(step: CaptureStep, evidence: Evidence): Promise<Unit> {
    // a `since` step left out by --only or --node: the window starts with the run
    const mark = step.since ? this.marks.get(step.since) : undefined;
    const from = mark ?? this.startedAt;
    const since = mark !== undefined ? step.since : null;
    evidence.command = `capture ${step.link}${since ? ` since ${since}` : ''}`;
    const all: CapturedPacket[] = await this.driver.packets(step.link);
    const packets = all.filter((p) => p.time * 1000 >= from);
    evidence.output = `${packets.length} of ${all.length} packets on ${step.link} considered`;
    const where = `${step.link}${since ? ` since "${since}"` : ''}`;
    return { node: null, evidence, failures: evaluateCapture(step.expect, packets, where) };
  }

  // ------------------------------------------------------------ actions

  private async action(step: ActionStep): Promise<StepResult> {
    const started = this.clock.now();
    const r = this.result(step, 'passed', started);
    r.attempts = 1;
    try {
      switch (step.kind) {
        case 'configure': {
          const lines = ['configure terminal', ...step.lines, 'end'];
          const out = await this.driver.exec(step.node, lines);
          r.evidence = [{ node: step.node, command: lines.join('\n'), exitCode: out.exitCode, output: clip(out.stdout + out.stderr) }];
          if (out.exitCode !== 0)
            r.failures.push({
              node: step.node,
              expected: 'IOS to accept every line',
              found: `exit code ${out.exitCode}: ${(out.stdout + out.stderr).trim().split('\n').slice(-3).join(' / ')}`,
            });
          r.detail = `${step.node}: ${step.lines.length} line${step.lines.length === 1 ? '' : 's'} configured`;
          break;
        }
        case 'restart':
          for (const n of step.nodes) await this.driver.restart(n, step.timeoutMs);
          r.detail = `restarted ${step.nodes.join(', ')}`;
          break;
        case 'cut':
          r.detail = await this.driver.cut(step.link, step.nodes);
          break;
        case 'restore':
          r.detail = await this.driver.restore(step.link, step.nodes);
          break;
        case 'impair':
          r.detail = await this.driver.impair(step.link, step.endpoint, step.direction, step.knobs);
          break;
        case 'traffic-start': {
          if (this.flows.has(step.name)) throw new Error(`flow "${step.name}" is already running`);
          const { flow, detail } = await startFlow(this.driver, step);
          this.flows.set(step.name, flow);
          r.detail = `started ${detail}`;
          break;
        }
        case 'traffic-stop': {
          const names = step.flows ?? [...this.flows.keys()];
          const stopped: string[] = [];
          for (const name of names) {
            const flow = this.flows.get(name);
            if (!flow) {
              r.failures.push({ node: null, expected: `flow "${name}" to be running`, found: 'it is not (not started in this run, or stopped already)' });
              continue;
            }
            const out = await stopFlow(this.driver, flow);
            this.flows.delete(name);
            stopped.push(name);
            r.evidence.push({ node: flow.from, command: `traffic ${name}`, exitCode: out.exitCode, output: clip(out.stdout + out.stderr) });
            if (step.expect) for (const f of evaluateExec(step.expect, out.exitCode, out.stdout)) r.failures.push({ node: flow.from, ...f });
          }
          r.detail = stopped.length ? `stopped ${stopped.join(', ')}` : 'no flow was running';
          break;
        }
      }
      if (r.failures.length) r.status = 'failed';
    } catch (e) {
      r.status = 'error';
      r.error = (e as Error).message;
    }
    r.durationMs = this.clock.now() - started;
    return r;
  }
}
