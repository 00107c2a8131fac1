/**
 * The vtysh lines that turn one FRR configuration into another (pure), in the
 * spirit of frr-reload.py: per section, lines that went away are negated and
 * new lines added; a router section that went away is removed whole. Within a
 * section the removals come first, so a changed value (`ip ospf cost 10` ->
 * `ip ospf cost 64`) is a `no` and a new line. An interface section only
 * loses lines (the interface itself is the kernel's). What FRR negates
 * differently is spelled out here.
 */
import type { FrrConfig, FrrSection } from './frr-config.js';

/** The line that undoes `line` in FRR. */
export function negate(line: string): string {
  if (line.startsWith('no ')) return line.slice(3);
  const stub = /^area (\S+) stub/.exec(line);
  if (stub) return `no area ${stub[1]} stub`; // FRR's `no area X stub no-summary` would keep the stub
  const key = /^(ip ospf message-digest-key \d+)/.exec(line);
  if (key) return `no ${key[1]}`;
  const ripVersion = /^(ip rip (?:send|receive) version)/.exec(line);
  if (ripVersion) return `no ${ripVersion[1]}`;
  if (line.startsWith('version ')) return 'no version';
  return `no ${line}`;
}

/** One section's change: the vtysh lines (after `configure terminal`), and the section once they are applied (null: gone). */
export interface FrrStep {
  /** The section's key (frr-config.ts: the header, or `interface eth1 (eigrp)`). */
  key: string;
  header: string;
  commands: string[];
  result: FrrSection | null;
}

/** What identifies a section between two configurations: its key, else its header. */
export function sectionKey(s: FrrSection): string {
  return s.key ?? s.header;
}

/**
 * The changes from what is applied (by section key) to `after`: removed
 * sections first, then changed and new ones in `after`'s order. Each step
 * enters its section and leaves it with `exit`, so it can be applied, and
 * fail, on its own.
 */

export function frrSteps(applied: ReadonlyMap<string, FrrSection>, after: FrrConfig): FrrStep[] {
  const steps: FrrStep[] = [];
  const now = new Map(after.sections.map((x) => [sectionKey(x), x]));
  for (const [key, section] of applied) {
    if (now.has(key)) continue;
    const header = section.header;
    steps.push({
      key,
      header,
      commands: header.startsWith('router ') ? [`no ${header}`] : [header, ...section.lines.map(negate), 'exit'],
      result: null,
    });
  }
  for (const section of after.sections) {
    const key = sectionKey(section);
    const was = applied.get(key)?.lines ?? [];
    const removed = was.filter((l) => !section.lines.includes(l));
    const added = section.lines.filter((l) => !was.includes(l));
    if (removed.length === 0 && added.length === 0) continue;
    steps.push({ key, header: section.header, commands: [section.header, ...removed.map(negate), ...added, 'exit'], result: section });
  }
  return steps;
}

/** All the lines that turn `before` into `after`, one vtysh session. Empty when nothing changed. */
export function frrDiff(before: FrrConfig, after: FrrConfig): string[] {
  return frrSteps(new Map(before.sections.map((x) => [sectionKey(x), x])), after).flatMap((step) => step.commands);
}
