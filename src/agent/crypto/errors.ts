/**
 * Typed errors of the crypto primitives (shared by ESP and IKE). They say
 * what went wrong, not how a protocol answers it: the IKE engine maps each
 * class to its ISAKMP notify type in one table (src/agent/ike/v1/notify.ts),
 * so callers never inspect message strings.
 */

export class CryptoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** An algorithm, group or key length we do not support. */
export class UnsupportedAlgorithmError extends CryptoError {}

/**
 * The algorithm is known but the local OpenSSL refuses it (DES without the
 * legacy provider and without a usable 3DES fallback, e.g. in FIPS mode).
 */
export class CipherUnavailableError extends CryptoError {}

/** A key, IV or data buffer of the wrong length for the algorithm. */
export class CryptoLengthError extends CryptoError {}

/** A peer's Diffie-Hellman public value is out of range or badly sized. */
export class InvalidDhPublicValueError extends CryptoError {}

/** Quick Mode HASH(1)/(2)/(3) or an Informational HASH did not verify. */
export class InvalidHashError extends CryptoError {}

/** HASH_I or HASH_R did not verify (wrong pre-shared key, most often). */
export class AuthenticationFailedError extends CryptoError {}
