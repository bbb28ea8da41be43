/**
 * A GitHub webhook impulse as a Cloudflare Worker (or any workerd): every verified `push`
 * delivery starts the target Story through a StoryTrigger on the cluster's API server. Replays
 * are answered from a Durable Object, which every isolate shares.
 *
 * Bindings (wrangler.toml): `BUBU_KUBE_API_URL`, `BUBU_TARGET_STORY_NAME`, `BUBU_IMPULSE_NAME`,
 * their namespaces, the Durable Object `REPLAY`; secrets `BUBU_KUBE_TOKEN` and `WEBHOOK_SECRET`.
 * In a project of your own, import from `@bubustack/sdk/edge`.
 * @module
 */
import * as v from "valibot";
import {
  type DurableObjectNamespaceLike,
  durableObjectReplayStore,
  edgeImpulse,
  githubSignature,
} from "../../src/edge/mod.ts";

export { ReplayStoreObject } from "../../src/edge/mod.ts";

/** The part of a GitHub push event the Story needs. */
const PushEvent = v.object({
  ref: v.string(),
  after: v.string(),
  repository: v.object({ full_name: v.string() }),
  pusher: v.optional(v.object({ name: v.string() })),
});

/** Maps a delivery to Story inputs; other events are ignored (202, no trigger). */
export function toInputs(payload: unknown, headers: Headers): Record<string, unknown> | undefined {
  if (headers.get("x-github-event") !== "push") return undefined;
  const push = v.parse(PushEvent, payload);
  return {
    repository: push.repository.full_name,
    ref: push.ref,
    commit: push.after,
    ...(push.pusher ? { pusher: push.pusher.name } : {}),
  };
}

export default edgeImpulse({
  verify: githubSignature({ secret: { secretKey: "WEBHOOK_SECRET" } }),
  maxBodyBytes: 512 * 1024,
  toInputs: (payload, request) => toInputs(payload, request.headers),
  replay: { store: (env) => durableObjectReplayStore(env.REPLAY as DurableObjectNamespaceLike) },
});
