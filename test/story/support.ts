// Shared helpers of the Story runner tests: the fixture engram under the runtime that runs the
// tests (so the three test runs cover the three runtimes as children too), a seeded random
// source, and `run` for a Story written as YAML.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseManifests } from "../../src/story/load.ts";
import type { StoryRunResult } from "../../src/story/result.ts";
import { type RunStoryOptions, runStory } from "../../src/story/run-story.ts";
import { prng as seeded } from "../support/prng.ts";
import { commandFor, currentRuntime, repoRoot } from "../support/spawn.ts";

export { repoRoot, seeded };

/** The fixture engram's command line under the current runtime. */
export function fixtureCommand(): string[] {
  const [cmd, args] = commandFor(currentRuntime(), resolve(repoRoot, "test/story/fixtures/engram.ts"));
  return [cmd, ...args];
}

/** An Engram `fixture` (default `mode: echo`) and its template (an input default `tag: t1`). */
export const FIXTURE_RESOURCES = `
apiVersion: bubustack.io/v1alpha1
kind: Engram
metadata: { name: fixture }
spec:
  templateRef: { name: fixture-template }
  with: { mode: echo }
---
apiVersion: catalog.bubustack.io/v1alpha1
kind: EngramTemplate
metadata: { name: fixture-template }
spec:
  inputSchema:
    type: object
    properties:
      tag: { type: string, default: t1 }
`;

/** A fresh temporary directory. */
export function tempDir(prefix = "bubu-story-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Runs the first Story of `yaml` (plus the fixture Engram) with the fixture as every engram. */
export async function run(yaml: string, options: Partial<RunStoryOptions> = {}): Promise<StoryRunResult> {
  const resources = parseManifests(`${yaml}\n---\n${FIXTURE_RESOURCES}`);
  return await runStory({
    story: resources.stories[0]!,
    resources,
    engrams: { fixture: fixtureCommand() },
    baseDir: repoRoot,
    random: seeded(7),
    graceMs: 3000,
    ...options,
  });
}

/** Limits how many runs go at once (each run starts processes). */
export function limiter(n: number): <T>(f: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  return async (f) => {
    if (active >= n) await new Promise<void>((r) => queue.push(r));
    active++;
    try {
      return await f();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}
