/**
 * A GitHub webhook impulse: every verified `push` delivery starts the impulse's target Story
 * with the repository, ref and head commit. A digest of the signed body is the trigger token, so
 * a redelivery (or a replay under another `X-GitHub-Delivery`) never starts a second run.
 *
 * Run locally (no cluster: each triggered Story is printed as a JSON line on stderr):
 * `BUBU_TARGET_STORY_NAME=ci BUBU_SECRET_WEBHOOK=literal-secret bun run examples/webhook-impulse/impulse.ts`
 * @module
 */
import * as v from "valibot";
import { githubSignature, webhookImpulse } from "../../src/impulse/mod.ts";
import { start } from "../../src/mod.ts";

/** The part of a GitHub push event the Story needs. */
export const PushEvent = v.object({
  ref: v.string(),
  after: v.string(),
  repository: v.object({ full_name: v.string() }),
  pusher: v.optional(v.object({ name: v.string() })),
});

/** The Story inputs this impulse produces (the template's `contextSchema`). */
export const PushInputs = v.object({
  repository: v.string(),
  ref: v.string(),
  commit: v.string(),
  pusher: v.optional(v.string()),
});

/** Maps a delivery to Story inputs; other events are ignored (no trigger). */
export function toInputs(payload: unknown, headers: Headers): v.InferOutput<typeof PushInputs> | undefined {
  if (headers.get("x-github-event") !== "push") return undefined;
  const push = v.parse(PushEvent, payload);
  return {
    repository: push.repository.full_name,
    ref: push.ref,
    commit: push.after,
    ...(push.pusher ? { pusher: push.pusher.name } : {}),
  };
}

/** The impulse: GitHub HMAC with the secret `WEBHOOK` (mounted as `BUBU_SECRET_WEBHOOK`). */
export const githubPushImpulse = webhookImpulse({
  name: "github-push",
  verify: githubSignature({ secret: { secretKey: "WEBHOOK" } }),
  maxBodyBytes: 512 * 1024,
  toInputs: (payload, request) => toInputs(payload, request.headers),
});

if (import.meta.main) await start(githubPushImpulse);
