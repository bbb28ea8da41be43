/**
 * `webhookImpulse`: an impulse that serves the webhook handler (`webhook-handler.ts`) on the
 * runtime's HTTP server and starts a Story per delivery through a `StoryDispatcher` (which
 * records the impulse stats). The same code serves on Bun, Deno and Node through
 * `Runtime.serve`; `edgeImpulse` (`@bubustack/sdk/edge`) is the same handler as a fetch export.
 * @module
 */
import * as v from "valibot";
import type { Impulse } from "../../engram/impulse.ts";
import type { SecretDeclarations } from "../../engram/secret-declarations.ts";
import { MissingSecretError } from "../../engram/secrets.ts";
import { detectRuntime } from "../../runtime/detect.ts";
import type { HttpServer, Runtime } from "../../runtime/types.ts";
import type { WebhookVerifier } from "./verify.ts";
import {
  createWebhookHandler,
  type ToInputs,
  type WebhookConcurrencyOptions,
  type WebhookReplayOptions,
  type WebhookRequest,
} from "./webhook-handler.ts";
import { deliveryOptions, dispatchingTrigger } from "./webhook-trigger.ts";

export type { WebhookRequest };

/** Options of {@link webhookImpulse}. */
export interface WebhookImpulseOptions {
  readonly name?: string;
  /** Webhook path; default the config's `path`, else `/webhook`. */
  readonly path?: string;
  /** Port; default the config's `port`, else 8080. */
  readonly port?: number;
  /** Interface to bind; default `0.0.0.0`. */
  readonly hostname?: string;
  /**
   * Every verifier must pass. Without one, requests are not authenticated (logged at startup).
   * A verifier whose secret is `{ secretKey }` makes that secret a required one (see `secrets`).
   */
  readonly verify?: WebhookVerifier | readonly WebhookVerifier[];
  /**
   * Secrets the impulse declares (its template's `secretSchema`). The secret keys of the
   * verifiers are added as required, with the key itself as the Secret's expected key; a
   * declaration here of the same name adds to that (a description, a mount type).
   */
  readonly secrets?: SecretDeclarations;
  /** Maps the parsed JSON payload to Story inputs; `undefined` ignores the delivery (202, no trigger). */
  toInputs(payload: unknown, request: WebhookRequest): ReturnType<ToInputs>;
  /** Story to start; default the impulse's target story (`BUBU_TARGET_STORY_NAME`). */
  readonly story?: string;
  readonly storyNamespace?: string;
  /** Largest accepted body in bytes (default 1 MiB); larger gets 413. */
  readonly maxBodyBytes?: number;
  /** The body must arrive within this many milliseconds (default 10 s); a slower client gets 408. */
  readonly bodyTimeoutMs?: number;
  /** Reads the delivery id; default `X-GitHub-Delivery`, `X-Delivery-Id`, `Idempotency-Key`, `X-Request-Id`. */
  readonly deliveryId?: (headers: Headers) => string | undefined;
  /** Where deliveries are remembered against replays and for how long (default in memory, 24 h). */
  readonly replay?: WebhookReplayOptions;
  /** Deliveries processed at once and queued (default 32 and 256); beyond that, 503 with Retry-After. */
  readonly concurrency?: WebhookConcurrencyOptions;
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

/** Builds the impulse; run it with `start` from `@bubustack/sdk`. */
export function webhookImpulse(options: WebhookImpulseOptions): Impulse<WebhookConfig> {
  const verifiers =
    options.verify === undefined
      ? []
      : Array.isArray(options.verify)
        ? options.verify
        : [options.verify as WebhookVerifier];
  return {
    kind: "impulse",
    name: options.name ?? "webhook",
    schemas: { config: WebhookConfig },
    secrets: webhookSecrets(verifiers, options.secrets),
    async init(ctx) {
      for (const verifier of verifiers) {
        const key = verifier.secretKey;
        // Present but empty (an empty variable, a Secret without that key) fails as cleanly as absent.
        if (key !== undefined && (ctx.secrets.get(key) ?? "") === "") {
          throw new MissingSecretError(
            key,
            `the ${verifier.kind} webhook verifier needs it: BUBU_SECRET_${key} is empty or its Secret has no key ${key}`,
          );
        }
        await verifier.prepare(ctx.secrets);
      }
    },
    async run(ctx) {
      const { config, logger, signal } = ctx;
      const path = options.path ?? config.path ?? "/webhook";
      let ready = true;
      if (verifiers.length === 0)
        logger.warn("webhook requests are not authenticated: no verifier configured", { path });
      const handler = createWebhookHandler({
        ...deliveryOptions({ ...options, verify: verifiers }),
        path,
        logger,
        ready: () => ready,
        trigger: dispatchingTrigger(ctx.stories, {
          signal,
          logger,
          ...(options.story !== undefined ? { story: options.story } : {}),
          ...(options.storyNamespace !== undefined ? { storyNamespace: options.storyNamespace } : {}),
        }),
      });

      const runtime = options.runtime ?? detectRuntime();
      const port = options.port ?? config.port ?? 8080;
      const server = await runtime.serve(handler, { port, hostname: options.hostname ?? "0.0.0.0", signal });
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

/** `declared` plus each verifier's secret key as a required secret (sorted by name). */
function webhookSecrets(
  verifiers: readonly WebhookVerifier[],
  declared: SecretDeclarations | undefined,
): SecretDeclarations | undefined {
  const out: Record<string, SecretDeclarations[string]> = { ...declared };
  for (const { kind, secretKey } of verifiers) {
    if (secretKey === undefined) continue;
    out[secretKey] = {
      description: `webhook secret (${kind} verifier)`,
      // In a cluster the Secret's keys become the secret keys; the verifier reads this one.
      expectedKeys: [secretKey],
      ...out[secretKey],
      required: true,
    };
  }
  const names = Object.keys(out).sort();
  return names.length === 0 ? undefined : Object.fromEntries(names.map((n) => [n, out[n]!]));
}
