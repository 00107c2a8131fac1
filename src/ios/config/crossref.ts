/** Names used but not defined: transform sets, access lists, dynamic maps, crypto maps. */
import type { ConfigDiagnostic } from './diagnostics.js';
import type { PendingReference } from './grammar.js';
import type { RouterConfig } from './types.js';

function defined(config: RouterConfig, ref: PendingReference): boolean {
  switch (ref.kind) {
    case 'transform-set':
      return config.crypto.transformSets.some((t) => t.name === ref.name);
    case 'access-list':
      return config.accessLists.some((a) => a.name === ref.name);
    case 'dynamic-map':
      return config.crypto.dynamicMaps.some((m) => m.name === ref.name);
    case 'crypto-map':
      return config.crypto.cryptoMaps.some((m) => m.name === ref.name);
    case 'route-map':
      return config.routeMaps.some((m) => m.name === ref.name);
    case 'nat-pool':
      return config.nat.pools.some((p) => p.name === ref.name);
  }
}

function natUses(config: RouterConfig, routeMap: string): boolean {
  return config.nat.rules.some((r) => r.kind === 'dynamic' && r.match.kind === 'route-map' && r.match.name === routeMap);
}

/** Still referenced by the final configuration (a later line may have replaced it). */
function stillUsed(config: RouterConfig, ref: PendingReference): boolean {
  const c = config.crypto;
  switch (ref.kind) {
    case 'transform-set':
      return [...c.cryptoMaps, ...c.dynamicMaps].some((m) => m.transformSets.includes(ref.name));
    case 'access-list':
      return (
        [...c.cryptoMaps, ...c.dynamicMaps].some((m) => m.matchAddress === ref.name) ||
        config.interfaces.some((i) => i.accessGroupIn === ref.name || i.accessGroupOut === ref.name) ||
        config.nat.rules.some((r) => r.kind === 'dynamic' && r.match.kind === 'list' && r.match.acl === ref.name) ||
        config.routeMaps.some((m) => m.matchAddress.includes(ref.name) && natUses(config, m.name))
      );
    case 'dynamic-map':
      return c.cryptoMaps.some((m) => m.dynamic?.map === ref.name);
    case 'crypto-map':
      return config.interfaces.some((i) => i.cryptoMap === ref.name);
    case 'route-map':
      return natUses(config, ref.name);
    case 'nat-pool':
      return config.nat.rules.some((r) => r.kind === 'dynamic' && r.target.kind === 'pool' && r.target.pool === ref.name);
  }
}

const WHAT: Record<PendingReference['kind'], string> = {
  'transform-set': 'transform set',
  'access-list': 'access list',
  'dynamic-map': 'dynamic crypto map',
  'crypto-map': 'crypto map',
  'route-map': 'route map',
  'nat-pool': 'NAT pool',
};

export function checkReferences(config: RouterConfig, refs: readonly PendingReference[]): ConfigDiagnostic[] {
  const out: ConfigDiagnostic[] = [];
  const seen = new Set<string>();
  for (const ref of refs) {
    const key = `${ref.kind}:${ref.name}:${ref.line}`;
    if (seen.has(key) || defined(config, ref) || !stillUsed(config, ref)) continue;
    seen.add(key);
    out.push({
      line: ref.line,
      column: ref.column + 1,
      text: ref.text,
      severity: 'warning',
      code: 'undefined-reference',
      message: `% ${WHAT[ref.kind]} ${ref.name} used by ${ref.from} is not defined`,
    });
  }
  return out;
}
