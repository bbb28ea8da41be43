import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MAX_ERROR_MESSAGE_BYTES, sanitizeErrorMessage, truncateUtf8 } from "../../src/errors/sanitize.ts";

const utf8Length = (s: string): number => new TextEncoder().encode(s).length;

// Every expected output in this file was checked against Go's regexp package (RE2) with the two
// patterns of contract errors.md.
describe("sanitizeErrorMessage: redaction (Go RE2 rules)", () => {
  const cases: Array<[string, string]> = [
    ["Authorization: Bearer abc.def", "Authorization: [REDACTED] [REDACTED]"], // rule 1, then rule 2 hits "Bearer"
    ["authorization:basic dXNlcjpwYXNz,next", "authorization:[REDACTED] [REDACTED],next"],
    ["password=hunter2", "password=[REDACTED]"],
    ["PASSWORD: hunter2; more", "PASSWORD: [REDACTED]; more"],
    ['{"token":"abc123","x":1}', '{"token":"[REDACTED]","x":1}'],
    ["api_key=AKIA123&next=1", "api_key=[REDACTED]&next=1"],
    ["apikey:zzz", "apikey:[REDACTED]"],
    ["x-api-key = k1", "x-api-key = [REDACTED]"],
    ["access-token=a refresh_token=b", "access-token=[REDACTED] refresh_token=[REDACTED]"],
    ["client_secret='s3'", "client_secret='[REDACTED]'"],
    ["secret={abc}", "secret={abc}"], // '{' cannot start a value
    ["my-token=abc", "my-token=[REDACTED]"], // substring of a longer key still matches
    ["no secrets here", "no secrets here"],
    ["", ""],
    ["tokens are fine", "tokens are fine"],
  ];
  for (const [input, want] of cases) {
    test(JSON.stringify(input), () => assert.equal(sanitizeErrorMessage(input), want));
  }

  test("is not idempotent, exactly like Go (a second pass eats '[' as value)", () => {
    const once = sanitizeErrorMessage("password=hunter2");
    assert.equal(once, "password=[REDACTED]");
    assert.equal(sanitizeErrorMessage(once), "password=[REDACTED]]");
    assert.equal(
      sanitizeErrorMessage(sanitizeErrorMessage("Authorization: Bearer abc")),
      "Authorization: [REDACTED]] [REDACTED]",
    );
  });

  test("Unicode spaces are not whitespace: NBSP after ':' becomes part of the value", () => {
    // RE2 \s is [\t\n\f\r ]; a JS \s would give "token:\u00a0[REDACTED]".
    assert.equal(sanitizeErrorMessage("token:\u00a0abc"), "token:[REDACTED]");
  });

  test("NBSP after bearer: rule 1 does not fire, rule 2 redacts the whole rest", () => {
    assert.equal(sanitizeErrorMessage("Authorization: Bearer\u00a0abc"), "Authorization: [REDACTED]");
  });

  test("\\v is not RE2 whitespace either", () => {
    assert.equal(sanitizeErrorMessage("token:\u000babc"), "token:[REDACTED]");
    assert.equal(sanitizeErrorMessage("token:\tabc"), "token:\t[REDACTED]");
  });

  test("U+2028 / U+3000 do not end a value", () => {
    assert.equal(sanitizeErrorMessage("password=ab\u2028cd e"), "password=[REDACTED] e");
    assert.equal(sanitizeErrorMessage("password=ab\u3000cd"), "password=[REDACTED]");
  });

  test("case folding is Unicode-aware like RE2 (?i): long s and Kelvin sign", () => {
    assert.equal(sanitizeErrorMessage("pa\u017fsword=x"), "pa\u017fsword=[REDACTED]");
    assert.equal(sanitizeErrorMessage("api\u212aey=x"), "api\u212aey=[REDACTED]");
  });

  test("regex state does not leak between calls (global flag)", () => {
    for (let i = 0; i < 3; i++) assert.equal(sanitizeErrorMessage("password=a"), "password=[REDACTED]");
  });
});

describe("truncation to 8192 bytes on a UTF-8 boundary", () => {
  test("ASCII is cut at exactly the limit", () => {
    const out = sanitizeErrorMessage("a".repeat(10_000));
    assert.equal(out.length, MAX_ERROR_MESSAGE_BYTES);
  });

  test("a message of exactly the limit is kept", () => {
    const msg = "b".repeat(MAX_ERROR_MESSAGE_BYTES);
    assert.equal(sanitizeErrorMessage(msg), msg);
  });

  test("a 3-byte character straddling the limit is dropped whole", () => {
    const msg = "a".repeat(8191) + "€" + "tail";
    const out = sanitizeErrorMessage(msg);
    assert.equal(out, "a".repeat(8191));
    assert.equal(utf8Length(out), 8191);
  });

  test("a 4-byte character (surrogate pair) is never split", () => {
    const msg = "a".repeat(8190) + "😀" + "x";
    const out = sanitizeErrorMessage(msg);
    assert.equal(out, "a".repeat(8190));
    assert.ok(!out.includes("\ufffd"));
  });

  test("all multi-byte input stays valid and within the limit", () => {
    const out = truncateUtf8("é".repeat(5000), 8191);
    assert.equal(utf8Length(out), 8190);
    assert.equal(out, "é".repeat(4095));
  });

  test("redaction runs before truncation", () => {
    const msg = "password=" + "s".repeat(9000);
    assert.equal(sanitizeErrorMessage(msg), "password=[REDACTED]");
  });

  test("limit <= 0 returns the message unchanged", () => {
    assert.equal(truncateUtf8("abc", 0), "abc");
    assert.equal(truncateUtf8("abc", -1), "abc");
    assert.equal(truncateUtf8("abc", 2), "ab");
  });
});
