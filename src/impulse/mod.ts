/**
 * Impulses: long-running listeners that start Stories (`runImpulse`, `startStory` via
 * StoryTrigger, delivery policy, `StoryDispatcher`) and a webhook impulse whose fetch handler
 * (`createWebhookHandler`) runs on any runtime.
 *
 * @example
 * ```ts
 * import { defineImpulse, runImpulse, startStory } from "@bubustack/sdk/impulse";
 *
 * await runImpulse(defineImpulse({
 *   async run(ctx) {
 *     await startStory(ctx, "nightly-report", { day: new Date().toISOString().slice(0, 10) });
 *   },
 * }));
 * ```
 * @module
 */
export { type ImpulseOutcome, runImpulse, type RunImpulseOptions } from "./run-impulse.ts";
export { defineImpulse, type Impulse, type ImpulseContext, type ImpulseDefinition } from "./impulse.ts";
export {
  getTargetStory,
  startStory,
  startStoryInNamespace,
  startStoryWithToken,
  startStoryWithTokenInNamespace,
  stopStory,
  stopStoryInNamespace,
  type TargetStory,
} from "./story-helpers.ts";
export { type TriggerContext, triggerTokenFromContext, withTriggerToken } from "./trigger-context.ts";
export { StoryClient, type StoryClientOptions } from "./story-client.ts";
export {
  StoryDispatcher,
  type StoryDispatcherOptions,
  type StoryRuntime,
  type StorySession,
  type StoryTriggerRequest,
  type StoryTriggerResult,
} from "./dispatcher.ts";
export { type TriggerStatsDelta, updateImpulseTriggerStats } from "./impulse-stats.ts";
export { type StopOutcome, TERMINAL_STORYRUN_PHASES } from "./stop-story.ts";
export type { DeliveryIdentity, StoryRun, StoryTrigger } from "./types.ts";
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
export { type WebhookConfig, webhookImpulse, type WebhookImpulseOptions } from "./webhook/webhook-impulse.ts";
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
export { memoryReplayStore, type MemoryReplayStoreOptions, type ReplayStore } from "./webhook/replay-store.ts";
export { type AdmissionOptions } from "./webhook/admission.ts";
export { githubSignature, type SecretSource, sharedSecretHeader, type VerifyResult, type WebhookVerifier } from "./webhook/verify.ts";
export { timestampedSignature, type TimestampedSignatureOptions } from "./webhook/timestamped-signature.ts";
