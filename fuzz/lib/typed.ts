/**
 * The "only typed errors" invariant: a decoder may refuse its input only
 * with the error classes its module declares (IsakmpError and its
 * subclasses, PacketError, FragmentError, EspError ...); a RangeError from
 * Buffer, a TypeError or a bare Error is a defect.
 */
import { Violation } from './target.js';

type ErrorClass = abstract new (...args: never[]) => Error;

export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: Error };

/** Runs `fn`; an error of one of `allowed` is an outcome, any other a Violation naming `what`. */
export function typed<T>(what: string, fn: () => T, ...allowed: ErrorClass[]): Outcome<T> {
  try {
    return { ok: true, value: fn() };
  } catch (err) {
    if (allowed.some((c) => err instanceof c)) return { ok: false, error: err as Error };
    const e = err as Error;
    throw new Violation(
      'typed-errors',
      `${what} threw ${e?.name ?? typeof err}: ${e?.message ?? String(err)}${e?.stack ? `\n${e.stack.split('\n').slice(1, 4).join('\n')}` : ''}`,
    );
  }
}

/** Runs `fn`, which must not throw at all. */
export function never<T>(what: string, fn: () => T): T {
  const r = typed(what, fn);
  if (!r.ok) throw r.error;
  return r.value;
}
