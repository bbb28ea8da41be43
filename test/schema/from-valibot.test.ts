import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as v from "valibot";
import { DRAFT_07_URI, SchemaConversionError, toJsonSchema } from "../../src/schema/from-valibot.ts";
import { compileSchema } from "../../src/schema/validate.ts";

interface Shape {
  readonly name: string;
  readonly schema: v.GenericSchema;
  readonly samples: ReadonlyArray<readonly [unknown, boolean]>;
}

type TreeNode = { name: string; children?: TreeNode[] };
const Tree: v.GenericSchema<TreeNode> = v.object({
  name: v.string(),
  children: v.optional(v.array(v.lazy(() => Tree))),
});

const shapes: Shape[] = [
  {
    name: "flat object",
    schema: v.object({ s: v.string(), n: v.number(), b: v.boolean() }),
    samples: [
      [{ s: "a", n: 1, b: true }, true],
      [{ s: "a", n: 1, b: true, extra: 1 }, true],
      [{ s: "a", n: 1 }, false],
      [{ s: 1, n: 1, b: true }, false],
      ["not an object", false],
      [null, false],
    ],
  },
  {
    // valibot's isoDateTime/isoTime take no seconds or offset; JSON Schema's date-time/time need
    // both, so the template carries valibot's own pattern instead. isoTimestamp is RFC 3339.
    name: "ISO date-time, time and timestamp as valibot reads them",
    schema: v.object({
      at: v.optional(v.pipe(v.string(), v.isoDateTime())),
      time: v.optional(v.pipe(v.string(), v.isoTime())),
      stamp: v.optional(v.pipe(v.string(), v.isoTimestamp())),
    }),
    samples: [
      [{ at: "2026-01-01T09:30" }, true],
      [{ at: "2026-01-01T09:30:00Z" }, false],
      [{ time: "09:30" }, true],
      [{ time: "09:30:00Z" }, false],
      [{ stamp: "2026-01-01T09:30:00Z" }, true],
      [{ stamp: "2026-01-01T09:30" }, false],
    ],
  },
  {
    name: "optional fields",
    schema: v.object({ id: v.string(), note: v.optional(v.string()), n: v.optional(v.number(), 3) }),
    samples: [
      [{ id: "x" }, true],
      [{ id: "x", note: "n", n: 2 }, true],
      [{ id: "x", note: null }, false],
      [{ note: "n" }, false],
    ],
  },
  {
    name: "array with length bounds",
    schema: v.pipe(v.array(v.string()), v.minLength(1), v.maxLength(3)),
    samples: [
      [["a"], true],
      [["a", "b", "c"], true],
      [[], false],
      [["a", "b", "c", "d"], false],
      [["a", 1], false],
    ],
  },
  {
    name: "picklist",
    schema: v.picklist(["small", "medium", "large"]),
    samples: [
      ["small", true],
      ["large", true],
      ["huge", false],
      [1, false],
    ],
  },
  {
    name: "enum",
    schema: v.enum({ Low: 1, High: 2 }),
    samples: [
      [1, true],
      [2, true],
      [3, false],
      ["Low", false],
    ],
  },
  {
    name: "integer with min/max",
    schema: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(10)),
    samples: [
      [0, true],
      [10, true],
      [5, true],
      [-1, false],
      [11, false],
      [2.5, false],
      ["5", false],
    ],
  },
  {
    name: "number with exclusive bounds",
    schema: v.pipe(v.number(), v.gtValue(0), v.ltValue(1)),
    samples: [
      [0.5, true],
      [0, false],
      [1, false],
    ],
  },
  {
    name: "string with regex and length",
    schema: v.pipe(v.string(), v.regex(/^[a-z]+-\d+$/), v.maxLength(10)),
    samples: [
      ["abc-1", true],
      ["abc-12345", true],
      ["ABC-1", false],
      ["abcdefgh-12", false],
      ["abc", false],
    ],
  },
  {
    name: "email",
    schema: v.object({ email: v.pipe(v.string(), v.email()) }),
    samples: [
      [{ email: "ada@example.com" }, true],
      [{ email: "first.last@sub.example.org" }, true],
      [{ email: "ada@" }, false],
      [{ email: "ada example.com" }, false],
      [{ email: "@example.com" }, false],
    ],
  },
  {
    name: "nested objects",
    schema: v.object({
      user: v.object({
        name: v.string(),
        address: v.object({ city: v.string(), zip: v.pipe(v.string(), v.length(5)) }),
      }),
    }),
    samples: [
      [{ user: { name: "a", address: { city: "c", zip: "12345" } } }, true],
      [{ user: { name: "a", address: { city: "c", zip: "1234" } } }, false],
      [{ user: { name: "a", address: { zip: "12345" } } }, false],
      [{ user: { name: "a" } }, false],
    ],
  },
  {
    name: "union",
    schema: v.union([v.string(), v.pipe(v.number(), v.minValue(10))]),
    samples: [
      ["x", true],
      [10, true],
      [9, false],
      [true, false],
    ],
  },
  {
    name: "record",
    schema: v.record(v.string(), v.pipe(v.number(), v.integer())),
    samples: [
      [{}, true],
      [{ a: 1, b: 2 }, true],
      [{ a: 1.5 }, false],
      [{ a: "1" }, false],
    ],
  },
  {
    name: "nullable and nullish",
    schema: v.object({ a: v.nullable(v.string()), b: v.nullish(v.number()) }),
    samples: [
      [{ a: null }, true],
      [{ a: "x", b: null }, true],
      [{ a: "x", b: 2 }, true],
      [{ b: 2 }, false],
      [{ a: 1 }, false],
      [{ a: null, b: "2" }, false],
    ],
  },
  {
    name: "strict object",
    schema: v.strictObject({ a: v.string() }),
    samples: [
      [{ a: "x" }, true],
      [{ a: "x", b: 1 }, false],
    ],
  },
  {
    name: "literal and variant",
    schema: v.variant("kind", [
      v.object({ kind: v.literal("http"), url: v.string() }),
      v.object({ kind: v.literal("file"), path: v.string() }),
    ]),
    samples: [
      [{ kind: "http", url: "u" }, true],
      [{ kind: "file", path: "p" }, true],
      [{ kind: "http", path: "p" }, false],
      [{ kind: "ftp", url: "u" }, false],
    ],
  },
  {
    name: "tuple",
    schema: v.strictTuple([v.string(), v.number()]),
    samples: [
      [["a", 1], true],
      [["a"], false],
      [[1, "a"], false],
      [["a", 1, 2], false],
    ],
  },
  {
    name: "recursive (lazy)",
    schema: Tree,
    samples: [
      [{ name: "root" }, true],
      [{ name: "root", children: [{ name: "a", children: [{ name: "b" }] }] }, true],
      [{ name: "root", children: [{ name: "a", children: [{ nom: "b" }] }] }, false],
    ],
  },
];

describe("valibot → JSON Schema → @cfworker/json-schema agrees with valibot", () => {
  for (const shape of shapes) {
    test(shape.name, () => {
      const check = compileSchema(toJsonSchema(shape.schema));
      for (const [sample, expected] of shape.samples) {
        const label = `${shape.name}: ${JSON.stringify(sample)}`;
        assert.equal(v.safeParse(shape.schema, sample).success, expected, `valibot, ${label}`);
        assert.equal(check(sample).valid, expected, `JSON Schema, ${label}`);
      }
    });
  }
});

describe("known divergences (documented)", () => {
  test("valibot objects and records accept arrays; JSON Schema `type: object` does not", () => {
    // An array is never a JSON object, so the template schema is the stricter, correct one.
    for (const schema of [v.record(v.string(), v.number()), v.object({})]) {
      assert.equal(v.safeParse(schema, [1]).success, true);
      assert.equal(compileSchema(toJsonSchema(schema))([1]).valid, false);
    }
  });
});

describe("toJsonSchema output", () => {
  test("draft-07, $schema first, no empty required, plain JSON", () => {
    const schema = toJsonSchema(v.object({ a: v.optional(v.pipe(v.string(), v.description("A"))) }));
    assert.deepEqual(schema, {
      $schema: DRAFT_07_URI,
      type: "object",
      properties: { a: { type: "string", description: "A" } },
    });
    assert.equal(Object.keys(schema)[0], "$schema");
    assert.deepEqual(toJsonSchema(v.object({}), { schemaUri: false }), { type: "object", properties: {} });
  });

  test("recursive definitions live in draft-07 `definitions`", () => {
    const schema = toJsonSchema(Tree);
    assert.equal(schema.$defs, undefined);
    assert.ok(typeof schema.definitions === "object" && schema.definitions !== null);
    assert.match(JSON.stringify(schema), /"\$ref":"#\/definitions\//);
    assert.doesNotMatch(JSON.stringify(schema), /#\/\$defs\//);
  });

  test("defaults and titles are kept", () => {
    const schema = toJsonSchema(v.object({ n: v.optional(v.pipe(v.number(), v.title("N")), 3) }));
    assert.deepEqual((schema.properties as Record<string, unknown>).n, { type: "number", title: "N", default: 3 });
  });

  test("input mode stops before a transformation; output mode describes the result", () => {
    const schema = v.object({ n: v.pipe(v.string(), v.transform(Number), v.number()) });
    const input = toJsonSchema(schema);
    assert.deepEqual((input.properties as Record<string, unknown>).n, { type: "string" });
    const output = toJsonSchema(schema, { typeMode: "output" });
    assert.deepEqual((output.properties as Record<string, unknown>).n, { type: "number" });
  });
});

describe("unsupported valibot schemas name the field", () => {
  function conversionError(fn: () => unknown): SchemaConversionError {
    try {
      fn();
    } catch (err) {
      assert.ok(err instanceof SchemaConversionError, `unexpected ${String(err)}`);
      return err;
    }
    assert.fail("expected a SchemaConversionError");
  }

  test("a Date deep in an object", () => {
    const err = conversionError(() =>
      toJsonSchema(v.object({ user: v.object({ name: v.string(), born: v.date() }) }), { label: "inputs" }),
    );
    assert.equal(err.path, "inputs.user.born");
    assert.match(
      err.message,
      /^cannot convert inputs\.user\.born to JSON Schema: The "date" schema cannot be converted/,
    );
  });

  test("array items, quoted keys, union options", () => {
    assert.equal(
      conversionError(() => toJsonSchema(v.object({ tags: v.array(v.bigint()) }), { label: "inputs" })).path,
      "inputs.tags[*]",
    );
    assert.equal(
      conversionError(() => toJsonSchema(v.object({ "content-type": v.symbol() }), { label: "config" })).path,
      'config["content-type"]',
    );
    assert.equal(
      conversionError(() => toJsonSchema(v.union([v.string(), v.map(v.string(), v.string())]), { label: "x" })).path,
      "x (option 2)",
    );
    assert.equal(conversionError(() => toJsonSchema(v.record(v.string(), v.set(v.string())))).path, "schema.*");
  });

  test("an unsupported action is reported at its field", () => {
    const err = conversionError(() =>
      toJsonSchema(v.object({ code: v.pipe(v.string(), v.regex(/^x$/i)) }), { label: "inputs" }),
    );
    assert.equal(err.path, "inputs.code");
    assert.match(err.reason, /RegExp flags/);
  });

  test("a transformation without a following schema cannot describe an output", () => {
    const err = conversionError(() =>
      toJsonSchema(v.object({ n: v.pipe(v.string(), v.transform(Number)) }), { label: "output", typeMode: "output" }),
    );
    assert.equal(err.path, "output.n");
    assert.match(err.reason, /"transform" action/);
  });

  test("every part that cannot be converted is named in one error, in schema order", () => {
    const err = conversionError(() =>
      toJsonSchema(
        v.object({
          code: v.pipe(v.string(), v.regex(/^x$/i)),
          ok: v.string(),
          check: v.custom<string>((x) => typeof x === "string"),
          nested: v.object({ born: v.date() }),
        }),
        { label: "inputs" },
      ),
    );
    assert.deepEqual(
      err.failures.map((f) => f.path),
      ["inputs.code", "inputs.check", "inputs.nested.born"],
    );
    assert.equal(err.path, "inputs.code", "the first stays path/reason");
    assert.match(
      err.message,
      /^cannot convert 3 parts to JSON Schema: inputs\.code: .*RegExp flags.*; inputs\.check: /,
    );
  });

  test("a failing field next to a recursive reference", () => {
    type Bad = { self?: Bad; when: Date };
    const Bad: v.GenericSchema<Bad> = v.object({ self: v.optional(v.lazy(() => Bad)), when: v.date() });
    assert.equal(conversionError(() => toJsonSchema(Bad, { label: "inputs" })).path, "inputs.when");
  });

  test("a default that is not JSON", () => {
    const err = conversionError(() =>
      toJsonSchema(v.object({ n: v.optional(v.number(), Number.NaN) }), { label: "config" }),
    );
    assert.match(err.message, /#\/properties\/n\/default is NaN/);
  });
});
