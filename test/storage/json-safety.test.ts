// Storage hydration and offload with keys that are not ours (`__proto__`…), stored content that
// is not JSON, too deep or out of float64 range: the keys stay data, errors carry no content.

import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { decodeKubeRefValue } from "../../src/storage/kube-refs.ts";
import { fileManager, tempDir } from "./support.ts";

function write(dir: string, rel: string, text: string): void {
  mkdirSync(join(dir, rel, ".."), { recursive: true });
  writeFileSync(join(dir, rel), text);
}

describe("storage with reserved keys and hostile content", () => {
  test("hydrate keeps __proto__/constructor/prototype as own members, inline and stored", async () => {
    const { dir, cleanup } = tempDir();
    try {
      write(dir, "in/p.json", '{"contentType":"json","data":{"__proto__":{"polluted":1},"prototype":2}}');
      const m = await fileManager(dir);
      const input = JSON.parse(
        '{"__proto__":{"polluted":1},"constructor":{"x":1},"s":{"$bubuStorageRef":"in/p.json"}}',
      );
      const out = (await m.hydrate(input)) as Record<string, Record<string, unknown>>;
      assert.deepEqual(Object.keys(out), ["__proto__", "constructor", "s"]);
      assert.equal(Object.getPrototypeOf(out), Object.prototype);
      assert.equal((out as { polluted?: unknown }).polluted, undefined);
      assert.deepEqual(Object.keys(out.s!), ["__proto__", "prototype"]);
      assert.equal(Object.getPrototypeOf(out.s), Object.prototype);
      assert.equal(
        JSON.stringify(out),
        '{"__proto__":{"polluted":1},"constructor":{"x":1},"s":{"__proto__":{"polluted":1},"prototype":2}}',
      );
      await m.close();
    } finally {
      cleanup();
    }
  });

  test("dehydrate then hydrate round-trips __proto__ members", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const m = await fileManager(dir, { maxInlineSize: 16 });
      const value = JSON.parse(
        `{"__proto__":{"big":"${"x".repeat(64)}","n":1},"keep":{"__proto__":"${"y".repeat(40)}"}}`,
      );
      const refs = (await m.dehydrate(value, "ns/run")) as Record<string, unknown>;
      assert.deepEqual(Object.keys(refs), ["__proto__", "keep"]);
      assert.equal(Object.getPrototypeOf(refs), Object.prototype);
      assert.deepEqual(await m.hydrate(refs), value);
      await m.close();
    } finally {
      cleanup();
    }
  });

  test("a ref to a file that is not JSON: the error names the ref, never the file's bytes", async () => {
    const { dir, cleanup } = tempDir();
    try {
      write(dir, "etc/passwd", "root:x:0:0:topsecret:/root:/bin/sh\n");
      const m = await fileManager(dir);
      await assert.rejects(m.hydrate({ a: { $bubuStorageRef: "etc/passwd" } }), (err: Error) => {
        assert.equal(
          err.message,
          "failed to unmarshal stored object from 'etc/passwd', content may be malformed: invalid JSON at line 1, column 1 (offset 0): unexpected letter, expected a value",
        );
        assert.doesNotMatch(JSON.stringify(err), /root|topsecret/);
        return true;
      });
      await m.close();
    } finally {
      cleanup();
    }
  });

  test("stored content nested 100k deep or holding 1e999 is refused cleanly", async () => {
    const { dir, cleanup } = tempDir();
    try {
      write(dir, "d.json", `{"contentType":"json","data":${"[".repeat(100_000)}${"]".repeat(100_000)}}`);
      write(dir, "n.json", '{"contentType":"json","data":{"n":1e999}}');
      const m = await fileManager(dir, { maxRecursionDepth: 100_000 });
      assert.equal(m.maxRecursionDepth, 1000);
      await assert.rejects(
        m.hydrate({ $bubuStorageRef: "d.json" }),
        /content may be malformed: JSON nested deeper than 1000 levels$/,
      );
      await assert.rejects(
        m.hydrate({ $bubuStorageRef: "n.json" }),
        /content may be malformed: JSON number at "data\.n" is not a finite 64-bit float$/,
      );
      await m.close();
    } finally {
      cleanup();
    }
  });

  test("hydration past BUBU_MAX_RECURSION_DEPTH is a validation error with Go's text", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const m = await fileManager(dir, { maxRecursionDepth: 2 });
      await assert.rejects(m.hydrate({ a: { b: { c: 1 } } }), {
        name: "BubuError",
        type: "validation_error",
        code: "MaxDepth",
        message: "maximum recursion depth (2) exceeded during hydration",
      });
      await m.close();
    } finally {
      cleanup();
    }
  });

  test("ConfigMap/Secret JSON values: reserved keys kept, 1e999 and 100k nesting are not JSON", () => {
    const v = decodeKubeRefValue('{"__proto__":{"polluted":1}}', "json", "secret ns/s:k") as object;
    assert.deepEqual(Object.keys(v), ["__proto__"]);
    assert.equal(Object.getPrototypeOf(v), Object.prototype);
    assert.throws(
      () => decodeKubeRefValue(`${"[".repeat(100_000)}${"]".repeat(100_000)}`, "json", "secret ns/s:k"),
      /is not valid JSON$/,
    );
    // auto: what does not decode stays the raw string, as in Go.
    assert.equal(decodeKubeRefValue('{"n":1e999}', "auto", "configmap ns/c:k"), '{"n":1e999}');
  });
});
