/**
 * The `$bubuStoragePath` selector: `.field`, `[N]` and `[*]` (the rest of the path mapped over
 * every element, missing values as `null`).
 * @module
 */
import { goJsonTypeName } from "../json/go-type-name.ts";

type Token = { kind: "field"; field: string } | { kind: "index"; index: number } | { kind: "all" };

/** Parses a selector; throws `path is empty`, `unterminated index in path`, … (the Go SDK's texts). */
export function parseStoragePath(path: string): Token[] {
  const s = path.trim();
  if (s === "") throw new Error("path is empty");
  const tokens: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === ".") {
      i++;
      continue;
    }
    if (c === "[") {
      const end = s.indexOf("]", i);
      if (end === -1) throw new Error("unterminated index in path");
      const raw = s.slice(i + 1, end).trim();
      if (raw === "") throw new Error("empty index in path");
      if (raw === "*") tokens.push({ kind: "all" });
      else if (/^[+-]?\d+$/.test(raw) && Number.isSafeInteger(Number(raw)))
        tokens.push({ kind: "index", index: Number(raw) });
      else throw new Error(`invalid index ${JSON.stringify(raw)}`);
      i = end + 1;
      continue;
    }
    const start = i;
    while (i < s.length && s[i] !== "." && s[i] !== "[") i++;
    const field = s.slice(start, i).trim();
    if (field === "") throw new Error("empty field in path");
    tokens.push({ kind: "field", field });
  }
  return tokens;
}

const MISSING: unique symbol = Symbol("missing");

function select(value: unknown, tokens: readonly Token[], from: number, allowMissing: boolean): unknown {
  let current = value;
  for (let t = from; t < tokens.length; t++) {
    const token = tokens[t]!;
    if (token.kind === "all") {
      if (!Array.isArray(current)) throw new Error(`expected array for index *, got ${goJsonTypeName(current)}`);
      return current.map((item) => {
        const v = select(item, tokens, t + 1, true);
        return v === MISSING ? null : v;
      });
    }
    if (token.kind === "field") {
      if (typeof current !== "object" || current === null || Array.isArray(current)) {
        throw new Error(`expected object for field ${JSON.stringify(token.field)}, got ${goJsonTypeName(current)}`);
      }
      const obj = current as Record<string, unknown>;
      if (!Object.hasOwn(obj, token.field)) {
        if (allowMissing) return MISSING;
        throw new Error(`missing field ${JSON.stringify(token.field)}`);
      }
      current = obj[token.field];
    } else {
      if (!Array.isArray(current))
        throw new Error(`expected array for index ${token.index}, got ${goJsonTypeName(current)}`);
      if (token.index < 0 || token.index >= current.length) {
        if (allowMissing) return MISSING;
        throw new Error(`index ${token.index} out of bounds`);
      }
      current = current[token.index];
    }
  }
  return current;
}

/** Selects `path` (`.field`, `[N]`, `[*]`) inside `value`; throws on a bad path or a missing value. */
export function resolveStoragePath(value: unknown, path: string): unknown {
  return select(value, parseStoragePath(path), 0, false);
}
