/**
 * testbed's programmatic API, for test suites (the Lab class is in lab/lab.ts):
 *
 *   import { Lab } from 'testbed';
 *   await using lab = await Lab.up('topologies/daphne-fred.yaml', { name: 'my-test', capture: true });
 *   const ping = await lab.sh('d1', 'ping -c 3 12.12.12.13');
 *
 * This module only re-exports.
 */
export { Lab, CommandError, type LabOptions } from './lab/lab.js';
export { loadLabFile, loadTopology, type LabFile } from './labfile/load.js';
export { TopologyError, formatIssue, type TopologyIssue } from './topology/source.js';
export type { Topology, TopologyNode, TopologyLink } from './topology/types.js';
export { KINDS, builtinKinds } from '../kinds/index.js';
export { KindRegistry } from '../kinds/registry.js';
export type { NodeKind } from '../kinds/kind.js';
export type { CapturedPacket } from './capture/pcap-reader.js';
export { readPcap } from './capture/pcap-reader.js';
export { LabError, type LabInfo, type ExecOutput, type DownResult, type NodeInfo, type LinkInfo } from './lab/types.js';
export type { UpOptions } from './lab/up.js';
export { streamProgress, silentProgress, type Progress } from './progress.js';
export {
  runTests,
  LabUpError,
  Runner,
  RealLabDriver,
  SelectionError,
  formatJunit,
  formatReport,
  type TestOptions,
  type RunSummary,
  type StepResult,
  type RunListener,
  type LabDriver,
  type Clock,
  type Step,
} from './checks/index.js';
export { SHOW_TABLES, parseIsakmpSa, parseIpsecSa, parseCryptoMap, parseEngineConnections, type ShowRecord } from './show/index.js';
export { liveReporter } from './cli/render.js';
export { graphModel, renderSvg, renderMermaid, labTunnels, type GraphModel, type Tunnel } from './graph/index.js';
export { type KeyTableFiles } from './lab/keys.js';
export { analyzePcap } from './capture/tshark.js';
export { tsharkKeyOptions, type WiresharkKeys } from './capture/wireshark.js';
