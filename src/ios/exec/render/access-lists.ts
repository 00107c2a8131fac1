/**
 * `show access-lists`: one header per list, then its entries with their
 * match counts, as IOS 12.2 prints them: without sequence numbers, which
 * came with "IP Access List Entry Sequence Numbering" in 12.2(14)S,
 * 12.2(15)T and 12.3(2)T (docs/research/ios-12.2-notes.md, section 2).
 */
import { extendedRuleText, standardRuleShowText } from '../../config/acl-syntax.js';
import type { AccessList } from '../../config/types.js';

/** Matches per list name and sequence number. */
export type AclMatchCounts = Readonly<Record<string, Readonly<Record<number, number>>>>;

function matches(n: number | undefined): string {
  if (!n) return '';
  return n === 1 ? ' (1 match)' : ` (${n} matches)`;
}

/** IOS keeps numbered lists by number and named lists apart, after them (inferred; docs/research/ios-12.2-notes.md, section 2). */
function showOrder(acls: readonly AccessList[]): AccessList[] {
  const numbered = acls.filter((a) => a.numbered).sort((a, b) => Number(a.name) - Number(b.name));
  return [...numbered, ...acls.filter((a) => !a.numbered)];
}

export function renderShowAccessLists(acls: readonly AccessList[], counts: AclMatchCounts = {}): string {
  const lines: string[] = [];
  for (const acl of showOrder(acls)) {
    lines.push(`${acl.kind === 'standard' ? 'Standard' : 'Extended'} IP access list ${acl.name}`);
    for (const e of acl.entries) {
      if (e.type !== 'rule') continue;
      const text = acl.kind === 'standard' ? standardRuleShowText(e) : extendedRuleText(e);
      lines.push(`    ${text}${matches(counts[acl.name]?.[e.seq])}`);
    }
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}
