import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { goQuote, goTrimSpace } from "../../src/schema/go-text.ts";

describe("goTrimSpace (strings.TrimSpace)", () => {
  test("trims Go's Unicode spaces, not U+FEFF", () => {
    assert.equal(goTrimSpace("\t\n\v\f\r \u0085\u00a0\u2003x y\u3000\u2028"), "x y");
    assert.equal(goTrimSpace("\ufeffx"), "\ufeffx");
    assert.equal(goTrimSpace("   "), "");
  });
});

describe("goQuote (%q)", () => {
  const cases: Array<[string, string]> = [
    ["plain", '"plain"'],
    ['q"b\\s', '"q\\"b\\\\s"'],
    ["\x07\b\f\n\r\t\v", '"\\a\\b\\f\\n\\r\\t\\v"'],
    ["\x00\x1f\x7f", '"\\x00\\x1f\\x7f"'],
    ["é 日本 😀", '"é 日本 😀"'],
    ["\u00a0\u200b\u2028", '"\\u00a0\\u200b\\u2028"'],
    ["\u{e0001}", '"\\U000e0001"'],
    ["\ud800", '"\ufffd"'],
  ];
  for (const [input, expected] of cases) {
    test(JSON.stringify(input), () => assert.equal(goQuote(input), expected));
  }
});
