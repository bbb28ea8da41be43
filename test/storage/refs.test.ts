/** Ref recognition, $bubuStoragePath, path validation, key helpers, config guard, log paths. */

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { checkConfigTraversal } from "../../src/storage/config-guard.ts";
import { cleanPath, joinPath } from "../../src/storage/go-path.ts";
import { buildLogStoragePath, sanitizeLogSegment } from "../../src/storage/logs.ts";
import {
  containsStorageRef,
  findStorageRefPaths,
  namespacedKey,
  storageRefSelector,
  validateStorageRef,
} from "../../src/storage/refs.ts";
import { resolveStoragePath } from "../../src/storage/storage-path.ts";
import { refContentType } from "../../src/storage/stored-object.ts";

describe("storageRefSelector (hydration rule)", () => {
  test("all five keys allowed", () => {
    assert.deepEqual(
      storageRefSelector({
        $bubuStorageRef: "a.json",
        $bubuStoragePath: "x[0]",
        $bubuStorageContentType: "application/json",
        $bubuStorageSchema: "s",
        $bubuStorageSchemaVersion: "v",
      }),
      { ref: "a.json", path: "x[0]" },
    );
  });
  test("an extra key, a non-string ref or a non-string path make an ordinary map", () => {
    assert.equal(storageRefSelector({ $bubuStorageRef: "a", other: 1 }), undefined);
    assert.equal(storageRefSelector({ $bubuStorageRef: 5 }), undefined);
    assert.equal(storageRefSelector({ $bubuStorageRef: "a", $bubuStoragePath: 3 }), undefined);
    assert.equal(storageRefSelector(["$bubuStorageRef"]), undefined);
  });
  test("containsStorageRef is depth-bounded", () => {
    const deep = { a: { b: { c: { $bubuStorageRef: "x" } } } };
    assert.equal(containsStorageRef(deep, 10), true);
    assert.equal(containsStorageRef(deep, 2), false);
    assert.equal(containsStorageRef([{ $bubuStorageRef: "x", extra: 1 }], 10), false);
  });
  test("findStorageRefPaths: any map with the key, JSON Pointer paths, no descent", () => {
    const paths = findStorageRefPaths({
      doc: { $bubuStorageRef: "a", extra: 1 },
      list: [1, { $bubuStorageRef: "b" }],
      "a/b~c": { $bubuStorageRef: "c" },
      plain: { inner: { $bubuStorageRef: 7, nested: { $bubuStorageRef: "never" } } },
    });
    assert.deepEqual(paths, ["/doc", "/list/1", "/a~1b~0c", "/plain/inner"]);
  });
});

describe("$bubuStoragePath", () => {
  const data = { items: [{ title: "a", tags: ["x"] }, { title: "b" }], meta: { n: 1 } };
  test("fields, indexes, wildcard", () => {
    assert.equal(resolveStoragePath(data, "items[0].title"), "a");
    assert.equal(resolveStoragePath(data, ".meta.n"), 1);
    assert.deepEqual(resolveStoragePath(data, "items[*].title"), ["a", "b"]);
    assert.deepEqual(resolveStoragePath(data, "items[*].tags[0]"), ["x", null]);
    assert.deepEqual(resolveStoragePath(data, " items [ 1 ] "), { title: "b" });
  });
  const errors: [string, RegExp][] = [
    ["", /^path is empty$/],
    ["items[0", /^unterminated index in path$/],
    ["items[]", /^empty index in path$/],
    ["items[x]", /^invalid index "x"$/],
    ["missing", /^missing field "missing"$/],
    ["items[5]", /^index 5 out of bounds$/],
    ["meta[0]", /^expected array for index 0, got map\[string\]interface \{\}$/],
    ["items.title", /^expected object for field "title", got \[\]interface \{\}$/],
    ["items[0].title.x", /^expected object for field "x", got string$/],
  ];
  for (const [path, re] of errors)
    test(`error for ${JSON.stringify(path)}`, () =>
      assert.throws(() => resolveStoragePath(data, path), { message: re }));
});

describe("validateStorageRef", () => {
  test("accepts ordinary keys", () => {
    for (const p of ["outputs/ns/sr/output.json", "a/b.c/d", "..a/b", "a..b"]) validateStorageRef(p);
  });
  const bad: [string, RegExp][] = [
    ["", /storage reference path is empty/],
    ["/etc/passwd", /absolute paths not allowed/],
    ["C:\\x", /absolute paths not allowed/],
    ["../x", /path traversal detected \(got '\.\.\/x', normalized to '\.\.\/x'\)/],
    ["a/../../x", /path traversal detected/],
    ["a/../b", /path traversal detected \(got 'a\/\.\.\/b'\)/],
    ["a\\..\\b", /path traversal detected/],
    ["a/..", /path traversal detected/],
  ];
  for (const [p, re] of bad) test(`rejects ${JSON.stringify(p)}`, () => assert.throws(() => validateStorageRef(p), re));
});

describe("paths and keys", () => {
  test("filepath.Clean / Join", () => {
    assert.equal(cleanPath("a//b/./c/../d"), "a/b/d");
    assert.equal(cleanPath("../a"), "../a");
    assert.equal(cleanPath("/../a"), "/a");
    assert.equal(cleanPath(""), ".");
    assert.equal(joinPath("outputs", "", "x.json"), "outputs/x.json");
    assert.equal(joinPath("", ""), "");
  });
  test("namespacedKey is empty when a part is", () => {
    assert.equal(namespacedKey(" ns ", "sr"), "ns/sr");
    assert.equal(namespacedKey("", "sr"), "");
    assert.equal(namespacedKey("ns", " "), "");
  });
  test("ref content types", () => {
    assert.equal(refContentType("json"), "application/json");
    assert.equal(refContentType("raw"), "text/plain");
    assert.equal(refContentType(""), "application/octet-stream");
  });
  test("log path: sanitized segments, empty ones skipped, namespace first", () => {
    assert.equal(sanitizeLogSegment("  a b/c__ "), "a-b-c");
    assert.equal(sanitizeLogSegment("-._x._-"), "x");
    assert.equal(
      buildLogStoragePath(
        { namespace: "team-a", storyRun: "run 1", stepName: "", stepRunID: "step.run" },
        1700000000123456789n,
      ),
      "team-a/logs/run-1/step.run/1700000000123456789.log",
    );
    assert.equal(buildLogStoragePath({ namespace: "", storyRun: "r", stepName: "s", stepRunID: "x" }, 1n), "");
    assert.equal(buildLogStoragePath({ namespace: "n", storyRun: "r", stepName: "s", stepRunID: "" }, 1n), "");
  });
});

describe("config traversal guard", () => {
  test("depth, nodes and cycles", () => {
    checkConfigTraversal({ a: [1, { b: 2 }] }, 3, 10);
    assert.throws(() => checkConfigTraversal({ a: { b: { c: 1 } } }, 2, 100), {
      message: /^config exceeds max depth 2$/,
    });
    assert.throws(() => checkConfigTraversal({ a: [1, 2, 3] }, 10, 3), /config exceeds max nodes 3/);
    const cyc: Record<string, unknown> = { x: 1 };
    cyc.self = { back: cyc };
    assert.throws(() => checkConfigTraversal(cyc, 100, 1000), /config contains cycle/);
    const shared = { s: 1 };
    checkConfigTraversal({ a: shared, b: shared }, 10, 100); // shared, not a cycle
  });
});
