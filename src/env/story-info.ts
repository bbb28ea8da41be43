/**
 * Where a step runs in its Story.
 * @module
 */

/**
 * Identity of the running step (from `BUBU_STORY_NAME`, `BUBU_STORYRUN_ID`, …); every field is
 * `""` when the run is not in a cluster.
 *
 * @remarks JSON keys match the Go SDK's `engram.StoryInfo`.
 */
export interface StoryInfo {
  readonly storyName: string;
  readonly storyRunID: string;
  readonly stepName: string;
  readonly stepRunID: string;
  readonly stepRunNamespace: string;
}

/** A StoryInfo with every field empty (local mode, tests). */
export const emptyStoryInfo: StoryInfo = Object.freeze({
  storyName: "",
  storyRunID: "",
  stepName: "",
  stepRunID: "",
  stepRunNamespace: "",
});

/** Thrown by {@link idempotencyKey} when the StoryRun or StepRun id is blank. */
export class IdempotencyUnavailableError extends Error {
  constructor() {
    super("idempotency unavailable: missing storyrun or steprun identity");
    this.name = "IdempotencyUnavailableError";
  }
}

/**
 * `ns/<ns>/storyrun/<sr>/steprun/<st>`, or without the namespace part when it is blank,
 * (the Go SDK's `engram.IdempotencyKey`).
 */
export function idempotencyKey(info: StoryInfo): string {
  const sr = info.storyRunID.trim();
  const st = info.stepRunID.trim();
  if (sr === "" || st === "") throw new IdempotencyUnavailableError();
  const ns = info.stepRunNamespace.trim();
  const tail = `storyrun/${sr}/steprun/${st}`;
  return ns === "" ? tail : `ns/${ns}/${tail}`;
}
