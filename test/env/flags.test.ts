import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  parseDebugFlag,
  parseHybridBridge,
  parseObservabilityToggle,
  parseSkipInputTemplating,
  parseStrictUnmarshal,
  parseWideBool,
} from "../../src/env/flags.ts";
import { parseGoBool, parseGoInt, trimSpace } from "../../src/env/go-text.ts";

describe("BUBU_DEBUG", () => {
  for (const v of ["1", "true", "t", "yes", "y", "on", "debug", "TRUE", "Debug", " on "]) {
    test(`${JSON.stringify(v)} is true`, () => assert.equal(parseDebugFlag(v), true));
  }
  for (const v of [undefined, "", "0", "false", "no", "enabled", "2", "tru"]) {
    test(`${JSON.stringify(v)} is false`, () => assert.equal(parseDebugFlag(v), false));
  }
});

describe("BUBU_SKIP_INPUT_TEMPLATING", () => {
  for (const v of ["1", "true", "yes", "y", "on", "YES", " true "]) {
    test(`${JSON.stringify(v)} is true`, () => assert.equal(parseSkipInputTemplating(v), true));
  }
  // `t` and `debug` are in other sets, not this one.
  for (const v of [undefined, "", "t", "debug", "0", "false", "off"]) {
    test(`${JSON.stringify(v)} is false`, () => assert.equal(parseSkipInputTemplating(v), false));
  }
});

describe("BUBU_HYBRID_BRIDGE (default true)", () => {
  for (const v of ["0", "false", "no", "off", "FALSE", "Off", " no "]) {
    test(`${JSON.stringify(v)} disables`, () => assert.equal(parseHybridBridge(v), false));
  }
  // `f` and `n` are NOT in the bridge's falsy set.
  for (const v of [undefined, "", "1", "true", "f", "n", "disabled", "anything"]) {
    test(`${JSON.stringify(v)} keeps it on`, () => assert.equal(parseHybridBridge(v), true));
  }
});

describe("observability toggles", () => {
  for (const v of ["1", "true", "t", "yes", "y", "on", "ON"]) {
    test(`${JSON.stringify(v)} is true`, () =>
      assert.deepEqual(parseObservabilityToggle(v), { value: true, invalid: false }));
  }
  for (const v of ["0", "false", "f", "no", "n", "off", "F"]) {
    test(`${JSON.stringify(v)} is false`, () =>
      assert.deepEqual(parseObservabilityToggle(v), { value: false, invalid: false }));
  }
  test("unset and empty give the default without a warning", () => {
    assert.deepEqual(parseObservabilityToggle(undefined), { value: true, invalid: false });
    assert.deepEqual(parseObservabilityToggle(""), { value: true, invalid: false });
    assert.deepEqual(parseObservabilityToggle(undefined, false), { value: false, invalid: false });
  });
  test("invalid gives the default and is flagged", () => {
    assert.deepEqual(parseObservabilityToggle("maybe"), { value: true, invalid: true });
    assert.deepEqual(parseObservabilityToggle("   "), { value: true, invalid: true });
    assert.deepEqual(parseObservabilityToggle("debug", false), { value: false, invalid: true });
  });
});

describe("S3 booleans (parseWideBool)", () => {
  test("sets", () => {
    assert.equal(parseWideBool("T"), true);
    assert.equal(parseWideBool(" yes "), true);
    assert.equal(parseWideBool("N"), false);
    assert.equal(parseWideBool("off"), false);
    assert.equal(parseWideBool("debug"), undefined);
    assert.equal(parseWideBool(""), undefined);
  });
});

describe("BUBU_RUNTIME_STRICT_UNMARSHAL (strconv.ParseBool)", () => {
  for (const v of ["1", "t", "T", "TRUE", "true", "True", " true "]) {
    test(`${JSON.stringify(v)} is true`, () => assert.equal(parseStrictUnmarshal(v), true));
  }
  for (const v of ["0", "f", "F", "FALSE", "false", "False", undefined, "", "  "]) {
    test(`${JSON.stringify(v)} is false`, () => assert.equal(parseStrictUnmarshal(v), false));
  }
  for (const v of ["tRUE", "yes", "on", "y", "2"]) {
    test(`${JSON.stringify(v)} is invalid`, () => assert.equal(parseStrictUnmarshal(v), undefined));
  }
});

describe("Go text helpers", () => {
  test("parseGoInt follows strconv.Atoi", () => {
    assert.equal(parseGoInt("5"), 5);
    assert.equal(parseGoInt("+5"), 5);
    assert.equal(parseGoInt("-5"), -5);
    assert.equal(Object.is(parseGoInt("-0"), 0), true);
    assert.equal(parseGoInt("05"), 5);
    for (const bad of ["", "+", " 5", "5.0", "0x10", "1_000", "1e3", "\u0661\u0662"]) {
      assert.equal(parseGoInt(bad), "syntax", bad);
    }
    assert.equal(parseGoInt("9223372036854775808"), "range");
    assert.equal(parseGoInt("9007199254740992"), "range");
    assert.equal(parseGoInt("9007199254740991"), Number.MAX_SAFE_INTEGER);
  });
  test("parseGoBool", () => {
    assert.equal(parseGoBool("True"), true);
    assert.equal(parseGoBool("F"), false);
    assert.equal(parseGoBool("tRUE"), undefined);
  });
  test("trimSpace matches Go's unicode.IsSpace", () => {
    assert.equal(trimSpace(" \t\n\v\f\r\u0085\u00a0x y\u3000\u2028"), "x y");
    // U+FEFF is not a space in Go (JS trim() would strip it).
    assert.equal(trimSpace("\ufeffx"), "\ufeffx");
  });
});
