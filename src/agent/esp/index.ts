/** ESP (RFC 4303) tunnel-mode SAs and RFC 3948 UDP encapsulation (pure). */
export * from './algorithms.js';
export * from './counters.js';
export * from './errors.js';
export * from './iv-source.js';
export * from './replay.js';
export * from './sa.js';
export * from './udp-encap.js';
export * from './validate.js';
