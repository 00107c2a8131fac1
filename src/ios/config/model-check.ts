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
      line: at.line,
      column: at.column + 1,
      text: at.text,
      severity: 'warning',
      code: 'not-emulated',
      message: notEmulatedMessage(at.text, reason, 0),
    });
    lines.push(at.line);
  }
  return { diagnostics, lines };
}

/**
 * A route map that NAT uses is read through its `match ip address` and
 * `match interface` clauses only: any other match clause in it (next hop,
 * length, tag ...) would narrow what IOS translates, so it is not emulated.
 */
export function checkNatRouteMaps(st: EngineState): { diagnostics: ConfigDiagnostic[]; lines: number[] } {
  const used = new Set(st.config.nat.rules.flatMap((r) => (r.kind === 'dynamic' && r.match.kind === 'route-map' ? [r.match.name] : [])));
  const diagnostics: ConfigDiagnostic[] = [];
  const lines: number[] = [];
  for (const c of st.routeMapClauses ?? []) {
    if (!used.has(c.map)) continue;
    const entry = st.config.routeMaps.find((e) => e.name === c.map && e.extras.includes(c.text.trim().split(/\s+/).join(' ')));
    if (!entry) continue;
    const reason = `NAT reads route map ${c.map} through match ip address and match interface only; this clause is ignored`;
    diagnostics.push({
      line: c.line,
      column: c.column + 1,
      text: c.text,
      severity: 'warning',
      code: 'not-emulated',
      message: notEmulatedMessage(c.text, reason, 0),
    });
    lines.push(c.line);
  }
  return { diagnostics, lines };
}
