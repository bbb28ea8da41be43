import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { findJsonSyntaxError } from "../../src/json/json-syntax.ts";

describe("findJsonSyntaxError", () => {
  const valid = [
    "{}",
    "[]",
    ' {"a": [1, -2.5e+3, true, false, null, "x\\u00e9\\n"]} ',
    "0",
    "-0.0E-1",
    '""',
    "[[[[]]]]",
    '{"a":{"b":{}}}',
    '"\\/\\b\\f\\r\\t\\"\\\\"',
  ];
  for (const text of valid) {
    test(`valid ${JSON.stringify(text)}`, () => {
      JSON.parse(text);
      assert.equal(findJsonSyntaxError(text), undefined);
    });
  }
  const invalid: [string, number, number, number, RegExp][] = [
    ['{"a":}', 5, 1, 6, /unexpected character '}', expected a value/],
    ['{"a" 1}', 5, 1, 6, /expected ':'/],
    ['{"a":1,}', 7, 1, 8, /expected a string key/],
    ["[1,]", 3, 1, 4, /expected a value/],
    ["[1 2]", 3, 1, 4, /expected ',' or '\]'/],
    ['{\n  "a": tru\n}', 12, 2, 11, /in literal true/],
    ['{"a":1', 6, 1, 7, /unexpected end of input, expected ',' or '}'/],
    ["{} x", 3, 1, 4, /after the top-level value/],
    ["01", 1, 1, 2, /after the top-level value/],
    ["1.", 2, 1, 3, /expected a digit after '.'/],
    ["-", 1, 1, 2, /expected a digit/],
    ["1e", 2, 1, 3, /exponent/],
    ['"a\tb"', 2, 1, 3, /control characters/],
    ['"\\x"', 2, 1, 3, /invalid escape/],
    ['"\\u12G4"', 5, 1, 6, /4 hex digits/],
    ['"abc', 4, 1, 5, /inside a string/],
    ["{'a':1}", 1, 1, 2, /expected a string key/],
    ["", 0, 1, 1, /unexpected end of input, expected a value/],
    ["[1]\n\n]", 5, 3, 1, /after the top-level value/],
    ["NaN", 0, 1, 1, /^unexpected letter, expected a value$/],
    ["this is not json", 0, 1, 1, /^unexpected letter, expected a value$/],
    ["nope", 0, 1, 1, /^unexpected letter, expected a value$/],
    ["trux", 3, 1, 4, /^unexpected letter in literal true$/],
    ["[1, é]", 4, 1, 5, /^unexpected character, expected a value$/],
    ['{"a": 7x}', 7, 1, 8, /^unexpected letter, expected ',' or '\}'$/],
  ];
  for (const [text, offset, line, column, reason] of invalid) {
    test(`invalid ${JSON.stringify(text)}`, () => {
      assert.throws(() => JSON.parse(text));
      const err = findJsonSyntaxError(text);
      assert.ok(err, "expected an error");
      assert.deepEqual([err.offset, err.line, err.column], [offset, line, column]);
      assert.match(err.reason, reason);
    });
  }
  test("deep nesting does not overflow the stack", () => {
    const deep = "[".repeat(200_000);
    const err = findJsonSyntaxError(deep);
    assert.equal(err?.offset, 200_000);
  });
});
