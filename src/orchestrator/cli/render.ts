/**
 * The one place where command results become text (or JSON): every command
 * of cli/main.ts returns a View, and `render` turns it into what goes to
 * stdout and stderr. The test report's own formats (report.txt, JUnit) are
 * in checks/report; the live report of a run is written from here.
 */
import type { RunListener } from '../checks/runner.js';
import { formatHeader, formatStep, formatSummary } from '../checks/report/text.js';
import type { RunSummary, StepResult } from '../checks/results.js';
import type { Step } from '../checks/types.js';
import type { GeneratedLab } from '../generate/index.js';
import type { Tunnel } from '../graph/model.js';
import type { LabImage, PruneResult } from '../image/prune.js';
import type { KeyTableFiles } from '../lab/keys.js';
import type { DownResult, ExecOutput, LabInfo } from '../lab/types.js';
import { formatIssue, TopologyError } from '../topology/source.js';
import type { ConfigCounts, ConfigReport, NodeConfigWarning } from '../topology/config-report.js';
import type { ImpairState } from '../impair/apply.js';
import { renderImpairState } from './impair.js';

export const HELP = `testbed: emulated Cisco 2600 routers (IOS 12.2, IPsec, TED) in Docker

Usage:
  testbed up <topology.yaml> [--name LAB] [--capture] [--artifacts DIR] [--base auto|registry|debootstrap] [--strict] [--json]
             [--place NODE=ENGINE]...             on a swarm (TESTBED_SWARM=<manager's Docker host>): pin a node to an engine
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
  testbed test <topology.yaml> [--name LAB] [--keep] [--only STEP]... [--node NODE] [--junit FILE] [--json] [--artifacts DIR] [--place NODE=ENGINE]...
                                                    run the topology's tests: section (up, checks, artifacts, down);
                                                    exit 1: a check failed, 2: a check is invalid
  testbed graph <topology.yaml> [--format svg|mermaid] [--output FILE] [--name LAB]
                                                    draw the lab (with its IPsec tunnels when it is up)
  testbed impair <lab> [<link> [--endpoint NODE] [--direction in|out|both] loss=30% delay=50ms jitter=5ms duplicate=1% reorder=5% rate=1mbit | clear]
                                                    impair a link (or one endpoint, one direction); without a link: what is set
  testbed generate --spokes N [--shape shared|core] [--acl supernet|per-peer] [--suite seed|aes128|aes256-pfs]
                  [--per-segment K] [--name LAB] [--output DIR] [--force] [--json]
                                                    write an N-spoke TED lab: DIR/LAB.yaml (with its tests) and DIR/LAB/*.cfg
  testbed image build [--base auto|registry|debootstrap]
  testbed image ls [--json]                         the lab images on this machine: current, in use, or old
  testbed image prune [--all] [--json]              remove old lab images no container uses (--all: the current ones too)
  testbed version

Environment: TESTBED_SWARM=unix:///path or tcp://host:port (a swarm manager) spreads labs over its engines;
TESTBED_ENGINES=FILE maps swarm nodes to Docker hosts ({"engines": {"<node>": "<host>"}});
TESTBED_REGISTRY=HOST[:PORT][/PATH]: on a swarm, the builder pushes the lab image there once and engines lacking it pull it
(falling back to docker save | docker load for an engine whose pull fails).

Exit codes: 0 ok, 1 a command on a node failed, 2 bad usage or invalid topology, 3 the lab could not be brought up.
`;

/** What a command has to say; `render` prints it. */
export type View =
  | { type: 'help' }
  | { type: 'version'; version: string }
  | { type: 'lab'; lab: LabInfo }
  | { type: 'labs'; labs: LabInfo[]; one: boolean }
  | { type: 'down'; result: DownResult }
  /** streamed: the output was printed as it came (main.ts), so it is not printed again */
  | { type: 'exec'; output: ExecOutput; streamed: boolean }
  | { type: 'logs'; node: string; text: string }
  | { type: 'capture-started'; lab: string; pcaps: Record<string, string> }
  | { type: 'capture-stopped'; lab: string; stopped: boolean; pcaps: Record<string, string>; artifacts: string }
  | { type: 'valid'; file: string; lab: string; nodes: number; links: number; report: ConfigReport; strict: boolean }
  | { type: 'strict-refused'; file: string; report: ConfigReport }
  | { type: 'image'; tag: string }
  | { type: 'images'; images: LabImage[] }
  | { type: 'prune'; result: PruneResult }
  | { type: 'keys'; lab: string; files: KeyTableFiles; artifacts: string }
  | { type: 'test'; summary: RunSummary; color: boolean }
  | { type: 'graph'; format: string; text: string; tunnels: Tunnel[] }
  | { type: 'graph-written'; output: string; format: string; nodes: number; links: number; tunnels: Tunnel[]; runningLab: string | null }
  | { type: 'impair'; state: ImpairState; done: string | null }
  | { type: 'generated'; lab: string; topology: string; folder: string; files: string[]; removed: string[]; summary: GeneratedLab['summary'] }
  | { type: 'error'; error: Error; usage: boolean };

export interface Rendered {
  stdout: string;
  stderr: string;
}

const out = (stdout: string, stderr = ''): Rendered => ({ stdout, stderr });

/** A view as text, or with `asJson` as JSON on stdout. */
export function render(view: View, asJson: boolean): Rendered {
  switch (view.type) {
    case 'help':
      return out(HELP);
    case 'version':
      return out(`${view.version}\n`);
    case 'lab':
      return out(asJson ? json(view.lab) : renderLab(view.lab));
    case 'labs':
      return out(asJson ? json(view.one ? view.labs[0] : view.labs) : renderLabs(view.labs));
    case 'down':
      return out(asJson ? json(view.result) : renderDown(view.result));
    case 'exec':
      if (view.streamed) return out('');
      return asJson ? out(json(view.output)) : renderExec(view.output);
    case 'logs':
      return out(asJson ? json({ node: view.node, lines: view.text.split('\n').filter(Boolean) }) : view.text);
    case 'capture-started':
      return out(
        asJson
          ? json({ lab: view.lab, pcaps: view.pcaps })
          : Object.entries(view.pcaps)
              .map(([l, f]) => `capturing ${l} -> ${f}\n`)
              .join(''),
      );
    case 'capture-stopped':
      if (asJson) return out(json({ lab: view.lab, stopped: view.stopped, pcaps: view.pcaps }));
      return out(view.stopped ? `capture stopped; pcaps in ${view.artifacts}\n` : `lab ${view.lab} was not being captured\n`);
    case 'valid': {
      const valid = !strictFails(view.report, view.strict);
      const { warnings, counts } = view.report;
      if (asJson) return out(json({ valid, strict: view.strict, lab: view.lab, nodes: view.nodes, links: view.links, counts, configWarnings: warnings }));
      let text = `${view.file}: ${valid ? 'valid' : 'invalid (--strict)'} (lab ${view.lab}, ${view.nodes} nodes, ${view.links} links)\n`;
      for (const w of warnings) text += `${describeWarning(w, view.strict)}\n`;
      if (warnings.length) text += `configurations: ${describeCounts(counts)}\n`;
      return out(text);
    }
    case 'strict-refused': {
      const { warnings, counts } = view.report;
      const message = `--strict: ${describeCounts(counts)}`;
      if (asJson) return out(json({ error: { kind: 'StrictConfigError', message, configWarnings: warnings } }));
      return { stdout: '', stderr: `${warnings.map((w) => describeWarning(w, true)).join('\n')}\ntestbed: ${message}\n` };
    }
    case 'image':
      return out(asJson ? json({ image: view.tag }) : `${view.tag}\n`);
    case 'images':
      return out(asJson ? json({ images: view.images }) : renderImages(view.images));
    case 'prune':
      return out(asJson ? json(view.result) : renderPrune(view.result));
    case 'keys':
      if (asJson) return out(json({ lab: view.lab, ...view.files }));
      return out(
        `${view.files.isakmp} ISAKMP and ${view.files.esp} ESP SAs written to ${view.files.ikev1} and ${view.files.espSa}\n` +
          view.files.unread.map((u) => `note: keys not read from ${u}\n`).join('') +
          `open a capture decrypted: WIRESHARK_CONFIG_DIR=${view.files.configDir} wireshark -C testbed ${view.artifacts}/<link>.pcap\n`,
      );
    case 'test': {
      // the summary ends the live report: on stdout, or on stderr when stdout carries the JSON
      const summary = formatSummary(view.summary, { color: view.color });
      return asJson ? out(json(view.summary), summary) : out(summary);
    }
    case 'graph':
      return out(asJson ? json({ format: view.format, text: view.text, tunnels: view.tunnels }) : view.text);
    case 'graph-written': {
      if (asJson) return out(json({ output: view.output, format: view.format, nodes: view.nodes, links: view.links, tunnels: view.tunnels }));
      const n = view.tunnels.length;
      return out('', `wrote ${view.output} (${view.format}${view.runningLab ? `, lab ${view.runningLab} is up: ${n} tunnel${n === 1 ? '' : 's'}` : ''})\n`);
    }
    case 'impair':
      return out(asJson ? json(view.state) : renderImpairState(view.state, view.done));
    case 'generated':
      return out(asJson ? json({ lab: view.lab, topology: view.topology, files: view.files, removed: view.removed, ...view.summary }) : renderGenerated(view));
    case 'error':
      return renderError(view.error, view.usage, asJson);
  }
}

function renderGenerated(v: Extract<View, { type: 'generated' }>): string {
  const s = v.summary;
  let text = `wrote ${v.topology} and ${s.routers} router configs in ${v.folder}/\n`;
  if (v.removed.length) text += `removed ${v.removed.length} config${v.removed.length === 1 ? '' : 's'} of an earlier run: ${v.removed.join(', ')}\n`;
  text += `  ${s.shape}; ${s.hosts} hosts\n  crypto ACLs: ${s.acl}\n  suite: ${s.suite}\n`;
  text += `  tests: ${s.steps} steps, ${s.pairs} pairs of sites ping each other\n`;
  text += `next: testbed test ${v.topology}   (or testbed up ${v.topology})\n`;
  return text;
}

/** An error: one line on stderr (every issue of a topology), or {error} as JSON. */
export function renderError(e: Error, usage: boolean, asJson: boolean): Rendered {
  const message = e instanceof TopologyError ? e.issues.map(formatIssue).join('\n') : e.message;
  if (asJson) return out(json({ error: { kind: e.name, message, ...(e instanceof TopologyError ? { issues: e.issues } : {}) } }));
  return out('', `testbed: ${message}\n${usage ? 'Run "testbed help" for usage.\n' : ''}`);
}

/** The first lines of `testbed test`'s live report. */
export function renderTestHeader(topology: string, lab: string, steps: number, keep: boolean): string {
  return formatHeader(topology, lab, steps, keep);
}

/** The live terminal report: a line while a step runs (on a terminal), its block when it ends. */
export function liveReporter(write: (s: string) => void, tty: boolean, color = tty && !process.env.NO_COLOR): RunListener {
  return {
    stepStart(step: Step, index: number, total: number) {
      if (tty) write(`  …     ${step.name} (${index + 1}/${total})`);
    },
    retry(step: Step, attempt: number) {
      if (tty) write(`\r\x1b[K  …     ${step.name}: attempt ${attempt} failed, trying again`);
    },
    stepEnd(result: StepResult) {
      write(`${tty ? '\r\x1b[K' : ''}${formatStep(result, { color }).join('\n')}\n`);
    },
  };
}

export function table(rows: string[][], header: string[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return (
    all
      .map((r) =>
        r
          .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

export function renderLab(lab: LabInfo): string {
  const rows: string[][] = [];
  // on a swarm, an ENGINE column says where each node runs and what each link is
  const spread = lab.nodes.some((n) => n.engine);
  for (const n of lab.nodes) {
    const ifaces = n.interfaces.length ? n.interfaces : [{ name: '-', link: null, address: null }];
    ifaces.forEach((i, k) =>
      rows.push([
        k === 0 ? n.name : '',
        k === 0 ? n.kind : '',
        ...(spread ? [k === 0 ? (n.engine ?? '-') : ''] : []),
        k === 0 ? n.state : '',
        i.name,
        i.address ?? 'unassigned',
        i.link ?? '-',
      ]),
    );
  }
  let out = `lab ${lab.name}  (${lab.topology || 'topology unknown'})\n\n`;
  out += table(rows, ['NODE', 'KIND', ...(spread ? ['ENGINE'] : []), 'STATE', 'INTERFACE', 'ADDRESS', 'LINK']);
  out += '\n';
  out += table(
    lab.links.map((l) => [l.name, ...(spread ? [l.engine ?? '-'] : []), l.bridge, l.subnet, l.endpoints.join(' '), l.pcap ?? '-']),
    ['LINK', ...(spread ? ['ENGINE'] : []), 'BRIDGE', 'DOCKER SUBNET', 'ENDPOINTS', 'PCAP'],
  );
  if (lab.artifacts) out += `\nartifacts: ${lab.artifacts}\n`;
  const refused = lab.configWarnings.filter((w) => w.class !== 'not-emulated');
  const notEmulated = lab.configWarnings.filter((w) => w.class === 'not-emulated');
  if (refused.length)
    out += `\nconfiguration lines the nodes refused (they run without them), undefined names (${refused.length}):\n${refused.map((w) => `  ${describeWarning(w, false)}`).join('\n')}\n`;
  if (notEmulated.length)
    out += `\nconfiguration lines accepted but not emulated (${notEmulated.length}):\n${notEmulated.map((w) => `  ${describeWarning(w, false)}`).join('\n')}\n`;
  return out;
}

export function renderLabs(labs: LabInfo[]): string {
  if (labs.length === 0) return 'no labs are up\n';
  return labs.map(renderLab).join('\n');
}

export function renderDown(r: DownResult): string {
  const done =
    r.containers + r.networks + r.firewallRules === 0
      ? r.labs.length
        ? `lab ${r.labs.join(', ')}: nothing to remove\n`
        : 'nothing to remove\n'
      : `removed ${r.labs.length ? `lab ${r.labs.join(', ')}: ` : ''}${r.containers} containers, ${r.networks} networks, ${r.firewallRules} firewall rules\n`;
  if (!r.unreachable?.length) return done;
  const gone = r.unreachable.map((u) => `engine ${u.engine} (${u.host}) does not answer: ${u.error}\n`).join('');
  const left = r.networksLeft?.length ? `networks left because they reach it: ${r.networksLeft.join(', ')}\n` : '';
  return `${done}${gone}not removed: what the lab has on ${r.unreachable.map((u) => u.engine).join(', ')}\n${left}run down again once it answers (or drain its node: docker node update --availability drain NODE)\n`;
}

export function renderExec(r: ExecOutput): { stdout: string; stderr: string } {
  return { stdout: r.stdout, stderr: r.stderr };
}

export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Sizes as docker images prints them (decimal units). */
export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(n < 10 ? 1 : 0)} ${units[i]}`;
}

function imageState(i: LabImage): string {
  if (i.usedBy.length > 0) return `in use (${i.usedBy.join(', ')})`;
  return i.current ? 'current' : 'old';
}

export function renderImages(images: LabImage[]): string {
  if (images.length === 0) return 'no lab images on this machine\n';
  return table(
    images.map((i) => [i.tag, i.role, formatBytes(i.size), new Date(i.created * 1000).toISOString().replace(/\.\d+Z$/, 'Z'), imageState(i)]),
    ['IMAGE', 'ROLE', 'SIZE', 'CREATED', 'STATE'],
  );
}

export function renderPrune(r: PruneResult): string {
  let out = r.removed.length === 0 ? 'no lab image to remove\n' : r.removed.map((i) => `removed ${i.tag}\n`).join('');
  if (r.removed.length > 0)
    out += `${r.removed.length} image${r.removed.length === 1 ? '' : 's'} removed (up to ${formatBytes(r.bytes)}; layers they share with kept images stay)\n`;
  for (const k of r.kept) out += `kept ${k.image.tag}: ${k.why}\n`;
  return out;
}

/** With --strict, lines accepted but not emulated make a configuration invalid. */
export function strictFails(report: ConfigReport, strict: boolean): boolean {
  return strict && report.counts.notEmulated > 0;
}

/** One line per configuration warning: `file:line:column: ...`, worded by its class. */
export function describeWarning(w: NodeConfigWarning, strict: boolean): string {
  const where = `${w.file}:${w.line}:${w.column}`;
  const extra = w.detail ? ` (${w.detail})` : '';
  switch (w.class) {
    case 'refused':
      return `${where}: ${w.node} will refuse "${w.text.trim()}": ${w.message}${extra}`;
    case 'not-emulated':
      return `${where}: ${strict ? 'error' : 'warning'}: ${w.node}: ${w.message}`;
    case 'undefined-reference':
      return `${where}: warning: ${w.node}: ${w.message}${extra}`;
  }
}

/** "1 line refused, 2 accepted but not emulated": the counts that are not zero. */
export function describeCounts(c: ConfigCounts): string {
  const n = (k: number, one: string, many: string): string => `${k} ${k === 1 ? one : many}`;
  const parts: string[] = [];
  if (c.refused) parts.push(`${n(c.refused, 'line', 'lines')} refused`);
  if (c.notEmulated) parts.push(`${n(c.notEmulated, 'line', 'lines')} accepted but not emulated`);
  if (c.undefinedReference) parts.push(n(c.undefinedReference, 'undefined name', 'undefined names'));
  return parts.join(', ');
}
