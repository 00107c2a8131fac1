/**
 * Cryptographic primitives (pure), shared by ESP and IKE: the algorithm
 * registry, CBC ciphers, Diffie-Hellman groups, the prf, and their typed
 * errors. Key derivations of a protocol live with it (IKEv1's in
 * src/agent/ike/v1/crypto).
 */
export * from './algorithms.js';
export * from './cipher.js';
export * from './dh.js';
export * from './errors.js';
export * from './prf.js';
