/**
 * TED errors. Both are IsakmpErrors (so a fuzz loop or a generic handler sees
 * one family), but a caller on UDP/500 tells them apart by class:
 *
 * - NotTedError: the datagram is not a TED message at all (another exchange
 *   type, not ISAKMP v1.0, too short): hand it to the IKE engine.
 * - MalformedTedError: it claims to be TED (ISAKMP 1.0, exchange type 240)
 *   but breaks the layout: drop it and log.
 */
import { NotifyType } from '../isakmp/constants.js';
import { IsakmpError, type IsakmpErrorDetails } from '../isakmp/errors.js';

/** The buffer is not a TED message (not ISAKMP 1.0 with exchange type 240). */
export class NotTedError extends IsakmpError {
  constructor(message: string, details?: IsakmpErrorDetails) {
    super(NotifyType.INVALID_EXCHANGE_TYPE, message, details);
  }
}

/** A TED message that breaks the layout; `notify` says how (PAYLOAD-MALFORMED, INVALID-ID-INFORMATION ...). */
export class MalformedTedError extends IsakmpError {
  constructor(notify: number, message: string, details?: IsakmpErrorDetails) {
    super(notify, message, details);
  }
}
