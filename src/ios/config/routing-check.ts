/**
 * Checks on the routing model for what no single line shows: EIGRP and RIP
 * summarize at classful boundaries unless told `no auto-summary` (the 12.2
 * default), and FRR, which runs them, never does. The process header carries
 * the warning, since the behaviour comes from a line that is not there (only
 * the first process: a second one is reported whole).
 */
import { notEmulatedMessage } from './classify.js';
import type { ConfigDiagnostic } from './diagnostics.js';
import type { EngineState } from './grammar.js';

const AUTO_SUMMARY = 'automatic summarization, on by default in 12.2, is not emulated: subnets are advertised unsummarized, as with no auto-summary';

export function checkRouting(st: EngineState): { diagnostics: ConfigDiagnostic[]; lines: number[] } {
  const diagnostics: ConfigDiagnostic[] = [];
  const lines: number[] = [];
  const summarizing = [
    ...st.config.routing.eigrp
      .slice(0, 1)
      .filter((p) => p.autoSummary)
      .map((p) => `eigrp ${p.as}`),
    ...(st.config.routing.rip?.autoSummary ? ['rip'] : []),
  ];
  for (const key of summarizing) {
    const at = st.routingLines.get(key);
    if (!at || at.autoSummaryWarned) continue;
    diagnostics.push({
      line: at.line,
      column: at.column + 1,
      text: at.text,
      severity: 'warning',
      code: 'not-emulated',
      message: notEmulatedMessage(at.text, AUTO_SUMMARY, 0),
    });
    lines.push(at.line);
  }
  return { diagnostics, lines };
}
