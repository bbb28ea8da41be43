/**
 * Locates the first syntax error in a JSON text. Engines word `JSON.parse` errors differently
 * (V8 and JavaScriptCore disagree, and not all give a position), so after `JSON.parse` fails we
 * re-scan the text to report a stable position. Iterative, so deep nesting cannot overflow.
 * Reasons name a letter, digit or other character by its kind, never the character itself.
 * @module
 */

/** Where and why a JSON text is invalid. `offset` counts UTF-16 code units; line/column are 1-based. */
export interface JsonSyntaxError {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
  readonly reason: string;
}

const ARRAY = 0;
const OBJECT = 1;

const State = {
  value: 0,
  valueOrClose: 1,
  keyOrClose: 2,
  key: 3,
  colon: 4,
  after: 5,
} as const;

/** Returns the first syntax error of `text` as strict JSON (RFC 8259), or `undefined` if it is valid. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const n = text.length;
  const stack: number[] = [];
  let state: number = State.value;
  let i = 0;
  const fail = (at: number, reason: string): JsonSyntaxError => locate(text, at, reason);

  for (;;) {
    while (i < n && isWhitespace(text.charCodeAt(i))) i++;
    const c = i < n ? text[i] : "";
    switch (state) {
      case State.valueOrClose:
        if (c === "]") {
          stack.pop();
          i++;
          state = State.after;
          continue;
        }
        state = State.value;
        continue;
      case State.keyOrClose:
        if (c === "}") {
          stack.pop();
          i++;
          state = State.after;
          continue;
        }
        state = State.key;
        continue;
      case State.key:
        if (c !== '"')
          return fail(
            i,
            c === ""
              ? "unexpected end of input, expected a string key"
              : `unexpected ${show(c)}, expected a string key`,
          );
        {
          const end = scanString(text, i);
          if (typeof end !== "number") return end;
          i = end;
        }
        state = State.colon;
        continue;
      case State.colon:
        if (c !== ":")
          return fail(i, c === "" ? "unexpected end of input, expected ':'" : `unexpected ${show(c)}, expected ':'`);
        i++;
        state = State.value;
        continue;
      case State.value: {
        if (c === "") return fail(i, "unexpected end of input, expected a value");
        if (c === "{") {
          stack.push(OBJECT);
          i++;
          state = State.keyOrClose;
          continue;
        }
        if (c === "[") {
          stack.push(ARRAY);
          i++;
          state = State.valueOrClose;
          continue;
        }
        let end: number | JsonSyntaxError;
        if (c === '"') end = scanString(text, i);
        else if (c === "-" || isDigit(text.charCodeAt(i))) end = scanNumber(text, i);
        else if (c === "t" || c === "f" || c === "n") end = scanLiteral(text, i);
        else return fail(i, `unexpected ${show(c)}, expected a value`);
        if (typeof end !== "number") return end;
        i = end;
        state = State.after;
        continue;
      }
      default: {
        // after a value
        if (stack.length === 0) {
          return c === "" ? undefined : fail(i, `unexpected ${show(c)} after the top-level value`);
        }
        const top = stack[stack.length - 1];
        const close = top === ARRAY ? "]" : "}";
        if (c === "") return fail(i, `unexpected end of input, expected ',' or '${close}'`);
        if (c === ",") {
          i++;
          state = top === ARRAY ? State.value : State.key;
          continue;
        }
        if (c === close) {
          stack.pop();
          i++;
          continue;
        }
        return fail(i, `unexpected ${show(c)}, expected ',' or '${close}'`);
      }
    }
  }
}

function scanString(text: string, start: number): number | JsonSyntaxError {
  let i = start + 1;
  for (;;) {
    if (i >= text.length) return locate(text, i, "unexpected end of input inside a string");
    const code = text.charCodeAt(i);
    if (code === 0x22) return i + 1;
    if (code < 0x20)
      return locate(text, i, `unexpected ${show(text[i])} inside a string (control characters must be escaped)`);
    if (code === 0x5c) {
      const e = text[i + 1] ?? "";
      if (e === "u") {
        for (let k = 2; k < 6; k++) {
          if (!/^[0-9a-fA-F]$/.test(text[i + k] ?? "")) {
            return locate(text, i + k, "invalid \\u escape in a string (expected 4 hex digits)");
          }
        }
        i += 6;
        continue;
      }
      if (!'"\\/bfnrt'.includes(e) || e === "")
        return locate(text, i + 1, `invalid escape ${e === "" ? "at end of input" : show(e)} in a string`);
      i += 2;
      continue;
    }
    i++;
  }
}

function scanNumber(text: string, start: number): number | JsonSyntaxError {
  let i = start;
  if (text[i] === "-") i++;
  if (text[i] === "0") {
    i++;
  } else if (isDigit(text.charCodeAt(i))) {
    while (isDigit(text.charCodeAt(i))) i++;
  } else {
    return locate(text, i, `${describeAt(text, i)}, expected a digit`);
  }
  if (text[i] === ".") {
    i++;
    if (!isDigit(text.charCodeAt(i))) return locate(text, i, `${describeAt(text, i)}, expected a digit after '.'`);
    while (isDigit(text.charCodeAt(i))) i++;
  }
  if (text[i] === "e" || text[i] === "E") {
    i++;
    if (text[i] === "+" || text[i] === "-") i++;
    if (!isDigit(text.charCodeAt(i)))
      return locate(text, i, `${describeAt(text, i)}, expected a digit in the exponent`);
    while (isDigit(text.charCodeAt(i))) i++;
  }
  return i;
}

function scanLiteral(text: string, start: number): number | JsonSyntaxError {
  const word = text[start] === "t" ? "true" : text[start] === "f" ? "false" : "null";
  for (let k = 0; k < word.length; k++) {
    const at = start + k;
    if (text[at] !== word[k]) {
      // "this …": a word that only shares its first letter with the literal is no misspelt
      // `true`; say that no value starts here.
      if (k === 1 && /^[A-Za-z]$/.test(text[at] ?? ""))
        return locate(text, start, "unexpected letter, expected a value");
      return locate(text, at, `${describeAt(text, at)} in literal ${word}`);
    }
  }
  return start + word.length;
}

function locate(text: string, offset: number, reason: string): JsonSyntaxError {
  let line = 1;
  let lineStart = 0;
  for (let k = 0; k < offset && k < text.length; k++) {
    if (text.charCodeAt(k) === 0x0a) {
      line++;
      lineStart = k + 1;
    }
  }
  return { offset, line, column: offset - lineStart + 1, reason };
}

function describeAt(text: string, i: number): string {
  return i < text.length ? `unexpected ${show(text[i])}` : "unexpected end of input";
}

/** JSON's own punctuation (and the quote people write by mistake) is shown as is. */
const SHOWN = new Set(["{", "}", "[", "]", ":", ",", '"', "'", "\\", "/", "+", "-", "."]);

/**
 * How a character appears in a reason: punctuation as itself, anything else by its kind only,
 * so that a reason never copies the text's content (a file read by mistake, a secret).
 */
function show(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0)) {
    return `character U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  }
  if (SHOWN.has(ch)) return `character '${ch}'`;
  if (/^[A-Za-z]$/.test(ch)) return "letter";
  if (/^[0-9]$/.test(ch)) return "digit";
  return "character";
}

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}
