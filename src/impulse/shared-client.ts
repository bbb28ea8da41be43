/**
 * The process-wide {@link StoryClient} behind `startStory`, `stopStory` and the dispatcher
 * (Go's `SharedClient()`): created on first use from the process environment; a failed creation
 * is not cached. `runImpulse` installs its own client here so both paths share one.
 * @module
 */
import { loadEnv } from "../env/load.ts";
import { sharedKubeClient } from "../k8s/create-client.ts";
import { detectRuntime } from "../runtime/detect.ts";
import { StoryClient } from "./story-client.ts";

let shared: Promise<StoryClient> | undefined;

/** The shared client, created from the process environment on first use. */
export function sharedStoryClient(): Promise<StoryClient> {
  if (shared === undefined) {
    const attempt = (async () => {
      const rt = detectRuntime();
      const env = loadEnv(rt.envAll());
      const kube = await sharedKubeClient(rt);
      return new StoryClient(kube, { env });
    })();
    shared = attempt;
    attempt.catch(() => {
      if (shared === attempt) shared = undefined;
    });
  }
  return shared;
}

/** Makes `client` the shared client (`undefined` forgets it; the next use creates one again). */
export function setSharedStoryClient(client: StoryClient | undefined): void {
  shared = client === undefined ? undefined : Promise.resolve(client);
}
