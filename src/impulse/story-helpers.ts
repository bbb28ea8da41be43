/**
 * The root story helpers (Go's `sdk.StartStory*`, `StopStory*`, `GetTargetStory`), all through
 * the shared {@link StoryClient}.
 * @module
 */
import { ENV } from "../env/names.ts";
import { trimSpace } from "../env/go-text.ts";
import type { EnvSource } from "../env/source.ts";
import { envReader } from "../env/source.ts";
import { detectRuntime } from "../runtime/detect.ts";
import { sharedStoryClient } from "./shared-client.ts";
import type { StopOutcome } from "./stop-story.ts";
import { type TriggerContext, withTriggerToken } from "./trigger-context.ts";
import type { StoryRun } from "./types.ts";

/** The impulse's `spec.storyRef` as the operator injects it. */
export interface TargetStory {
  /** `BUBU_TARGET_STORY_NAME`. */
  readonly name: string;
  /** `BUBU_TARGET_STORY_NAMESPACE`; `""` when the Story lives beside the Impulse. */
  readonly namespace: string;
}

/**
 * The target story from `BUBU_TARGET_STORY_NAME`/`_NAMESPACE`. Throws when the name is unset:
 * `target story not configured: BUBU_TARGET_STORY_NAME environment variable is not set`.
 */
export function getTargetStory(env?: EnvSource): TargetStory {
  const reader = envReader(env ?? ((n: string) => detectRuntime().env(n)));
  const name = trimSpace(reader.get(ENV.TARGET_STORY_NAME) ?? "");
  if (name === "") {
    throw new Error(`target story not configured: ${ENV.TARGET_STORY_NAME} environment variable is not set`);
  }
  return { name, namespace: trimSpace(reader.get(ENV.TARGET_STORY_NAMESPACE) ?? "") };
}

/**
 * Starts `storyName` with `inputs` through a StoryTrigger and returns the resolved StoryRun.
 * The Story namespace is the client namespace (`BUBU_TARGET_STORY_NAMESPACE` first).
 *
 * @example
 * ```ts
 * const run = await startStory(undefined, "orders", { orderId: "A-1" });
 * ```
 */
export function startStory(ctx: TriggerContext | undefined, storyName: string, inputs?: Record<string, unknown>): Promise<StoryRun> {
  return startStoryInNamespace(ctx, storyName, "", inputs);
}

/** {@link startStory} with an explicit Story namespace (`""` for the default). */
export async function startStoryInNamespace(
  ctx: TriggerContext | undefined,
  storyName: string,
  storyNamespace: string,
  inputs?: Record<string, unknown>,
): Promise<StoryRun> {
  const client = await sharedStoryClient().catch((err: unknown) => {
    throw new Error(`failed to create k8s client: ${(err as Error).message ?? String(err)}`, { cause: err });
  });
  return client.triggerStory(ctx, storyName, storyNamespace, inputs);
}

/** {@link startStory} with an idempotency token: the same token starts the Story once. */
export function startStoryWithToken(
  ctx: TriggerContext | undefined,
  storyName: string,
  token: string,
  inputs?: Record<string, unknown>,
): Promise<StoryRun> {
  return startStory(withTriggerToken(ctx, token), storyName, inputs);
}

/** {@link startStoryInNamespace} with an idempotency token. */
export function startStoryWithTokenInNamespace(
  ctx: TriggerContext | undefined,
  storyName: string,
  storyNamespace: string,
  token: string,
  inputs?: Record<string, unknown>,
): Promise<StoryRun> {
  return startStoryInNamespace(withTriggerToken(ctx, token), storyName, storyNamespace, inputs);
}

/** Requests cancellation of a StoryRun in the client namespace (`StoryRunNotFoundError` if absent). */
export function stopStory(ctx: TriggerContext | undefined, storyRunName: string): Promise<StopOutcome> {
  return stopStoryInNamespace(ctx, storyRunName, "");
}

/** {@link stopStory} in `namespace` (`""` for the client namespace). */
export async function stopStoryInNamespace(ctx: TriggerContext | undefined, storyRunName: string, namespace: string): Promise<StopOutcome> {
  const client = await sharedStoryClient().catch((err: unknown) => {
    throw new Error(`failed to create k8s client: ${(err as Error).message ?? String(err)}`, { cause: err });
  });
  return client.stopStoryRun(ctx, storyRunName, namespace);
}
