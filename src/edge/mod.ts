/**
 * Impulses on edge runtimes: {@link edgeImpulse} is a webhook impulse as a fetch handler
 * (`export default` it from a Worker, or pass its `fetch` to `Deno.serve`, `Bun.serve` or a
 * Node adapter), with the verifiers and the replay stores for Workers (KV, a Durable Object).
 * Nothing here needs Node APIs, a file system or a process; the Kubernetes client it uses is
 * `createTokenKubeClient` of `@bubustack/sdk/k8s`.
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

export type { AdmissionOptions } from "../impulse/webhook/admission.ts";
export { type MemoryReplayStoreOptions, memoryReplayStore, type ReplayStore } from "../impulse/webhook/replay-store.ts";
export { type TimestampedSignatureOptions, timestampedSignature } from "../impulse/webhook/timestamped-signature.ts";
export {
  githubSignature,
  type SecretSource,
  sharedSecretHeader,
  type VerifyResult,
  type WebhookVerifier,
} from "../impulse/webhook/verify.ts";
export type { ToInputs, WebhookConcurrencyOptions, WebhookRequest } from "../impulse/webhook/webhook-handler.ts";
export { EdgeConfigError, type EdgeEnv, KUBE_API_URL, KUBE_TOKEN } from "./bindings.ts";
export {
  type DurableObjectNamespaceLike,
  type DurableObjectReplayStoreOptions,
  type DurableObjectStorageLike,
  durableObjectReplayStore,
  ReplayStoreObject,
} from "./durable-object-replay-store.ts";
export {
  type EdgeExecutionContext,
  type EdgeImpulse,
  type EdgeImpulseOptions,
  type EdgeReplayOptions,
  edgeImpulse,
} from "./edge-impulse.ts";
export { type KvNamespaceLike, type KvReplayStoreOptions, kvReplayStore } from "./kv-replay-store.ts";
