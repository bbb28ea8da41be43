// composeDns1123Name (Go's k8s.ComposeDNS1123Name): normalization, the 63-character limit and the
// sha1 suffix (expected hashes computed independently with Python's hashlib).

import assert from "node:assert/strict";
import { test } from "node:test";
import { composeDns1123Name, DNS1123_MAX_LENGTH } from "../../src/k8s/mod.ts";

test("parts are lower-cased, non-alphanumerics collapse to single dashes, empty parts dropped", async () => {
  assert.equal(await composeDns1123Name("My Story", "step_1"), "my-story-step-1");
  assert.equal(await composeDns1123Name("  --Hello__World!!  ", "", "***", "v2.0"), "hello-world-v2-0");
  assert.equal(await composeDns1123Name("Ünïcode Störy"), "n-code-st-ry");
  assert.equal(await composeDns1123Name(), "resource");
  assert.equal(await composeDns1123Name("", "!!!"), "resource");
});

test("63 characters pass unchanged; longer names get a 54-character prefix and 8 hex of sha1", async () => {
  const exact = "a".repeat(DNS1123_MAX_LENGTH);
  assert.equal(await composeDns1123Name(exact), exact);
  const long = await composeDns1123Name("a".repeat(70));
  assert.equal(long, `${"a".repeat(54)}-ed6c69d9`);
  assert.equal(long.length, 63);
  // The cut lands right after a dash: it is dropped, not doubled.
  assert.equal(await composeDns1123Name("x".repeat(53), "y".repeat(20)), `${"x".repeat(53)}-46f025d5`);
  assert.notEqual(await composeDns1123Name("a".repeat(70)), await composeDns1123Name("a".repeat(71)));
});
