// A `with` that reads a key its finished dependency did not produce: the operator fails the
// StepRun itself, with the reason only in its Ready condition (no lastFailureMsg, no message in
// the StoryRun's step state), as measured by the differential tests on the real operator.

import assert from "node:assert/strict";
import { test } from "node:test";
import { summarize } from "../../src/cli/story-command.ts";
import { run } from "./support.ts";

test("a missing key from a finished dependency fails the step as the operator does", { timeout: 120_000 }, async () => {
  const r = await run(`
apiVersion: bubustack.io/v1alpha1
kind: Story
metadata: { name: blocked }
spec:
  steps:
    - name: source
      ref: { name: fixture }
    - name: reader
      ref: { name: fixture }
      with: { missing: "{{ steps.source.output.nothing.here }}" }
`);
  assert.equal(r.phase, "Failed", r.message);
  assert.equal(r.message, "Story completed with failed step: reader.");
  assert.deepEqual(r.error, {
    type: "DependencyFailed",
    message: "Story completed with failed step: reader.",
    failedSteps: [{ name: "reader", phase: "Failed" }],
  });
  const reader = r.steps.reader!;
  assert.equal(reader.phase, "Failed");
  assert.equal(reader.message, undefined);
  assert.deepEqual(reader.attempts, [], "no process started");
  const status = reader.stepRun!.status as Record<string, unknown>;
  assert.equal(status.lastFailureMsg, undefined);
  assert.equal(status.exitClass, undefined);
  const ready = (status.conditions as Record<string, unknown>[]).find((c) => c.type === "Ready");
  assert.equal(ready?.status, "False");
  assert.equal(ready?.reason, "ExpressionFailed");
  const why = "Input resolution failed after dependencies completed: missing key at steps.source.output.nothing";
  assert.equal(ready?.message, why);
  // The summary still says why.
  assert.equal((summarize(r).steps as Record<string, Record<string, unknown>>).reader!.message, why);
});
