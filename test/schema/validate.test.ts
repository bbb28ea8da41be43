import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  compileSchema,
  formatSchemaIssue,
  SchemaCompileError,
  type SchemaValidationIssue,
  validateAgainstSchema,
} from "../../src/schema/validate.ts";

function issues(value: unknown, schema: unknown): SchemaValidationIssue[] {
  const result = validateAgainstSchema(value, schema);
  assert.equal(result.valid, false, "expected the value to be invalid");
  return result.valid ? [] : [...result.errors];
}

const user = {
  type: "object",
  required: ["name"],
  properties: {
    name: { type: "string", minLength: 1 },
    tags: { type: "array", items: { type: "string" } },
    address: { type: "object", properties: { zip: { type: "string", pattern: "^[0-9]{5}$" } } },
  },
};

describe("validateAgainstSchema", () => {
  test("a matching value is valid", () => {
    assert.deepEqual(validateAgainstSchema({ name: "Ada", tags: ["x"], address: { zip: "12345" } }, user), {
      valid: true,
    });
  });

  test("a nested failure reports the dotted path and the JSON pointer of the value", () => {
    const [first, ...rest] = issues({ name: "Ada", tags: ["a", 2] }, user);
    assert.equal(rest.length, 0);
    assert.equal(first.path, "tags.1");
    assert.equal(first.pointer, "/tags/1");
    assert.equal(first.keyword, "type");
    assert.match(first.message, /Expected "string"/);
  });

  test("a missing required property points at the property", () => {
    const [first] = issues({}, user);
    assert.deepEqual(first, {
      path: "name",
      pointer: "/name",
      keyword: "required",
      message: 'Required property "name" is missing.',
    });
  });

  test("all failures are listed, in document order, without wrapper noise", () => {
    const found = issues({ name: "", tags: "x", address: { zip: "1" } }, user);
    assert.deepEqual(
      found.map((i) => `${i.path}:${i.keyword}`),
      ["name:minLength", "tags:type", "address.zip:pattern"],
    );
  });

  test("additionalProperties: false names the extra property", () => {
    const found = issues({ a: 1, extra: true }, { type: "object", properties: { a: {} }, additionalProperties: false });
    assert.deepEqual(found, [
      {
        path: "extra",
        pointer: "/extra",
        keyword: "additionalProperties",
        message: 'Additional property "extra" is not allowed.',
      },
    ]);
  });

  test("an additionalProperties schema reports the inner failure", () => {
    const found = issues({ a: "x" }, { type: "object", additionalProperties: { type: "number" } });
    assert.deepEqual(
      found.map((i) => [i.path, i.keyword]),
      [["a", "type"]],
    );
  });

  test("anyOf/oneOf failures are one issue, not one per branch", () => {
    const schema = { type: "object", properties: { v: { anyOf: [{ type: "string" }, { type: "number" }] } } };
    assert.deepEqual(
      issues({ v: true }, schema).map((i) => [i.path, i.keyword]),
      [["v", "anyOf"]],
    );
    const one = { oneOf: [{ type: "number" }, { type: "integer" }, false] };
    assert.deepEqual(
      issues(3, one).map((i) => [i.path, i.keyword]),
      [["", "oneOf"]],
    );
  });

  test("allOf and $ref report the failures inside them", () => {
    const schema = {
      definitions: { pos: { type: "integer", minimum: 1 } },
      type: "object",
      properties: { n: { allOf: [{ $ref: "#/definitions/pos" }] } },
    };
    assert.deepEqual(
      issues({ n: 0 }, schema).map((i) => [i.path, i.keyword]),
      [["n", "minimum"]],
    );
  });

  test("dependencies: the array form is reported, the schema form reports its inner failure", () => {
    const schema = { dependencies: { card: ["billing"], vip: { required: ["since"] } } };
    const found = issues({ card: 1, vip: true }, schema);
    assert.deepEqual(
      found.map((i) => [i.path, i.keyword]),
      [
        ["", "dependencies"],
        ["since", "required"],
      ],
    );
    assert.match(found[0].message, /"card" but does not have "billing"/);
  });

  test("keys with '/', '~' and spaces keep their text in path and are escaped in the pointer", () => {
    const schema = { type: "object", additionalProperties: { type: "string" } };
    const [first] = issues({ "a/b ~c%": 1 }, schema);
    assert.equal(first.path, "a/b ~c%");
    assert.equal(first.pointer, "/a~1b ~0c%");
  });

  test("the value is validated as JSON: undefined members vanish, undefined is null, toJSON applies", () => {
    const schema = { type: "object", properties: { a: { type: "string" }, when: { type: "string" } } };
    assert.equal(validateAgainstSchema({ a: undefined, when: new Date(0) }, schema).valid, true);
    assert.equal(validateAgainstSchema(undefined, { type: "null" }).valid, true);
    assert.throws(() => validateAgainstSchema({ n: 1n }, {}), TypeError);
  });

  test("formats are checked (draft-07 email)", () => {
    const schema = { type: "string", format: "email" };
    assert.equal(validateAgainstSchema("a@example.com", schema).valid, true);
    assert.equal(validateAgainstSchema("not an email", schema).valid, false);
  });

  test("normalization runs first unless turned off", () => {
    const schema = { type: "integer", "x-bubu-allow-template-strings": true };
    assert.equal(validateAgainstSchema("{{ .x }}", schema).valid, true);
    assert.equal(validateAgainstSchema("{{ .x }}", schema, { normalize: false }).valid, false);
  });

  test("draft-04 is used when $schema names it (boolean exclusiveMinimum)", () => {
    const schema = {
      $schema: "http://json-schema.org/draft-04/schema#",
      type: "number",
      minimum: 5,
      exclusiveMinimum: true,
    };
    assert.equal(validateAgainstSchema(5, schema).valid, false);
    assert.equal(validateAgainstSchema(6, schema).valid, true);
    // Draft-07 numeric exclusiveMinimum.
    assert.equal(validateAgainstSchema(5, { type: "number", exclusiveMinimum: 5 }).valid, false);
    assert.equal(validateAgainstSchema(5.5, { type: "number", exclusiveMinimum: 5 }).valid, true);
  });

  test("a compiled schema validates many values", () => {
    const check = compileSchema({ type: "integer", maximum: 3 });
    assert.deepEqual(
      [1, 3, 4, 2.5].map((n) => check(n).valid),
      [true, true, false, false],
    );
  });
});

describe("unusable schemas", () => {
  test("an external $ref fails with Go's wrapped message", () => {
    assert.throws(
      () => compileSchema({ $ref: "other.json#/x" }, { label: "EngramTemplate tpl inputs" }),
      (err: unknown) =>
        err instanceof SchemaCompileError &&
        err.message ===
          'error validating against EngramTemplate tpl inputs schema: failed to normalize schema: external schema reference "other.json#/x" is not allowed',
    );
  });

  test("an unresolvable local $ref fails when it is reached", () => {
    const check = compileSchema({ properties: { a: { $ref: "#/definitions/missing" } } }, { label: "X" });
    assert.equal(check({}).valid, true);
    assert.throws(
      () => check({ a: 1 }),
      (err: unknown) =>
        err instanceof SchemaCompileError && err.message.startsWith("error validating against X schema: "),
    );
  });

  test("a root that is not a schema fails", () => {
    assert.throws(() => compileSchema([1, 2]), SchemaCompileError);
    assert.throws(() => compileSchema("string"), SchemaCompileError);
  });

  test("an invalid pattern fails", () => {
    const check = compileSchema({ type: "string", pattern: "([" });
    assert.throws(() => check("x"), SchemaCompileError);
  });
});

describe("formatSchemaIssue", () => {
  test("gojsonschema style: (root) for the root, the dotted path otherwise", () => {
    assert.equal(formatSchemaIssue({ path: "", pointer: "", keyword: "type", message: "m" }), "(root): m");
    assert.equal(formatSchemaIssue({ path: "a.0", pointer: "/a/0", keyword: "type", message: "m" }), "a.0: m");
  });
});
