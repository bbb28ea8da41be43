import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { normalizeSchema, SchemaNormalizationError } from "../../src/schema/normalize.ts";
import { validateAgainstSchema } from "../../src/schema/validate.ts";

type Obj = Record<string, unknown>;

const STORAGE = {
  type: "object",
  additionalProperties: false,
  properties: {
    $bubuStorageRef: { type: "string" },
    $bubuStoragePath: { type: "string" },
    $bubuStorageContentType: { type: "string" },
    $bubuStorageSchema: { type: "string" },
    $bubuStorageSchemaVersion: { type: "string" },
  },
  required: ["$bubuStorageRef"],
};
const objectRef = (key: string) => ({
  type: "object",
  additionalProperties: false,
  properties: {
    [key]: {
      anyOf: [
        { type: "string" },
        {
          type: "object",
          additionalProperties: false,
          properties: {
            name: { type: "string" },
            key: { type: "string" },
            namespace: { type: "string" },
            format: { type: "string", enum: ["auto", "json", "raw"] },
          },
          required: ["name", "key"],
        },
      ],
    },
  },
  required: [key],
});
const CONFIGMAP = objectRef("$bubuConfigMapRef");
const SECRET = objectRef("$bubuSecretRef");
const TEMPLATE = { type: "string", pattern: "^\\s*\\$?\\{\\{[\\s\\S]+\\}\\}\\s*$" };
const REFS = [STORAGE, CONFIGMAP, SECRET];

const norm = (schema: unknown): Obj => normalizeSchema(schema) as Obj;

describe("normalizeSchema: external $ref", () => {
  test("a $ref that does not start with # is rejected with Go's message", () => {
    assert.throws(
      () => normalizeSchema({ properties: { a: { $ref: "https://example.com/a.json" } } }),
      (err: unknown) =>
        err instanceof SchemaNormalizationError &&
        err.message === 'external schema reference "https://example.com/a.json" is not allowed',
    );
  });

  test("the reference is trimmed (Go TrimSpace) and quoted as Go's %q", () => {
    assert.throws(() => normalizeSchema({ items: [{ $ref: "\u0085 other.json\t" }] }), {
      message: 'external schema reference "other.json" is not allowed',
    });
    assert.throws(() => normalizeSchema({ $ref: 'a"b\\c\u0001\u00a0é' }), {
      message: 'external schema reference "a\\"b\\\\c\\x01\\u00a0é" is not allowed',
    });
  });

  test("refs are found anywhere, even inside default values", () => {
    assert.throws(() => normalizeSchema({ default: { nested: [{ $ref: "x.json" }] } }), SchemaNormalizationError);
  });

  test("local, empty and non-string $ref values pass", () => {
    const schema = {
      definitions: { s: { type: "string" } },
      properties: { a: { $ref: "#/definitions/s" }, b: { $ref: "  " }, c: { $ref: 5 }, $ref: { type: "string" } },
    };
    assert.deepEqual(normalizeSchema(schema), schema);
  });
});

describe("normalizeSchema: boolean required", () => {
  test("required: true moves into the parent's required array; false is dropped", () => {
    const out = norm({
      type: "object",
      required: ["b"],
      properties: {
        a: { type: "string", required: true },
        b: { type: "string", required: true },
        c: { type: "string", required: false },
        d: { type: "object", properties: { e: { required: true } } },
      },
    });
    assert.deepEqual(out, {
      type: "object",
      required: ["b", "a"],
      properties: {
        a: { type: "string" },
        b: { type: "string" },
        c: { type: "string" },
        d: { type: "object", properties: { e: {} }, required: ["e"] },
      },
    });
  });

  test("a non-array parent required is replaced; a root boolean required is left alone", () => {
    assert.deepEqual(norm({ required: "x", properties: { a: { required: true } } }).required, ["a"]);
    assert.equal(norm({ required: true, properties: { a: {} } }).required, true);
    // Only boolean flags are lifted: an array `required` on a property is its own list.
    assert.deepEqual(norm({ properties: { a: { required: ["z"] } } }), { properties: { a: { required: ["z"] } } });
  });

  test("without a true flag, no required array is added", () => {
    assert.deepEqual(norm({ properties: { a: { required: false } } }), { properties: { a: {} } });
  });
});

describe("normalizeSchema: x-bubu-allow-runtime-refs / x-bubu-allow-template-strings", () => {
  test("runtime refs wrap the node in anyOf, keeping title and description", () => {
    const original = { type: "string", title: "T", description: "D", "x-bubu-allow-runtime-refs": true };
    assert.deepEqual(norm(original), { anyOf: [original, ...REFS], title: "T", description: "D" });
  });

  test("template strings add the pattern alternative; both keywords add refs then the template", () => {
    const t = { type: "number", "x-bubu-allow-template-strings": true };
    assert.deepEqual(norm(t), { anyOf: [t, TEMPLATE] });
    const both = { type: "number", "x-bubu-allow-template-strings": true, "x-bubu-allow-runtime-refs": true };
    assert.deepEqual(norm(both), { anyOf: [both, ...REFS, TEMPLATE] });
  });

  test("an existing anyOf/oneOf gets the alternatives appended instead of a wrapper", () => {
    // `{}` branches are never widened, so the anyOf itself receives the alternatives.
    const any = norm({ anyOf: [{}], "x-bubu-allow-runtime-refs": true });
    assert.deepEqual(any, { anyOf: [{}, ...REFS], "x-bubu-allow-runtime-refs": true });
    const one = norm({ oneOf: [{ type: "string" }, { type: "number" }], "x-bubu-allow-template-strings": true });
    assert.deepEqual(one.oneOf, [{ type: "string" }, { type: "number" }, TEMPLATE]);
    assert.equal(one.anyOf, undefined);
  });

  test("alternatives already present are not appended twice", () => {
    const schema = {
      oneOf: [{ type: "integer" }, STORAGE, TEMPLATE],
      "x-bubu-allow-runtime-refs": true,
      "x-bubu-allow-template-strings": true,
    };
    assert.equal((norm(schema).oneOf as unknown[]).length, 3);
    // Nested inside an alternative's own anyOf counts too.
    const nested = { oneOf: [{ anyOf: [SECRET] }], "x-bubu-allow-runtime-refs": true };
    assert.equal((norm(nested).oneOf as unknown[]).length, 1);
  });

  test("a ref schema itself and an empty schema are not wrapped (their children still are, as in Go)", () => {
    const ref = norm({ ...STORAGE, "x-bubu-allow-runtime-refs": true });
    assert.equal(ref.anyOf, undefined);
    assert.equal(ref.additionalProperties, false);
    assert.equal((((ref.properties as Obj).$bubuStorageRef as Obj).anyOf as unknown[]).length, 4);
    const out = norm({ type: "object", "x-bubu-allow-runtime-refs": true, properties: { any: {} } });
    assert.deepEqual((out.anyOf as Obj[])[0].properties, { any: {} });
  });

  test("the keyword is inherited by properties, items, additionalProperties, patternProperties, definitions, $defs, not, allOf and anyOf", () => {
    const wrappedString = { anyOf: [{ type: "string" }, ...REFS] };
    const out = norm({
      "x-bubu-allow-runtime-refs": true,
      type: "object",
      properties: { p: { type: "string" }, deep: { type: "object", properties: { q: { type: "string" } } } },
      items: { type: "string" },
      additionalProperties: { type: "string" },
      patternProperties: { "^x-": { type: "string" } },
      definitions: { d: { type: "string" } },
      $defs: { e: { type: "string" } },
      not: { type: "string" },
      allOf: [{ type: "string" }],
    });
    const inner = (out.anyOf as Obj[])[0];
    const props = inner.properties as Obj;
    assert.deepEqual(props.p, wrappedString);
    const deep = ((props.deep as Obj).anyOf as Obj[])[0];
    assert.deepEqual((deep.properties as Obj).q, wrappedString);
    assert.deepEqual(inner.items, wrappedString);
    assert.deepEqual(inner.additionalProperties, wrappedString);
    assert.deepEqual((inner.patternProperties as Obj)["^x-"], wrappedString);
    assert.deepEqual((inner.definitions as Obj).d, wrappedString);
    assert.deepEqual((inner.$defs as Obj).e, wrappedString);
    assert.deepEqual(inner.not, wrappedString);
    assert.deepEqual(inner.allOf, [wrappedString]);
    // anyOf branches are widened too, so the parent's anyOf gets nothing more.
    const anyOut = norm({ "x-bubu-allow-template-strings": true, anyOf: [{ type: "integer" }, { type: "boolean" }] });
    assert.deepEqual(anyOut.anyOf, [
      { anyOf: [{ type: "integer" }, TEMPLATE] },
      { anyOf: [{ type: "boolean" }, TEMPLATE] },
    ]);
  });

  test("tuple items (an array) are widened element by element", () => {
    const out = norm({
      "x-bubu-allow-template-strings": true,
      type: "array",
      items: [{ type: "integer" }, { type: "boolean" }],
    });
    const inner = (out.anyOf as Obj[])[0];
    assert.deepEqual(inner.items, [
      { anyOf: [{ type: "integer" }, TEMPLATE] },
      { anyOf: [{ type: "boolean" }, TEMPLATE] },
    ]);
  });

  test("oneOf branches are not widened: the oneOf node gets the alternatives once", () => {
    const out = norm({
      type: "object",
      "x-bubu-allow-runtime-refs": true,
      properties: { mode: { oneOf: [{ const: "a" }, { type: "object", properties: { x: { type: "string" } } }] } },
    });
    const mode = ((out.anyOf as Obj[])[0].properties as Obj).mode as Obj;
    const branches = mode.oneOf as Obj[];
    assert.equal(branches.length, 2 + REFS.length);
    assert.deepEqual(branches[0], { const: "a" });
    // Not even the grandchildren of a oneOf branch inherit the keyword.
    assert.deepEqual(branches[1], { type: "object", properties: { x: { type: "string" } } });
    assert.deepEqual(branches.slice(2), REFS);
  });

  test("a keyword inside a oneOf branch still applies to that branch", () => {
    const out = norm({ oneOf: [{ type: "integer", "x-bubu-allow-template-strings": true }, { type: "boolean" }] });
    assert.deepEqual((out.oneOf as Obj[])[0], {
      anyOf: [{ type: "integer", "x-bubu-allow-template-strings": true }, TEMPLATE],
    });
    assert.deepEqual((out.oneOf as Obj[])[1], { type: "boolean" });
  });

  test("a nested false switches inheritance off for that subtree; non-boolean values are ignored", () => {
    const out = norm({
      type: "object",
      "x-bubu-allow-runtime-refs": true,
      properties: {
        off: { type: "object", "x-bubu-allow-runtime-refs": false, properties: { s: { type: "string" } } },
        odd: { type: "string", "x-bubu-allow-runtime-refs": "no" },
      },
    });
    const props = (out.anyOf as Obj[])[0].properties as Obj;
    assert.deepEqual(props.off, {
      type: "object",
      "x-bubu-allow-runtime-refs": false,
      properties: { s: { type: "string" } },
    });
    assert.equal(((props.odd as Obj).anyOf as unknown[]).length, 4);
  });
});

describe("normalizeSchema: input handling", () => {
  test("the input is not modified", () => {
    const input = { properties: { a: { type: "string", required: true, "x-bubu-allow-runtime-refs": true } } };
    const before = JSON.stringify(input);
    normalizeSchema(input);
    assert.equal(JSON.stringify(input), before);
  });

  test("boolean schemas pass; other non-objects are rejected", () => {
    assert.equal(normalizeSchema(true), true);
    for (const bad of [null, [], "{}", 3, undefined])
      assert.throws(() => normalizeSchema(bad), SchemaNormalizationError);
    assert.throws(() => normalizeSchema({ big: 1n }), SchemaNormalizationError);
  });

  test("a property named __proto__ stays a property", () => {
    const input = JSON.parse('{"properties":{"__proto__":{"type":"string","required":true}}}');
    const out = norm(input);
    assert.deepEqual(Object.keys(out.properties as Obj), ["__proto__"]);
    assert.deepEqual(out.required, ["__proto__"]);
    assert.equal(Object.getPrototypeOf(out.properties), Object.prototype);
  });
});

describe("normalized schemas accept runtime values", () => {
  const schema = {
    type: "object",
    properties: {
      count: { type: "integer", "x-bubu-allow-runtime-refs": true, "x-bubu-allow-template-strings": true },
      plain: { type: "integer" },
    },
  };
  const cases: Array<[unknown, boolean]> = [
    [{ count: 3 }, true],
    [{ count: { $bubuStorageRef: "s3://b/k", $bubuStoragePath: "p" } }, true],
    [{ count: { $bubuStorageRef: "s3://b/k", other: 1 } }, false],
    [{ count: { $bubuConfigMapRef: "cm:key" } }, true],
    [{ count: { $bubuSecretRef: { name: "s", key: "k", format: "json" } } }, true],
    [{ count: { $bubuSecretRef: { name: "s", key: "k", format: "yaml" } } }, false],
    [{ count: { $bubuSecretRef: { name: "s" } } }, false],
    [{ count: "{{ .inputs.n }}" }, true],
    [{ count: "  ${{ steps.a.output }}\n" }, true],
    [{ count: "{{}}" }, false],
    [{ count: "three" }, false],
    [{ plain: "{{ .inputs.n }}" }, false],
    [{ plain: { $bubuStorageRef: "x" } }, false],
  ];
  for (const [value, ok] of cases) {
    test(`${JSON.stringify(value)} → ${ok ? "valid" : "invalid"}`, () => {
      assert.equal(validateAgainstSchema(value, schema).valid, ok);
    });
  }
});
