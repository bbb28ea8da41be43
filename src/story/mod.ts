/**
 * The local Story runner: runs a whole Story on a laptop the way the BubuStack operator runs it
 * in a cluster, with each Engram step a local process (`bubu story run`). See
 * {@link runStory}; {@link storyRunnerHook} lets a local impulse run the Stories it triggers.
 * @module
 */
export { type EngramCommand, type EngramCommandSpec, type EngramMap, EngramMapError, parseEngramAssignment, splitCommandLine } from "./engram-commands.ts";
export type { StoryRunEvent, StoryRunListener } from "./events.ts";
export { storyRunFromResult, storyRunnerHook, type StoryRunnerHookOptions } from "./impulse-hook.ts";
export { mergeResources, type ParsedManifests, parseManifests, StoryLoadError } from "./load.ts";
export { type ProgressMode, type ProgressOptions, ProgressView } from "./progress.ts";
export { type AttemptResult, exitCodeFor, type StepResult, type StoryRunResult } from "./result.ts";
export { preflight, runStory, type RunStoryOptions, StoryRefusedError } from "./run-story.ts";
export type { Engram, EngramTemplate, JsonObject, RetryPolicy, Step, StepType, Story, StoryResources, StorySpec } from "./types.ts";
export { type StoryIssue, storyIssues, StoryValidationError, validateStory } from "./validate.ts";
