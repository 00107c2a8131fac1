/**
 * Typed ISAKMP errors. Every error carries the Notify Message Type (RFC 2408
 * 3.14.1) the session layer should answer with, so an exchange can turn any
 * failure into an Informational Notify without guessing.
 *
 * Decoders throw only these (never a RangeError from Buffer, never a bare
 * Error); other layers use the same class for their own failures:
 * `new IsakmpError(NotifyType.INVALID_HASH_INFORMATION, 'HASH_R does not match')`.
 */
import { NotifyType } from './constants.js';
import { stringifyNotifyType } from './names.js';

/** Optional context of an {@link IsakmpError}. */
export interface IsakmpErrorDetails {
  /** Byte offset in the decoded buffer where the problem was found. */
  readonly offset?: number;
  /** Notification data to send along (e.g. the offending payload), if any. */
  readonly data?: Buffer;
  /** The underlying error, if this one wraps another. */
  readonly cause?: unknown;
}

/** An ISAKMP failure that maps to one Notify Message Type. */
export class IsakmpError extends Error {
  /** The Notify Message Type to report (PAYLOAD-MALFORMED, INVALID-HASH-INFORMATION, ...). */
  readonly notify: number;
  /** Byte offset of the problem, when a decoder found it. */
  readonly offset?: number;
  /** Notification data to send along, if any. */
  readonly data?: Buffer;

  constructor(notify: number, message: string, details: IsakmpErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.notify = notify;
    if (details.offset !== undefined) this.offset = details.offset;
    if (details.data !== undefined) this.data = details.data;
  }

  /** The notify type's RFC name, e.g. "PAYLOAD-MALFORMED". */
  get notifyName(): string {
    return stringifyNotifyType(this.notify);
  }
}

/** PAYLOAD-MALFORMED (16): a length or field does not fit. */
export class PayloadMalformedError extends IsakmpError {
  constructor(message: string, details?: IsakmpErrorDetails) {
    super(NotifyType.PAYLOAD_MALFORMED, message, details);
  }
}

/** INVALID-PAYLOAD-TYPE (1): a payload type that may not appear where it does. */
export class InvalidPayloadTypeError extends IsakmpError {
  constructor(message: string, details?: IsakmpErrorDetails) {
    super(NotifyType.INVALID_PAYLOAD_TYPE, message, details);
  }
}

/** INVALID-MAJOR-VERSION (5): the header's major version is not 1. */
export class InvalidMajorVersionError extends IsakmpError {
  constructor(message: string, details?: IsakmpErrorDetails) {
    super(NotifyType.INVALID_MAJOR_VERSION, message, details);
  }
}

/** INVALID-MINOR-VERSION (6): the header's minor version is not 0. */
export class InvalidMinorVersionError extends IsakmpError {
  constructor(message: string, details?: IsakmpErrorDetails) {
    super(NotifyType.INVALID_MINOR_VERSION, message, details);
  }
}

/** UNEQUAL-PAYLOAD-LENGTHS (30): the header length disagrees with the bytes. */
export class UnequalPayloadLengthsError extends IsakmpError {
  constructor(message: string, details?: IsakmpErrorDetails) {
    super(NotifyType.UNEQUAL_PAYLOAD_LENGTHS, message, details);
  }
}

/** BAD-PROPOSAL-SYNTAX (15): the proposal/transform structure of an SA is wrong. */
export class BadProposalSyntaxError extends IsakmpError {
  constructor(message: string, details?: IsakmpErrorDetails) {
    super(NotifyType.BAD_PROPOSAL_SYNTAX, message, details);
  }
}

/** UNSUPPORTED-EXCHANGE-TYPE (29): a valid exchange type this side does not run. */
export class UnsupportedExchangeError extends IsakmpError {
  constructor(message: string, details?: IsakmpErrorDetails) {
    super(NotifyType.UNSUPPORTED_EXCHANGE_TYPE, message, details);
  }
}

/** INVALID-ID-INFORMATION (18): an ID payload's data does not fit its type. */
export class InvalidIdInformationError extends IsakmpError {
  constructor(message: string, details?: IsakmpErrorDetails) {
    super(NotifyType.INVALID_ID_INFORMATION, message, details);
  }
}

const BY_NOTIFY: Readonly<Record<number, new (message: string, details?: IsakmpErrorDetails) => IsakmpError>> = {
  [NotifyType.PAYLOAD_MALFORMED]: PayloadMalformedError,
  [NotifyType.INVALID_PAYLOAD_TYPE]: InvalidPayloadTypeError,
  [NotifyType.INVALID_MAJOR_VERSION]: InvalidMajorVersionError,
  [NotifyType.INVALID_MINOR_VERSION]: InvalidMinorVersionError,
  [NotifyType.UNEQUAL_PAYLOAD_LENGTHS]: UnequalPayloadLengthsError,
  [NotifyType.BAD_PROPOSAL_SYNTAX]: BadProposalSyntaxError,
  [NotifyType.UNSUPPORTED_EXCHANGE_TYPE]: UnsupportedExchangeError,
  [NotifyType.INVALID_ID_INFORMATION]: InvalidIdInformationError,
};

/** The error for `notify`: its subclass when there is one (so `instanceof` and `.notify` agree), IsakmpError otherwise. */
export function isakmpError(notify: number, message: string, details?: IsakmpErrorDetails): IsakmpError {
  const Subclass = BY_NOTIFY[notify];
  return Subclass ? new Subclass(message, details) : new IsakmpError(notify, message, details);
}
