/**
 * What a fuzz target is: a name, how to build an instance (the code under
 * test with its state, from a seeded generator), and per instance how to
 * make input `i` (from that input's own generator), run it, and check the
 * invariants that hold between inputs. A broken invariant is a Violation;
 * any other exception escaping `run` is itself a failure (an untyped
 * exception reached the top). Inputs are JSON values in which Buffers are
 * allowed: reproducers store them with `encodeInput`.
 */
import { Buffer } from 'node:buffer';
import type { Rng } from './prng.js';

/** The invariants the harness asserts (docs/fuzzing.md). */
export type Invariant =
  | 'typed-errors' // only the project's typed errors, or a clean drop
  | 'slow' // an input took over 100 ms (long runs only)
  | 'bounded' // a table beyond its bound
  | 'work' // an input's work grew with a table
  | 'live-sa' // a live SA torn down or changed by unauthenticated input or by another peer
  | 'agreement' // engine and datapath disagree on the installed SAs
  | 'esp-model' // ESP accepted, dropped or counted otherwise than RFC 4303 says
  | 'roundtrip' // a decoded value does not encode back, or two decoders disagree
  | 'parser' // an IOS parser result breaks its contract (classes, diagnostics, output)
  | 'untyped-exception'; // an exception the target did not expect reached the harness

export class Violation extends Error {
  constructor(
    readonly invariant: Invariant,
    message: string,
  ) {
    super(message);
    this.name = 'Violation';
  }
}

/** Throws a Violation unless `ok`. */
export function ensure(ok: boolean, invariant: Invariant, message: () => string): asserts ok {
  if (!ok) throw new Violation(invariant, message());
}

export interface Instance<I = unknown> {
  /** Input number `index`, from its own generator (and the instance's state, which is deterministic too). */
  generate(rng: Rng, index: number): I;
  /** Runs one input. Throws a Violation for a broken invariant. */
  run(input: I): void;
  /** The invariants that hold between inputs (bounds, live SAs, agreement). Throws a Violation. */
  check(): void;
  /** Figures for the report (summed over instances; keys starting with "max" take the maximum). */
  stats(): Record<string, number>;
}

export interface Target<I = unknown> {
  readonly name: string;
  /** One line: what it feeds to what. */
  readonly summary: string;
  /** Inputs an instance takes before a fresh one is built (Infinity: the target keeps no state between inputs). */
  readonly epoch: number;
  /** Inputs between two calls of `check`. */
  readonly checkEvery: number;
  create(rng: Rng): Instance<I>;
}

/** JSON for an input: Buffers become {"hex": "..."}. */
export function encodeInput(input: unknown): unknown {
  if (Buffer.isBuffer(input)) return { hex: input.toString('hex') };
  if (Array.isArray(input)) return input.map(encodeInput);
  if (input && typeof input === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(input)) out[k] = encodeInput(v);
    return out;
  }
  return input;
}

/** The input back from `encodeInput`'s JSON. */
export function decodeInput(json: unknown): unknown {
  if (Array.isArray(json)) return json.map(decodeInput);
  if (json && typeof json === 'object') {
    const o = json as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] === 'hex' && typeof o.hex === 'string') return Buffer.from(o.hex, 'hex');
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) out[k] = decodeInput(v);
    return out;
  }
  return json;
}
