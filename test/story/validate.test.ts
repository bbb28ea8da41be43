// What the cluster refuses at `kubectl apply` (CRD schema and rules, the Story webhook), and
// YAML read as kubectl reads it.

import assert from "node:assert/strict";
import { test } from "node:test";
import { parseManifests, StoryLoadError } from "../../src/story/load.ts";
import type { Story } from "../../src/story/types.ts";
import { StoryValidationError, storyIssues, validateStory } from "../../src/story/validate.ts";

function story(stepsYaml: string, extra = ""): Story {
  return parseManifests(
    `apiVersion: bubustack.io/v1alpha1\nkind: Story\nmetadata: { name: s }\nspec:\n${extra}  steps:\n${stepsYaml}`,
  ).stories[0]!;
}

const messages = (s: Story): string[] => storyIssues(s).map((i) => `${i.field}: ${i.message}`);

test("a valid Story has no issues", () => {
  const s = story(
    `    - { name: a, ref: { name: e } }\n    - { name: b, ref: { name: e }, needs: [a], if: "{{ eq inputs.x 1 }}", with: { v: "{{ steps.a.output.v }}" } }\n`,
  );
  assert.deepEqual(storyIssues(s), []);
  validateStory(s);
});

test("the CRD's rules: exactly one of ref or type, unique names, the name pattern, the type enum", () => {
  const both = story(`    - { name: a, ref: { name: e }, type: condition }\n`);
  assert.ok(messages(both).includes(`spec: Invalid value: "object": each step must set exactly one of ref or type`));
  assert.ok(messages(both).includes("spec.steps[0]: step 'a' must not set both ref and type"));
  const dup = story(`    - { name: a, type: condition }\n    - { name: a, type: condition }\n`);
  assert.ok(messages(dup).includes(`spec: Invalid value: "object": step names must be unique`));
  assert.ok(messages(dup).includes("spec.steps[1].name: duplicate step name 'a'"));
  const badName = story(`    - { name: Bad_Name, type: condition }\n`);
  assert.match(messages(badName).join("\n"), /spec\.steps\[0\]\.name: Invalid value: "Bad_Name": .* should match/);
  const badType = story(`    - { name: a, type: loop }\n`);
  assert.match(messages(badType).join("\n"), /spec\.steps\[0\]\.type: Unsupported value: "loop"/);
  const none = parseManifests(
    `apiVersion: bubustack.io/v1alpha1\nkind: Story\nmetadata: { name: s }\nspec: { steps: [] }\n`,
  ).stories[0]!;
  assert.match(
    messages(none).join("\n"),
    /spec\.steps: Invalid value: 0: spec\.steps in body should have at least 1 items/,
  );
});

test('YAML 1.1 as kubectl reads it: a step named off is the boolean false, a key y becomes "true"', () => {
  const s = story(`    - { name: off, type: condition }\n    - { name: a, ref: { name: e }, with: { y: 1 } }\n`);
  assert.equal((s.spec.steps[0] as unknown as { name: unknown }).name, false);
  assert.deepEqual(s.spec.steps[1]!.with, { true: 1 });
  assert.match(
    messages(s).join("\n"),
    /spec\.steps\[0\]\.name: Invalid value: "boolean": spec\.steps\[0\]\.name in body must be of type string/,
  );
  const b = story(`    - { name: a, type: condition, if: true }\n`);
  assert.match(messages(b).join("\n"), /spec\.steps\[0\]\.if: .* must be of type string/);
});

test("the webhook: unknown and self needs, cycles per block, requires paths", () => {
  const unknown = story(`    - { name: a, type: condition, needs: [zz] }\n`);
  assert.ok(messages(unknown).includes("spec.steps: step 'a' lists unknown dependency 'zz' in needs"));
  const self = story(`    - { name: a, type: condition, needs: [a] }\n`);
  assert.ok(messages(self).includes("spec.steps[0].needs: step 'a' cannot depend on itself in needs"));
  const cycle = story(
    `    - { name: a, type: condition, needs: [b] }\n    - { name: b, type: condition, needs: [a] }\n`,
  );
  assert.ok(messages(cycle).includes("spec.steps: steps contains a dependency cycle involving step(s): a, b"));
  const req = story(
    `    - { name: a, type: condition }\n    - { name: b, type: condition, requires: [steps.a.output.x, inputs.y, steps.c.output] }\n`,
  );
  assert.deepEqual(messages(req).sort(), [
    `spec.steps[1].requires[0]: requires references step "a" which is not upstream (add it to needs or needs chain)`,
    `spec.steps[1].requires[1]: requires path must start with 'steps.', got "inputs.y"`,
    `spec.steps[1].requires[2]: requires references unknown step "c"`,
  ]);
});

test("the webhook: primitive shapes, with must be an object, templates parse and avoid env", () => {
  const es = story(`    - { name: a, type: executeStory, with: { storyRef: {} } }\n`);
  assert.ok(
    messages(es).includes("spec.steps[0]: step 'a' of type 'executeStory' requires 'with.storyRef.name' to be set"),
  );
  const wait = story(`    - { name: a, type: wait, with: { until: "{{ true }}", pollInterval: 1ms } }\n`);
  assert.ok(messages(wait).includes("spec.steps[0]: step 'a' has wait pollInterval shorter than 10ms"));
  const gate = story(`    - { name: a, type: gate, with: { onTimeout: later } }\n`);
  assert.ok(
    messages(gate).includes(
      `spec.steps[0]: step 'a' has invalid gate onTimeout: unsupported value "later" (expected fail or skip)`,
    ),
  );
  const withList = story(`    - { name: a, ref: { name: e }, with: [1] }\n`);
  assert.ok(messages(withList).includes("spec.steps[0].with: spec.steps[0].with must be a JSON object"));
  const env = story(`    - { name: a, ref: { name: e }, with: { k: "{{ env \\"HOME\\" }}" } }\n`);
  assert.ok(messages(env).includes("spec.steps[0].with.k: template expression uses disallowed function 'env'"));
  const syntax = story(`    - { name: a, type: condition, if: "{{ if }}" }\n`);
  assert.equal(storyIssues(syntax)[0]!.field, "spec.steps[0].if");
  const timeout = story(`    - { name: a, type: condition }\n`, `  policy: { timeouts: { step: "-1s" } }\n`);
  assert.ok(messages(timeout).includes("spec.policy.timeouts.step: duration must be positive"));
});

test("validateStory throws one error naming every issue", () => {
  const s = story(`    - { name: a, type: condition, needs: [zz] }\n    - { name: a, type: condition }\n`);
  assert.throws(
    () => validateStory(s),
    (err: unknown) => {
      assert.ok(err instanceof StoryValidationError);
      assert.ok(err.issues.length >= 2);
      assert.match(err.message, /^Story "s" is invalid: \[/);
      return true;
    },
  );
});

test("manifests: several documents, a List, other kinds skipped, wrong groups and bad YAML refused", () => {
  const m = parseManifests(
    `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\n---\napiVersion: v1\nkind: List\nitems:\n  - { apiVersion: bubustack.io/v1alpha1, kind: Engram, metadata: { name: e }, spec: {} }\n`,
    "f.yaml",
  );
  assert.equal(m.engrams.length, 1);
  assert.match(m.warnings[0]!, /f\.yaml: document 1: kind "ConfigMap" is not read/);
  assert.throws(
    () => parseManifests(`apiVersion: v1\nkind: Story\nmetadata: { name: s }\nspec: {}\n`, "g.yaml"),
    /g\.yaml: document: Story must have apiVersion bubustack\.io\/v1alpha1/,
  );
  assert.throws(
    () => parseManifests(`a: [`, "h.yaml"),
    (e: unknown) => e instanceof StoryLoadError && /h\.yaml: invalid YAML/.test(e.message),
  );
});
