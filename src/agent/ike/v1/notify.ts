/**
 * Notify types and failures in one table (RFC 2408 3.14.1, RFC 2407 4.6.3,
 * RFC 3706): which error class answers with which Notify Message Type, the
 * name the engine reports (`fail` and `drop` actions), the name IOS 12.2
 * prints in its debug lines, and the IOS syslog messages of failed
 * negotiations. Every exchange and the engine take their words from here.
 *
 * Errors of the ISAKMP codec (IsakmpError and its subclasses) carry their
 * own notify type: RFC 2408 defines both. Errors of the crypto primitives
 * are protocol-neutral (ESP throws them too); the table gives them theirs.
 * Anything else is an internal failure and answers PAYLOAD-MALFORMED.
 */
import { NotifyType } from '../../../codecs/isakmp/constants.js';
import { IsakmpError } from '../../../codecs/isakmp/errors.js';
import { stringifyNotifyType } from '../../../codecs/isakmp/names.js';
import {
  AuthenticationFailedError,
  CipherUnavailableError,
  CryptoLengthError,
  InvalidDhPublicValueError,
  InvalidHashError,
  UnsupportedAlgorithmError,
} from '../../crypto/errors.js';

type ErrorClass = abstract new (...args: never[]) => Error;

/** One notify type: the error classes that answer with it, and IOS's name when it is not the RFC's. */
interface NotifyRow {
  readonly type: number;
  readonly errors: readonly ErrorClass[];
  /** IOS's spelling in "processing NOTIFY X" and "reason \"X\"" (default: the RFC name with underscores). */
  readonly ios?: string;
}

const TABLE: readonly NotifyRow[] = [
  /** An algorithm, group or key length we do not implement, or one the local OpenSSL refuses. */
  { type: NotifyType.ATTRIBUTES_NOT_SUPPORTED, errors: [UnsupportedAlgorithmError, CipherUnavailableError] },
  /** No offered proposal or transform is acceptable. */
  { type: NotifyType.NO_PROPOSAL_CHOSEN, errors: [], ios: 'PROPOSAL_NOT_CHOSEN' },
  /** A length that cannot be right (ciphertext not whole blocks, a key of the wrong size). */
  { type: NotifyType.PAYLOAD_MALFORMED, errors: [CryptoLengthError] },
  /** A Diffie-Hellman public value outside 2..p-2 or of the wrong size. */
  { type: NotifyType.INVALID_KEY_INFORMATION, errors: [InvalidDhPublicValueError] },
  /** A Quick Mode or Informational HASH that does not verify. */
  { type: NotifyType.INVALID_HASH_INFORMATION, errors: [InvalidHashError] },
  /** HASH_I or HASH_R does not verify (a wrong pre-shared key, most often). */
  { type: NotifyType.AUTHENTICATION_FAILED, errors: [AuthenticationFailedError] },
];

/** The notify type of any error an exchange may hit: codec errors name theirs, the table gives the others. */
export function notifyOf(err: unknown): number {
  if (err instanceof IsakmpError) return err.notify;
  for (const row of TABLE) if (row.errors.some((c) => err instanceof c)) return row.type;
  return NotifyType.PAYLOAD_MALFORMED;
}

/** An error's message for logs and drop reasons. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The RFC name the engine reports in `fail` actions ("NO-PROPOSAL-CHOSEN"); "NONE" for 0 (no notify applies). */
export function notifyName(type: number): string {
  return type ? stringifyNotifyType(type) : 'NONE';
}

/** The name IOS prints: the RFC's with underscores, or its own word ("PROPOSAL_NOT_CHOSEN"). */
export function iosNotifyName(type: number): string {
  return TABLE.find((r) => r.type === type)?.ios ?? stringifyNotifyType(type).replace(/-/g, '_');
}

/** The IOS syslog messages of IKE failures, word for word. */
export const IosLog = {
  /** A message that does not decode, decrypt or authenticate (phase 1), or does not decode (phase 2). */
  badMessage: (from: string) => `%CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from ${from} failed its sanity check or is malformed`,
  /** A Quick Mode message whose HASH does not verify. */
  hashFail: (from: string) => `%CRYPTO-4-IKMP_HASH_FAIL: IKE message from ${from} failed its hash check`,
  /** Pre-shared key authentication failed. */
  authFail: (peer: string) => `%CRYPTO-6-IKMP_AUTH_FAIL: Authentication method 1 failed with host ${peer}`,
  /** A Main, Aggressive or Quick Mode exchange failed. */
  modeFailure: (mode: 'Main' | 'Aggressive' | 'Quick', peer: string) => `%CRYPTO-6-IKMP_MODE_FAILURE: Processing of ${mode} mode failed with peer at ${peer}`,
  /** A message for no SA that does not start one. */
  noSa: (from: string) => `%CRYPTO-4-IKMP_NO_SA: IKE message from ${from} has no SA and is not an initialization offer`,
  /** DPD gave up on a peer. */
  peerDead: (peer: string) => `%CRYPTO-4-IKMP_NO_SA: IKE peer ${peer} declared dead (no answer to R-U-THERE)`,
} as const;

/** The log line for a dropped Quick Mode message: IKMP_HASH_FAIL for a bad HASH, IKMP_BAD_MESSAGE otherwise. */
export function quickModeDropLog(notify: number, from: string): string {
  return notify === NotifyType.INVALID_HASH_INFORMATION ? IosLog.hashFail(from) : IosLog.badMessage(from);
}
