import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { collectSecretDescriptors, secretDescriptorKind } from "../../src/engram/secret-descriptors.ts";
import {
  expandSecrets,
  isSecretExpansionError,
  SecretExpansionError,
  type SecretExpansionResult,
} from "../../src/engram/secret-expansion.ts";
import type { RuntimeFs } from "../../src/runtime/types.ts";

// env:/literal tests never touch files: any call is a test failure.
const noFs: RuntimeFs = new Proxy({} as RuntimeFs, {
  get: (_t, name) => () => Promise.reject(new Error(`unexpected fs.${String(name)}`)),
});

function expand(
  raw: Record<string, string>,
  env: Record<string, string | undefined> = {},
): Promise<SecretExpansionResult> {
  return expandSecrets(raw, { env, fs: noFs });
}

describe("collectSecretDescriptors", () => {
  test("BUBU_SECRET_* minus _NAME suffix and __ names", () => {
    const env = {
      BUBU_SECRET_DB: "env:DB_",
      BUBU_SECRET_DB_NAME: "my-k8s-secret",
      BUBU_SECRET_API: "file:/etc/bubu/secrets/API",
      BUBU_SECRET_A__B: "bucket",
      BUBU_SECRET_: "empty",
      BUBU_SECRET_LIT: "plain",
      BUBU_SECRET_UNSET: undefined,
      OTHER: "x",
      bubu_secret_lower: "no",
    };
    assert.deepEqual(collectSecretDescriptors(env), {
      DB: "env:DB_",
      API: "file:/etc/bubu/secrets/API",
      LIT: "plain",
    });
  });

  test("descriptor kinds", () => {
    assert.equal(secretDescriptorKind("file:/x"), "file");
    assert.equal(secretDescriptorKind("env:P_"), "env");
    assert.equal(secretDescriptorKind("File:/x"), "literal");
    assert.equal(secretDescriptorKind(" env:P_"), "literal");
    assert.equal(secretDescriptorKind(""), "literal");
  });
});

describe("expandSecrets: literals and env", () => {
  test("no descriptors: empty set, no error", async () => {
    const r = await expand({});
    assert.equal(r.secrets.size, 0);
    assert.equal(r.error, undefined);
    assert.deepEqual(r.errors, []);
  });

  test("a literal: key = logical name, value = descriptor", async () => {
    const r = await expand({ STRIPE: "sk_live_123" });
    assert.equal(r.secrets.get("STRIPE"), "sk_live_123");
    assert.equal(r.error, undefined);
  });

  test("env:<PREFIX> collects by prefix, strips it, skips an empty remainder", async () => {
    const env = { DB_USER: "u", DB_PASS: "p", DB_: "nothing", DBX: "no", OTHER: "o", DB_GONE: undefined };
    const warnings: string[] = [];
    const r = await expandSecrets({ DB: "env:DB_" }, { env, fs: noFs, warn: (m) => warnings.push(m) });
    assert.deepEqual(r.secrets.raw(), { PASS: "p", USER: "u" });
    assert.ok(warnings.includes("secret env prefix matched empty key"));
  });

  test("env prefix is used verbatim (not trimmed)", async () => {
    const r = await expand({ X: "env: A" }, { " AB": "1", AB: "2" });
    assert.deepEqual(r.secrets.raw(), { B: "1" });
  });

  test("empty env prefix is an error naming only the logical name", async () => {
    const r = await expand({ BAD: "env:", OK: "lit" });
    assert.equal(r.secrets.get("OK"), "lit");
    assert.equal(r.errors.length, 1);
    assert.equal(
      r.errors[0]?.message,
      'secret expansion failed: secret "BAD" (env): invalid secret descriptor: env secret prefix must not be empty',
    );
    assert.ok(r.error instanceof AggregateError);
    assert.equal(r.error?.message, r.errors[0]?.message);
    assert.ok(isSecretExpansionError(r.error));
    assert.ok(isSecretExpansionError(r.errors[0]));
    assert.ok(!isSecretExpansionError(new Error("x")));
  });

  test("sorted order: expanded keys do not overwrite, literals do", async () => {
    const env = { A_TOKEN: "from-a", Z_TOKEN: "from-z", Z_OTHER: "z-other" };
    const warnings: Array<[string, Record<string, unknown>]> = [];
    const r = await expandSecrets(
      // Processed as A (env) → TOKEN (literal, overwrites) → Z (env, does not overwrite).
      { Z: "env:Z_", TOKEN: "literal-wins", A: "env:A_" },
      { env, fs: noFs, warn: (m, a) => warnings.push([m, a]) },
    );
    assert.deepEqual(r.secrets.raw(), { OTHER: "z-other", TOKEN: "literal-wins" });
    assert.ok(warnings.some(([m]) => m === "secret key collision; overriding existing value"));
    assert.ok(warnings.some(([m]) => m === "secret key collision; keeping existing value"));
    for (const [, attrs] of warnings) {
      const text = JSON.stringify(attrs);
      for (const v of ["from-a", "from-z", "literal-wins"]) assert.ok(!text.includes(v), `warning leaked ${v}`);
    }
  });

  test("first expanded value wins between two env descriptors", async () => {
    const r = await expand({ A: "env:P1_", B: "env:P2_" }, { P1_K: "one", P2_K: "two" });
    assert.equal(r.secrets.get("K"), "one");
  });

  test("keys are trimmed and empty keys skipped", async () => {
    const r = await expand({ " SPACED ": "v", "  ": "blank" });
    assert.deepEqual(r.secrets.raw(), { SPACED: "v" });
  });

  test("several failures: one error each, in sorted order, joined by newline (errors.Join)", async () => {
    const r = await expand({ b: "env:", a: "env:" });
    assert.deepEqual(
      r.errors.map((e) => e.secretName),
      ["a", "b"],
    );
    assert.ok(r.errors.every((e) => e instanceof SecretExpansionError && e.kind === "env"));
    assert.equal(r.error?.message, `${r.errors[0]?.message}\n${r.errors[1]?.message}`);
  });

  test("names are quoted like Go %q", async () => {
    const r = await expand({ 'we"ird\n': "env:" });
    assert.match(r.errors[0]?.message ?? "", /^secret expansion failed: secret "we\\"ird\\n" \(env\): /);
  });

  test("an already aborted signal returns the empty set and the abort reason", async () => {
    const controller = new AbortController();
    const reason = new Error("shutting down");
    controller.abort(reason);
    const r = await expandSecrets({ A: "lit" }, { env: {}, fs: noFs, signal: controller.signal });
    assert.equal(r.secrets.size, 0);
    assert.equal(r.error, reason);
  });

  test("a non-Error abort reason still yields an Error", async () => {
    const controller = new AbortController();
    controller.abort("bye");
    const r = await expandSecrets({ A: "lit" }, { env: {}, fs: noFs, signal: controller.signal });
    assert.ok(r.error instanceof Error);
  });
});
