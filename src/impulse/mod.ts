/**
 * Building blocks for impulses: a webhook impulse with signature verification and replay
 * protection, a session-aware story dispatcher, the trigger errors, and the StoryTrigger name
 * and hash functions. Define and run an impulse with `defineImpulse` and `start` from
 * `@bubustack/sdk`; start Stories with `ctx.stories`.
 *
 * @example
 * ```ts
 * import { start } from "@bubustack/sdk";
 * import { githubSignature, webhookImpulse } from "@bubustack/sdk/impulse";
 *
 * await start(webhookImpulse({
 *   path: "/hook",
 *   verify: githubSignature({ secret: { secretKey: "WEBHOOK" } }),
 *   toInputs: (payload) => ({ event: payload }),
 * }));
 * ```
 * @module
 */
export {
  StoryDispatcher,
  type StoryDispatcherOptions,
  type StorySession,
  type StoryTriggerRequest,
  type StoryTriggerResult,
} from "./dispatcher.ts";
export {
  ImpulseSessionExistsError,
  ImpulseSessionNotFoundError,
  RetryableTriggerError,
  StoryRunNotFoundError,
  StoryTriggerConflictError,
  StoryTriggerRejectedError,
  TriggerAbortedError,
  TriggerPolicyError,
} from "./errors.ts";
export { computeTriggerInputHash, deriveStoryRunName, deriveStoryTriggerName, safeLabelValue } from "./names.ts";
export type { DeliveryIdentity, StoryTrigger } from "./types.ts";
export { type AdmissionOptions } from "./webhook/admission.ts";
export { type MemoryReplayStoreOptions, memoryReplayStore, type ReplayStore } from "./webhook/replay-store.ts";
export { type TimestampedSignatureOptions, timestampedSignature } from "./webhook/timestamped-signature.ts";
export {
  githubSignature,
  type SecretSource,
  sharedSecretHeader,
  type VerifyResult,
  type WebhookVerifier,
} from "./webhook/verify.ts";
export {
  createWebhookHandler,
  type ToInputs,
  type WebhookConcurrencyOptions,
  type WebhookHandler,
  type WebhookHandlerOptions,
  type WebhookReplayOptions,
  type WebhookRequest,
  type WebhookTrigger,
  type WebhookTriggerRequest,
} from "./webhook/webhook-handler.ts";
export { type WebhookConfig, type WebhookImpulseOptions, webhookImpulse } from "./webhook/webhook-impulse.ts";
