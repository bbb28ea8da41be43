// Media object paths, segment sanitising and the inline-limit precedence (no I/O).

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DEFAULT_MEDIA_INLINE_LIMIT, mediaInlineLimit } from "../../src/media/inline-limit.ts";
import { buildMediaPath, sanitizeMediaSegment } from "../../src/media/media-path.ts";
import { FIXED_MICROS, MEDIA_PATH_RE } from "./support.ts";

describe("sanitizeMediaSegment", () => {
  const table: [string, string, string][] = [
    ["plain", "Team-A", "team-a"],
    ["surrounding spaces", "  run 1  ", "run-1"],
    ["inner spaces and tabs", "my step\tname", "my-step-name"],
    ["runs collapse to one dash", "a / \\ ? b", "a-b"],
    ["unicode letters", "ünïcødé", "n-c-d"],
    ["emoji (surrogate pair) is one run", "a😀b", "a-b"],
    ["CJK only", "日本語", ""],
    ["dots, dashes and underscores at the edges", "._-name-_.", "name"],
    ["edge junk after replacement", "@@name!!", "name"],
    ["inner dots and underscores kept", "v1.2_rc", "v1.2_rc"],
    ["upper case lowered after the cut", "ABC", "abc"],
    ["empty", "", ""],
    ["only spaces", "   ", ""],
    ["only punctuation", "-_.", ""],
    ["dot-dot", "..", ""],
    ["slash-separated stays one segment", "a/b", "a-b"],
    ["long segment cut to 64", "x".repeat(100), "x".repeat(64)],
    ["cut happens after the trim", "-".repeat(10) + "Y".repeat(70), "y".repeat(64)],
    ["a cut may end in a dash, as in Go", "a".repeat(63) + "-bbb", "a".repeat(63) + "-"],
  ];
  for (const [name, input, want] of table) {
    test(name, () => assert.equal(sanitizeMediaSegment(input), want));
  }
});

describe("buildMediaPath", () => {
  test("layout with a fixed clock: UTC date, seconds, zero-padded micros, suffix", () => {
    const p = buildMediaPath(
      { namespace: "NS", storyRun: "run-1", step: "tts", scope: ["Session 7", "", "track.a"] },
      FIXED_MICROS,
      "0a1b2c3d",
    );
    const secs = Date.UTC(2026, 0, 2, 3, 4, 5) / 1000;
    assert.equal(p, `streams/ns/run-1/tts/session-7/track.a/2026/01/02/${secs}-000042-0a1b2c3d.bin`);
    assert.match(p, MEDIA_PATH_RE);
  });

  test("empty identity segments are skipped", () => {
    assert.equal(
      buildMediaPath({ namespace: " ", storyRun: "", step: "__" }, 0, "ffffffff"),
      "streams/1970/01/01/0-000000-ffffffff.bin",
    );
  });

  test("the date is UTC, not local: 23:59:59.999999 stays on its day", () => {
    const micros = Date.UTC(2025, 11, 31, 23, 59, 59) * 1000 + 999_999;
    assert.equal(
      buildMediaPath({ namespace: "a" }, micros, "00000000"),
      `streams/a/2025/12/31/${Date.UTC(2025, 11, 31, 23, 59, 59) / 1000}-999999-00000000.bin`,
    );
  });
});

describe("mediaInlineLimit precedence", () => {
  const cases: [string, number | undefined, Record<string, string>, number][] = [
    ["default", undefined, {}, 48 * 1024],
    ["option wins over both env vars", 10, { BUBU_MEDIA_INLINE_SIZE: "100", BUBU_MAX_INLINE_SIZE: "200" }, 10],
    [
      "option 0 falls through to BUBU_MEDIA_INLINE_SIZE",
      0,
      { BUBU_MEDIA_INLINE_SIZE: "100", BUBU_MAX_INLINE_SIZE: "200" },
      100,
    ],
    ["negative option falls through", -5, { BUBU_MEDIA_INLINE_SIZE: "100" }, 100],
    [
      "BUBU_MEDIA_INLINE_SIZE over BUBU_MAX_INLINE_SIZE",
      undefined,
      { BUBU_MEDIA_INLINE_SIZE: "100", BUBU_MAX_INLINE_SIZE: "200" },
      100,
    ],
    ["BUBU_MAX_INLINE_SIZE when the media var is unset", undefined, { BUBU_MAX_INLINE_SIZE: "200" }, 200],
    [
      "BUBU_MAX_INLINE_SIZE when the media var is empty",
      undefined,
      { BUBU_MEDIA_INLINE_SIZE: "", BUBU_MAX_INLINE_SIZE: "200" },
      200,
    ],
    [
      "malformed media var ignored (Atoi)",
      undefined,
      { BUBU_MEDIA_INLINE_SIZE: "4k", BUBU_MAX_INLINE_SIZE: "200" },
      200,
    ],
    ["spaces are not trimmed (Atoi)", undefined, { BUBU_MEDIA_INLINE_SIZE: " 100", BUBU_MAX_INLINE_SIZE: "200" }, 200],
    ["zero media var ignored", undefined, { BUBU_MEDIA_INLINE_SIZE: "0", BUBU_MAX_INLINE_SIZE: "200" }, 200],
    [
      "BUBU_MAX_INLINE_SIZE=0 is not positive: default",
      undefined,
      { BUBU_MAX_INLINE_SIZE: "0" },
      DEFAULT_MEDIA_INLINE_LIMIT,
    ],
    ["negative BUBU_MAX_INLINE_SIZE: default", undefined, { BUBU_MAX_INLINE_SIZE: "-1" }, DEFAULT_MEDIA_INLINE_LIMIT],
    ["signed value parses like Atoi", undefined, { BUBU_MEDIA_INLINE_SIZE: "+300" }, 300],
    ["fractional option rounds down", 10.9, {}, 10],
    ["option below 1 falls through", 0.5, { BUBU_MAX_INLINE_SIZE: "7" }, 7],
  ];
  for (const [name, override, env, want] of cases) {
    test(name, () => assert.equal(mediaInlineLimit(override, env), want));
  }

  test("a getter works as the env source", () => {
    const seen: string[] = [];
    const limit = mediaInlineLimit(undefined, (n) => {
      seen.push(n);
      return n === "BUBU_MAX_INLINE_SIZE" ? "512" : undefined;
    });
    assert.equal(limit, 512);
    assert.deepEqual(seen, ["BUBU_MEDIA_INLINE_SIZE", "BUBU_MAX_INLINE_SIZE"]);
  });
});
