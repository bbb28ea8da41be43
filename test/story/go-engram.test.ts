// A Go engram (bubu-sdk-go v0.1.5 binary) in a local Story, next to a TypeScript one: the Go SDK
// reaches the runner's API through the same kubeconfig and writes its StepRun status.

import assert from "node:assert/strict";
import { test } from "node:test";
import { goHelloBinary, goHelloSkip } from "./go-engram.ts";
import { fixtureCommand, run } from "./support.ts";

test("a Go SDK engram binary runs as a step; its output feeds the next step; its failure is its own status", {
  skip: goHelloSkip(),
  timeout: 600_000,
}, async () => {
  const bin = await goHelloBinary();
  const r = await run(
    `
apiVersion: bubustack.io/v1alpha1
kind: Story
metadata: { name: go-mix }
spec:
  steps:
    - name: greet
      ref: { name: go-hello }
      with: { name: "{{ inputs.who }}" }
    - name: echo
      ref: { name: fixture }
      with: { got: "{{ steps.greet.output.message }}" }
    - name: go-fails
      ref: { name: go-hello }
      needs: [echo]
      allowFailure: true
      with: { fail: true }
`,
    { inputs: { who: "Go" }, engrams: { "go-hello": [bin], fixture: fixtureCommand() } },
  );
  assert.equal(r.phase, "Succeeded", r.message);
  assert.deepEqual(r.steps.greet!.output, { message: "Hello, Go!" });
  assert.equal(((r.steps.echo!.output as Record<string, unknown>).inputs as Record<string, unknown>).got, "Hello, Go!");
  const failed = r.steps["go-fails"]!;
  assert.equal(failed.phase, "Failed");
  assert.equal(failed.attempts!.length, 1, "the Go SDK wrote Failed: no retry");
  assert.equal(failed.attempts![0]!.statusPhase, "Failed");
  assert.match(failed.message ?? "", /asked to fail/);
});
