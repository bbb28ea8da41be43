import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import * as v from "valibot";
import { parseTemplateSchemas } from "../../src/schema/template-yaml.ts";
import { validateAgainstSchema } from "../../src/schema/validate.ts";
import { parseYamlDocuments } from "../../src/schema/yaml-text.ts";
import { config } from "./engram.ts";
import { echoStreamYaml } from "./gen-template.ts";

const committed = readFileSync(new URL("./Engram.yaml", import.meta.url), "utf8");

test("Engram.yaml is what engramTemplateYaml generates from the valibot schema", () => {
  assert.equal(
    committed,
    echoStreamYaml(),
    "regenerate with: bun run examples/echo-stream/gen-template.ts > examples/echo-stream/Engram.yaml",
  );
});

test("the template supports deployment mode", () => {
  const doc = parseYamlDocuments(committed)[0] as { spec: { supportedModes: string[] } };
  assert.ok(doc.spec.supportedModes.includes("deployment"));
});

test("the template's configSchema accepts and rejects what valibot does", () => {
  const schema = parseTemplateSchemas(committed).configSchema;
  assert.ok(schema);
  const samples: unknown[] = [{}, { field: "name" }, { field: "" }, { field: 3 }, { prefix: ">" }, { prefix: null }];
  for (const sample of samples) {
    const expected = v.safeParse(config, sample).success;
    assert.equal(validateAgainstSchema(sample, schema, { label: "config" }).valid, expected, JSON.stringify(sample));
  }
});
