/**
 * A bounds-checked cursor over a Buffer. Every read checks the bytes left
 * first and fails with an {@link IsakmpError} that says where (the `where`
 * label plus the absolute offset) and why, so no decoder can raise a
 * RangeError from Buffer.
 */
import { Buffer } from 'node:buffer';
import { NotifyType } from './constants.js';
import { isakmpError } from './errors.js';

export class Reader {
  private pos: number;

  /**
   * @param buf the whole buffer (offsets in errors are absolute in it)
   * @param start first byte this reader may read
   * @param end one past the last byte this reader may read
   * @param where label for error messages, e.g. "ISAKMP payload 3 (Nonce) at offset 140"
   */
  constructor(
    readonly buf: Buffer,
    start: number,
    readonly end: number,
    readonly where: string,
  ) {
    this.pos = start;
  }

  /** Absolute offset of the next byte to read. */
  get offset(): number {
    return this.pos;
  }

  /** Bytes left before `end`. */
  get remaining(): number {
    return this.end - this.pos;
  }

  /** Throws "<where>: <why>" as the IsakmpError subclass of `notify` (PAYLOAD-MALFORMED unless told). */
  fail(why: string, notify: number = NotifyType.PAYLOAD_MALFORMED, at: number = this.pos): never {
    throw isakmpError(notify, `${this.where}: ${why}`, { offset: at });
  }

  /** Fails unless `n` more bytes are there for `what`. */
  need(n: number, what: string): void {
    if (n > this.remaining) {
      this.fail(`${what} needs ${n} byte${n === 1 ? '' : 's'} at offset ${this.pos} but only ${this.remaining} ${this.remaining === 1 ? 'is' : 'are'} left`);
    }
  }

  u8(what: string): number {
    this.need(1, what);
    return this.buf[this.pos++]!;
  }

  u16(what: string): number {
    this.need(2, what);
    const value = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return value;
  }

  u32(what: string): number {
    this.need(4, what);
    const value = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return value;
  }

  /** A copy of the next `n` bytes (copies, so decoded values never alias the input). */
  bytes(n: number, what: string): Buffer {
    this.need(n, what);
    const out = Buffer.from(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return out;
  }

  /** A copy of everything left. */
  rest(): Buffer {
    return this.bytes(this.remaining, 'rest');
  }

  /** A reader over the next `n` bytes (advancing this one past them). */
  child(n: number, what: string, where: string): Reader {
    this.need(n, what);
    const sub = new Reader(this.buf, this.pos, this.pos + n, where);
    this.pos += n;
    return sub;
  }
}
