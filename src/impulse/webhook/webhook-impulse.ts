/**
 * `webhookImpulse`: an impulse that serves a webhook on hono and starts a Story per delivery.
 * Health endpoints, a body-size limit, signature verification (GitHub HMAC or a shared-secret
 * header), replay protection by delivery id (the id is the trigger token), JSON parsing, then
 * `toInputs` and a trigger through a {@link StoryDispatcher} (which records the impulse stats).
 * The same code serves on Bun, Deno and Node through `Runtime.serve`.
 * @module
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import * as v from "valibot";
import { detectRuntime } from "../../runtime/detect.ts";
import type { HttpServer, Runtime } from "../../runtime/types.ts";
import { StoryDispatcher } from "../dispatcher.ts";
import {
  RetryableTriggerError,
  StoryTriggerConflictError,
  StoryTriggerRejectedError,
  TriggerAbortedError,
  TriggerPolicyError,
} from "../errors.ts";
import type { Impulse } from "../../engram/impulse.ts";
import type { StoryRun } from "../../k8s/story-run.ts";
import { defaultDeliveryId, DeliveryLog } from "./delivery-ids.ts";
import type { WebhookVerifier } from "./verify.ts";

/** The request as `toInputs` sees it. */
export interface WebhookRequest {
  readonly headers: Headers;
  readonly url: string;
  /** The raw body (already verified). */
  readonly body: Uint8Array;
  /** The delivery id, when the sender gave one. */
  readonly deliveryId: string | undefined;
}

/** Options of {@link webhookImpulse}. */
export interface WebhookImpulseOptions {
  readonly name?: string;
  /** Webhook path; default the config's `path`, else `/webhook`. */
  readonly path?: string;
  /** Port; default the config's `port`, else 8080. */
  readonly port?: number;
  /** Interface to bind; default `0.0.0.0`. */
  readonly hostname?: string;
  /** Every verifier must pass. Without one, requests are not authenticated (logged at startup). */
  readonly verify?: WebhookVerifier | readonly WebhookVerifier[];
  /** Maps the parsed JSON payload to Story inputs; `undefined` ignores the delivery (202, no trigger). */
  toInputs(payload: unknown, request: WebhookRequest): Record<string, unknown> | undefined | Promise<Record<string, unknown> | undefined>;
  /** Story to start; default the impulse's target story (`BUBU_TARGET_STORY_NAME`). */
  readonly story?: string;
  readonly storyNamespace?: string;
  /** Largest accepted body in bytes (default 1 MiB); larger gets 413. */
  readonly maxBodyBytes?: number;
  /** Reads the delivery id; default `X-GitHub-Delivery`, `X-Delivery-Id`, `Idempotency-Key`, `X-Request-Id`. */
  readonly deliveryId?: (headers: Headers) => string | undefined;
  /** Serve through this runtime (default the detected one). */
  readonly runtime?: Pick<Runtime, "serve">;
  /** Called once listening (tests and logs). */
  readonly onListen?: (server: HttpServer) => void;
}

/** The decoded webhook config: its own keys in `BUBU_STEP_CONFIG` (other keys are allowed). */
export interface WebhookConfig {
  readonly port?: number;
  readonly path?: string;
  readonly [key: string]: unknown;
}

const WebhookConfig: v.GenericSchema<unknown, WebhookConfig> = v.looseObject({
  port: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(65535))),
  path: v.optional(v.pipe(v.string(), v.startsWith("/"))),
});

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body) + "\n", { status, headers: { "content-type": "application/json", ...headers } });

/** Builds the impulse; run it with `runImpulse`. */
export function webhookImpulse(options: WebhookImpulseOptions): Impulse<WebhookConfig> {
  const verifiers = options.verify === undefined ? [] : Array.isArray(options.verify) ? options.verify : [options.verify as WebhookVerifier];
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  const readId = options.deliveryId ?? defaultDeliveryId;
  return {
    kind: "impulse",
    name: options.name ?? "webhook",
    schemas: { config: WebhookConfig },
    async init(ctx) {
      for (const verifier of verifiers) await verifier.prepare(ctx.secrets);
    },
    async run(ctx) {
      const { config, logger, signal } = ctx;
      const path = options.path ?? config.path ?? "/webhook";
      const dispatcher = new StoryDispatcher(ctx.stories, { logger });
      const deliveries = new DeliveryLog();
      // Under key dedupe the key comes from the inputs; a delivery id would conflict with it.
      const useToken = ctx.stories.dedupe !== "key";
      let ready = true;
      if (verifiers.length === 0) logger.warn("webhook requests are not authenticated: no verifier configured", { path });

      const app = new Hono();
      app.get("/healthz", (c) => c.text("ok\n"));
      app.get("/livez", (c) => c.text("ok\n"));
      app.get("/readyz", (c) => (ready ? c.text("ok\n") : c.text("shutting down\n", 503)));
      app.post(
        path,
        bodyLimit({ maxSize: maxBody, onError: () => json(413, { error: `request body exceeds ${maxBody} bytes` }) }),
        async (c) => {
          const body = new Uint8Array(await c.req.arrayBuffer());
          const headers = c.req.raw.headers;
          for (const verifier of verifiers) {
            const result = await verifier.verify({ headers, body });
            if (result !== "ok") {
              logger.warn("webhook signature rejected", { verifier: verifier.kind, result });
              return result === "missing" ? json(401, { error: "missing signature" }) : json(403, { error: "invalid signature" });
            }
          }
          let payload: unknown;
          try {
            payload = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
          } catch (err) {
            return json(400, { error: `malformed JSON: ${(err as Error).message}` });
          }
          const deliveryId = readId(headers);
          if (deliveryId !== undefined) {
            const seen = deliveries.get(deliveryId);
            if (seen !== undefined) return json(200, { storyRun: seen, deliveryId, replayed: true });
          }
          let inputs: Record<string, unknown> | undefined;
          try {
            inputs = await options.toInputs(payload, { headers, url: c.req.url, body, deliveryId });
          } catch (err) {
            return json(400, { error: `payload rejected: ${(err as Error).message}` });
          }
          if (inputs === undefined) return json(202, { ignored: true });
          let run: StoryRun;
          try {
            const result = await dispatcher.trigger({
              signal,
              ...(useToken && deliveryId !== undefined ? { token: deliveryId } : {}),
              ...(options.story !== undefined ? { story: options.story } : {}),
              ...(options.storyNamespace !== undefined ? { namespace: options.storyNamespace } : {}),
              inputs,
            });
            run = result.storyRun;
          } catch (err) {
            return triggerFailure(err, logger);
          }
          const name = `${run.metadata.namespace ?? ""}/${run.metadata.name}`;
          if (deliveryId !== undefined) deliveries.add(deliveryId, name);
          return json(202, { storyRun: name, ...(deliveryId !== undefined ? { deliveryId } : {}) });
        },
      );
      app.all(path, (c) => c.json({ error: "method not allowed" }, 405, { allow: "POST" }));
      app.notFound(() => json(404, { error: "not found" }));

      const runtime = options.runtime ?? detectRuntime();
      const port = options.port ?? config.port ?? 8080;
      const server = await runtime.serve((req) => Promise.resolve(app.fetch(req)), {
        port,
        hostname: options.hostname ?? "0.0.0.0",
        signal,
      });
      logger.info("webhook listening", { port: server.port, path });
      options.onListen?.(server);
      await new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        else signal.addEventListener("abort", () => resolve(), { once: true });
      });
      ready = false;
      await server.close();
    },
  };
}

function triggerFailure(err: unknown, logger: { warn(m: string, a?: Record<string, unknown>): void }): Response {
  const message = err instanceof Error ? err.message : String(err);
  logger.warn("story trigger failed", { error: message });
  if (err instanceof StoryTriggerRejectedError) return json(422, { error: message });
  if (err instanceof StoryTriggerConflictError) return json(409, { error: message });
  if (err instanceof TriggerPolicyError) return json(400, { error: message });
  if (err instanceof RetryableTriggerError || err instanceof TriggerAbortedError) {
    return json(503, { error: message }, { "retry-after": "5" });
  }
  return json(502, { error: message });
}
