/**
 * An incremental decoder for one JSON string literal fed as text pieces of any size, so a large
 * stored `raw` value is unescaped chunk by chunk instead of materializing body bytes, body text and
 * the parsed copy at once. Semantics are `JSON.parse`'s: `\u` escapes yield UTF-16 code units (a
 * lone surrogate stays as it is), raw control characters are errors.
 * @module
 */

/** What ends a run of plain characters (global: searched from `lastIndex`). */
// deno-lint-ignore no-control-regex -- raw control characters are what JSON strings forbid
const SPECIAL = /["\\\u0000-\u001f]/g;

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

/** Malformed JSON string content; the message says what and at which character of the string. */
export class JsonStringSyntaxError extends SyntaxError {
  constructor(message: string) {
    super(message);
    this.name = "JsonStringSyntaxError";
  }
}

/**
 * Feed the text after the opening quote with {@link push} until it reports the closing quote,
 * then take {@link value}. Each push keeps one flat string for its piece, so the pieces of the
 * input text are not retained.
 */
export class JsonStringScanner {
  readonly #parts: string[] = [];
  /** "" outside an escape; "\\" right after a backslash; "\\uXX…" while reading hex digits. */
  #escape = "";
  #done = false;
  /** Characters of string content consumed so far (for error positions). */
  #offset = 0;

  /** True once the closing quote was seen. */
  get done(): boolean {
    return this.#done;
  }

  /**
   * Consumes `text` and returns the index in it just after the closing quote, or -1 when the
   * string continues past `text`. Throws {@link JsonStringSyntaxError} on malformed content.
   */
  push(text: string): number {
    if (this.#done) throw new Error("JsonStringScanner: push after the closing quote");
    const pieces: string[] = [];
    let runStart = 0;
    let i = 0;
    const n = text.length;
    let end = -1;
    while (i < n) {
      if (this.#escape !== "") {
        const c = text[i]!;
        if (this.#escape === "\\") {
          if (c === "u") this.#escape = "\\u";
          else {
            const s = SIMPLE_ESCAPES[c];
            if (s === undefined) this.#fail(`invalid escape '\\${printable(c)}'`, i);
            pieces.push(s);
            this.#escape = "";
          }
        } else {
          if (!isHex(text.charCodeAt(i))) this.#fail(`invalid character '${printable(c)}' in \\u escape`, i);
          this.#escape += c;
          if (this.#escape.length === 6) {
            pieces.push(String.fromCharCode(parseInt(this.#escape.slice(2), 16)));
            this.#escape = "";
          }
        }
        i++;
        runStart = i;
        continue;
      }
      // Jump to the next quote, backslash or control character (native regex scan, not a JS loop).
      SPECIAL.lastIndex = i;
      if (SPECIAL.exec(text) === null) {
        i = n;
        break;
      }
      i = SPECIAL.lastIndex - 1;
      const code = text.charCodeAt(i);
      if (code === 0x22 /* " */ || code === 0x5c /* \ */) {
        if (i > runStart) pieces.push(text.slice(runStart, i));
        i++;
        runStart = i;
        if (code === 0x22) {
          end = i;
          this.#done = true;
          break;
        }
        this.#escape = "\\";
        continue;
      }
      this.#fail(`invalid control character U+${code.toString(16).padStart(4, "0")} in string`, i);
    }
    if (end === -1 && n > runStart) pieces.push(text.slice(runStart, n));
    // One flat string per push: slices of `text` would keep all of `text` alive.
    if (pieces.length === 1) this.#parts.push(pieces[0]!);
    else if (pieces.length > 1) this.#parts.push(pieces.join(""));
    this.#offset += end === -1 ? n : end;
    return end;
  }

  /** The decoded string; throws when the closing quote has not been seen. */
  value(): string {
    if (!this.#done) {
      throw new JsonStringSyntaxError(
        this.#escape === "" ? "unexpected end of input in string" : "unexpected end of input in string escape",
      );
    }
    const v = this.#parts.length === 1 ? this.#parts[0]! : this.#parts.join("");
    this.#parts.length = 0;
    this.#parts.push(v);
    return v;
  }

  #fail(what: string, index: number): never {
    throw new JsonStringSyntaxError(`${what} at character ${this.#offset + index} of the string`);
  }
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function printable(c: string): string {
  const code = c.charCodeAt(0);
  return code < 0x20 || code === 0x7f ? `U+${code.toString(16).padStart(4, "0")}` : c;
}
