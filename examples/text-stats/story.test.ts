// The text-stats example: its EngramTemplates are the generated ones, the Story runs locally
// (with a long text, so the word list goes through file storage), and the documented command
// works.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { test } from "node:test";
import { templateYamlFor } from "../../src/cli/template-command.ts";
import { parseManifests } from "../../src/story/load.ts";
import { runStory } from "../../src/story/run-story.ts";
import { commandFor, currentRuntime, repoRoot, runScript } from "../../test/support/spawn.ts";
import { rank } from "./rank.ts";
import { report } from "./report.ts";
import { split } from "./split.ts";

const here = resolve(repoRoot, "examples/text-stats");
const storyYaml = readFileSync(resolve(here, "story.yaml"), "utf8");

test("story.yaml holds the EngramTemplates `bubu template` generates", () => {
  const docs = storyYaml.split(/^---\n/m);
  for (const [name, engram] of [
    ["split", split],
    ["rank", rank],
    ["report", report],
  ] as const) {
    const generated = templateYamlFor(engram as never, {
      name: `text-${name}`,
      version: "0.1.0",
      description: `text-stats example: ${name}`,
    });
    assert.ok(
      docs.some((d) => d === generated),
      `text-${name} is generated (see the comment in story.yaml)`,
    );
  }
});

test("the Story runs locally: a long text's word list goes through file storage", { timeout: 120_000 }, async () => {
  const resources = parseManifests(storyYaml);
  const engrams: Record<string, string[]> = {};
  for (const name of ["split", "rank", "report"]) {
    const [cmd, args] = commandFor(currentRuntime(), resolve(here, `${name}.ts`));
    engrams[`text-${name}`] = [cmd, ...args];
  }
  const text =
    Array.from({ length: 600 }, (_, i) => ["alpha", "beta", "beta", "gamma", "delta"][i % 5]).join(" ") + " a";
  const run = await runStory({
    story: "text-stats",
    resources,
    engrams,
    baseDir: repoRoot,
    inputs: { text, limit: 2 },
  });
  assert.equal(run.phase, "Succeeded", run.message);
  assert.deepEqual(run.output, {
    summary: "Text stats: 600 words; most frequent: beta (240), alpha (120).",
    words: 600,
  });
  const words = (run.steps.split!.output as Record<string, unknown>).words as Record<string, unknown>;
  assert.equal(typeof words.$bubuStorageRef, "string", "the word list was offloaded");
  assert.match(run.steps.split!.attempts![0]!.env.BUBU_TRIGGER_DATA!, /"minLength":2/, "the Engram's with");
  assert.deepEqual((run.steps.rank!.output as Record<string, unknown>).top, [
    { word: "beta", count: 240 },
    { word: "alpha", count: 120 },
  ]);
});

test("the documented command: bun run src/cli/bubu.ts story run examples/text-stats/story.yaml --inputs …", {
  timeout: 120_000,
}, async () => {
  const bin = resolve(repoRoot, "node_modules/.bin");
  const r = await runScript("src/cli/bubu.ts", {
    args: [
      "story",
      "run",
      "examples/text-stats/story.yaml",
      "--inputs",
      '{"text":"To be, or not to be: that is the question."}',
    ],
    env: { PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}` },
    timeoutMs: 120_000,
  });
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as { phase: string; output: unknown };
  assert.equal(summary.phase, "Succeeded");
  assert.deepEqual(summary.output, {
    summary: "Text stats: 10 words; most frequent: be (2), to (2), is (1).",
    words: 10,
  });
});
