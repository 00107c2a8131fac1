/**
 * Checks on the parsed model for what no single line shows: an ISAKMP policy
 * without `authentication pre-share` uses rsa-sig (the IOS default), which the
 * emulator does not do, so the whole policy is accepted but not emulated.
 */
import { notEmulatedMessage } from './classify.js';
import type { ConfigDiagnostic } from './diagnostics.js';
import type { EngineState } from './grammar.js';

export function checkPolicies(st: EngineState): { diagnostics: ConfigDiagnostic[]; lines: number[] } {
  const diagnostics: ConfigDiagnostic[] = [];
  const lines: number[] = [];
  for (const policy of st.config.crypto.isakmpPolicies) {
    const at = st.policyLines.get(policy.priority);
    if (!at || policy.authentication === 'pre-share' || at.rsaWarned) continue;
    const reason = `it authenticates with ${policy.authentication}, the default: RSA authentication is not emulated, this policy is never proposed or accepted`;
    diagnostics.push({
      line: at.line, column: at.column + 1, text: at.text, severity: 'warning', code: 'not-emulated',
      message: notEmulatedMessage(at.text, reason, 0),
    });
    lines.push(at.line);
  }
  return { diagnostics, lines };
}
