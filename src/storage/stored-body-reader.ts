/**
 * Reads a stored wrapper's body stream as text, chunk by chunk, releasing each chunk's bytes as it
 * is decoded. A `raw` wrapper (`{"contentType":"raw","data":"…"}`, as both SDKs write it)
 * has its string unescaped on the fly by {@link JsonStringScanner}, so a large string costs its
 * decoded copy plus the chunks in flight, not body bytes + body text + parsed string at once.
 * Any other shape (json wrappers, reordered or extra keys, trailing content) comes back as the
 * whole text for one `JSON.parse`, which keeps `JSON.parse`'s semantics and error texts.
 * @module
 */
import { JsonStringScanner } from "./json-string-scanner.ts";

/** The body as the raw wrapper's decoded string, or as text to parse. */
export type StoredBodyText =
  | { readonly kind: "raw"; readonly value: string }
  | { readonly kind: "text"; readonly text: string };

/** The tokens of a raw wrapper up to and including the opening quote of its data string. */
const RAW_PREFIX: readonly string[] = ["{", '"contentType"', ":", '"raw"', ",", '"data"', ":", '"'];
/** Longer whitespace-only prefixes than this are left to `JSON.parse`. */
const MAX_HEAD = 4096;
const NEED_MORE = -1;
const MISMATCH = -2;

function isJsonSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** Index just after the data string's opening quote, {@link NEED_MORE} or {@link MISMATCH}. */
function matchRawPrefix(head: string): number {
  let i = 0;
  for (const token of RAW_PREFIX) {
    while (i < head.length && isJsonSpace(head.charCodeAt(i))) i++;
    const have = head.slice(i, i + token.length);
    if (!token.startsWith(have)) return MISMATCH;
    if (have.length < token.length) return NEED_MORE;
    i += token.length;
  }
  return i;
}

/** Only whitespace and one closing brace may follow a raw wrapper's string. */
function isWrapperEnd(tail: string, complete: boolean): boolean {
  return (complete ? /^[ \t\n\r]*\}[ \t\n\r]*$/ : /^[ \t\n\r]*(?:\}[ \t\n\r]*)?$/).test(tail);
}

/** Options of {@link readStoredBody}. */
export interface ReadStoredBodyOptions {
  /**
   * Read the body with the runtime's native `Response.text()` instead of chunk by chunk. Lower
   * peak memory where fetch bodies read ahead of a JS consumer into memory the GC frees late
   * (Bun: 2.0x vs 3.0x a 64 MiB payload in bench/storage-offload.ts); higher on Node and Deno.
   */
  readonly whole?: boolean;
}

/**
 * Reads `stream` to its end. UTF-8 is decoded as `Response.text()` does (BOM dropped, invalid
 * bytes replaced). Throws a `SyntaxError` for a malformed raw wrapper string, or the stream's error;
 * the stream is cancelled on any error.
 */
export async function readStoredBody(
  stream: ReadableStream<Uint8Array>,
  options: ReadStoredBodyOptions = {},
): Promise<StoredBodyText> {
  // Declared wide: `feed` changes it, which flow analysis after the loop cannot see.
  let mode = "head" as "head" | "string" | "tail" | "text";
  let head = "";
  let scanner: JsonStringScanner | undefined;
  let tail = "";
  let parts: string[] = [];

  /** Falls back to collecting the whole text; the string read so far is re-encoded (rare path). */
  const toText = (): void => {
    if (mode === "head") parts = [head];
    else if (mode === "tail") {
      const quote = head.lastIndexOf('"');
      parts = [head.slice(0, quote), JSON.stringify(scanner!.value()), tail];
    }
    head = tail = "";
    scanner = undefined;
    mode = "text";
  };

  const feed = (text: string): void => {
    if (mode === "head") {
      head += text;
      const at = matchRawPrefix(head);
      if (at === MISMATCH || (at === NEED_MORE && head.length > MAX_HEAD)) return toText();
      if (at === NEED_MORE) return;
      scanner = new JsonStringScanner();
      mode = "string";
      text = head.slice(at);
      head = head.slice(0, at);
    }
    if (mode === "string") {
      const end = scanner!.push(text);
      if (end < 0) return;
      mode = "tail";
      text = text.slice(end);
    }
    if (mode === "tail") {
      tail += text;
      if (!isWrapperEnd(tail, false)) toText();
      return;
    }
    parts.push(text);
  };

  const finish = (): StoredBodyText => {
    if (mode === "string") scanner!.value(); // throws: the string never ended
    if (mode === "tail" && isWrapperEnd(tail, true)) return { kind: "raw", value: scanner!.value() };
    if (mode !== "text") toText();
    const text = parts.length === 1 ? parts[0]! : parts.join("");
    parts = [];
    return { kind: "text", text };
  };

  if (options.whole) {
    // One native read; a raw string without escapes is then a slice of this text, not a copy.
    const text = await new Response(stream).text();
    if (text !== "") feed(text);
    return finish();
  }
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      const text = done ? decoder.decode() : decoder.decode(value, { stream: true });
      if (text !== "") feed(text);
      if (done) break;
    }
  } catch (err) {
    await reader.cancel(err).catch(() => {});
    throw err;
  } finally {
    reader.releaseLock();
  }
  return finish();
}
