/** IKEv1 cryptographic primitives (pure): see each module for the RFC sections. */
export * from './algorithms.js';
export * from './body.js';
export * from './cipher.js';
export * from './dh.js';
export * from './errors.js';
export * from './hashes.js';
export * from './iv.js';
export * from './keymat.js';
export * from './keys.js';
export * from './natd.js';
export * from './prf.js';
