import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  checkJsonValue,
  deeperThan,
  JsonPayloadError,
  MAX_JSON_DEPTH,
  parseJsonPayload,
} from "../../src/json/json-payload.ts";
import { setEntry } from "../../src/json/own-entry.ts";

const deepArray = (n: number): string => `${"[".repeat(n)}${"]".repeat(n)}`;
const deepObject = (n: number): string => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`;

function rejects(text: string, problem: string, message: RegExp): JsonPayloadError {
  let caught: unknown;
  try {
    parseJsonPayload(text);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof JsonPayloadError, `expected a JsonPayloadError, got ${String(caught)}`);
  assert.equal(caught.problem, problem);
  assert.match(caught.message, message);
  return caught;
}

describe("parseJsonPayload", () => {
  test("__proto__, constructor and prototype stay own members; nothing inherits", () => {
    const v = parseJsonPayload('{"__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}},"keep":2}') as Record<
      string,
      unknown
    >;
    assert.deepEqual(Object.keys(v), ["__proto__", "constructor", "keep"]);
    assert.equal(Object.getPrototypeOf(v), Object.prototype);
    assert.equal((v as { polluted?: unknown }).polluted, undefined);
    assert.equal(({} as { polluted?: unknown }).polluted, undefined);
  });

  test(`nesting: ${MAX_JSON_DEPTH} levels pass, one more fails, 100k levels fail without a stack overflow`, () => {
    parseJsonPayload(deepArray(MAX_JSON_DEPTH));
    parseJsonPayload(deepObject(MAX_JSON_DEPTH));
    rejects(deepArray(MAX_JSON_DEPTH + 1), "depth", /^JSON nested deeper than 1000 levels$/);
    rejects(deepArray(100_000), "depth", /nested deeper than 1000 levels/);
    rejects(deepObject(100_000), "depth", /nested deeper than 1000 levels/);
    assert.throws(() => parseJsonPayload(deepArray(5), { maxDepth: 4 }), { problem: "depth" });
  });

  test("a number outside float64 is refused with its path, not its text (Go refuses 1e999 too)", () => {
    const err = rejects('{"a":[0,1e999]}', "number", /^JSON number at "a\.1" is not a finite 64-bit float$/);
    assert.equal(err.path, "a.1");
    rejects("-1e400", "number", /^JSON number is not a finite 64-bit float$/);
    // Underflow is fine in both: it rounds to zero.
    assert.equal(parseJsonPayload("1e-999"), 0);
  });

  test("syntax errors give a position and never copy the text's letters or digits", () => {
    const err = rejects(
      "root:x:0:0:secretword",
      "syntax",
      /^invalid JSON at line 1, column 1 \(offset 0\): unexpected letter, expected a value$/,
    );
    assert.doesNotMatch(err.message, /root|secret/);
    rejects(
      '{"a": s3cr3t}',
      "syntax",
      /^invalid JSON at line 1, column 7 \(offset 6\): unexpected letter, expected a value$/,
    );
  });

  test("checkJsonValue walks values of any depth iteratively", () => {
    let v: unknown = 1;
    for (let i = 0; i < 200_000; i++) v = [v];
    assert.throws(() => checkJsonValue(v), { problem: "depth" });
    assert.throws(() => checkJsonValue({ a: { b: Number.NaN } }), { problem: "number", path: "a.b" });
  });
});

describe("deeperThan (hydration's depth rule)", () => {
  test("the root is depth 0; scalars count", () => {
    assert.equal(deeperThan(1, 0), false);
    assert.equal(deeperThan({}, 0), false);
    assert.equal(deeperThan({ a: 1 }, 0), true);
    assert.equal(deeperThan({ a: 1 }, 1), false);
    assert.equal(deeperThan({ a: [[]] }, 2), false);
    assert.equal(deeperThan({ a: [[]] }, 1), true);
  });
  test("100k levels: no stack overflow", () => {
    let v: unknown = [];
    for (let i = 0; i < 100_000; i++) v = { a: v };
    assert.equal(deeperThan(v, 10), true);
    assert.equal(deeperThan(v, 200_000), false);
  });
});

describe("setEntry", () => {
  test("__proto__ becomes an own member, not the prototype", () => {
    const o: Record<string, unknown> = {};
    setEntry(o, "__proto__", { polluted: 1 });
    setEntry(o, "constructor", 1);
    assert.deepEqual(Object.keys(o), ["__proto__", "constructor"]);
    assert.equal(Object.getPrototypeOf(o), Object.prototype);
    assert.equal(JSON.stringify(o), '{"__proto__":{"polluted":1},"constructor":1}');
  });
});
