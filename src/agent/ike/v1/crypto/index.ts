/**
 * IKEv1 key derivation and message protection (RFC 2409 5, 5.5, appendix B;
 * RFC 2408 3.1; RFC 3947 3.2), built on the primitives of src/agent/crypto:
 * SKEYID and the phase-1 keys, HASH_I/HASH_R and the phase-2 hashes, the IV
 * chain, Quick Mode KEYMAT, NAT-D hashes, and the encryption of message
 * bodies. IKEv2 would have its own (prf+, SK_*).
 */
export * from './body.js';
export * from './hashes.js';
export * from './iv.js';
export * from './keymat.js';
export * from './keys.js';
export * from './natd.js';
