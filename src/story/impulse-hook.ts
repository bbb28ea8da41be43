/**
 * Running the Stories a local impulse triggers: a `runStory` hook for the local story sink
 * (`LocalStoriesOptions.runStory`), built from a Story file map (Story name → manifest file) and
 * the engram map. Each triggered start runs the Story to its end and becomes the StoryRun the
 * impulse's `ctx.stories.start` returns.
 * @module
 */
import type { TriggeredStory } from "../impulse/local-stories.ts";
import type { StoryRun } from "../k8s/story-run.ts";
import { detectRuntime } from "../runtime/detect.ts";
import { resolveAgainst } from "./engram-commands.ts";
import { mergeResources, type ParsedManifests, parseManifests } from "./load.ts";
import type { StoryRunResult } from "./result.ts";
import { type RunStoryOptions, runStory } from "./run-story.ts";

/** Options of {@link storyRunnerHook}. */
export interface StoryRunnerHookOptions
  extends Omit<RunStoryOptions, "story" | "inputs" | "storyRunName" | "resources" | "namespace"> {
  /** Story name → the manifest file that defines it (it may hold its Engrams and templates too). */
  readonly stories: Readonly<Record<string, string>>;
  /** More manifest files: Engrams, EngramTemplates, Stories that `executeStory` steps start. */
  readonly resourceFiles?: readonly string[];
  /** Receives every run's full report. */
  readonly onResult?: (result: StoryRunResult) => void;
}

/** A StoryRun object (as the API server would return it) for a local run's report. */
export function storyRunFromResult(result: StoryRunResult, storyNamespace?: string): StoryRun {
  const stepStates: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(result.steps)) {
    stepStates[name] = {
      phase: s.phase,
      ...(s.message ? { message: s.message } : {}),
      ...(s.startedAt ? { startedAt: s.startedAt } : {}),
      ...(s.finishedAt ? { finishedAt: s.finishedAt } : {}),
    };
  }
  return {
    apiVersion: "runs.bubustack.io/v1alpha1",
    kind: "StoryRun",
    metadata: { name: result.name, namespace: result.namespace },
    spec: {
      storyRef: { name: result.story.name, ...(storyNamespace ? { namespace: storyNamespace } : {}) },
      inputs: result.inputs,
    },
    status: {
      phase: result.phase,
      message: result.message,
      ...(result.output !== undefined ? { output: result.output } : {}),
      ...(result.error !== undefined ? { error: result.error } : {}),
      ...(result.allowedFailures ? { allowedFailures: result.allowedFailures } : {}),
      startedAt: result.startedAt,
      finishedAt: result.finishedAt,
      duration: result.duration,
      stepStates,
    },
  };
}

/**
 * The hook: `localStories({ …, runStory: storyRunnerHook({ stories: { greet: "./greet.yaml" },
 * engrams: { greeter: "bun run ./greeter.ts" } }) })`. Manifests are read at each start, so an
 * edited file takes effect at the next trigger. A Story missing from the map is an error.
 */
export function storyRunnerHook(options: StoryRunnerHookOptions): (triggered: TriggeredStory) => Promise<StoryRun> {
  return async (triggered) => {
    const rt = options.runtime ?? detectRuntime();
    const base = options.baseDir ?? rt.cwd();
    const file = Object.hasOwn(options.stories, triggered.story) ? options.stories[triggered.story] : undefined;
    if (file === undefined)
      throw new Error(
        `no Story file for ${JSON.stringify(triggered.story)} in the story map (known: ${Object.keys(options.stories).join(", ") || "none"})`,
      );
    const sets: ParsedManifests[] = [];
    for (const f of [file, ...(options.resourceFiles ?? [])]) {
      const path = resolveAgainst(base, f);
      sets.push(parseManifests(await rt.fs.readTextFile(path), path));
    }
    const resources = mergeResources(sets);
    const { stories: _s, resourceFiles: _r, onResult, ...rest } = options;
    const result = await runStory({
      ...rest,
      runtime: rt,
      baseDir: base,
      story: triggered.story,
      resources,
      inputs: { ...triggered.inputs },
      storyRunName: triggered.storyRun.metadata.name,
      ...(triggered.namespace ? { namespace: triggered.namespace } : {}),
    });
    onResult?.(result);
    return storyRunFromResult(result, triggered.namespace || undefined);
  };
}
