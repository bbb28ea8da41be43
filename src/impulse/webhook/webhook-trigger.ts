/**
 * What every webhook front end shares once its handler is built: the delivery options passed
 * through to {@link createWebhookHandler}, and the trigger that starts the Story for a verified
 * delivery through a {@link StoryDispatcher} (which counts it on the Impulse's status).
 * `webhookImpulse` (a process) and `edgeImpulse` (a fetch handler) both use them.
 * @module
 */
import type { Stories } from "../../engram/context.ts";
import type { Logger } from "../../observability/logger.ts";
import { StoryDispatcher } from "../dispatcher.ts";
import type { WebhookHandlerOptions, WebhookTrigger } from "./webhook-handler.ts";

/** The delivery options both front ends accept and hand to the handler unchanged. */
export type WebhookDeliveryOptions = Pick<
  WebhookHandlerOptions,
  "verify" | "toInputs" | "maxBodyBytes" | "bodyTimeoutMs" | "deliveryId" | "replay" | "concurrency"
>;

/** The options of `createWebhookHandler` that `options` sets (absent ones keep the handler's defaults). */
export function deliveryOptions(options: WebhookDeliveryOptions): WebhookDeliveryOptions {
  return {
    toInputs: (payload, request) => options.toInputs(payload, request),
    ...(options.verify !== undefined ? { verify: options.verify } : {}),
    ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
    ...(options.bodyTimeoutMs !== undefined ? { bodyTimeoutMs: options.bodyTimeoutMs } : {}),
    ...(options.deliveryId !== undefined ? { deliveryId: options.deliveryId } : {}),
    ...(options.replay !== undefined ? { replay: options.replay } : {}),
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
  };
}

/** Which Story a delivery starts, and what bounds the start. */
export interface DispatchingTriggerOptions {
  /** Story to start; default the impulse's target story. */
  readonly story?: string;
  readonly storyNamespace?: string;
  /** Aborts the starts (a process's shutdown). */
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
}

/**
 * The trigger that starts the Story for a delivery. The body digest is the trigger token, so
 * a redelivered body resolves to the same StoryRun, except in key mode, where the client
 * derives the token from the key template.
 */
export function dispatchingTrigger(stories: Stories, options: DispatchingTriggerOptions = {}): WebhookTrigger {
  const dispatcher = new StoryDispatcher(stories, options.logger !== undefined ? { logger: options.logger } : {});
  const useToken = stories.dedupe !== "key";
  return async ({ inputs, triggerToken }) => {
    const { storyRun } = await dispatcher.trigger({
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
      ...(useToken ? { token: triggerToken } : {}),
      ...(options.story !== undefined ? { story: options.story } : {}),
      ...(options.storyNamespace !== undefined ? { namespace: options.storyNamespace } : {}),
      inputs,
    });
    return `${storyRun.metadata.namespace ?? ""}/${storyRun.metadata.name}`;
  };
}
