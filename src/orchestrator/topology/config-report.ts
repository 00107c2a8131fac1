/**
 * What the nodes of a topology say of their configurations, by class:
 * lines they will refuse (they boot without them), lines they accept but do
 * not emulate (the lab would not behave as the real device), and names never
 * defined. `validate` and `up` report them; `--strict` makes the second class
 * an error. Pure: the kinds read the files, this only gathers.
 */
import type { ConfigWarning } from '../../kinds/kind.js';
import type { Topology } from './types.js';

export interface NodeConfigWarning extends ConfigWarning {
  node: string;
}

export interface ConfigCounts {
  refused: number;
  notEmulated: number;
  undefinedReference: number;
}

export interface ConfigReport {
  warnings: NodeConfigWarning[];
  counts: ConfigCounts;
}

export function configReport(topology: Topology): ConfigReport {
  const warnings = topology.nodes.flatMap((n) =>
    topology.kinds
      .of(n)
      .warnings(n)
      .map((w) => ({ node: n.name, ...w })),
  );
  const counts: ConfigCounts = { refused: 0, notEmulated: 0, undefinedReference: 0 };
  for (const w of warnings) {
    if (w.class === 'refused') counts.refused++;
    else if (w.class === 'not-emulated') counts.notEmulated++;
    else counts.undefinedReference++;
  }
  return { warnings, counts };
}
