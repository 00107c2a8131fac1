/** The IOS layer of the router agent: configuration model and parser, exec commands, show renderers. Pure. */
export * from '../codecs/net/address.js';
export { tokenize, matchKeyword, Cursor, ParseFail, type Token, type KeywordMatch } from './cli/cursor.js';

export * from './config/types.js';
export { parseConfig, applyConfigLines, summarize, type ParseResult, type ParseOptions, type ApplyResult, type LineSummary } from './config/parse.js';
export type { LineClass } from './config/classify.js';
export { SUPPORT_TABLE, parseCommand, type SupportEntry, type SupportClass, type SupportMode, type BlockKind } from './config/support.js';
export { LATER_COMMANDS, type LaterCommand } from './config/support-refused.js';
export { BLOCK_VOCABULARY } from './config/blocks.js';
export { renderRunningConfig, runningConfigLines, staticRouteText, transformText } from './config/render.js';
export {
  formatDiagnostic,
  diagnosticClass,
  describeDiagnostic,
  countDiagnostics,
  describeCounts,
  type ConfigDiagnostic,
  type DiagnosticCode,
  type DiagnosticSeverity,
  type DiagnosticClass,
  type DiagnosticCounts,
} from './config/diagnostics.js';
export { modePrompt, GLOBAL_MODE, type ConfigMode, type ExtraChildren } from './config/modes.js';
export { normalizeInterfaceName, interfaceType, isAlwaysUp, isSubinterface, isTunnel, INTERFACE_TYPES } from './config/interface-names.js';
export {
  interfaceDefaults,
  effectiveBandwidth,
  effectiveDelay,
  ospfCost,
  encapsulationName,
  parentName,
  shortInterfaceName,
  type InterfaceDefaults,
} from './config/interface-defaults.js';
export { wildcardPrefix, areaNumber } from './config/cmd-routing.js';
export { numberedAclKind } from './config/cmd-acl.js';
export { extendedRuleText, standardRuleText } from './config/acl-syntax.js';
export { PROTOCOL_NUMBERS, TCP_PORTS, UDP_PORTS, ICMP_MESSAGES, protocolName, portName, icmpName } from './config/acl-names.js';

export { aclMatches, matchingEntry, entryPrefixes, addressPrefix, type PacketTuple, type AclPrefix } from './acl/match.js';
export {
  computeRoutes,
  lookupRoute,
  RouteIndex,
  interfaceStatus,
  type Route,
  type RoutePath,
  type RouteLookup,
  type LinkState,
  type InterfaceStatus,
  type LearnedCode,
} from './routing/routes.js';
export { interfaceCarrier } from './routing/links.js';
export { iosRouterId } from './routing/router-id.js';
export { tunnelStates, tunnelIpMtu, greOverhead, type TunnelState, type TunnelDownReason } from './routing/tunnels.js';

export * from './exec/commands.js';
export { parseExec, applyOutputFilter, type ExecParseOptions } from './exec/parse.js';
export { renderShowIpInterfaceBrief, interfaceBriefRows, type InterfaceBriefRow } from './exec/render/brief.js';
export {
  renderShowInterfaces,
  renderInterface,
  interfaceView,
  interfaceViewDefaults,
  formatAge,
  type InterfaceView,
  type TunnelView,
  type InterfaceCounters,
} from './exec/render/interfaces.js';
export { renderShowIpRoute, ROUTE_CODES, formatRouteAge } from './exec/render/route.js';
export { renderShowAccessLists, type AclMatchCounts } from './exec/render/access-lists.js';
export { renderPing, renderPingHeader, renderPingSummary, type PingResult, type PingReply, type PingMark } from './exec/render/ping.js';
export { renderShowVersion, formatUptime, type ShowVersionInput } from './exec/render/version.js';
export { renderShowDebug, renderDebugChange, type DebugFlags } from './exec/render/debug.js';
export { renderShowClock, formatLogTimestamp, type ClockOptions } from './exec/render/clock.js';
export { renderShowIpTraffic, type IpTraffic, type IpFragCounters } from './exec/render/traffic.js';
export { renderShowIpOspfNeighbor, renderShowIpOspfInterface, type OspfNeighborRow, type OspfInterfaceView } from './exec/render/ospf.js';
export { renderShowIpEigrpNeighbors, renderShowIpEigrpTopology, type EigrpNeighborRow, type EigrpTopologyRow } from './exec/render/eigrp.js';
export { renderShowIpRipDatabase, type RipDatabaseEntry } from './exec/render/rip.js';
export { renderShowIpProtocols, type ProtocolsInput, type RoutingSource } from './exec/render/protocols.js';
export {
  renderShowIpNatTranslations,
  renderShowIpNatStatistics,
  natDuration,
  type NatTranslationRow,
  type NatStatistics,
  type NatMappingStatistics,
  type NatPoolStatistics,
} from './exec/render/nat.js';
