// The Story runner against a corpus of Stories, each Engram step a real process (the fixture
// engram, under the runtime that runs these tests). Asserted: every step's phase and message as
// the operator writes them, the pod environment of each attempt (what the process got, too), the
// StoryRun phase, reason, error and output.

import assert from "node:assert/strict";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { StoryRunResult } from "../../src/story/result.ts";
import { limiter, run, tempDir } from "./support.ts";

const limit = limiter(4);
// Every run starts now (at most four at a time); each test awaits its own.
function start(yaml: string, options: Parameters<typeof run>[1] = {}): Promise<StoryRunResult> {
  const p = limit(() => run(yaml, options));
  p.catch(() => {});
  return p;
}

const outputOf = (r: StoryRunResult, step: string): Record<string, unknown> =>
  r.steps[step]!.output as Record<string, unknown>;
const envOf = (r: StoryRunResult, step: string, attempt = 0): Readonly<Record<string, string>> =>
  r.steps[step]!.attempts![attempt]!.env;

const basics = start(
  `
apiVersion: bubustack.io/v1alpha1
kind: Story
metadata: { name: basics }
spec:
  inputsSchema:
    type: object
    properties:
      who: { type: string, default: world }
      count: { type: integer }
  steps:
    - name: first
      ref: { name: fixture }
      with: { greeting: "hi {{ inputs.who }}", count: "{{ inputs.count }}", label: "n={{ inputs.count }}" }
    - name: second-step
      ref: { name: fixture }
      with: { prev: "{{ steps.first.output.inputs.greeting }}" }
    - name: never
      ref: { name: fixture }
      if: '{{ eq inputs.who "nobody" }}'
    - name: after-never
      ref: { name: fixture }
      needs: [never]
      if: '{{ eq steps.first.output.inputs.greeting "hi world" }}'
      with: { alias: "{{ steps.second_step.output.inputs.prev }}" }
    - name: flaky
      ref: { name: fixture }
      allowFailure: true
      with: { mode: fail }
    - name: check
      type: condition
  output:
    greeting: "{{ steps.second_step.output.inputs.prev }}"
    count: "{{ steps.first.output.inputs.count }}"
`,
  { inputs: { count: 3 } },
);

test("a linear Story: with evaluated against inputs and steps, both payloads and the identity in the pod env", {
  timeout: 120_000,
}, async () => {
  const r = await basics;
  assert.equal(r.phase, "Succeeded", r.message);
  assert.equal(r.reason, "Completed");
  // With a Story output the operator's message does not name the allowed failures (it reads a
  // StoryRun where they were never stored); the report still lists them.
  assert.equal(r.message, "All steps completed successfully.");
  assert.deepEqual(r.allowedFailures, ["flaky"]);
  assert.deepEqual(r.output, { greeting: "hi world", count: 3 });
  assert.deepEqual(r.inputs, { count: 3, who: "world" });
  assert.deepEqual(Object.keys(r.steps), ["first", "second-step", "never", "after-never", "flaky", "check"]);

  // Engram with + step with (step wins) + inputSchema defaults, keys sorted as Go marshals a map;
  // a template that is one action keeps its type, mixed text becomes a string.
  const env = envOf(r, "first");
  const merged = '{"count":3,"greeting":"hi world","label":"n=3","mode":"echo","tag":"t1"}';
  assert.equal(env.BUBU_TRIGGER_DATA, merged);
  assert.equal(env.BUBU_STEP_CONFIG, merged);
  assert.equal(env.BUBU_TEMPLATE_CONTEXT, '{"inputs":{"count":3,"who":"world"},"steps":{}}');
  assert.equal(env.BUBU_STORY_NAME, "basics");
  assert.equal(env.BUBU_STORY_VERSION, "");
  assert.equal(env.BUBU_STORYRUN_ID, r.name);
  assert.equal(env.BUBU_STEP_NAME, "first");
  assert.equal(env.BUBU_STEPRUN_NAME, `${r.name}-first`);
  assert.equal(env.BUBU_STEPRUN_NAMESPACE, "default");
  assert.equal(env.BUBU_POD_NAMESPACE, "default");
  assert.match(env.BUBU_POD_NAME!, new RegExp(`^${r.name}-first-[a-z0-9]{5}$`));
  assert.equal(env.BUBU_SERVICE_ACCOUNT_NAME, `${r.name}-engram-runner`);
  assert.equal(env.BUBU_ENGRAM_NAME, "fixture");
  assert.equal(env.BUBU_ENGRAM_VERSION, "");
  assert.equal(env.BUBU_EXECUTION_MODE, "batch");
  assert.equal(env.BUBU_STEP_TIMEOUT, "30m0s");
  assert.equal(env.BUBU_MAX_INLINE_SIZE, "4096");
  assert.equal(env.BUBU_MAX_RECURSION_DEPTH, "32");
  assert.equal(env.BUBU_STORAGE_TIMEOUT, "300s");
  assert.equal(env.BUBU_GRPC_RECONNECT_BASE_BACKOFF, "500ms");
  assert.match(env.BUBU_STARTED_AT!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(env.BUBU_STORAGE_PROVIDER, undefined, "no storage policy, no storage");
  // What the process saw is what the runner recorded.
  const seen = outputOf(r, "first").env as Record<string, string>;
  for (const k of Object.keys(seen)) assert.equal(seen[k], env[k], k);
  assert.equal(r.steps.first!.stepRun!.kind, "StepRun");
  assert.equal((r.steps.first!.stepRun!.status as Record<string, unknown>).phase, "Succeeded");
});

test("the template context holds every Succeeded StepRun (output, outputs, signals), not failed or skipped steps", {
  timeout: 120_000,
}, async () => {
  const r = await basics;
  const ctx = JSON.parse(envOf(r, "after-never").BUBU_TEMPLATE_CONTEXT!) as {
    steps: Record<string, Record<string, unknown>>;
  };
  assert.deepEqual(Object.keys(ctx.steps).sort(), ["first", "second-step", "second_step"]);
  assert.deepEqual(ctx.steps.first!.output, ctx.steps.first!.outputs);
  assert.ok("progress" in (ctx.steps.first!.signals as object), "signals of the StepRun");
  assert.equal(JSON.stringify(ctx.steps["second-step"]), JSON.stringify(ctx.steps.second_step), "the _ alias");
  assert.deepEqual(outputOf(r, "second-step").inputs, { mode: "echo", prev: "hi world", tag: "t1" });
});

test("if false: Skipped with no StepRun; a step that needs it still runs; an allowed failure is not retried", {
  timeout: 120_000,
}, async () => {
  const r = await basics;
  const never = r.steps.never!;
  assert.equal(never.phase, "Skipped");
  assert.equal(never.message, "Skipped due to 'if' condition");
  assert.equal(never.stepRun, undefined);
  assert.equal(never.attempts, undefined);
  assert.equal(r.steps["after-never"]!.phase, "Succeeded");
  assert.equal(
    (outputOf(r, "after-never").inputs as Record<string, unknown>).alias,
    "hi world",
    "steps.second_step resolves through the alias",
  );
  const flaky = r.steps.flaky!;
  assert.equal(flaky.phase, "Failed");
  assert.equal(flaky.attempts!.length, 1, "the SDK wrote Failed: the operator never retries it");
  assert.equal(flaky.attempts![0]!.statusPhase, "Failed");
  assert.equal((flaky.error as Record<string, unknown>).message, "fixture failed on purpose");
  assert.equal(r.steps.check!.phase, "Succeeded");
  assert.equal(r.steps.check!.message, "Primitive evaluated and outputs are available.");
});

const fanDir = tempDir();
const fan = start(`
apiVersion: bubustack.io/v1alpha1
kind: Story
metadata: { name: fan }
spec:
  steps:
    - name: left
      ref: { name: fixture }
      with: { mode: barrier, dir: "${fanDir}", me: left, peer: right }
    - name: right
      ref: { name: fixture }
      with: { mode: barrier, dir: "${fanDir}", me: right, peer: left }
    - name: join
      ref: { name: fixture }
      needs: [left, right]
      with: { l: "{{ steps.left.output.met }}", r: "{{ steps.right.output.met }}" }
`);

test("fan-out/fan-in: independent steps run at the same time (each waits for the other), the join after both", {
  timeout: 120_000,
}, async () => {
  const r = await fan;
  assert.equal(r.phase, "Succeeded", JSON.stringify(r.steps, null, 1).slice(0, 2000));
  assert.deepEqual(outputOf(r, "left"), { met: "right" });
  assert.deepEqual(outputOf(r, "right"), { met: "left" });
  assert.deepEqual(outputOf(r, "join").inputs as Record<string, unknown>, {
    l: "right",
    mode: "echo",
    r: "left",
    tag: "t1",
  });
  const joinStart = Date.parse(r.steps.join!.attempts![0]!.startedAt);
  for (const s of ["left", "right"])
    assert.ok(joinStart >= Date.parse(r.steps[s]!.attempts![0]!.finishedAt), `join starts after ${s}`);
  rmSync(fanDir, { recursive: true, force: true });
});

const marker = join(tempDir(), "died-once");
const retry = start(`
apiVersion: bubustack.io/v1alpha1
kind: Story
metadata: { name: retry }
spec:
  policy:
    retries:
      stepRetryPolicy: { maxRetries: 2, delay: 10ms }
  steps:
    - name: flaky
      ref: { name: fixture }
      with: { mode: die, marker: "${marker}" }
`);

test("a pod that dies without a status (137) is retried on the same StepRun; the env is the same", {
  timeout: 120_000,
}, async () => {
  const r = await retry;
  assert.equal(r.phase, "Succeeded", r.message);
  const s = r.steps.flaky!;
  assert.equal(s.attempts!.length, 2);
  assert.equal(s.attempts![0]!.exitCode, 137);
  assert.equal(s.attempts![0]!.statusPhase, "", "the first pod wrote no status");
  assert.equal(s.attempts![1]!.exitCode, 0);
  assert.equal(s.attempts![1]!.statusPhase, "Succeeded");
  const status = s.stepRun!.status as Record<string, unknown>;
  assert.equal(status.retries, 1);
  // The SDK's success after a retry clears the first attempt's failure (exit code and message).
  assert.equal(status.exitCode, undefined);
  assert.equal(status.lastFailureMsg, undefined);
  assert.equal(s.message, undefined);
  const [a, b] = [s.attempts![0]!.env, s.attempts![1]!.env];
  for (const k of Object.keys(a)) if (k !== "BUBU_POD_NAME") assert.equal(b[k], a[k], k);
  assert.notEqual(a.BUBU_POD_NAME, b.BUBU_POD_NAME, "a new pod per attempt");
  assert.ok(existsSync(marker));
  rmSync(join(marker, ".."), { recursive: true, force: true });
});

const failing = start(`
apiVersion: bubustack.io/v1alpha1
kind: Story
metadata: { name: failing }
spec:
  steps:
    - name: bad
      ref: { name: fixture }
      with: { mode: fail }
    - name: crash
      ref: { name: fixture }
      with: { mode: exit, code: 3 }
    - name: later
      ref: { name: fixture }
      needs: [bad]
  finally:
    - name: cleanup
      ref: { name: fixture }
`);

test("fail-fast: later steps Skipped, finally still runs, the StoryRun fails with the operator's error", {
  timeout: 120_000,
}, async () => {
  const r = await failing;
  assert.equal(r.phase, "Failed");
  assert.equal(r.reason, "DependencyFailed");
  assert.equal(r.message, "Story completed with failed step: bad.");
  assert.equal(r.output, undefined);
  const err = r.error as { type: string; failedSteps: { name: string; phase: string }[] };
  assert.equal(err.type, "DependencyFailed");
  assert.deepEqual(
    err.failedSteps.map((s) => [s.name, s.phase]),
    [
      ["bad", "Failed"],
      ["crash", "Failed"],
    ],
  );
  assert.equal(r.steps.later!.phase, "Skipped");
  assert.equal(r.steps.later!.message, "Skipped due to fail-fast policy");
  assert.equal(r.steps.cleanup!.phase, "Succeeded");
  assert.equal(r.steps.cleanup!.block, "finally");
  // Exit 3 without a status is terminal: no retry, the controller's fallback status.
  const crash = r.steps.crash!;
  assert.equal(crash.attempts!.length, 1);
  const status = crash.stepRun!.status as Record<string, unknown>;
  assert.equal(status.exitCode, 3);
  assert.equal(status.exitClass, "terminal");
  assert.equal(status.lastFailureMsg, "Job execution failed. Check pod logs for details.");
  const ctx = JSON.parse(envOf(r, "cleanup").BUBU_TEMPLATE_CONTEXT!) as { steps: Record<string, unknown> };
  assert.deepEqual(Object.keys(ctx.steps), [], "failed steps are not in the template context");
});

const timeouts = start(`
apiVersion: bubustack.io/v1alpha1
kind: Story
metadata: { name: timeouts }
spec:
  policy:
    timeouts: { step: 45s }
  steps:
    - name: quick
      ref: { name: fixture }
    - name: slow
      ref: { name: fixture }
      execution: { timeout: 1s, retry: { maxRetries: 0 } }
      with: { mode: hang }
`);

test("timeouts: execution.timeout, else the Story's step timeout, becomes BUBU_STEP_TIMEOUT; the SDK ends the step", {
  timeout: 120_000,
}, async () => {
  const r = await timeouts;
  assert.equal(envOf(r, "quick").BUBU_STEP_TIMEOUT, "45s");
  assert.equal(envOf(r, "slow").BUBU_STEP_TIMEOUT, "1s");
  const slow = r.steps.slow!;
  // With no retries left the SDK writes Timeout itself (with retries left it leaves the phase to the retry policy).
  assert.equal(slow.attempts!.length, 1, "a status written at the timeout is final: no retry");
  assert.equal(slow.attempts![0]!.exitCode, 124);
  assert.equal(slow.phase, "Timeout");
  assert.equal(slow.attempts![0]!.statusPhase, "Timeout");
  assert.equal((slow.error as Record<string, unknown>).type, "timeout");
  assert.equal(r.phase, "Failed");
  assert.equal(r.message, "Story completed with failed step: slow.");
});

const storage = start(`
apiVersion: bubustack.io/v1alpha1
kind: Story
metadata: { name: storage }
spec:
  policy:
    storage: { file: {} }
  steps:
    - name: big
      ref: { name: fixture }
      with: { mode: big, size: 6000 }
    - name: use
      ref: { name: fixture }
      with: { mode: measure, blob: "{{ steps.big.output.blob }}" }
  output:
    measured: "{{ steps.use.output.lengths.blob }}"
    direct: "{{ len steps.big.output.blob }}"
`);

test("storage: an output over the inline limit is offloaded, passed on as a ref and hydrated by the next step", {
  timeout: 120_000,
}, async () => {
  const r = await storage;
  assert.equal(r.phase, "Succeeded", r.message);
  const blob = outputOf(r, "big").blob as Record<string, unknown>;
  assert.equal(typeof blob.$bubuStorageRef, "string");
  const env = envOf(r, "use");
  assert.equal(env.BUBU_STORAGE_PROVIDER, "file");
  assert.ok(env.BUBU_STORAGE_PATH!.startsWith(r.workDir));
  assert.deepEqual(JSON.parse(env.BUBU_TRIGGER_DATA!).blob, blob, "the ref reaches the step as it is");
  assert.equal((outputOf(r, "use").lengths as Record<string, number>).blob, 6000, "the SDK hydrated it");
  assert.deepEqual(r.output, { measured: 6000, direct: 6000 });
  assert.ok(
    r.warnings.some((w) => w.includes("materialize")),
    "the output read an offloaded value: a cluster needs materialize",
  );
});

const noStorage = start(`
apiVersion: bubustack.io/v1alpha1
kind: Story
metadata: { name: no-storage }
spec:
  steps:
    - name: big
      ref: { name: fixture }
      with: { mode: big, size: 6000 }
`);

test("without storage an output over the inline limit fails the step (as in a cluster without storage)", {
  timeout: 120_000,
}, async () => {
  const r = await noStorage;
  assert.equal(r.phase, "Failed");
  assert.equal(r.steps.big!.phase, "Failed");
  assert.match(r.steps.big!.message ?? "", /inline|storage/i);
});

const sub = start(
  `
apiVersion: bubustack.io/v1alpha1
kind: Story
metadata: { name: parent }
spec:
  steps:
    - name: call
      type: executeStory
      with:
        storyRef: { name: child }
        with: { who: "{{ inputs.who }}" }
    - name: after
      ref: { name: fixture }
      with: { got: "{{ steps.call.output.greeting }}" }
  output:
    got: "{{ steps.after.output.inputs.got }}"
---
apiVersion: bubustack.io/v1alpha1
kind: Story
metadata: { name: child }
spec:
  steps:
    - name: greet
      ref: { name: fixture }
      with: { greeting: "hello {{ inputs.who }}" }
  output:
    greeting: "{{ steps.greet.output.inputs.greeting }}"
`,
  { inputs: { who: "ada" } },
);

test("executeStory runs the sub-Story; its output is steps.<name>.output", { timeout: 120_000 }, async () => {
  const r = await sub;
  assert.equal(r.phase, "Succeeded", r.message);
  assert.deepEqual(r.output, { got: "hello ada" });
  const call = r.steps.call!;
  assert.equal(call.phase, "Succeeded");
  assert.equal(call.subStoryRun!.story.name, "child");
  assert.deepEqual(call.subStoryRun!.output, { greeting: "hello ada" });
  assert.equal(call.subStoryRun!.steps.greet!.attempts![0]!.env.BUBU_STORYRUN_ID, `${r.name}-call`);
});

const parallel = start(
  `
apiVersion: bubustack.io/v1alpha1
kind: Story
metadata: { name: par }
spec:
  steps:
    - name: fan
      type: parallel
      with:
        steps:
          - name: p1
            ref: { name: fixture }
            with: { x: "{{ inputs.who }}" }
          - name: p2
            ref: { name: fixture }
            allowFailure: true
            with: { mode: fail }
    - name: after
      ref: { name: fixture }
      needs: [fan]
      # steps.p1 would name an unknown Story step (the operator fails the run: unknown step
      # dependencies); index with a double-quoted name is not seen as a dependency.
      with: { p1: '{{ (index .steps "p1").output.inputs.x }}' }
`,
  { inputs: { who: "bo" } },
);

test("parallel: branches are StepRuns of their own, with 'with' evaluated at expansion and no Engram with", {
  timeout: 120_000,
}, async () => {
  const r = await parallel;
  assert.equal(r.phase, "Succeeded", r.message);
  assert.equal(r.steps.fan!.message, "Parallel branches completed with allowed failures.");
  assert.deepEqual(r.steps.fan!.branches, ["p1", "p2"]);
  assert.equal(r.steps.p1!.block, "parallel");
  assert.equal(envOf(r, "p1").BUBU_STEPRUN_NAME, `${r.name}-fan-p1`);
  assert.equal(
    envOf(r, "p1").BUBU_TRIGGER_DATA,
    '{"tag":"t1","x":"bo"}',
    "branch input: its own with + template defaults",
  );
  assert.equal(r.steps.p2!.phase, "Failed");
  assert.equal((outputOf(r, "after").inputs as Record<string, unknown>).p1, "bo");
});

const compensated = start(`
apiVersion: bubustack.io/v1alpha1
kind: Story
metadata: { name: comp }
spec:
  steps:
    - name: bad
      ref: { name: fixture }
      with: { mode: fail }
  compensations:
    - name: undo
      ref: { name: fixture }
  finally:
    - name: done
      type: condition
`);

test("compensations run after a failure, before finally; the StoryRun is Compensated", {
  timeout: 120_000,
}, async () => {
  const r = await compensated;
  assert.equal(r.phase, "Compensated");
  assert.equal(r.message, "Story failed; compensations completed.");
  assert.equal(r.steps.undo!.phase, "Succeeded");
  assert.equal(r.steps.done!.phase, "Succeeded");
  assert.ok(Date.parse(r.steps.done!.startedAt!) >= Date.parse(r.steps.undo!.finishedAt!));
});

test("a Story of primitives: sleep, stop (its phase), condition, wait with a timeout", {
  timeout: 120_000,
}, async () => {
  const r = await run(
    `
apiVersion: bubustack.io/v1alpha1
kind: Story
metadata: { name: prims }
spec:
  steps:
    - name: pause
      type: sleep
      with: { duration: 50ms }
    - name: halt
      type: stop
      needs: [pause]
      allowFailure: true
      with: { phase: Failed, message: halted here }
    - name: go-on
      type: stop
      needs: [halt]
    - name: cond
      type: condition
      needs: [go-on]
    - name: hold
      type: wait
      needs: [cond]
      with: { until: "{{ false }}", timeout: 50ms, onTimeout: skip }
    - name: ready
      type: wait
      with: { until: '{{ eq inputs.x "go" }}' }
`,
    { inputs: { x: "go" } },
  );
  assert.equal(r.phase, "Succeeded", r.message);
  assert.equal(r.message, "Completed with allowed failures: halt.");
  const phases = Object.fromEntries(Object.entries(r.steps).map(([k, s]) => [k, [s.phase, s.message]]));
  assert.deepEqual(phases, {
    pause: ["Succeeded", "Sleep completed."],
    halt: ["Failed", "halted here"],
    "go-on": ["Succeeded", "Story execution stopped by step 'go-on' with phase 'Succeeded'"],
    cond: ["Succeeded", "Primitive evaluated and outputs are available."],
    hold: ["Skipped", "wait step timed out and was skipped."],
    ready: ["Succeeded", "Wait condition satisfied."],
  });
});

test("SIGINT (the signal): running processes are stopped, the StoryRun ends Canceled", {
  timeout: 120_000,
}, async () => {
  const ac = new AbortController();
  const t0 = Date.now();
  const r = await run(
    `
apiVersion: bubustack.io/v1alpha1
kind: Story
metadata: { name: cancel }
spec:
  steps:
    - name: wait-forever
      ref: { name: fixture }
      with: { mode: hang }
  finally:
    - name: never-runs
      type: condition
`,
    {
      signal: ac.signal,
      onEvent: (e) => {
        // Once the engram logs, its SDK is up: cancel.
        if (e.type === "log") ac.abort();
      },
    },
  );
  assert.equal(r.phase, "Canceled");
  const s = r.steps["wait-forever"]!;
  assert.equal(s.attempts!.length, 1);
  assert.equal(s.attempts![0]!.stoppedBy, "cancel");
  // The SDK writes no status on SIGTERM (a stopped pod is the operator's to retry): the runner
  // marks the StepRun it stopped Canceled.
  assert.equal(s.phase, "Canceled");
  assert.equal(s.attempts![0]!.exitCode, 143);
  assert.match(s.message ?? "", /stopped by the local runner/);
  assert.equal(r.steps["never-runs"]!.phase, "");
  assert.ok(Date.now() - t0 < 30_000);
});
