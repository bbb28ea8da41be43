/**
 * Splits a byte stream into text lines (the framing of a watch response: one JSON object per
 * line). A line may span any number of chunks, and a UTF-8 sequence may be cut between two.
 * @module
 */

/** Default bound of one line: far above the API server's object size limit (1.5 MiB in etcd). */
export const DEFAULT_MAX_LINE_LENGTH: number = 16 * 1024 * 1024;

/** A line grew past the splitter's bound (the stream is not line framed, or the peer misbehaves). */
export class LineTooLongError extends Error {
  override readonly name: string = "LineTooLongError";
  readonly maxLength: number;

  constructor(maxLength: number) {
    super(`a line of the stream is longer than ${maxLength} characters`);
    this.maxLength = maxLength;
  }
}

/**
 * Incremental splitter: feed chunks with {@link LineSplitter.push}, then {@link LineSplitter.end}.
 * Lines are returned without their `\n` (and without a `\r` before it); blank lines are dropped.
 */
export class LineSplitter {
  readonly #decoder: TextDecoder = new TextDecoder("utf-8", { fatal: false });
  readonly #maxLength: number;
  /** Text of the unfinished line, kept as parts so a long line costs no repeated copying. */
  #parts: string[] = [];
  #pendingLength = 0;

  constructor(maxLength: number = DEFAULT_MAX_LINE_LENGTH) {
    if (!Number.isInteger(maxLength) || maxLength <= 0)
      throw new RangeError(`maxLength must be a positive integer, got ${maxLength}`);
    this.#maxLength = maxLength;
  }

  /** The complete lines this chunk finishes. Throws {@link LineTooLongError} past the bound. */
  push(chunk: Uint8Array): string[] {
    return this.#take(this.#decoder.decode(chunk, { stream: true }));
  }

  /** The last line when the stream did not end with a newline (and no more input follows). */
  end(): string[] {
    const lines = this.#take(this.#decoder.decode());
    const rest = this.#flushPending("");
    if (rest !== undefined) lines.push(rest);
    return lines;
  }

  #take(text: string): string[] {
    const lines: string[] = [];
    let start = 0;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
      const line = this.#flushPending(text.slice(start, nl));
      if (line !== undefined) lines.push(line);
      start = nl + 1;
    }
    if (start < text.length) {
      const tail = start === 0 ? text : text.slice(start);
      this.#pendingLength += tail.length;
      if (this.#pendingLength > this.#maxLength) {
        this.#parts = [];
        this.#pendingLength = 0;
        throw new LineTooLongError(this.#maxLength);
      }
      this.#parts.push(tail);
    }
    return lines;
  }

  /** Joins the pending parts with `last`; `undefined` for a blank line. */
  #flushPending(last: string): string | undefined {
    if (this.#pendingLength + last.length > this.#maxLength) {
      this.#parts = [];
      this.#pendingLength = 0;
      throw new LineTooLongError(this.#maxLength);
    }
    let line = this.#parts.length === 0 ? last : this.#parts.join("") + last;
    this.#parts = [];
    this.#pendingLength = 0;
    if (line.endsWith("\r")) line = line.slice(0, -1);
    return line.trim() === "" ? undefined : line;
  }
}
