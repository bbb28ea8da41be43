import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { format, inspect } from "node:util";
import { compareCodePoints, MissingSecretError, REDACTED_SECRETS, Secrets } from "../../src/engram/secrets.ts";
import { BubuError } from "../../src/errors/bubu-error.ts";

const VALUES = ["sk-live-AAAA1111", "pw-BBBB2222", "tok-CCCC3333"];
const make = (): Secrets => new Secrets({ API_KEY: VALUES[0]!, DB_PASSWORD: VALUES[1]!, "sub/token": VALUES[2]! });

function assertNoValues(text: string, how: string): void {
  for (const value of VALUES) assert.ok(!text.includes(value), `${how} leaked ${value}: ${text}`);
}

describe("Secrets API", () => {
  test("get / has / size", () => {
    const s = make();
    assert.equal(s.get("API_KEY"), VALUES[0]);
    assert.equal(s.get("missing"), undefined);
    assert.ok(s.has("DB_PASSWORD"));
    assert.ok(!s.has("db_password"));
    assert.equal(s.size, 3);
  });

  test("getAll maps every key to [REDACTED]", () => {
    assert.deepEqual(make().getAll(), { API_KEY: "[REDACTED]", DB_PASSWORD: "[REDACTED]", "sub/token": "[REDACTED]" });
    assert.deepEqual(new Secrets().getAll(), {});
  });

  test("names are sorted by code point (Go byte order), not by locale", () => {
    const s = new Secrets({ b: "1", B: "2", a: "3", "\u{1F600}": "4", "\uFFFD": "5" });
    assert.deepEqual(s.names(), ["B", "a", "b", "\uFFFD", "\u{1F600}"]);
    // A plain UTF-16 sort would put the surrogate pair first.
    assert.ok(compareCodePoints("\u{1F600}", "\uFFFD") > 0);
    assert.equal(compareCodePoints("a", "a"), 0);
    assert.ok(compareCodePoints("a", "ab") < 0);
  });

  test("select returns the plaintext subset, ignoring missing keys", () => {
    assert.deepEqual(make().select("API_KEY", "nope"), { API_KEY: VALUES[0] });
    assert.deepEqual(make().select(), {});
  });

  test("raw returns a plaintext copy; mutating it does not change the set", () => {
    const s = make();
    const copy = s.raw();
    assert.deepEqual(copy, { API_KEY: VALUES[0], DB_PASSWORD: VALUES[1], "sub/token": VALUES[2] });
    copy.API_KEY = "changed";
    assert.equal(s.get("API_KEY"), VALUES[0]);
  });

  test("the constructor copies its input", () => {
    const input: Record<string, string> = { A: "1" };
    const s = new Secrets(input);
    input.A = "2";
    assert.equal(s.get("A"), "1");
    assert.equal(new Secrets([["k", "v"]]).get("k"), "v");
  });

  test("a __proto__ key is stored and returned as an own property", () => {
    const s = new Secrets([["__proto__", "x"]]);
    assert.equal(s.get("__proto__"), "x");
    assert.deepEqual(Object.keys(s.raw()), ["__proto__"]);
    assert.deepEqual(Object.keys(s.getAll()), ["__proto__"]);
  });

  test("require returns the value or throws naming only the key", () => {
    const s = make();
    assert.equal(s.require("DB_PASSWORD"), VALUES[1]);
    assert.throws(
      () => s.require("STRIPE_KEY"),
      (err: unknown) => {
        assert.ok(err instanceof MissingSecretError);
        assert.ok(err instanceof BubuError);
        assert.equal(err.message, 'missing required secret "STRIPE_KEY"');
        assert.equal(err.key, "STRIPE_KEY");
        assert.equal(err.type, "initialization_error");
        assertNoValues(JSON.stringify(err) + inspect(err) + String(err.stack), "MissingSecretError");
        return true;
      },
    );
  });
});

describe("Secrets redaction", () => {
  test("JSON.stringify, alone and nested", () => {
    const s = make();
    assert.equal(JSON.stringify(s), `"${REDACTED_SECRETS}"`);
    const nested = JSON.stringify({ config: { secrets: s }, list: [s] });
    assert.equal(nested, '{"config":{"secrets":"[redacted secrets]"},"list":["[redacted secrets]"]}');
  });

  test("String(), template literal, concatenation, toString", () => {
    const s = make();
    assert.equal(String(s), REDACTED_SECRETS);
    assert.equal(`${s}`, REDACTED_SECRETS);
    assert.equal("" + s, REDACTED_SECRETS);
    assert.equal(s.toString(), REDACTED_SECRETS);
    assert.equal([s].join(","), REDACTED_SECRETS);
  });

  test("util.inspect and util.format (what console.log uses in Node and Bun)", () => {
    const s = make();
    assert.equal(inspect(s), REDACTED_SECRETS);
    assert.equal(inspect(s, { showHidden: true, depth: Infinity }), REDACTED_SECRETS);
    const nested = inspect({ a: { b: { s } }, m: new Map([["k", s]]) }, { depth: 10 });
    assert.ok(nested.includes(REDACTED_SECRETS));
    assertNoValues(nested, "nested inspect");
    for (const spec of ["%s", "%o", "%O", "%j", "%d"]) assertNoValues(format(spec, s), `format ${spec}`);
    assertNoValues(format(s), "format(s)");
    // console.dir in Node turns custom inspection off; the private field still hides the values.
    assertNoValues(inspect(s, { customInspect: false, showHidden: true, depth: Infinity }), "customInspect:false");
  });

  test("Deno.inspect when running on Deno", () => {
    const deno = (globalThis as { Deno?: { inspect(v: unknown, o?: unknown): string } }).Deno;
    if (deno === undefined) return; // only meaningful on Deno; the console test covers all three
    const s = make();
    assert.equal(deno.inspect(s), REDACTED_SECRETS);
    assertNoValues(deno.inspect({ nested: { s } }, { depth: 10, showHidden: true }), "Deno.inspect");
  });

  test("no own enumerable or hidden properties: Object.keys / entries / ownKeys / spread", () => {
    const s = make();
    assert.deepEqual(Object.keys(s), []);
    assert.deepEqual(Object.entries(s), []);
    assert.deepEqual(Object.getOwnPropertyNames(s), []);
    assert.deepEqual(Reflect.ownKeys(s), []);
    assert.deepEqual({ ...s }, {});
    assert.deepEqual(Object.assign({}, s), {});
    for (const key in s) assert.fail(`enumerable key ${key}`);
  });

  test("structuredClone carries no values", () => {
    const cloned: unknown = structuredClone(make());
    assert.deepEqual(cloned, {});
    assertNoValues(JSON.stringify(cloned), "structuredClone");
    const nested: unknown = structuredClone({ s: make() });
    assertNoValues(JSON.stringify(nested), "structuredClone nested");
  });

  test("not iterable: spreading into an array fails instead of exposing values", () => {
    assert.throws(() => [...(make() as unknown as Iterable<unknown>)], TypeError);
  });

  test("errors mentioning the object stay redacted", () => {
    const err = new Error(`config was ${make()}`);
    assertNoValues(err.message, "error message");
  });
});
