import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as v from "valibot";
import { parse } from "yaml";
import { toJsonSchema } from "../../src/schema/from-valibot.ts";
import {
  engramTemplateManifest,
  impulseTemplateManifest,
  TemplateManifestError,
} from "../../src/schema/template-manifest.ts";
import { engramTemplateYaml, impulseTemplateYaml, parseTemplateSchemas } from "../../src/schema/template-yaml.ts";
import { compileSchema } from "../../src/schema/validate.ts";
import { assertTemplatePayload } from "../../src/schema/validation-error.ts";
import { crdValidationSchema } from "./crd-schema.ts";

type Obj = Record<string, unknown>;

const engramCrd = compileSchema(crdValidationSchema("catalog.bubustack.io_engramtemplates.yaml"), { normalize: false });
const impulseCrd = compileSchema(crdValidationSchema("catalog.bubustack.io_impulsetemplates.yaml"), {
  normalize: false,
});

const Config = v.object({
  timeout: v.optional(v.pipe(v.string(), v.description("Go duration")), "30s"),
  retries: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(10)), 3),
});
const Inputs = v.object({
  url: v.pipe(v.string(), v.url()),
  method: v.optional(v.picklist(["GET", "POST"]), "GET"),
  headers: v.optional(v.record(v.string(), v.string())),
});
const Output = v.object({ status: v.pipe(v.number(), v.integer()), body: v.nullable(v.string()) });

const engramOptions = {
  name: "http-client",
  version: "1.2.3",
  description: "HTTP client: yes, with retries",
  image: "ghcr.io/acme/http-client:1.2.3",
  supportedModes: ["job", "deployment"] as const,
  config: Config,
  inputs: Inputs,
  output: Output,
  secrets: {
    token: {
      required: true,
      description: "API token",
      mountType: "env" as const,
      envPrefix: "HTTP",
      expectedKeys: ["token"],
    },
  },
  declaredOutputKeys: ["status", "body"],
  execution: { timeout: "5m", job: { recommendedBackoffLimit: 2 } },
  labels: { "app.kubernetes.io/part-of": "demo" },
};

describe("engramTemplateYaml", () => {
  const text = engramTemplateYaml(engramOptions);
  const doc = parse(text, { version: "1.1" }) as Obj;

  test("is an EngramTemplate of catalog.bubustack.io/v1alpha1 with the generated schemas", () => {
    assert.equal(doc.apiVersion, "catalog.bubustack.io/v1alpha1");
    assert.equal(doc.kind, "EngramTemplate");
    assert.deepEqual(doc.metadata, { name: "http-client", labels: { "app.kubernetes.io/part-of": "demo" } });
    const spec = doc.spec as Obj;
    assert.deepEqual(Object.keys(spec), [
      "version",
      "description",
      "image",
      "supportedModes",
      "configSchema",
      "inputSchema",
      "outputSchema",
      "secretSchema",
      "declaredOutputKeys",
      "execution",
    ]);
    assert.deepEqual(spec.configSchema, toJsonSchema(Config));
    assert.deepEqual(spec.inputSchema, toJsonSchema(Inputs));
    assert.deepEqual(spec.outputSchema, toJsonSchema(Output, { typeMode: "output" }));
    assert.deepEqual(spec.supportedModes, ["job", "deployment"]);
    assert.equal(spec.description, "HTTP client: yes, with retries");
  });

  test("reads the same under YAML 1.1 (Kubernetes) and YAML 1.2", () => {
    assert.deepEqual(parse(text), doc);
    assert.deepEqual(doc, JSON.parse(JSON.stringify(engramTemplateManifest(engramOptions))));
  });

  test("is accepted by the CRD's openAPIV3Schema", () => {
    const result = engramCrd(doc);
    assert.deepEqual(result, { valid: true });
  });

  test("a minimal template is accepted too (supportedModes defaults to job)", () => {
    const minimal = parse(engramTemplateYaml({ name: "min", version: "0.0.1" }), { version: "1.1" }) as Obj;
    assert.deepEqual(minimal.spec, { version: "0.0.1", supportedModes: ["job"] });
    assert.equal(engramCrd(minimal).valid, true);
  });

  test("the CRD check is real: it rejects what the API server would reject", () => {
    const spec = doc.spec as Obj;
    const mutate = (patch: Obj): Obj => ({ ...doc, spec: { ...spec, ...patch } });
    const noModes = { ...doc, spec: { ...spec, supportedModes: undefined } };
    const cases: Obj[] = [
      JSON.parse(JSON.stringify(noModes)),
      mutate({ supportedModes: ["cronjob"] }),
      mutate({ supportedModes: [] }),
      mutate({ image: "x".repeat(513) }),
      mutate({ contextSchema: {} }),
      mutate({ secretSchema: { s: { mountType: "volume" } } }),
      mutate({ inputSchema: "not an object" }),
    ];
    for (const bad of cases) assert.equal(engramCrd(bad).valid, false, JSON.stringify(bad.spec).slice(0, 120));
  });

  test("parseTemplateSchemas reads the schemas back and they validate payloads", () => {
    const schemas = parseTemplateSchemas(text);
    assert.equal(schemas.kind, "EngramTemplate");
    assert.equal(schemas.name, "http-client");
    assert.equal(schemas.version, "1.2.3");
    assert.deepEqual(schemas.inputSchema, toJsonSchema(Inputs));
    assert.deepEqual(schemas.outputSchema, toJsonSchema(Output, { typeMode: "output" }));
    assert.deepEqual(schemas.configSchema, toJsonSchema(Config));
    assert.deepEqual(schemas.secretSchema, {
      token: { required: true, description: "API token", mountType: "env", envPrefix: "HTTP", expectedKeys: ["token"] },
    });
    assert.equal(schemas.contextSchema, undefined);
    assertTemplatePayload("input", "http-client", { url: "https://example.com/x" }, schemas.inputSchema);
    assert.throws(
      () => assertTemplatePayload("input", "http-client", { url: "https://x", method: "PUT" }, schemas.inputSchema),
      /\[method: /,
    );
    assertTemplatePayload("output", "http-client", { status: 200, body: null }, schemas.outputSchema);
  });
});

describe("YAML 1.1 safety", () => {
  test("strings that YAML 1.1 would read as booleans, numbers or merges stay strings", () => {
    const tricky = [
      "yes",
      "No",
      "on",
      "OFF",
      "y",
      "n",
      "true",
      "null",
      "~",
      "12:30",
      "0755",
      "1e3",
      "0x1F",
      "<<",
      "- x",
      "#c",
      "a: b",
      " lead",
      "\u2028",
      "\u0085",
      "\ufeff",
      "tab\there",
      "",
    ];
    const text = engramTemplateYaml({
      name: "tricky",
      version: "1",
      inputs: { type: "object", properties: { "<<": { enum: tricky }, yes: { type: "string" } } },
    });
    for (const version of ["1.1", "1.2"] as const) {
      const inputSchema = (parse(text, { version }) as { spec: { inputSchema: Obj } }).spec.inputSchema;
      assert.deepEqual((inputSchema.properties as Obj)["<<"], { enum: tricky }, `YAML ${version}`);
      assert.deepEqual(Object.keys(inputSchema.properties as Obj), ["<<", "yes"]);
    }
    assert.doesNotMatch(text, /[\u2028\u0085\ufeff]/);
  });

  test("the template-string pattern survives", () => {
    const text = engramTemplateYaml({
      name: "p",
      version: "1",
      inputs: { type: "object", "x-bubu-allow-template-strings": true },
    });
    assert.equal(parseTemplateSchemas(text).inputSchema?.["x-bubu-allow-template-strings"], true);
  });
});

describe("impulseTemplateYaml", () => {
  const Context = v.object({ repository: v.string(), ref: v.string(), commits: v.array(v.object({ id: v.string() })) });
  const options = {
    name: "github-webhook",
    version: "0.3.0",
    image: "ghcr.io/acme/github-webhook:0.3.0",
    config: v.object({ path: v.optional(v.string(), "/webhook") }),
    context: Context,
    secrets: { webhook: { required: true, mountType: "file" as const, mountPath: "/etc/webhook" } },
    deliveryPolicy: {
      dedupe: { mode: "key" as const, keyTemplate: "{{ .event.id }}" },
      retry: { maxAttempts: 5, baseDelay: "1s", backoff: "exponential" as const },
    },
  };
  const doc = parse(impulseTemplateYaml(options), { version: "1.1" }) as Obj;

  test("is an ImpulseTemplate with contextSchema, accepted by its CRD", () => {
    assert.equal(doc.kind, "ImpulseTemplate");
    const spec = doc.spec as Obj;
    assert.deepEqual(spec.supportedModes, ["deployment"]);
    assert.deepEqual(spec.contextSchema, toJsonSchema(Context, { typeMode: "output" }));
    assert.equal(spec.inputSchema, undefined);
    assert.deepEqual(impulseCrd(doc), { valid: true });
  });

  test("engram-only fields are rejected by the ImpulseTemplate CRD", () => {
    const bad = { ...doc, spec: { ...(doc.spec as Obj), inputSchema: { type: "object" } } };
    assert.equal(impulseCrd(bad).valid, false);
    const badPolicy = { ...doc, spec: { ...(doc.spec as Obj), deliveryPolicy: { dedupe: { mode: "hash" } } } };
    assert.equal(impulseCrd(badPolicy).valid, false);
  });

  test("parseTemplateSchemas returns the context schema", () => {
    const schemas = parseTemplateSchemas(impulseTemplateYaml(options));
    assert.equal(schemas.kind, "ImpulseTemplate");
    assert.deepEqual(schemas.contextSchema, toJsonSchema(Context, { typeMode: "output" }));
    assert.equal(schemas.inputSchema, undefined);
  });
});

describe("template option errors", () => {
  const cases: Array<[string, () => unknown, string]> = [
    ["upper-case name", () => engramTemplateManifest({ name: "Bad_Name", version: "1" }), "name"],
    ["empty version", () => engramTemplateManifest({ name: "a", version: " " }), "version"],
    [
      "four modes",
      () =>
        engramTemplateManifest({
          name: "a",
          version: "1",
          supportedModes: ["job", "deployment", "statefulset", "job"],
        }),
      "supportedModes",
    ],
    [
      "duplicate mode",
      () => engramTemplateManifest({ name: "a", version: "1", supportedModes: ["job", "job"] }),
      "supportedModes",
    ],
    [
      "unknown mode",
      () => engramTemplateManifest({ name: "a", version: "1", supportedModes: ["cron" as "job"] }),
      "supportedModes",
    ],
    ["long image", () => engramTemplateManifest({ name: "a", version: "1", image: "i".repeat(513) }), "image"],
    ["non-object inputs", () => engramTemplateManifest({ name: "a", version: "1", inputs: v.string() }), "inputs"],
    [
      "unconvertible output",
      () => engramTemplateManifest({ name: "a", version: "1", output: v.object({ at: v.date() }) }),
      "output",
    ],
    [
      "external $ref",
      () => engramTemplateManifest({ name: "a", version: "1", config: { $ref: "https://x/c.json" } }),
      "config",
    ],
    [
      "bad mount type",
      () => engramTemplateManifest({ name: "a", version: "1", secrets: { s: { mountType: "volume" as "env" } } }),
      "secrets.s.mountType",
    ],
    [
      "unknown secret field",
      () => engramTemplateManifest({ name: "a", version: "1", secrets: { s: { mountpath: "/x" } as never } }),
      "secrets.s.mountpath",
    ],
    [
      "bad dedupe mode",
      () => impulseTemplateManifest({ name: "a", version: "1", deliveryPolicy: { dedupe: { mode: "hash" as "key" } } }),
      "deliveryPolicy.dedupe.mode",
    ],
    [
      "negative attempts",
      () => impulseTemplateManifest({ name: "a", version: "1", deliveryPolicy: { retry: { maxAttempts: -1 } } }),
      "deliveryPolicy.retry.maxAttempts",
    ],
  ];
  for (const [name, fn, field] of cases) {
    test(name, () => {
      assert.throws(
        fn,
        (err: unknown) =>
          err instanceof TemplateManifestError && err.field === field && err.message.startsWith(`${field}: `),
      );
    });
  }

  test("the unconvertible field is named in the message", () => {
    assert.throws(
      () => engramTemplateManifest({ name: "a", version: "1", output: v.object({ at: v.date() }) }),
      (err: unknown) => err instanceof Error && /^output: cannot convert output\.at to JSON Schema/.test(err.message),
    );
  });
});

describe("parseTemplateSchemas input handling", () => {
  test("finds the template in a multi-document stream and reads JSON too", () => {
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\n${engramTemplateYaml({ name: "two", version: "2", inputs: v.object({ a: v.string() }) })}`;
    assert.equal(parseTemplateSchemas(text).name, "two");
    const json = JSON.stringify({
      apiVersion: "catalog.bubustack.io/v1alpha1",
      kind: "EngramTemplate",
      metadata: { name: "j" },
      spec: { version: "1", outputSchema: { type: "object" } },
    });
    assert.deepEqual(parseTemplateSchemas(json).outputSchema, { type: "object" });
  });

  test("hand-written YAML 1.1 booleans are read as Kubernetes reads them", () => {
    const text =
      "apiVersion: catalog.bubustack.io/v1alpha1\nkind: EngramTemplate\nmetadata: {name: h}\nspec:\n  version: '1'\n  inputSchema:\n    type: object\n    properties:\n      flag: {enum: [yes, no]}\n";
    assert.deepEqual((parseTemplateSchemas(text).inputSchema?.properties as Obj).flag, { enum: [true, false] });
  });

  test("errors: no template, wrong group, invalid YAML, non-object schema", () => {
    assert.throws(() => parseTemplateSchemas("apiVersion: v1\nkind: ConfigMap\n"), TypeError);
    assert.throws(() => parseTemplateSchemas("apiVersion: bubustack.io/v1alpha1\nkind: EngramTemplate\n"), TypeError);
    assert.throws(() => parseTemplateSchemas(""), TypeError);
    assert.throws(() => parseTemplateSchemas("a: [1, 2\nb: {"), SyntaxError);
    assert.throws(
      () =>
        parseTemplateSchemas(
          "apiVersion: catalog.bubustack.io/v1alpha1\nkind: EngramTemplate\nspec:\n  inputSchema: [1]\n",
        ),
      /spec\.inputSchema must be an object/,
    );
  });
});
