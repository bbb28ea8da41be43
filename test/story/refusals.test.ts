// What the runner refuses before starting anything, and the StoryRuns the operator fails
// before any step runs (so no process starts in these tests).

import assert from "node:assert/strict";
import { test } from "node:test";
import { StoryRefusedError } from "../../src/story/run-story.ts";
import { StoryValidationError } from "../../src/story/validate.ts";
import { run } from "./support.ts";

const head = "apiVersion: bubustack.io/v1alpha1\nkind: Story\nmetadata: { name: r }\nspec:\n";

async function refusal(yaml: string, options: Parameters<typeof run>[1] = {}): Promise<string[]> {
  try {
    await run(head + yaml, options);
  } catch (err) {
    if (err instanceof StoryRefusedError) return [...err.reasons];
    throw err;
  }
  throw new Error("the Story ran");
}

test("refused with the step named: gate without a decision, realtime, streaming engrams, parallel branches without ref", {
  timeout: 120_000,
}, async () => {
  assert.match(
    (await refusal("  steps:\n    - { name: approve, type: gate }\n"))[0]!,
    /step 'approve' is a 'gate'.*--approve approve/,
  );
  assert.match(
    (await refusal("  pattern: realtime\n  steps:\n    - { name: a, ref: { name: fixture } }\n"))[0]!,
    /pattern 'realtime'/,
  );
  const streaming = `  steps:\n    - { name: a, ref: { name: live } }\n---\napiVersion: bubustack.io/v1alpha1\nkind: Engram\nmetadata: { name: live }\nspec: { mode: deployment }\n`;
  assert.match(
    (await refusal(streaming, { engrams: { live: "true" } })).join("\n"),
    /step 'a': Engram 'live' has mode 'deployment'/,
  );
  const branch =
    "  steps:\n    - name: p\n      type: parallel\n      with: { steps: [ { name: b1, type: condition } ] }\n";
  assert.match((await refusal(branch))[0]!, /parallel branch 'b1' has no 'ref'/);
});

test("refused: an Engram with no command in the map, a sub-Story that was not given", {
  timeout: 120_000,
}, async () => {
  const reasons = await refusal("  steps:\n    - { name: a, ref: { name: fixture } }\n", { engrams: {} });
  assert.deepEqual(reasons, ["step 'a': the engram map has no command for 'fixture' or 'fixture-template'"]);
  assert.match(
    (await refusal("  steps:\n    - { name: a, type: executeStory, with: { storyRef: { name: other } } }\n"))[0]!,
    /runs Story 'other', which was not given/,
  );
});

test("a gate with a decision runs: approve succeeds, reject fails", { timeout: 120_000 }, async () => {
  const approved = await run(head + "  steps:\n    - { name: ok, type: gate }\n", { gateDecisions: { ok: "approve" } });
  assert.equal(approved.phase, "Succeeded");
  assert.equal(approved.steps.ok!.message, "Gate approved.");
  const rejected = await run(head + "  steps:\n    - { name: deny, type: gate }\n", {
    gateDecisions: { deny: "reject" },
  });
  assert.equal(rejected.phase, "Failed");
  assert.equal(rejected.steps.deny!.message, "Gate rejected.");
});

test("an invalid Story is a StoryValidationError; nothing runs", { timeout: 120_000 }, async () => {
  await assert.rejects(
    run(head + "  steps:\n    - { name: a, ref: { name: fixture }, type: condition }\n"),
    StoryValidationError,
  );
});

test("the operator fails the StoryRun before any step: inputs schema, inputs over 5 KiB, an unknown implicit dependency", {
  timeout: 120_000,
}, async () => {
  const schema = await run(
    head +
      "  inputsSchema: { type: object, required: [name], properties: { name: { type: string } } }\n  steps:\n    - { name: a, ref: { name: fixture } }\n",
  );
  assert.equal(schema.phase, "Failed");
  assert.equal(schema.reason, "InputSchemaFailed");
  assert.match(
    schema.message,
    /^StoryRun inputs failed schema validation: object is invalid against Story inputs schema: \[/,
  );
  assert.equal(schema.steps.a!.phase, "");
  const big = await run(head + "  steps:\n    - { name: a, ref: { name: fixture } }\n", {
    inputs: { blob: "x".repeat(6000) },
  });
  assert.equal(big.reason, "InputTooLarge");
  assert.equal(big.message, "spec.inputs size 6011 bytes exceeds maximum of 5120");
  const graph = await run(
    head + "  steps:\n    - { name: a, ref: { name: fixture }, with: { v: '{{ steps.ghost.output.v }}' } }\n",
  );
  assert.equal(graph.phase, "Failed");
  assert.equal(graph.reason, "InvalidConfiguration");
  assert.equal(graph.message, "Invalid story dependency graph: unknown step dependencies: a->ghost");
  assert.deepEqual(graph.error, { type: "InvalidConfiguration", message: graph.message });
});

test("a Story timeout ends the run Timeout, without finally steps", { timeout: 120_000 }, async () => {
  const r = await run(
    head +
      "  policy: { timeouts: { story: 100ms } }\n  steps:\n    - { name: nap, type: sleep, with: { duration: 10s } }\n  finally:\n    - { name: f, type: condition }\n",
  );
  assert.equal(r.phase, "Timeout");
  assert.equal(r.reason, "TimedOut");
  assert.equal(r.message, "StoryRun exceeded timeout of 100ms.");
  assert.equal(r.steps.nap!.phase, "Paused");
  assert.equal(r.steps.f!.phase, "");
});

test("an Engram step whose merged with is over the inline limit fails without a StepRun", {
  timeout: 120_000,
}, async () => {
  const r = await run(
    head + `  steps:\n    - { name: a, ref: { name: fixture }, with: { blob: "${"x".repeat(4200)}" } }\n`,
  );
  assert.equal(r.phase, "Failed");
  assert.match(
    r.steps.a!.message!,
    new RegExp(`^step input for ${r.name}-a is 42\\d\\d bytes which exceeds the max inline limit of 4096 bytes`),
  );
  assert.equal(r.steps.a!.stepRun, undefined);
});

test("a sleep with a bad duration is accepted by the cluster and fails at run time", { timeout: 120_000 }, async () => {
  const r = await run(head + "  steps:\n    - { name: nap, type: sleep, with: { duration: soon } }\n");
  assert.equal(r.phase, "Failed");
  assert.match(r.steps.nap!.message!, /^step 'nap' has invalid sleep duration: parse duration: /);
});
