/**
 * The project's layers, checked by `npm run lint` (dependency-cruiser):
 *
 *   src/codecs      pure wire formats                        imports nothing of ours but codecs
 *   src/ios         the IOS language (parser, model, show)   codecs
 *   src/contract    orchestrator <-> node contract           codecs
 *   src/agent/crypto  primitives shared by ESP and IKE       codecs
 *   src/agent/esp   ESP SAs                                  crypto, codecs
 *   src/agent/ike   IKE engine                               esp, crypto, codecs, ios
 *   src/agent/datapath, src/agent/router, src/agent/io      the router; io is the edge
 *   src/agent/routing          FRR driven from the IOS config    router (types), io, ios, codecs, contract
 *   src/kinds/<kind>/main.ts, cli.ts   programs that run in the node's container
 *   src/kinds/<kind>/...       the kind's orchestrator side
 *   src/orchestrator           the host side: never the agent
 *   fuzz/           the fuzz harness (lib, corpus, targets): test code, like tests/; src never imports it
 */
const agentLower = (from, allowed) => ({ from: { path: from }, to: { path: '^src/', pathNot: allowed } });

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'files that import each other in a loop (type imports included)', from: {}, to: { circular: true } },
    { name: 'codecs-are-the-bottom', severity: 'error', ...agentLower('^src/codecs/', '^src/codecs/') },
    { name: 'ios-is-pure', severity: 'error', ...agentLower('^src/ios/', '^src/(ios|codecs)/') },
    { name: 'contract-stands-alone', severity: 'error', ...agentLower('^src/contract/', '^src/(contract|codecs)/') },
    { name: 'crypto-below-esp-and-ike', severity: 'error', ...agentLower('^src/agent/crypto/', '^src/(agent/crypto|codecs)/') },
    { name: 'esp-below-ike', severity: 'error', ...agentLower('^src/agent/esp/', '^src/(agent/esp|agent/crypto|codecs|contract)/') },
    { name: 'ike-below-the-router', severity: 'error', ...agentLower('^src/agent/ike/', '^src/(agent/ike|agent/esp|agent/crypto|codecs|ios|contract)/') },
    {
      name: 'datapath-below-the-router',
      severity: 'error',
      ...agentLower('^src/agent/datapath/', '^src/(agent/datapath|agent/ike|agent/esp|agent/crypto|codecs|ios|contract)/'),
    },
    {
      name: 'routing-beside-the-router',
      severity: 'error',
      comment: 'the FRR driver talks to the router through its interface; nothing below the router imports it',
      ...agentLower('^src/agent/routing/', '^src/(agent/routing|agent/router|agent/io|ios|codecs|contract)/'),
    },
    { name: 'io-is-the-edge', severity: 'error', ...agentLower('^src/agent/io/', '^src/(agent/io|agent/esp|contract|codecs)/') },
    {
      name: 'agent-never-imports-the-host-side',
      severity: 'error',
      from: { path: '^src/agent/' },
      to: { path: '^src/(orchestrator|kinds)/' },
    },
    {
      name: 'orchestrator-imports-only-the-contract-from-nodes',
      severity: 'error',
      comment: 'the orchestrator talks to nodes through src/contract; it never loads agent code',
      from: { path: '^src/orchestrator/' },
      to: { path: '^src/agent/|^src/kinds/[^/]+/(main|cli)\\.ts$' },
    },
    {
      name: 'kinds-host-side-stays-off-the-agent',
      severity: 'error',
      comment: "a kind's orchestrator-side module names its programs by path; only main.ts and cli.ts run agent code",
      from: { path: '^src/kinds/', pathNot: '^src/kinds/[^/]+/(main|cli)\\.ts$' },
      to: { path: '^src/agent/|^src/kinds/[^/]+/(main|cli)\\.ts$' },
    },
    {
      name: 'no-fuzz-code-in-src',
      severity: 'error',
      comment: 'the fuzz harness drives the router code; the router code never depends on it',
      from: { path: '^src/' },
      to: { path: '^fuzz/' },
    },
    {
      name: 'no-test-code-in-src',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^tests/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'], conditionNames: ['import', 'node', 'default'] },
    exclude: { path: '^(dist|node_modules)/' },
  },
};
