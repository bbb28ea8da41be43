/**
 * `$bubuConfigMapRef` / `$bubuSecretRef` without a server: the three ref forms, the
 * not-exactly-one-key rule, malformed strings, the workload-namespace rules with Go's texts,
 * the default namespace order, and the auto/json/raw decoding table (contract storage.md
 * "ConfigMap and Secret refs", env.md).
 */

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadEnv } from "../../src/env/load.ts";
import {
  decodeKubeRefValue,
  type KubeRef,
  KubeRefError,
  matchKubeRef,
  normalizeKubeRefFormat,
  parseKubeRef,
} from "../../src/storage/kube-refs.ts";

const NS = "team-a";

function parseError(value: unknown, workloadNamespace = NS): KubeRefError {
  try {
    parseKubeRef(value, workloadNamespace);
  } catch (err) {
    assert.ok(err instanceof KubeRefError, `a KubeRefError, got ${String(err)}`);
    return err;
  }
  assert.fail(`${JSON.stringify(value)} parsed`);
}

describe("parseKubeRef: valid forms", () => {
  const cases: [string, unknown, KubeRef][] = [
    ["name:key", "app-config:settings", { namespace: NS, name: "app-config", key: "settings", format: "auto" }],
    [
      "namespace/name:key",
      "team-a/app-config:settings",
      { namespace: NS, name: "app-config", key: "settings", format: "auto" },
    ],
    [
      "padded parts are trimmed",
      "  team-a / app-config :  settings \t",
      { namespace: NS, name: "app-config", key: "settings", format: "auto" },
    ],
    [
      "Go TrimSpace (NBSP) around the ref",
      "\u00a0app-config:settings\u00a0",
      { namespace: NS, name: "app-config", key: "settings", format: "auto" },
    ],
    ["the key keeps later colons", "cfg:a:b", { namespace: NS, name: "cfg", key: "a:b", format: "auto" }],
    ["object with name and key", { name: "cfg", key: "k" }, { namespace: NS, name: "cfg", key: "k", format: "auto" }],
    [
      "object with every field (format kept as written, trimmed)",
      { name: " cfg ", key: " k ", namespace: " team-a ", format: " JSON " },
      { namespace: NS, name: "cfg", key: "k", format: "JSON" },
    ],
    [
      "object: non-string format ignored",
      { name: "cfg", key: "k", format: 7 },
      { namespace: NS, name: "cfg", key: "k", format: "auto" },
    ],
    [
      "object: empty format is auto",
      { name: "cfg", key: "k", format: "" },
      { namespace: NS, name: "cfg", key: "k", format: "auto" },
    ],
  ];
  for (const [label, value, want] of cases) {
    test(label, () => assert.deepEqual(parseKubeRef(value, NS), want));
  }
});

describe("parseKubeRef: malformed refs (Go's texts)", () => {
  const cases: [string, unknown, string][] = [
    ["empty string", "", "reference is empty"],
    ["blank string", " \t ", "reference is empty"],
    ["no colon", "app-config", `invalid reference "app-config" (expected name:key or namespace/name:key)`],
    ["empty key", "app-config:", `invalid reference "app-config:" (expected name:key or namespace/name:key)`],
    [
      "blank key (trimmed first)",
      " app-config:   ",
      `invalid reference "app-config:" (expected name:key or namespace/name:key)`,
    ],
    ["empty name", ":key", `invalid reference ":key" (missing name)`],
    ["empty name after the namespace", "team-a/:key", `invalid reference "team-a/:key" (missing name)`],
    ["Go %q quoting", "a\tb", `invalid reference "a\\tb" (expected name:key or namespace/name:key)`],
    ["object without key", { name: "cfg" }, "reference requires name and key"],
    ["object with blank name", { name: "  ", key: "k" }, "reference requires name and key"],
    ["object with a non-string name", { name: 1, key: "k" }, "reference requires name and key"],
    ["number", 5, "invalid ref type float64"],
    ["boolean", true, "invalid ref type bool"],
    ["null", null, "invalid ref type <nil>"],
    ["array", ["cfg:k"], "invalid ref type []interface {}"],
  ];
  for (const [label, value, message] of cases) {
    test(label, () => {
      const err = parseError(value);
      assert.equal(err.message, message);
      assert.equal(err.code, "InvalidRef");
      assert.equal(err.type, "execution_error");
    });
  }
});

describe("parseKubeRef: namespace rules", () => {
  test("cross-namespace refs are rejected (string and object forms)", () => {
    const want = `cross-namespace references are not allowed: "other" (workload namespace: "team-a")`;
    assert.equal(parseError("other/app-config:settings").message, want);
    assert.equal(parseError({ name: "cfg", key: "k", namespace: "other" }).message, want);
  });

  test("the namespace is checked before the name (Go's order)", () => {
    assert.equal(
      parseError("other/:key").message,
      `cross-namespace references are not allowed: "other" (workload namespace: "team-a")`,
    );
  });

  test("explicit namespace without a workload namespace", () => {
    const want = `explicit namespace "team-a" is not allowed without workload namespace context`;
    assert.equal(parseError("team-a/cfg:k", "").message, want);
    assert.equal(parseError({ name: "cfg", key: "k", namespace: "team-a" }, "").message, want);
  });

  test("no namespace anywhere", () => {
    assert.equal(parseError("cfg:k", "").message, `namespace is required for reference "cfg:k"`);
    assert.equal(parseError({ name: "cfg", key: "k" }, "").message, "namespace is required for reference cfg:k");
  });

  test("namespaces are compared exactly (no case folding)", () => {
    assert.match(parseError("Team-A/cfg:k").message, /^cross-namespace references are not allowed: "Team-A"/);
  });

  test("default order: BUBU_POD_NAMESPACE, BUBU_STEPRUN_NAMESPACE, BUBU_TARGET_STORY_NAMESPACE, BUBU_IMPULSE_NAMESPACE", () => {
    const all = {
      BUBU_POD_NAMESPACE: "pod-ns",
      BUBU_STEPRUN_NAMESPACE: "steprun-ns",
      BUBU_TARGET_STORY_NAMESPACE: "story-ns",
      BUBU_IMPULSE_NAMESPACE: "impulse-ns",
    };
    const kubeRefNs = (env: Record<string, string>): string => loadEnv(env).namespaces.kubeRef;
    assert.equal(kubeRefNs(all), "pod-ns");
    assert.equal(kubeRefNs({ ...all, BUBU_POD_NAMESPACE: "  " }), "steprun-ns");
    assert.equal(kubeRefNs({ ...all, BUBU_POD_NAMESPACE: "", BUBU_STEPRUN_NAMESPACE: "" }), "story-ns");
    assert.equal(kubeRefNs({ BUBU_IMPULSE_NAMESPACE: " impulse-ns " }), "impulse-ns");
    assert.equal(kubeRefNs({}), "");
    // The SDK client uses the other order; the kube-ref rule must not follow it.
    assert.equal(loadEnv(all).namespaces.client, "story-ns");
    assert.equal(parseKubeRef("cfg:k", kubeRefNs(all)).namespace, "pod-ns");
  });
});

describe("matchKubeRef: exactly one key", () => {
  test("ConfigMap and Secret refs are recognized", () => {
    assert.deepEqual(matchKubeRef({ $bubuConfigMapRef: "cfg:k" }, NS), {
      ref: { kind: "ConfigMap", namespace: NS, name: "cfg", key: "k", format: "auto" },
    });
    assert.deepEqual(matchKubeRef({ $bubuSecretRef: { name: "s", key: "k", format: "raw" } }, NS), {
      ref: { kind: "Secret", namespace: NS, name: "s", key: "k", format: "raw" },
    });
  });

  test("not a ref: other keys, extra keys, both ref keys, empty object", () => {
    assert.equal(matchKubeRef({ name: "cfg:k" }, NS), undefined);
    assert.equal(matchKubeRef({ $bubuSecretRef: "s:k", note: "x" }, NS), undefined);
    assert.equal(matchKubeRef({ $bubuSecretRef: "s:k", $bubuConfigMapRef: "c:k" }, NS), undefined);
    assert.equal(matchKubeRef({}, NS), undefined);
    assert.equal(matchKubeRef({ $bubusecretref: "s:k" }, NS), undefined, "keys are case-sensitive");
  });

  test("a single-key ref that does not parse is reported, not thrown", () => {
    const m = matchKubeRef({ $bubuSecretRef: "other/s:k" }, NS);
    assert.ok(m && "error" in m);
    assert.equal(m.kind, "Secret");
    assert.equal(m.error.message, `cross-namespace references are not allowed: "other" (workload namespace: "team-a")`);
    const bad = matchKubeRef({ $bubuConfigMapRef: 42 }, NS);
    assert.ok(bad && "error" in bad);
    assert.equal(bad.error.message, "invalid ref type float64");
  });
});

describe("decodeKubeRefValue", () => {
  const label = "configmap team-a/cfg:k";
  const table: [string, string, unknown][] = [
    // format, raw value, result
    ["raw", '  {"a":1}  ', '  {"a":1}  '],
    ["raw", "", ""],
    ["RAW", "x", "x"],
    ["json", '{"a":[1,"x",null]}', { a: [1, "x", null] }],
    ["json", " \n[1,2]\n ", [1, 2]],
    ["Json", '"s"', "s"],
    ["auto", "", ""],
    ["auto", " \n\t ", ""],
    ["auto", " 42 ", 42],
    ["auto", "true", true],
    ["auto", "null", null],
    ["auto", '{"a":{"b":2}}', { a: { b: 2 } }],
    ["auto", '"quoted"', "quoted"],
    ["auto", "hello", "hello"],
    ["auto", "  hello world \n", "  hello world \n"],
    ["auto", "{not json", "{not json"],
    ["auto", "\u00a0{}\u00a0", {}],
    ["auto", "\ufeff{}", "\ufeff{}"],
    ["", "[1]", [1]],
    [" auto ", "[1]", [1]],
    // Out of float64 range: Go's json.Unmarshal fails, so auto keeps the raw text.
    ["auto", "1e400", "1e400"],
    ["auto", '{"a":[-1e999]}', '{"a":[-1e999]}'],
    ["json", "1.7976931348623157e308", 1.7976931348623157e308],
  ];
  for (const [format, raw, want] of table) {
    test(`${JSON.stringify(format)} ${JSON.stringify(raw)}`, () => {
      assert.deepEqual(decodeKubeRefValue(raw, format, label), want);
    });
  }

  test("json that does not parse: names the ref, never the value", () => {
    const secretish = "hunter2-not-json";
    assert.throws(
      () => decodeKubeRefValue(secretish, "json", "secret team-a/creds:password"),
      (err: unknown) => {
        assert.ok(err instanceof KubeRefError);
        assert.equal(
          err.message,
          "failed to decode JSON from secret team-a/creds:password: the value is not valid JSON",
        );
        assert.equal(err.code, "InvalidJSON");
        assert.ok(!JSON.stringify(err).includes(secretish));
        return true;
      },
    );
  });

  test("json out of float64 range is invalid JSON, as in Go", () => {
    assert.throws(() => decodeKubeRefValue("[1e400]", "json", label), { code: "InvalidJSON" });
  });

  test("unsupported format", () => {
    assert.throws(() => decodeKubeRefValue("x", "yaml", label), {
      message: `unsupported format "yaml" for ${label}`,
      code: "UnsupportedFormat",
    });
    assert.throws(() => normalizeKubeRefFormat("base64", "secret ns/s:k"), {
      message: `unsupported format "base64" for secret ns/s:k`,
    });
    assert.equal(normalizeKubeRefFormat(" Raw ", label), "raw");
  });
});
