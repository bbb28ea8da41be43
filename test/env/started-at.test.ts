import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseRfc3339 } from "../../src/env/started-at.ts";

// Expected values come from Go 1.26 `time.Parse(time.RFC3339, s)` (Unix seconds and nanoseconds),
// printed by a throw-away Go program outside this repository.
const OK: [string, number, number][] = [
  ["2024-05-06T07:08:09Z", 1714979289, 0],
  ["2024-05-06T07:08:09.123456789Z", 1714979289, 123456789],
  ["2024-05-06T07:08:09.1234567891234Z", 1714979289, 123456789],
  ["2024-05-06T07:08:09,5Z", 1714979289, 500000000],
  ["2024-05-06T07:08:09+02:00", 1714972089, 0],
  ["2024-05-06T07:08:09.5-03:30", 1714991889, 500000000],
  ["2024-05-06T7:08:09Z", 1714979289, 0],
  ["2024-02-29T23:59:59Z", 1709251199, 0],
  ["2024-05-06T07:08:09+24:00", 1714892889, 0],
  ["2024-05-06T07:08:09+02:60", 1714968489, 0],
  ["0001-01-01T00:00:00Z", -62135596800, 0],
  ["9999-12-31T23:59:59.999999999Z", 253402300799, 999999999],
  ["2024-05-06T07:08:09.000000001Z", 1714979289, 1],
];
const BAD: [string, RegExp][] = [
  ["2024-05-06t07:08:09Z", /not an RFC3339/],
  ["2024-05-06T07:08:09z", /not an RFC3339/],
  ["2024-02-30T07:08:09Z", /day out of range/],
  ["2023-02-29T00:00:00Z", /day out of range/],
  ["2024-05-06T24:00:00Z", /hour out of range/],
  ["2024-05-06T07:60:00Z", /minute out of range/],
  ["2024-05-06T07:08:60Z", /second out of range/],
  ["2024-13-06T07:08:09Z", /month out of range/],
  ["2024-05-06 07:08:09Z", /not an RFC3339/],
  ["2024-05-06T07:08:09", /not an RFC3339/],
  ["2024-5-06T07:08:09Z", /not an RFC3339/],
  ["2024-05-06T07:08:09.Z", /not an RFC3339/],
  ["2024-05-06T07:08:09+0200", /not an RFC3339/],
  ["2024-05-06T07:8:09Z", /not an RFC3339/],
];

describe("parseRfc3339", () => {
  for (const [text, seconds, nanos] of OK) {
    test(`accepts ${text}`, () => {
      const parsed = parseRfc3339(text);
      assert.equal(typeof parsed, "object");
      if (typeof parsed === "string") return;
      assert.equal(parsed.epochNanos, BigInt(seconds) * 1_000_000_000n + BigInt(nanos));
      assert.equal(parsed.date.getTime(), seconds * 1000 + Math.floor(nanos / 1e6));
    });
  }
  for (const [text, reason] of BAD) {
    test(`rejects ${text}`, () => {
      const parsed = parseRfc3339(text);
      assert.equal(typeof parsed, "string");
      assert.match(parsed as string, reason);
    });
  }
});
