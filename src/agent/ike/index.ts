/**
 * IKEv1 (RFC 2409) for the router agent: the exchanges (Main, Aggressive,
 * Quick, Informational, DPD, NAT-T, TED) as pure state objects, and the
 * IkeEngine that owns a router's SAs. Crypto primitives live in ./crypto.
 */
export * from './types.js';
export { IkeEngine, type IkeEngineOptions, type IpsecFilter } from './engine.js';
export * from './policy.js';
export * from './views/index.js';
export { IOS_TIMERS, IOS_RETRANSMIT, type IkeTimers, type RetransmitPolicy } from './retransmit.js';
export { proxiesFromRule, proxyFromAcl, proxyRange, proxyWithin, ruleCovers, sameProxy, flowKey } from './proxies.js';
export { frameIke, unframeIke, IKE_PORT, NAT_T_PORT } from './nat-t.js';
export { signed32, hexSpi } from './debug.js';
