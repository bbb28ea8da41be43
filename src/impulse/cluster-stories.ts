/**
 * `ctx.stories` in a cluster: StoryTriggers through the run's Kubernetes client, with the
 * delivery policy (`BUBU_TRIGGER_*`), throttle and retries of {@link StoryClient}.
 * @module
 */
import type { StartStoryOptions, StopOutcome, Stories } from "../engram/context.ts";
import type { BubuEnv } from "../env/load.ts";
import type { StoryRun } from "../k8s/story-run.ts";
import type { TriggerStatsDelta } from "./impulse-stats.ts";
import type { StoryClient } from "./story-client.ts";
import type { TriggerContext } from "./trigger-context.ts";

/** The target Story of an impulse (`BUBU_TARGET_STORY_NAME`/`_NAMESPACE`), if set. */
export function targetStory(env: BubuEnv): Stories["target"] {
  const name = env.identity.targetStoryName.trim();
  return name === "" ? undefined : { name, namespace: env.identity.targetStoryNamespace.trim() };
}

/**
 * Which Story `options` means: its `story`, else the impulse's target. The namespace stays
 * blank unless given: the client namespace (the target's namespace first) applies then.
 */
export function resolveStory(
  options: StartStoryOptions,
  target: Stories["target"],
): { story: string; namespace: string } {
  const named = (options.story ?? "").trim() || target?.name;
  if (named === undefined || named === "") {
    throw new Error("story name is required: no `story` given and BUBU_TARGET_STORY_NAME is not set");
  }
  return { story: named, namespace: (options.namespace ?? "").trim() };
}

/** The per-call context of a story call. */
export function triggerContext(options: {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  readonly token?: string;
}): TriggerContext {
  return {
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.token !== undefined && options.token !== "" ? { triggerToken: options.token } : {}),
  };
}

/** {@link Stories} that can also count triggers on the Impulse's status (the dispatcher uses it). */
export interface CountingStories extends Stories {
  recordTriggerStats(delta: TriggerStatsDelta): Promise<void>;
}

/** Stories over a {@link StoryClient} built on first use. */
export function clusterStories(client: () => Promise<StoryClient>, env: BubuEnv): CountingStories {
  const target = targetStory(env);
  const impulse = { name: env.identity.impulseName.trim(), namespace: env.identity.impulseNamespace.trim() };
  return {
    target,
    dedupe: env.trigger.dedupe?.mode ?? "none",
    async start(options: StartStoryOptions = {}): Promise<StoryRun> {
      const { story, namespace } = resolveStory(options, target);
      return await (await client()).triggerStory(triggerContext(options), story, namespace, { ...options.inputs });
    },
    async stop(storyRun, options = {}): Promise<StopOutcome> {
      return await (await client()).stopStoryRun(triggerContext(options), storyRun, options.namespace ?? "");
    },
    async recordTriggerStats(delta) {
      if (impulse.name === "") return;
      await (await client()).updateImpulseTriggerStats(undefined, impulse.name, impulse.namespace, delta);
    },
  };
}
