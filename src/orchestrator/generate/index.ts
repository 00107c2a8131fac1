/**
 * `testbed generate`: N-spoke TED labs as files (a topology file with its
 * tests, one IOS config per router), returned as data; the CLI writes them.
 * Pure: the same options give the same bytes (topologies/ted-*.yaml are
 * checked against it).
 */
import { coreConfig, spokeConfig } from './ios.js';
import { planTedLab, type TedLabOptions, type TedPlan } from './plan.js';
import { describeAcl, describeShape, generateCommand, topologyYaml } from './topology.js';

export {
  GenerateError,
  planTedLab,
  SUITES,
  SHAPES,
  ACL_STYLES,
  MAX_SPOKES,
  type TedLabOptions,
  type TedPlan,
  type Shape,
  type AclStyle,
  type SuiteName,
} from './plan.js';

export interface GeneratedFile {
  /** Relative to the output folder. */
  path: string;
  content: string;
}

export interface GeneratedLab {
  name: string;
  /** The topology file, relative to the output folder. */
  topology: string;
  /** The topology first, then the configs (core first, then the spokes in order). */
  files: GeneratedFile[];
  /** Plain facts for the CLI's report. */
  summary: {
    spokes: number;
    shape: string;
    acl: string;
    suite: string;
    segments: number;
    routers: number;
    hosts: number;
    pairs: number;
    steps: number;
    command: string;
  };
}

export interface GenerateOptions extends TedLabOptions {
  /** The output folder as the user names it (only for the regenerate line in the topology's header; default "."). */
  output?: string;
}

export function generateTedLab(opts: GenerateOptions): GeneratedLab {
  const plan: TedPlan = planTedLab(opts);
  const output = opts.output ?? '.';
  const topology = `${plan.name}.yaml`;
  const yaml = topologyYaml(plan, output);
  const configs: GeneratedFile[] = [];
  if (plan.shape === 'core') configs.push({ path: `${plan.name}/core.cfg`, content: coreConfig(plan) });
  for (const s of plan.sites) configs.push({ path: `${plan.name}/${s.router}.cfg`, content: spokeConfig(plan, s) });
  return {
    name: plan.name,
    topology,
    files: [{ path: topology, content: yaml }, ...configs],
    summary: {
      spokes: plan.sites.length,
      shape: describeShape(plan),
      acl: describeAcl(plan),
      suite: plan.suite.description,
      segments: plan.shape === 'core' ? plan.segments.length : 1,
      routers: configs.length,
      hosts: plan.sites.length,
      pairs: plan.pairs.length,
      steps: (yaml.match(/^ {2}- name: /gm) ?? []).length,
      command: generateCommand(plan, output),
    },
  };
}
