import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  durationFromNanos,
  formatGoDuration,
  formatGoMillis,
  GoDurationError,
  millisToNanos,
  nanosToMillis,
  parseGoDuration,
  parseGoDurationValue,
} from "../../src/env/duration.ts";
import { FORMAT, PARSE_ERR, PARSE_OK } from "./duration-golden.ts";

describe("parseGoDuration (golden values from Go 1.26)", () => {
  test("table sizes", () => {
    assert.ok(PARSE_OK.length + PARSE_ERR.length >= 40);
    assert.ok(FORMAT.length >= 40);
  });
  for (const [input, nanos] of PARSE_OK) {
    test(`accepts ${JSON.stringify(input)}`, () => {
      assert.equal(parseGoDuration(input), nanos);
    });
  }
  for (const [input, message] of PARSE_ERR) {
    test(`rejects ${JSON.stringify(input)}`, () => {
      assert.throws(
        () => parseGoDuration(input),
        (err: unknown) => err instanceof GoDurationError && err.message === message && err.input === input,
      );
    });
  }
});

describe("formatGoDuration (golden values from Go 1.26)", () => {
  for (const [nanos, text] of FORMAT) {
    test(`${nanos} -> ${text}`, () => {
      assert.equal(formatGoDuration(nanos), text);
    });
  }
  test("micro sign is U+00B5", () => {
    assert.equal(formatGoDuration(1500n).codePointAt(3), 0xb5);
  });
  test("round-trips through parse", () => {
    for (const [nanos, text] of FORMAT) assert.equal(parseGoDuration(text), nanos, text);
  });
  test("rejects values outside int64", () => {
    assert.throws(() => formatGoDuration(1n << 63n), RangeError);
    assert.throws(() => formatGoDuration(-(1n << 63n) - 1n), RangeError);
  });
});

describe("duration helpers", () => {
  test("nanosToMillis keeps fractions and large values", () => {
    assert.equal(nanosToMillis(1_500_000n), 1.5);
    assert.equal(nanosToMillis(1800n * 1_000_000_000n), 1_800_000);
    assert.equal(nanosToMillis(-2_500_000n), -2.5);
    assert.equal(nanosToMillis((1n << 63n) - 1n), 9223372036854.775);
  });
  test("millisToNanos", () => {
    assert.equal(millisToNanos(1.5), 1_500_000n);
    assert.equal(millisToNanos(30_000), 30_000_000_000n);
    assert.equal(millisToNanos(0.000001), 1n);
    assert.throws(() => millisToNanos(Number.NaN), RangeError);
  });
  test("parseGoDurationValue pairs nanos and millis", () => {
    assert.deepEqual(parseGoDurationValue("1m30s"), { nanos: 90_000_000_000n, millis: 90_000 });
    assert.deepEqual(durationFromNanos(0n), { nanos: 0n, millis: 0 });
  });

  test("formatGoMillis prints milliseconds as Go prints the duration (messages such as timeouts)", () => {
    assert.equal(formatGoMillis(250), "250ms");
    assert.equal(formatGoMillis(1500), "1.5s");
    assert.equal(formatGoMillis(30_000), "30s");
    assert.equal(formatGoMillis(90_000), "1m30s");
    assert.equal(formatGoMillis(3_600_000), "1h0m0s");
  });
});
