import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import * as v from "valibot";
import { templateYamlFor } from "../../src/cli/template-command.ts";
import { parseTemplateSchemas } from "../../src/schema/template-yaml.ts";
import { validateAgainstSchema } from "../../src/schema/validate.ts";
import { helloBatch, inputs } from "./engram.ts";

const committed = readFileSync(new URL("./Engram.yaml", import.meta.url), "utf8");

test("Engram.yaml is what `bubu template` generates from the valibot schemas", () => {
  const generated = templateYamlFor(helloBatch as never, {
    name: "hello-batch",
    version: "0.1.0",
    image: "ghcr.io/bubustack/hello-batch:0.1.0",
    description: "Greets someone (bubu-sdk-ts example)",
  });
  assert.equal(
    committed,
    generated,
    'regenerate with: bun run src/cli/bubu.ts template examples/hello-batch/engram.ts --name hello-batch --version 0.1.0 --image ghcr.io/bubustack/hello-batch:0.1.0 --description "Greets someone (bubu-sdk-ts example)" > examples/hello-batch/Engram.yaml',
  );
});

test("the template's inputSchema accepts and rejects what valibot does", () => {
  const schema = parseTemplateSchemas(committed).inputSchema;
  const samples: unknown[] = [
    { name: "a" },
    { name: "a", times: 3 },
    { name: "" },
    { times: 2 },
    { name: "a", times: 11 },
    { name: "a", times: 1.5 },
    { name: 7 },
  ];
  for (const sample of samples) {
    const expected = v.safeParse(inputs, sample).success;
    assert.equal(validateAgainstSchema(sample, schema, { label: "inputs" }).valid, expected, JSON.stringify(sample));
  }
});
