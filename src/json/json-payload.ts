/**
 * Decoding JSON payloads (env variables, stored objects, ConfigMap/Secret values) into values
 * that every later step can walk safely: nesting is bounded, every number is a finite float64,
 * and no error message carries the payload's bytes.
 * @module
 */
import { findJsonSyntaxError } from "./json-syntax.ts";

/**
 * The deepest nesting of arrays and objects a decoded payload may have (`[]` is 1 level).
 *
 * @remarks Go's `encoding/json` stops at 10 000 levels. JavaScript stacks are shallower, and many
 * walks over a decoded value (serialization, schema validation, templating) are recursive, so a
 * payload is bounded here once, at the door, well below where any of them could overflow. In a
 * cluster a payload this deep fails hydration anyway (`BUBU_MAX_RECURSION_DEPTH`, 10 by default).
 */
export const MAX_JSON_DEPTH = 1000;

/** Why a payload was refused. */
export type JsonPayloadProblem = "syntax" | "depth" | "number";

/**
 * A payload that is not acceptable JSON. The message names a position or a path, never the
 * payload's text: engines' `JSON.parse` messages quote part of the input, so they are not kept.
 */
export class JsonPayloadError extends SyntaxError {
  readonly problem: JsonPayloadProblem;
  /** Dotted path of the offending value (`items.0.n`); empty for the root or a syntax error. */
  readonly path: string;
  constructor(problem: JsonPayloadProblem, message: string, path = "") {
    super(message);
    this.name = "JsonPayloadError";
    this.problem = problem;
    this.path = path;
  }
}

/** Options of {@link parseJsonPayload} and {@link checkJsonValue}. */
export interface JsonPayloadOptions {
  /** Default {@link MAX_JSON_DEPTH}. */
  readonly maxDepth?: number;
}

/**
 * `JSON.parse` with the bounds of {@link checkJsonValue}. Keys such as `__proto__` stay plain
 * own properties (`JSON.parse` defines them, it never assigns them).
 * @throws {JsonPayloadError} for invalid JSON, too deep a value or a number outside float64.
 */
export function parseJsonPayload(text: string, options: JsonPayloadOptions = {}): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new JsonPayloadError("syntax", describeJsonSyntaxError(text));
  }
  checkJsonValue(value, options);
  return value;
}

/**
 * Why `text` (which `JSON.parse` refused) is not JSON, in the same words on every runtime:
 * `<what> at line L, column C (offset O): <reason>`, or `<what>` alone when the scan finds no
 * error (a text `JSON.parse` refused for another reason). Never quotes the text.
 */
export function describeJsonSyntaxError(text: string, what = "invalid JSON"): string {
  const where = findJsonSyntaxError(text);
  return where === undefined
    ? what
    : `${what} at line ${where.line}, column ${where.column} (offset ${where.offset}): ${where.reason}`;
}

interface Frame {
  readonly node: unknown[] | Record<string, unknown>;
  readonly keys: string[] | undefined;
  next: number;
}

/**
 * True when some value inside `value` sits deeper than `limit`: the root is at depth 0, the
 * members of a container one deeper than the container (scalars count). This is the depth rule of
 * storage hydration, which refuses such a value. Iterative, so any depth is safe to check.
 */
export function deeperThan(value: unknown, limit: number): boolean {
  if (limit < 0) return true;
  if (!isContainer(value)) return false;
  // A member is at depth frames.length when it is visited.
  return someMember(value, (_child, frames) => frames.length > limit);
}

/**
 * Checks a decoded value without recursion (so any depth is safe to check): nesting at most
 * `maxDepth` levels and no non-finite number.
 *
 * @remarks Go's `json.Unmarshal` into `any` refuses a number outside float64 (`1e999`: "cannot
 * unmarshal number 1e999 into Go value of type float64"); `JSON.parse` gives `Infinity`, which
 * `JSON.stringify` would later write as `null`. The message here names the path, not the number.
 * @throws {JsonPayloadError}
 */
export function checkJsonValue(value: unknown, options: JsonPayloadOptions = {}): void {
  const maxDepth = options.maxDepth ?? MAX_JSON_DEPTH;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw numberError([]);
    return;
  }
  if (!isContainer(value)) return;
  if (maxDepth < 1) throw depthError(maxDepth);
  someMember(value, (child, frames) => {
    if (typeof child === "number") {
      if (!Number.isFinite(child)) throw numberError(frames);
    } else if (isContainer(child) && frames.length >= maxDepth) {
      throw depthError(maxDepth);
    }
    return false;
  });
}

/**
 * Visits every member below `root`, depth first and without recursion (so any depth is safe).
 * `visit` sees the member and the frames of the containers above it; `true` stops the walk.
 */
function someMember(
  root: unknown[] | Record<string, unknown>,
  visit: (child: unknown, frames: readonly Frame[]) => boolean,
): boolean {
  const frames: Frame[] = [frameOf(root)];
  while (frames.length > 0) {
    const top = frames[frames.length - 1]!;
    const size = top.keys ? top.keys.length : (top.node as unknown[]).length;
    if (top.next >= size) {
      frames.pop();
      continue;
    }
    const child = top.keys
      ? (top.node as Record<string, unknown>)[top.keys[top.next]!]
      : (top.node as unknown[])[top.next];
    top.next++;
    if (visit(child, frames)) return true;
    if (isContainer(child)) frames.push(frameOf(child));
  }
  return false;
}

function isContainer(v: unknown): v is unknown[] | Record<string, unknown> {
  return typeof v === "object" && v !== null;
}

function frameOf(node: unknown[] | Record<string, unknown>): Frame {
  return { node, keys: Array.isArray(node) ? undefined : Object.keys(node), next: 0 };
}

/** The dotted path of the value each frame is at (its last visited member). */
function pathOf(frames: readonly Frame[]): string {
  return frames.map((f) => (f.keys ? f.keys[f.next - 1]! : String(f.next - 1))).join(".");
}

function numberError(frames: readonly Frame[]): JsonPayloadError {
  const path = pathOf(frames);
  const where = path === "" ? "" : ` at ${quotePath(path)}`;
  return new JsonPayloadError("number", `JSON number${where} is not a finite 64-bit float`, path);
}

function depthError(maxDepth: number): JsonPayloadError {
  return new JsonPayloadError("depth", `JSON nested deeper than ${maxDepth} levels`);
}

/** Paths are keys, not values, but still bounded so a huge key cannot flood a status. */
function quotePath(path: string): string {
  return JSON.stringify(path.length > 200 ? `${path.slice(0, 200)}…` : path);
}
