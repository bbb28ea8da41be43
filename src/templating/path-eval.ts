/**
 * The typed fast path: a whole-string `{{ .root.a[0]["k"] }}` or `{{ (index .root "k").a }}` is
 * looked up directly and returns the JSON value; a path through a storage-ref step output becomes a
 * selector ref.
 * @module
 */

import { goJsonTypeName } from "../json/go-type-name.ts";
import { EvaluationBlockedError, TemplateError } from "./errors.ts";
import { quoteGo } from "./lex.ts";
import { parseQuotedAt } from "./normalize.ts";
import { unquote } from "./strconv.ts";
import { hasKey, isObject } from "./values.ts";

interface Segment {
  key?: string;
  index?: number;
}

const ROOTS = new Set(["inputs", "steps", "packet"]);

/** A failed lookup of a missing key; becomes {@link EvaluationBlockedError} under `steps`. */
export class MissingKeyError extends TemplateError {
  override readonly name: string = "MissingKeyError";
  readonly path: string;
  constructor(path: string) {
    super(`missing key at ${path}`, "missing_key");
    this.path = path;
  }
}

function isIdent(ch: string | undefined): boolean {
  return ch !== undefined && /[A-Za-z0-9_]/.test(ch);
}

function parseSimplePath(expr: string): [string, Segment[]] | undefined {
  let t = expr.trim();
  if (t === "" || !t.startsWith(".")) return undefined;
  t = t.slice(1);
  if (t === "") return undefined;
  const readIdent = (start: number): [string, number] => {
    let i = start;
    while (i < t.length && isIdent(t[i])) i++;
    return [t.slice(start, i), i];
  };
  const [root, first] = readIdent(0);
  if (root === "") return undefined;
  let idx = first;
  const segs: Segment[] = [];
  while (idx < t.length) {
    if (t[idx] === ".") {
      idx++;
      const [ident, next] = readIdent(idx);
      if (ident === "") return undefined;
      segs.push({ key: ident });
      idx = next;
    } else if (t[idx] === "[") {
      const end = t.indexOf("]", idx);
      if (end === -1) return undefined;
      const raw = t.slice(idx + 1, end).trim();
      if (raw === "") return undefined;
      if ((raw.startsWith('"') && raw.endsWith('"')) || (raw.startsWith("'") && raw.endsWith("'"))) {
        try {
          segs.push({ key: unquote(raw) });
        } catch {
          return undefined;
        }
      } else if (/^[+-]?\d+$/.test(raw) && Math.abs(Number(raw)) <= Number.MAX_SAFE_INTEGER) {
        segs.push({ index: Number(raw) });
      } else return undefined;
      idx = end + 1;
    } else return undefined;
  }
  return [root, segs];
}

function evalPath(root: string, segs: readonly Segment[], vars: Record<string, unknown>): unknown {
  if (!hasKey(vars, root)) throw new MissingKeyError(root);
  let current = vars[root];
  let path = root;
  for (const seg of segs) {
    if (seg.index !== undefined) {
      if (!Array.isArray(current)) {
        throw new TemplateError(`cannot index into ${goJsonTypeName(current)} at ${path}`, "path");
      }
      if (seg.index < 0 || seg.index >= current.length) throw new MissingKeyError(path);
      current = current[seg.index];
      path = `${path}[${seg.index}]`;
      continue;
    }
    const key = seg.key!;
    if (!isObject(current)) {
      throw new TemplateError(`cannot access key ${quoteGo(key)} on ${goJsonTypeName(current)} at ${path}`, "path");
    }
    if (!hasKey(current, key)) throw new MissingKeyError(`${path}.${key}`);
    current = current[key];
    path = `${path}.${key}`;
  }
  return current;
}

function lookup(root: string, segs: Segment[], vars: Record<string, unknown>): unknown {
  const selector = resolveStorageSelector(root, segs, vars);
  if (selector !== undefined) return selector;
  try {
    return evalPath(root, segs, vars);
  } catch (e) {
    if (e instanceof MissingKeyError && root === "steps") throw new EvaluationBlockedError(e.message);
    throw e;
  }
}

/** The fast path: `{ value }` when `expr` is a simple or index path, else `undefined`. */
export function evaluatePath(expr: string, vars: Record<string, unknown>): { value: unknown } | undefined {
  const simple = parseSimplePath(expr);
  if (simple !== undefined) return { value: lookup(simple[0], simple[1], vars) };
  const idx = splitIndexExpression(expr);
  if (idx === undefined) return undefined;
  const call = parseIndexCall(idx[0]);
  if (call === undefined) return undefined;
  const suffix = parseSuffixSegments(idx[1]);
  if (suffix === undefined) return undefined;
  return { value: lookup(call[0], [{ key: call[1] }, ...suffix], vars) };
}

function splitIndexExpression(expr: string): [string, string] | undefined {
  const t = expr.trim();
  if (t === "") return undefined;
  if (t.startsWith("index ")) return [t, ""];
  if (!t.startsWith("(")) return undefined;
  const end = findMatchingParen(t);
  if (end <= 0) return undefined;
  const inner = t.slice(1, end).trim();
  const suffix = t.slice(end + 1).trim();
  if (!inner.startsWith("index ")) return undefined;
  if (suffix === "" || suffix.startsWith(".") || suffix.startsWith("[")) return [inner, suffix];
  return undefined;
}

function findMatchingParen(s: string): number {
  let depth = 0;
  let inSingle = false;
  let inDouble = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (inSingle || inDouble) {
      if ((inSingle && ch === "'") || (inDouble && ch === '"')) {
        inSingle = false;
        inDouble = false;
      } else if (ch === "\\" && i + 1 < s.length) i++;
      continue;
    }
    if (ch === "'") inSingle = true;
    else if (ch === '"') inDouble = true;
    else if (ch === "(") depth++;
    else if (ch === ")") {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function parseIndexCall(expr: string): [string, string] | undefined {
  const t = expr.trim();
  if (!t.startsWith("index")) return undefined;
  let rest = t.slice(5).trim();
  rest = rest.replace(/^[ \t]+/, "");
  if (rest === "") return undefined;
  let i = 0;
  while (i < rest.length && rest[i] !== " " && rest[i] !== "\t") i++;
  const rootToken = rest.slice(0, i);
  rest = rest.slice(i).replace(/^[ \t]+/, "");
  if (rest === "") return undefined;
  const q = parseQuotedAt(rest, 0);
  if (q === undefined) return undefined;
  if (rest.slice(q.next).trim() !== "") return undefined;
  const root = rootToken.startsWith(".") ? rootToken.slice(1) : rootToken;
  if (root === "" || !ROOTS.has(root)) return undefined;
  return [root, q.value];
}

function parseSuffixSegments(suffix: string): Segment[] | undefined {
  const t = suffix.trim();
  const segs: Segment[] = [];
  let i = 0;
  while (i < t.length) {
    if (t[i] === ".") {
      i++;
      const start = i;
      while (i < t.length && /[A-Za-z0-9_-]/.test(t[i]!)) i++;
      if (start === i) return undefined;
      segs.push({ key: t.slice(start, i) });
    } else if (t[i] === "[") {
      if (i + 1 >= t.length) return undefined;
      if (t[i + 1] === '"' || t[i + 1] === "'") {
        const q = parseQuotedAt(t, i + 1);
        if (q === undefined || q.next >= t.length || t[q.next] !== "]") return undefined;
        segs.push({ key: q.value });
        i = q.next + 1;
        continue;
      }
      let j = i + 1;
      while (j < t.length && t[j]! >= "0" && t[j]! <= "9") j++;
      if (j === i + 1 || j >= t.length || t[j] !== "]") return undefined;
      const n = Number(t.slice(i + 1, j));
      if (!Number.isSafeInteger(n)) return undefined;
      segs.push({ index: n });
      i = j + 1;
    } else return undefined;
  }
  return segs;
}

function resolveStorageSelector(root: string, segs: readonly Segment[], vars: Record<string, unknown>): unknown {
  if (root !== "steps") return undefined;
  const outputIdx = segs.findIndex((s) => s.index === undefined && (s.key === "output" || s.key === "outputs"));
  if (outputIdx === -1) return undefined;
  let val: unknown;
  try {
    val = evalPath(root, segs.slice(0, outputIdx + 1), vars);
  } catch {
    return undefined;
  }
  if (!isObject(val) || !hasKey(val, "$bubuStorageRef")) return undefined;
  const ref = val["$bubuStorageRef"];
  if (typeof ref !== "string" || ref.trim() === "") return undefined;
  const path = buildStoragePath(segs.slice(outputIdx + 1));
  if (path === "") return undefined;
  return { $bubuStorageRef: ref, $bubuStoragePath: path };
}

function buildStoragePath(segs: readonly Segment[]): string {
  let b = "";
  for (const s of segs) {
    if (s.index !== undefined) {
      b += `[${s.index}]`;
      continue;
    }
    if (b.length > 0) b += ".";
    b += s.key;
  }
  return b;
}
