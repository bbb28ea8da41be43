import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import * as v from "valibot";
import { parseTemplateSchemas } from "../../src/schema/template-yaml.ts";
import { validateAgainstSchema } from "../../src/schema/validate.ts";
import { impulseYaml } from "./gen-template.ts";
import { githubPushImpulse, PushInputs, toInputs } from "./impulse.ts";

const committed = readFileSync(new URL("./Impulse.yaml", import.meta.url), "utf8");
const push = { ref: "refs/heads/main", after: "abc", repository: { full_name: "octo/repo" }, pusher: { name: "mona" } };

describe("webhook-impulse example", () => {
  test("a push becomes the Story inputs; other events are ignored", () => {
    assert.deepEqual(toInputs(push, new Headers({ "x-github-event": "push" })), {
      repository: "octo/repo",
      ref: "refs/heads/main",
      commit: "abc",
      pusher: "mona",
    });
    assert.equal(toInputs(push, new Headers({ "x-github-event": "issues" })), undefined);
    assert.throws(() => toInputs({ ref: 1 }, new Headers({ "x-github-event": "push" })));
  });

  test("Impulse.yaml is the generated ImpulseTemplate", () => {
    assert.equal(
      committed,
      impulseYaml() + (impulseYaml().endsWith("\n") ? "" : "\n"),
      "regenerate: bun run examples/webhook-impulse/gen-template.ts > examples/webhook-impulse/Impulse.yaml",
    );
    const schemas = parseTemplateSchemas(committed);
    assert.equal(schemas.kind, "ImpulseTemplate");
    for (const sample of [
      { repository: "a", ref: "b", commit: "c" },
      { repository: "a" },
      { repository: "a", ref: "b", commit: 1 },
    ]) {
      assert.equal(
        validateAgainstSchema(sample, schemas.contextSchema, { label: "context" }).valid,
        v.safeParse(PushInputs, sample).success,
      );
    }
  });

  test("the impulse declares the webhook config schema", () => {
    assert.equal(githubPushImpulse.name, "github-push");
    assert.ok(githubPushImpulse.schemas?.config);
  });
});
