/**
 * The IKE layer of the router agent, as the router and the datapath see it:
 * the engine (IKEv1, RFC 2409, in ./v1), the actions it returns, the policy
 * it reads from the IOS configuration, and the views behind the crypto show
 * commands. Version-neutral pieces (types, policy, proxies, timers) sit at
 * this level; everything IKEv1 lives in ./v1.
 */
export * from './types.js';
export { IkeEngine, type IkeEngineOptions, type IpsecFilter } from './v1/engine.js';
export * from './policy.js';
export * from './v1/views/index.js';
export { DEFAULT_LIMITS, type IkeLimits } from './limits.js';
export { IOS_TIMERS, IOS_RETRANSMIT, type IkeTimers, type RetransmitPolicy } from './retransmit.js';
export { proxiesFromRule, proxyFromAcl, proxyRange, proxyWithin, ruleCovers, sameProxy, flowKey } from './proxies.js';
export { frameIke, unframeIke, IKE_PORT, NAT_T_PORT } from './v1/nat-t.js';
export { signed32, hexSpi } from './v1/debug.js';
