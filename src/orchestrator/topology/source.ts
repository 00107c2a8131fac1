/**
 * Places in a topology file and the problems found there: every mistake in a
 * topology, a node's entry or a check is reported as `file:line:column:
 * where: what`. Nothing here reads a file.
 */
import { relative } from 'node:path';

/** A place in a topology file, for error messages (1-based). */
export interface SourcePos {
  file: string;
  line: number;
  column: number;
}

export interface TopologyIssue extends SourcePos {
  message: string;
}

/** Where a path of keys and indexes of the YAML document starts; `key`: the key itself rather than its value. */
export type Locate = (path: (string | number)[], key?: boolean) => SourcePos;

/** A topology file that cannot be used; `issues` says where and why. */
export class TopologyError extends Error {
  constructor(readonly issues: TopologyIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'TopologyError';
  }
}

export function formatIssue(i: TopologyIssue): string {
  return `${i.file}:${i.line}:${i.column}: ${i.message}`;
}

/** The path as users typed it: relative to the working directory when inside it. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}

export function sortIssues(issues: TopologyIssue[]): TopologyIssue[] {
  return [...issues].sort((a, b) => a.line - b.line || a.column - b.column);
}
