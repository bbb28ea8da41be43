/**
 * `ctx.stories` on a laptop or in a test: nothing is sent to a cluster. Each start is recorded
 * (and, locally, printed as a JSON log line) with the Story, inputs, token and the dedupe decision;
 * the same token twice gives the same StoryRun, as the operator does. A `runStory` hook can run
 * the Story for real (the local Story runner).
 * @module
 */
import type { StartStoryOptions, StopOutcome, Stories } from "../engram/context.ts";
import type { StoryRun } from "../k8s/story-run.ts";
import type { Logger } from "../observability/logger.ts";
import { resolveStory } from "./cluster-stories.ts";

/** One Story start as the local sink saw it. */
export interface TriggeredStory {
  readonly story: string;
  readonly namespace: string;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly token: string;
  /** `created`: a new StoryRun; `reused`: the token was seen before. */
  readonly decision: "created" | "reused";
  readonly storyRun: StoryRun;
}

/** One stop request. */
export interface StoppedStory {
  readonly storyRun: string;
  readonly namespace: string;
  readonly outcome: StopOutcome;
}

/** Settings of {@link localStories}. */
export interface LocalStoriesOptions {
  readonly target: Stories["target"];
  /** Where starts and stops are recorded, in order. */
  readonly started: TriggeredStory[];
  readonly stopped: StoppedStory[];
  /** Prints each start and stop (the local sink); omitted in tests. */
  readonly logger?: Logger;
  /** Runs the triggered Story (e.g. the local Story runner); its result becomes the StoryRun. */
  readonly runStory?: (story: TriggeredStory) => Promise<StoryRun | void>;
}

/** Stories that record instead of creating StoryTriggers. */
export function localStories(options: LocalStoriesOptions): Stories {
  const byToken = new Map<string, StoryRun>();
  let count = 0;
  return {
    target: options.target,
    dedupe: "none",
    async start(o: StartStoryOptions = {}): Promise<StoryRun> {
      const { story, namespace } = resolveStory(o, options.target);
      const inputs = { ...o.inputs };
      const token = (o.token ?? "").trim();
      const key = `${namespace}/${story}/${token}`;
      const seen = token === "" ? undefined : byToken.get(key);
      let storyRun: StoryRun = seen ?? {
        apiVersion: "runs.bubustack.io/v1alpha1",
        kind: "StoryRun",
        metadata: { name: `${story}-local-${++count}`, namespace: namespace || "default" },
        spec: { storyRef: { name: story, ...(namespace !== "" ? { namespace } : {}) }, inputs },
        status: { phase: "Pending" },
      };
      if (token !== "" && seen === undefined) byToken.set(key, storyRun);
      const triggered: TriggeredStory = {
        story,
        namespace,
        inputs,
        token,
        decision: seen ? "reused" : "created",
        storyRun,
      };
      options.logger?.info("story triggered (local: no cluster)", {
        story,
        // Where the StoryRun would be: the target's namespace, else the impulse's ("default" here).
        namespace: storyRun.metadata.namespace,
        token,
        decision: triggered.decision,
        storyRun: storyRun.metadata.name,
        inputs,
      });
      if (seen === undefined && options.runStory) {
        const ran = await options.runStory(triggered);
        if (ran) {
          storyRun = ran;
          if (token !== "") byToken.set(key, ran);
        }
      }
      options.started.push({ ...triggered, storyRun });
      return storyRun;
    },
    stop(storyRun, o = {}): Promise<StopOutcome> {
      const stopped: StoppedStory = { storyRun, namespace: o.namespace ?? "", outcome: "requested" };
      options.stopped.push(stopped);
      options.logger?.info("story stop requested (local: no cluster)", {
        storyRun,
        namespace: stopped.namespace || "default",
      });
      return Promise.resolve("requested");
    },
  };
}
