import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { EnvError } from "../../src/env/errors.ts";
import {
  collectConfigOverrides,
  collectSecretDescriptors,
  collectSecrets,
  mergeConfig,
  parseJsonObjectEnv,
  parseTransports,
} from "../../src/env/payload.ts";
import { envReader } from "../../src/env/source.ts";

function envErr(variable: string, message: RegExp): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof EnvError, `expected EnvError, got ${String(err)}`);
    assert.equal(err.code, "invalid_env");
    assert.equal(err.variable, variable);
    assert.match(err.message, message);
    return true;
  };
}

describe("JSON object variables", () => {
  for (const name of ["BUBU_TRIGGER_DATA", "BUBU_STEP_CONFIG", "BUBU_TEMPLATE_CONTEXT"]) {
    test(`${name}: absent, blank and null are absent`, () => {
      assert.equal(parseJsonObjectEnv(name, undefined), undefined);
      assert.equal(parseJsonObjectEnv(name, ""), undefined);
      assert.equal(parseJsonObjectEnv(name, " \n\t "), undefined);
      assert.equal(parseJsonObjectEnv(name, "null"), undefined);
    });
    test(`${name}: an object parses`, () => {
      assert.deepEqual(parseJsonObjectEnv(name, ' {"a":1,"b":[true,null]} '), { a: 1, b: [true, null] });
    });
    test(`${name}: invalid JSON names the variable and the position`, () => {
      assert.throws(
        () => parseJsonObjectEnv(name, '{"a":1,}'),
        envErr(
          name,
          new RegExp(
            `^${name}: invalid JSON at line 1, column 8 \\(offset 7\\): unexpected character '}', expected a string key$`,
          ),
        ),
      );
    });
    test(`${name}: a non-object is rejected`, () => {
      assert.throws(() => parseJsonObjectEnv(name, "[1]"), envErr(name, /expected a JSON object, got an array/));
      assert.throws(() => parseJsonObjectEnv(name, '"x"'), envErr(name, /got a string/));
      assert.throws(() => parseJsonObjectEnv(name, "3"), envErr(name, /got a number/));
    });
  }
  test("__proto__ keys stay plain data", () => {
    const obj = parseJsonObjectEnv("BUBU_STEP_CONFIG", '{"__proto__":{"polluted":1}}');
    assert.ok(obj);
    assert.equal(Object.getPrototypeOf(obj), Object.prototype);
    assert.deepEqual(Object.keys(obj), ["__proto__"]);
  });
});

describe("BUBU_TRANSPORTS", () => {
  test("absent, blank, null and [] give []", () => {
    for (const raw of [undefined, "", "  ", "null", "[]"]) assert.deepEqual(parseTransports(raw), []);
  });
  test("parses descriptors, trims, defaults mode to hot", () => {
    const raw = JSON.stringify([
      { name: " a ", kind: " livekit ", typedConfig: { transportRef: " ref-a ", modeReason: "primary" } },
      {
        name: "b",
        kind: "storage",
        mode: " fallback ",
        typed_config: { transport_ref: "ref-b", mode_reason: "backup" },
      },
      { name: "c", kind: "k", typedConfig: { transportRef: "", modeReason: "  " } },
      { name: "d", kind: "k", typedConfig: { modeReason: "why", transport_ref: "alias-ref" } },
    ]);
    assert.deepEqual(parseTransports(raw), [
      { name: "a", kind: "livekit", mode: "hot", typedConfig: { transportRef: "ref-a", modeReason: "primary" } },
      { name: "b", kind: "storage", mode: "fallback", typedConfig: { transportRef: "ref-b", modeReason: "backup" } },
      { name: "c", kind: "k", mode: "hot" },
      { name: "d", kind: "k", mode: "hot", typedConfig: { transportRef: "alias-ref", modeReason: "why" } },
    ]);
  });
  test("typedConfig wins over typed_config even when it is not an object (as Go)", () => {
    const raw = JSON.stringify([{ name: "a", kind: "k", typedConfig: "x", typed_config: { transportRef: "r" } }]);
    assert.deepEqual(parseTransports(raw), [{ name: "a", kind: "k", mode: "hot" }]);
  });
  test("primary key wins over the alias", () => {
    const raw = JSON.stringify([{ name: "a", kind: "k", typedConfig: { transportRef: "p", transport_ref: "alias" } }]);
    assert.deepEqual(parseTransports(raw)[0].typedConfig, { transportRef: "p" });
  });
  const bad: [string, RegExp][] = [
    ['[{"kind":"k"}]', /^BUBU_TRANSPORTS\[0\]: name is required$/],
    ['[{"name":"  ","kind":"k"}]', /^BUBU_TRANSPORTS\[0\]: name is required$/],
    ['[{"name":5,"kind":"k"}]', /^BUBU_TRANSPORTS\[0\]: name is required$/],
    ['[{"name":"a"}]', /^BUBU_TRANSPORTS\[0\]: kind is required$/],
    ["[null]", /^BUBU_TRANSPORTS\[0\]: name is required$/],
    ['[{"name":"a","kind":"k"},{"name":"a","kind":"j"}]', /^BUBU_TRANSPORTS\[1\]: duplicate transport name "a"$/],
    ['[{"name":"a","kind":"k","mode":"HOT"}]', /^BUBU_TRANSPORTS\[0\]: mode "HOT" must be hot or fallback$/],
    ['[{"name":"a","kind":"k","mode":"cold"}]', /mode "cold" must be hot or fallback/],
    ["[1]", /^BUBU_TRANSPORTS\[0\]: expected a JSON object, got a number$/],
    ['{"name":"a"}', /^BUBU_TRANSPORTS: expected a JSON array, got an object$/],
    ["[{]", /^BUBU_TRANSPORTS: invalid JSON at line 1, column 3 \(offset 2\)/],
  ];
  for (const [raw, message] of bad) {
    test(`rejects ${raw}`, () => assert.throws(() => parseTransports(raw), envErr("BUBU_TRANSPORTS", message)));
  }
});

describe("BUBU_CONFIG_<KEY> overrides", () => {
  const env = {
    BUBU_CONFIG_apiUrl: "https://x",
    BUBU_CONFIG_MAX: "5",
    BUBU_CONFIG_: "ignored",
    BUBU_CONFIG_HYDRATION_MAX_DEPTH: "32",
    BUBU_CONFIG_HYDRATION_MAX_NODES: "100",
    BUBU_CONFIG___proto__: "safe",
    bubu_config_lower: "not a match",
    BUBU_STEP_CONFIG: '{"apiUrl":"old","keep":1}',
  };
  test("keys keep their case; values are raw strings; tunables are excluded", () => {
    const overrides = collectConfigOverrides(envReader(env));
    assert.deepEqual(Object.keys(overrides).sort(), ["MAX", "__proto__", "apiUrl"]);
    assert.equal(overrides.apiUrl, "https://x");
    assert.equal(overrides.MAX, "5");
    assert.equal(Object.getPrototypeOf(overrides), Object.prototype);
  });
  test("overrides win over BUBU_STEP_CONFIG", () => {
    const base = parseJsonObjectEnv("BUBU_STEP_CONFIG", env.BUBU_STEP_CONFIG);
    const merged = mergeConfig(base, collectConfigOverrides(envReader(env)));
    assert.equal(merged.apiUrl, "https://x");
    assert.equal(merged.keep, 1);
    assert.equal(merged.MAX, "5");
    assert.equal(base?.apiUrl, "old", "the base object is not mutated");
  });
  test("overrides apply to an empty config", () => {
    assert.deepEqual(mergeConfig(undefined, { a: "1" }), { a: "1" });
  });
  test("a getter source has no overrides", () => {
    assert.deepEqual(collectConfigOverrides(envReader((n) => (n === "BUBU_CONFIG_a" ? "1" : undefined))), {});
  });
});

describe("BUBU_SECRET_<NAME> descriptors", () => {
  const env = {
    BUBU_SECRET_API: "env:API_",
    BUBU_SECRET_DB: "file:/etc/bubu/secrets/db",
    BUBU_SECRET_DB_NAME: "db-secret",
    BUBU_SECRET_BUCKET__KEY: "x",
    BUBU_SECRET_: "empty",
    BUBU_SECRET_TOKEN: "literal-s3cr3t-value",
  };
  test("skips _NAME, __ and the empty name", () => {
    assert.deepEqual(collectSecretDescriptors(envReader(env)), {
      API: "env:API_",
      DB: "file:/etc/bubu/secrets/db",
      TOKEN: "literal-s3cr3t-value",
    });
  });
  test("the holder never prints values", () => {
    const secrets = collectSecrets(envReader(env));
    assert.deepEqual(secrets.names(), ["API", "DB", "TOKEN"]);
    assert.equal(secrets.get("TOKEN"), "literal-s3cr3t-value");
    assert.equal(secrets.has("DB_NAME"), false);
    const printed = [String(secrets), `${secrets}`, JSON.stringify(secrets), JSON.stringify({ secrets })];
    for (const text of printed) assert.doesNotMatch(text, /s3cr3t|file:|env:API_/);
    assert.deepEqual(JSON.parse(JSON.stringify(secrets)), { API: "[REDACTED]", DB: "[REDACTED]", TOKEN: "[REDACTED]" });
    assert.deepEqual(secrets.reveal(), {
      API: "env:API_",
      DB: "file:/etc/bubu/secrets/db",
      TOKEN: "literal-s3cr3t-value",
    });
  });
});

describe("redaction", () => {
  test("inspectors never show secret values", async () => {
    const { inspect } = await import("node:util");
    const secrets = collectSecrets(envReader({ BUBU_SECRET_API: "file:/very/secret/path" }));
    const text = inspect({ secrets, nested: { secrets } }, { depth: 5 });
    assert.doesNotMatch(text, /very\/secret/);
    assert.match(text, /SecretDescriptors\(API\)/);
    const { SecretString } = await import("../../src/env/redacted.ts");
    const s = new SecretString("hunter2");
    assert.doesNotMatch(inspect({ s }), /hunter2/);
    assert.equal(`${s}`, "[REDACTED]");
    assert.equal(JSON.stringify({ s }), '{"s":"[REDACTED]"}');
    assert.equal(s.reveal(), "hunter2");
  });
  test("messages never echo secret-bearing variables", async () => {
    const { describeValue, isSensitiveEnvName } = await import("../../src/env/errors.ts");
    for (const name of [
      "BUBU_SECRET_X",
      "BUBU_S3_SECRET_ACCESS_KEY",
      "BUBU_S3_SESSION_TOKEN",
      "AWS_SECRET_ACCESS_KEY",
      "AWS_SESSION_TOKEN",
    ]) {
      assert.equal(isSensitiveEnvName(name), true, name);
      assert.equal(describeValue(name, "hunter2"), "(value hidden)");
    }
    assert.equal(isSensitiveEnvName("BUBU_STEP_TIMEOUT"), false);
    assert.equal(describeValue("BUBU_STEP_TIMEOUT", "5x"), '"5x"');
  });
});
