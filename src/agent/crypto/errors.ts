/**
 * Typed errors of the IKEv1 crypto layer. Each carries the ISAKMP notify
 * message type (RFC 2408 section 3.14.1) the exchange code should answer with,
 * so callers never have to inspect message strings.
 */

/** RFC 2408 notify message types used by this layer. */
export const Notify = {
  /** 13: an attribute value (algorithm, key length) we do not implement. */
  ATTRIBUTES_NOT_SUPPORTED: 13,
  /** 16: a length that cannot be right (ciphertext not a block multiple). */
  PAYLOAD_MALFORMED: 16,
  /** 17: a Diffie-Hellman public value outside 2..p-2 or of the wrong size. */
  INVALID_KEY_INFORMATION: 17,
  /** 23: a phase-2 / informational HASH that does not verify. */
  INVALID_HASH_INFORMATION: 23,
  /** 24: a phase-1 HASH_I / HASH_R that does not verify. */
  AUTHENTICATION_FAILED: 24,
} as const;

export class IkeCryptoError extends Error {
  /** ISAKMP notify message type to report to the peer. */
  readonly notify: number;
  constructor(message: string, notify: number) {
    super(message);
    this.name = new.target.name;
    this.notify = notify;
  }
}

/** An algorithm, group or key length we do not support. */
export class UnsupportedAlgorithmError extends IkeCryptoError {
  constructor(message: string) {
    super(message, Notify.ATTRIBUTES_NOT_SUPPORTED);
  }
}

/**
 * The algorithm is known but the local OpenSSL refuses it (DES without the
 * legacy provider and without a usable 3DES fallback, e.g. in FIPS mode).
 */
export class CipherUnavailableError extends IkeCryptoError {
  constructor(message: string) {
    super(message, Notify.ATTRIBUTES_NOT_SUPPORTED);
  }
}

/** A key, IV or data buffer of the wrong length for the algorithm. */
export class CryptoLengthError extends IkeCryptoError {
  constructor(message: string) {
    super(message, Notify.PAYLOAD_MALFORMED);
  }
}

/** A peer's Diffie-Hellman public value is out of range or badly sized. */
export class InvalidDhPublicValueError extends IkeCryptoError {
  constructor(message: string) {
    super(message, Notify.INVALID_KEY_INFORMATION);
  }
}

/** Quick Mode HASH(1)/(2)/(3) or an Informational HASH did not verify. */
export class InvalidHashError extends IkeCryptoError {
  constructor(message: string) {
    super(message, Notify.INVALID_HASH_INFORMATION);
  }
}

/** HASH_I or HASH_R did not verify (wrong pre-shared key, most often). */
export class AuthenticationFailedError extends IkeCryptoError {
  constructor(message: string) {
    super(message, Notify.AUTHENTICATION_FAILED);
  }
}
