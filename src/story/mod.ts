/**
 * The local Story runner: runs a whole Story on a laptop the way the BubuStack operator runs it
 * in a cluster, with each Engram step a local process (`bubu story run`). See
 * {@link runStory}; {@link storyRunnerHook} lets a local impulse run the Stories it triggers.
 *
 * @example
 * ```ts
 * import { parseManifests, runStory } from "@bubustack/sdk/story";
 *
 * const { stories: [story], ...resources } = parseManifests(await Deno.readTextFile("story.yaml"));
 * const result = await runStory({
 *   story,
 *   resources,
 *   engrams: { summarize: "bun run ./summarize/engram.ts" },
 *   inputs: { url: "https://example.com" },
 * });
 * console.log(result.phase, result.output);
 * ```
 * @module
 */
export type { EngramCommandSpec, EngramMap } from "./engram-commands.ts";
export type { StoryRunEvent, StoryRunListener } from "./events.ts";
export { type StoryRunnerHookOptions, storyRunnerHook } from "./impulse-hook.ts";
export { type ParsedManifests, parseManifests, StoryLoadError } from "./load.ts";
export type { AttemptResult, StepResult, StoryRunResult } from "./result.ts";
export { type RunStoryOptions, runStory, StoryRefusedError } from "./run-story.ts";
export { type StoryIssue, StoryValidationError } from "./validate.ts";
