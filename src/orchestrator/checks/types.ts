/**
 * The check language of a topology file's `tests:` section, as data. The
 * parser (parse.ts) turns YAML into these, with the place of every step, so
 * that the runner never meets a step it cannot run.
 */
import type { SourcePos } from '../topology/source.js';
import type { ShowTableName, ShowValue } from '../show/index.js';
import type { Direction, Knobs } from '../impair/spec.js';

export type Operator = '==' | '!=' | '>=' | '<=' | '>' | '<' | '~' | '!~';

/** A value test: `9`, `'>= 9'`, `'!= 0'`, `'~ ^QM'`, `QM_IDLE`, `[a, b]`. */
export interface Condition {
  op: Operator;
  value: ShowValue;
  /** As written in the file, for messages. */
  text: string;
}

export interface Pattern {
  regex: RegExp;
  source: string;
}

export interface LineCount {
  pattern: Pattern;
  count: Condition;
}

export interface ExecExpect {
  exit: Condition;
  match: Pattern[];
  noMatch: Pattern[];
  lines: LineCount[];
}

export interface RecordQuery {
  fields: Record<string, Condition>;
  text: string;
}

export interface ShowExpect {
  count: Condition | null;
  has: RecordQuery[];
  all: RecordQuery[];
  none: RecordQuery[];
}

export interface FieldRef {
  node: string;
  field: string;
}

export interface Relation {
  left: FieldRef;
  /** `in` and `not in`: the left value is (is not) one of the right field's list. */
  op: Exclude<Operator, '~' | '!~'> | 'in' | 'not in';
  right: FieldRef | { literal: number | string };
  text: string;
}

export interface Prefix {
  network: number;
  length: number;
  text: string;
}

export type IsakmpKind = 'main' | 'aggressive' | 'quick' | 'informational' | 'ted' | 'ted_probe' | 'ted_reply' | 'any';

export interface PacketFilter {
  protocol?: number;
  src?: Prefix;
  dst?: Prefix;
  between?: [Prefix, Prefix];
  port?: number;
  sport?: number;
  dport?: number;
  isakmp?: IsakmpKind | number;
  spi?: number;
  icmp?: number;
  ttl?: Condition;
  /** As written, for messages. */
  text: string;
}

export interface PacketCount {
  filter: PacketFilter;
  count: Condition;
}

export interface CaptureExpect {
  present: PacketFilter[];
  absent: PacketFilter[];
  packets: PacketCount[];
  order: PacketFilter[];
  noClearText: [Prefix, Prefix] | null;
}

export interface Wait {
  timeoutMs: number;
  intervalMs: number;
}

interface StepBase {
  name: string;
  description: string | null;
  stopOnError: boolean;
  pos: SourcePos;
}

interface CheckBase extends StepBase {
  wait: Wait | null;
}

export interface ExecStep extends CheckBase {
  kind: 'exec';
  nodes: string[];
  /** IOS lines (one console session) on routers; joined into one shell command line on hosts. */
  command: string[];
  timeoutMs: number;
  expect: ExecExpect;
}

export interface ShowStep extends CheckBase {
  kind: 'show';
  table: ShowTableName;
  nodes: string[];
  timeoutMs: number;
  expect: ShowExpect;
  relate: Relation[];
}

export interface CaptureStep extends CheckBase {
  kind: 'capture';
  link: string;
  /** Only packets captured after this step finished (null: since the run started). */
  since: string | null;
  expect: CaptureExpect;
}

export interface ConfigureStep extends StepBase {
  kind: 'configure';
  node: string;
  lines: string[];
}

export interface RestartStep extends StepBase {
  kind: 'restart';
  nodes: string[];
  timeoutMs: number;
}

export interface LinkStep extends StepBase {
  kind: 'cut' | 'restore';
  link: string;
  /** Only these nodes' endpoints (null: every endpoint of the link). */
  nodes: string[] | null;
}

export interface ImpairStep extends StepBase {
  kind: 'impair';
  link: string;
  /** One node's endpoint (null: the whole link). */
  endpoint: string | null;
  direction: Direction;
  /** The knobs to set (merged with those in force), or null: clear. */
  knobs: Knobs | null;
}

export type TrafficKind = 'ping' | 'udp' | 'tcp';

export interface TrafficStartStep extends StepBase {
  kind: 'traffic-start';
  from: string;
  to: string;
  /** The node `to` names, when it names one. */
  toNode: string | null;
  traffic: TrafficKind;
  /** Packets per second (ping) or bits per second (udp, tcp). */
  rate: number;
}

export interface TrafficStopStep extends StepBase {
  kind: 'traffic-stop';
  /** Flows (names of traffic-start steps) to stop; null: all running. */
  flows: string[] | null;
  expect: ExecExpect | null;
}

export type CheckStep = ExecStep | ShowStep | CaptureStep;
export type ActionStep = ConfigureStep | RestartStep | LinkStep | ImpairStep | TrafficStartStep | TrafficStopStep;
export type Step = CheckStep | ActionStep;
export type StepKind = Step['kind'];

export function isCheck(step: Step): step is CheckStep {
  return step.kind === 'exec' || step.kind === 'show' || step.kind === 'capture';
}

/** Nodes a step acts on or reads from (for --node). */
export function stepNodes(step: Step, linkEndpoints: (link: string) => string[]): string[] {
  switch (step.kind) {
    case 'exec':
    case 'show':
    case 'restart':
      return step.nodes;
    case 'configure':
      return [step.node];
    case 'capture':
      return linkEndpoints(step.link);
    case 'cut':
    case 'restore':
      return step.nodes ?? linkEndpoints(step.link);
    case 'impair':
      return step.endpoint ? [step.endpoint] : linkEndpoints(step.link);
    case 'traffic-start':
      return [step.from, ...(step.toNode ? [step.toNode] : [])];
    case 'traffic-stop':
      return [];
  }
}
