/**
 * Impulses on edge runtimes: {@link edgeImpulse} is a webhook impulse as a fetch handler
 * (`export default` it from a Worker, or pass its `fetch` to `Deno.serve`, `Bun.serve` or a
 * Node adapter), with the verifiers, the replay stores for Workers (KV, a Durable Object) and the
 * Kubernetes client over `fetch` it is built from. Nothing here needs Node APIs, a file system or
 * a process.
 *
 * @example
 * ```ts
 * import { edgeImpulse, githubSignature } from "@bubustack/sdk/edge";
 *
 * export default edgeImpulse({
 *   verify: githubSignature({ secret: { secretKey: "WEBHOOK_SECRET" } }),
 *   toInputs: (payload) => ({ event: payload }),
 * });
 * ```
 * @module
 */
export {
  type EdgeExecutionContext,
  type EdgeImpulse,
  edgeImpulse,
  type EdgeImpulseOptions,
  type EdgeReplayOptions,
} from "./edge-impulse.ts";
export { EdgeConfigError, type EdgeEnv, KUBE_API_URL, KUBE_TOKEN } from "./bindings.ts";
export { type KvNamespaceLike, kvReplayStore, type KvReplayStoreOptions } from "./kv-replay-store.ts";
export {
  type DurableObjectNamespaceLike,
  durableObjectReplayStore,
  type DurableObjectReplayStoreOptions,
  type DurableObjectStorageLike,
  ReplayStoreObject,
} from "./durable-object-replay-store.ts";
export { memoryReplayStore, type MemoryReplayStoreOptions, type ReplayStore } from "../impulse/webhook/replay-store.ts";
export { githubSignature, type SecretSource, sharedSecretHeader, type VerifyResult, type WebhookVerifier } from "../impulse/webhook/verify.ts";
export { timestampedSignature, type TimestampedSignatureOptions } from "../impulse/webhook/timestamped-signature.ts";
export type { WebhookRequest } from "../impulse/webhook/webhook-handler.ts";
export { createTokenKubeClient, type TokenKubeClientOptions } from "../k8s/token-client.ts";
