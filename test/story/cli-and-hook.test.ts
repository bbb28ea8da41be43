// `bubu story run` (the command function, in this process) and the hook that lets a local
// impulse run the Stories it triggers.

import assert from "node:assert/strict";
import { existsSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { storyCommand } from "../../src/cli/story-command.ts";
import { localStories, type StoppedStory, type TriggeredStory } from "../../src/impulse/local-stories.ts";
import { detectRuntime } from "../../src/runtime/detect.ts";
import type { Runtime } from "../../src/runtime/types.ts";
import { storyRunnerHook } from "../../src/story/impulse-hook.ts";
import { ProgressView } from "../../src/story/progress.ts";
import { FIXTURE_RESOURCES, fixtureCommand, repoRoot, tempDir } from "./support.ts";

const dir = tempDir();
const storyFile = join(dir, "story.yaml");
writeFileSync(
  storyFile,
  `apiVersion: bubustack.io/v1alpha1
kind: Story
metadata: { name: greet }
spec:
  inputsSchema: { type: object, properties: { who: { type: string, default: you } } }
  steps:
    - name: hello
      ref: { name: fixture }
      with: { greeting: "hello {{ inputs.who }}" }
  output:
    greeting: "{{ steps.hello.output.inputs.greeting }}"
---
${FIXTURE_RESOURCES}`,
);
const failingFile = join(dir, "failing.yaml");
writeFileSync(
  failingFile,
  `apiVersion: bubustack.io/v1alpha1\nkind: Story\nmetadata: { name: failing }\nspec:\n  steps:\n    - { name: bad, ref: { name: fixture }, with: { mode: fail } }\n---\n${FIXTURE_RESOURCES}`,
);
after(() => rmSync(dir, { recursive: true, force: true }));
const engramArg = `fixture=${fixtureCommand()
  .map((a) => `'${a}'`)
  .join(" ")}`;

/** The real runtime with stdout/stderr captured and no signal listeners. */
function captured(): { rt: Runtime; out: () => string; err: () => string } {
  const base = detectRuntime();
  let out = "";
  let err = "";
  const rt: Runtime = {
    ...base,
    fs: base.fs,
    writeStdout: (t) => void (out += t),
    writeStderr: (t) => void (err += t),
    onSignal: () => () => {},
    cwd: () => repoRoot,
  };
  return { rt, out: () => out, err: () => err };
}

test("bubu story run: the summary on stdout, exit 0, the work directory removed", { timeout: 120_000 }, async () => {
  const c = captured();
  const code = await storyCommand(
    ["run", storyFile, "--engram", engramArg, "--inputs", '{"who":"cli"}', "--progress", "plain", "--logs"],
    c.rt,
  );
  assert.equal(code, 0, c.err());
  const summary = JSON.parse(c.out()) as Record<string, unknown> & {
    steps: Record<string, { phase: string; attempts: number }>;
  };
  assert.equal(summary.phase, "Succeeded");
  assert.deepEqual(summary.output, { greeting: "hello cli" });
  assert.equal(summary.steps.hello!.attempts, 1);
  assert.match(c.err(), /hello: Succeeded/);
  assert.doesNotMatch(c.err(), /logs and storage are in/);
  // The engram's own log lines, but not the skipped template lookup: the runner answers it 403
  // as the operator's Role does, yet checks the inputs and output against the template itself.
  assert.match(c.err(), /\[hello#1\] \{.*"msg":"engram completed"/);
  assert.doesNotMatch(c.err(), /Schema validation skipped/);
});

test("bubu story run: a failed run exits 1 and keeps its logs; --output full has the StepRun and env", {
  timeout: 120_000,
}, async () => {
  const c = captured();
  const code = await storyCommand([failingFile, "--engram", engramArg, "--output", "full", "--progress", "off"], c.rt);
  assert.equal(code, 1);
  const full = JSON.parse(c.out()) as {
    phase: string;
    workDir: string;
    steps: Record<string, { stepRun: { kind: string }; attempts: { env: Record<string, string>; logFile: string }[] }>;
  };
  assert.equal(full.phase, "Failed");
  assert.equal(full.steps.bad!.stepRun.kind, "StepRun");
  assert.equal(full.steps.bad!.attempts[0]!.env.BUBU_STEP_NAME, "bad");
  assert.ok(existsSync(full.steps.bad!.attempts[0]!.logFile), "the log is kept");
  assert.match(c.err(), new RegExp(`logs and storage are in ${full.workDir}`));
  assert.equal(
    statSync(full.workDir).mode & 0o777,
    0o700,
    "the work directory (with the kubeconfig) is the owner's only",
  );
  rmSync(full.workDir, { recursive: true, force: true });
});

test("bubu story run: a run that fails before any step (its inputs) leaves no folder behind", {
  timeout: 120_000,
}, async () => {
  const c = captured();
  const code = await storyCommand(
    [storyFile, "--engram", engramArg, "--inputs", '{"who":5}', "--output", "full", "--progress", "off"],
    c.rt,
  );
  assert.equal(code, 1, c.err());
  const full = JSON.parse(c.out()) as { phase: string; workDir: string };
  assert.equal(full.phase, "Failed");
  assert.doesNotMatch(c.err(), /logs and storage are in/);
  assert.equal(existsSync(full.workDir), false, "nothing ran, so nothing is kept");
});

test("bubu story run: usage, validation and refusal errors exit 2 with the reasons on stderr", {
  timeout: 120_000,
}, async () => {
  const usage = captured();
  assert.equal(await storyCommand(["run"], usage.rt), 2);
  assert.match(usage.err(), /the Story file is missing/);
  const unknown = captured();
  assert.equal(await storyCommand(["run", storyFile, "--frobnicate"], unknown.rt), 2);
  assert.match(unknown.err(), /unknown option --frobnicate/);
  const refused = captured();
  assert.equal(await storyCommand(["run", storyFile, "--engram", "other=true"], refused.rt), 2);
  assert.match(refused.err(), /the engram map has no command for 'fixture' or 'fixture-template'/);
  const invalidFile = join(dir, "invalid.yaml");
  writeFileSync(
    invalidFile,
    "apiVersion: bubustack.io/v1alpha1\nkind: Story\nmetadata: { name: x }\nspec:\n  steps:\n    - { name: a, type: condition, needs: [nope] }\n",
  );
  const invalid = captured();
  assert.equal(await storyCommand(["run", invalidFile], invalid.rt), 2);
  assert.match(
    invalid.err(),
    /the cluster would reject this Story:\n {2}spec\.steps: step 'a' lists unknown dependency 'nope' in needs \(ValidationFailed\)/,
  );
  const badInputs = captured();
  assert.equal(await storyCommand(["run", storyFile, "--inputs", "{nope"], badInputs.rt), 2);
  assert.match(badInputs.err(), /^bubu story: --inputs: invalid JSON at line 1, column 2 \(offset 1\): /);
  // The engrams' wording on every runtime (not the engine's "Unexpected end of JSON input").
  const cut = captured();
  assert.equal(await storyCommand(["run", storyFile, "--inputs", '{"customer":'], cut.rt), 2);
  assert.equal(
    cut.err(),
    "bubu story: --inputs: invalid JSON at line 1, column 13 (offset 12): unexpected end of input, expected a value\n",
  );
});

test("a local impulse's ctx.stories.start runs the triggered Story through the hook", {
  timeout: 120_000,
}, async () => {
  const started: TriggeredStory[] = [];
  const stopped: StoppedStory[] = [];
  const results: string[] = [];
  const stories = localStories({
    target: { name: "greet", namespace: "" },
    started,
    stopped,
    runStory: storyRunnerHook({
      stories: { greet: storyFile },
      engrams: { fixture: fixtureCommand() },
      baseDir: repoRoot,
      onResult: (r) => results.push(r.phase),
    }),
  });
  const run = await stories.start({ inputs: { who: "impulse" }, token: "t-1" });
  assert.equal(run.status?.phase, "Succeeded");
  assert.deepEqual(run.status?.output, { greeting: "hello impulse" });
  assert.equal((run.status?.stepStates as Record<string, { phase: string }>).hello!.phase, "Succeeded");
  assert.equal(run.metadata.name, "greet-local-1", "the local sink's StoryRun name");
  assert.deepEqual(results, ["Succeeded"]);
  // The same token reuses the StoryRun without running the Story again.
  const again = await stories.start({ inputs: { who: "impulse" }, token: "t-1" });
  assert.equal(again.metadata.name, run.metadata.name);
  assert.deepEqual(results, ["Succeeded"]);
  await assert.rejects(stories.start({ story: "other" }), /no Story file for "other" in the story map/);
});

test("the progress view: plain lines per change; live redraws in place", () => {
  let plain = "";
  const p = new ProgressView({ mode: "plain", write: (t) => void (plain += t) });
  p.onEvent({ type: "run", storyRun: "r", story: "s", phase: "Running", at: 0 });
  p.onEvent({ type: "step", storyRun: "r", step: "a", phase: "Running", attempt: 2, at: 10 });
  // The same phase reported again (the runner, then the step's own status write): no new line.
  p.onEvent({ type: "step", storyRun: "r", step: "a", phase: "Running", attempt: 2, at: 20 });
  p.onEvent({ type: "step", storyRun: "r", step: "a", phase: "Failed", message: "boom", at: 1510 });
  p.stop();
  assert.equal(plain, "r: Running\na: Running (attempt 2)\na: Failed (attempt 2) 1.5s — boom\n");
  let live = "";
  let now = 0;
  const l = new ProgressView({
    mode: "live",
    write: (t) => void (live += t),
    steps: ["a", "b"],
    now: () => now,
    intervalMs: 60_000,
  });
  l.onEvent({ type: "run", storyRun: "r", story: "s", phase: "Running", at: 0 });
  l.onEvent({ type: "step", storyRun: "r", step: "a", phase: "Succeeded", at: 0 });
  now = 2000;
  l.stop();
  assert.match(live, /s \(r\) {2}Running {2}2\.0s/);
  assert.match(live, /✓ a +Succeeded/);
  assert.match(live, /· b +Pending/);
  assert.ok(live.includes("\x1b[2K"));
});

test("start(impulse, { runStory }) on a laptop: the triggered Story runs to its end", async () => {
  const { defineImpulse, start } = await import("../../src/mod.ts");
  let got: unknown;
  const impulse = defineImpulse({
    async run(ctx) {
      const run = await ctx.stories.start({ story: "greet", inputs: { who: "start" } });
      got = run.status;
    },
  });
  const { rt } = captured();
  const out = await start(impulse, {
    runtime: rt,
    exit: false,
    env: {},
    runStory: storyRunnerHook({
      stories: { greet: storyFile },
      engrams: { fixture: fixtureCommand() },
      baseDir: repoRoot,
    }),
  });
  assert.equal(out.exitCode, 0, String(out.error));
  assert.equal((got as { phase?: string }).phase, "Succeeded");
  assert.deepEqual((got as { output?: unknown }).output, { greeting: "hello start" });
});

test("bubu run <impulse> --run-story <story.yaml>: the local impulse runs the Story it triggers", async () => {
  const { runCommand } = await import("../../src/cli/run-command.ts");
  const { parseArgs } = await import("../../src/cli/args.ts");
  const { RUN_FLAGS } = await import("../../src/cli/run-command.ts");
  const impulseFile = join(dir, "impulse.ts");
  writeFileSync(
    impulseFile,
    `import { defineImpulse } from ${JSON.stringify(join(repoRoot, "src/mod.ts"))};
export const once = defineImpulse({
  async run(ctx) {
    const run = await ctx.stories.start({ story: "greet", inputs: { who: "cli" } });
    if (JSON.stringify(run.status?.output) !== JSON.stringify({ greeting: "hello cli" })) throw new Error("unexpected " + JSON.stringify(run.status));
  },
});
`,
  );
  const engramsFile = join(dir, "engrams.json");
  writeFileSync(engramsFile, JSON.stringify({ fixture: fixtureCommand() }));
  const args = parseArgs([impulseFile, "--run-story", storyFile, "--engrams", engramsFile], RUN_FLAGS);
  const out = await runCommand(args, repoRoot, { exit: false });
  assert.equal(out.exitCode, 0, String(out.error));
});

test("bubu run <impulse> --run-story: --env reaches the engrams; each finished Story is one log line, a failed one with its kept logs", {
  timeout: 120_000,
}, async () => {
  const { localStoryHook } = await import("../../src/cli/story-command.ts");
  const secretFile = join(dir, "secret-story.yaml");
  writeFileSync(
    secretFile,
    `apiVersion: bubustack.io/v1alpha1\nkind: Story\nmetadata: { name: keyed }\nspec:\n  steps:\n    - { name: use, ref: { name: fixture }, with: { mode: secret } }\n  output: { keyLength: "{{ steps.use.output.keyLength }}" }\n---\n${FIXTURE_RESOURCES}`,
  );
  const engramsFile = join(dir, "engrams-hook.json");
  writeFileSync(engramsFile, JSON.stringify({ fixture: fixtureCommand() }));
  const trigger = (story: string): TriggeredStory => ({
    story,
    namespace: "",
    inputs: {},
    token: "",
    decision: "created",
    storyRun: { apiVersion: "runs.bubustack.io/v1alpha1", kind: "StoryRun", metadata: { name: `${story}-local-1` } },
  });
  const { rt, err } = captured();
  const keyed = await localStoryHook(secretFile, {
    engramsFile,
    env: { BUBU_SECRET_KEY: "k-123456" },
    runtime: rt,
  });
  const ok = await keyed(trigger("keyed"));
  assert.equal(ok.status?.phase, "Succeeded", err());
  assert.deepEqual(ok.status?.output, { keyLength: 8 }, "the secret given with --env reached the engram");

  const failing = await localStoryHook(failingFile, { engramsFile, runtime: rt });
  const bad = await failing(trigger("failing"));
  assert.equal(bad.status?.phase, "Failed");
  const lines = err()
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.msg === "story finished (local runner)");
  assert.deepEqual(
    lines.map((l) => [l.level, l.story, l.phase]),
    [
      ["INFO", "keyed", "Succeeded"],
      ["ERROR", "failing", "Failed"],
    ],
  );
  assert.equal(lines[0]!.logs, undefined, "a run that succeeded leaves nothing behind");
  const logs = String(lines[1]!.logs);
  assert.ok(statSync(logs).isDirectory(), `the failed run's folder is kept: ${logs}`);
  assert.match(JSON.stringify(lines[1]!.error), /fixture failed on purpose/);
  rmSync(logs, { recursive: true, force: true });
});

test("bubu run: --env and --resources go with --run-story only", async () => {
  const { runCommand, RUN_FLAGS } = await import("../../src/cli/run-command.ts");
  const { parseArgs, UsageError } = await import("../../src/cli/args.ts");
  const impulseFile = join(dir, "impulse-noop.ts");
  writeFileSync(
    impulseFile,
    `import { defineImpulse } from ${JSON.stringify(join(repoRoot, "src/mod.ts"))};\nexport const noop = defineImpulse({ run() {} });\n`,
  );
  await assert.rejects(
    runCommand(parseArgs([impulseFile, "--env", "A=1"], RUN_FLAGS), repoRoot, { exit: false }),
    (e) => e instanceof UsageError && e.message === "--env goes with --run-story",
  );
  await assert.rejects(
    runCommand(parseArgs([impulseFile, "--run-story", storyFile, "--env", "novalue"], RUN_FLAGS), repoRoot, {
      exit: false,
    }),
    (e) => e instanceof UsageError && e.message === '--env expects KEY=VALUE, got "novalue"',
  );
});
