/**
 * Writes strings as UTF-8 into one preallocated buffer of a known size, so a large JSON document
 * exists once, as bytes, instead of as a string plus its encoding.
 * @module
 */

const encoder = new TextEncoder();

/** Fills a buffer of exactly `size` bytes; {@link Utf8Writer.finish} checks it is full. */
export class Utf8Writer {
  readonly #buf: Uint8Array;
  #pos = 0;

  constructor(size: number) {
    this.#buf = new Uint8Array(size);
  }

  /** Appends `text`; throws when it does not fit (the size was computed wrongly). */
  write(text: string): void {
    const { read, written } = encoder.encodeInto(text, this.#buf.subarray(this.#pos));
    if (read !== text.length) throw new RangeError(`Utf8Writer: buffer of ${this.#buf.length} bytes overflowed`);
    this.#pos += written;
  }

  /** The buffer; throws unless exactly `size` bytes were written. */
  finish(): Uint8Array {
    if (this.#pos !== this.#buf.length) {
      throw new RangeError(`Utf8Writer: wrote ${this.#pos} of ${this.#buf.length} bytes`);
    }
    return this.#buf;
  }
}
