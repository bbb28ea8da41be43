/**
 * `edgeImpulse`: the webhook impulse as a fetch handler, `fetch(request, env, ctx)` in the
 * Workers (and Hono) style. The same handler as `webhookImpulse` (`createWebhookHandler`: body
 * limit, read deadline, verifiers, replay protection, concurrency bound), and the same story
 * start (`StoryClient`: the delivery policy, StoryTrigger names and bodies, the wait for the
 * controller's decision), over a Kubernetes client that needs only `fetch` and a bearer token.
 * No file system, no process, no runtime adapter: it runs in a Workers isolate and, unchanged,
 * under `Deno.serve`, `Bun.serve` and Node.
 * @module
 */
import { Secrets } from "../engram/secrets.ts";
import { type CountingStories, clusterStories } from "../impulse/cluster-stories.ts";
import { updateImpulseTriggerStats } from "../impulse/impulse-stats.ts";
import { StoryClient } from "../impulse/story-client.ts";
import type { ReplayStore } from "../impulse/webhook/replay-store.ts";
import type { WebhookVerifier } from "../impulse/webhook/verify.ts";
import {
  createWebhookHandler,
  type ToInputs,
  type WebhookConcurrencyOptions,
  type WebhookHandler,
  type WebhookRequest,
} from "../impulse/webhook/webhook-handler.ts";
import { deliveryOptions, dispatchingTrigger } from "../impulse/webhook/webhook-trigger.ts";
import { createTokenKubeClient } from "../k8s/token-client.ts";
import { createLogger, type Logger } from "../observability/logger.ts";
import { registerSecretValues } from "../observability/redaction.ts";
import type { FetchFn } from "../runtime/types.ts";
import { type EdgeEnv, readBindings } from "./bindings.ts";

/** The part of a Worker's `ExecutionContext` the handler uses. */
export interface EdgeExecutionContext {
  /** Keeps the isolate alive for `promise` after the response is sent. */
  waitUntil(promise: Promise<unknown>): void;
}

/** Replay protection of {@link edgeImpulse}. */
export interface EdgeReplayOptions {
  /**
   * Where deliveries are remembered: a store, or a function that makes one from the bindings
   * (`kvReplayStore(env.REPLAY_KV)`, `durableObjectReplayStore(env.REPLAY)`). Default: in
   * memory, which on Workers means per isolate (see the remarks of {@link edgeImpulse}).
   */
  readonly store?: ReplayStore | ((env: EdgeEnv) => ReplayStore);
  /** How long a delivery is remembered, in milliseconds. Default 24 hours. */
  readonly ttlMs?: number;
}

/** Options of {@link edgeImpulse}. */
export interface EdgeImpulseOptions {
  /** Webhook path; default `/webhook`. */
  readonly path?: string;
  /** Every verifier must pass; their secrets are read from the bindings. Without one, requests are not authenticated (logged). */
  readonly verify?: WebhookVerifier | readonly WebhookVerifier[];
  /** Maps the parsed JSON payload to Story inputs; `undefined` ignores the delivery (202, no trigger). */
  toInputs(payload: unknown, request: WebhookRequest): ReturnType<ToInputs>;
  /** Largest accepted body in bytes (default 1 MiB); larger gets 413. */
  readonly maxBodyBytes?: number;
  /** The body must arrive within this many milliseconds (default 10 s); a slower client gets 408. */
  readonly bodyTimeoutMs?: number;
  /** Reads the delivery id; default `X-GitHub-Delivery`, `X-Delivery-Id`, `Idempotency-Key`, `X-Request-Id`. */
  readonly deliveryId?: (headers: Headers) => string | undefined;
  /** Deliveries processed at once and queued, per isolate (default 32 and 256); beyond that, 503 with Retry-After. */
  readonly concurrency?: WebhookConcurrencyOptions;
  /** Story to start; default `BUBU_TARGET_STORY_NAME`. */
  readonly story?: string;
  readonly storyNamespace?: string;
  readonly replay?: EdgeReplayOptions;
  /**
   * The bindings, for servers whose second `fetch` argument is not a Worker's `env`
   * (`Deno.serve`, `Bun.serve`, Node): for example `process.env`. On Workers leave it unset.
   */
  readonly env?: EdgeEnv;
  /** Sends the Kubernetes API requests; default the global `fetch` (and its platform's TLS trust). */
  readonly fetch?: FetchFn;
  /** Default JSON lines on `console.log`. */
  readonly logger?: Logger;
}

/** A module Worker's default export; also a plain `(request) => Promise<Response>` through `fetch`. */
export interface EdgeImpulse {
  fetch(request: Request, env?: unknown, ctx?: Partial<EdgeExecutionContext>): Promise<Response>;
}

/** What one set of bindings builds, once per isolate. */
interface Built {
  readonly handler: WebhookHandler;
  /** Impulse stats writes still running; handed to `ctx.waitUntil`. */
  readonly pending: Set<Promise<void>>;
}

/**
 * Builds the fetch handler. Bindings (Workers vars and secrets, or `options.env`):
 * `BUBU_KUBE_API_URL` and `BUBU_KUBE_TOKEN` (required); `BUBU_TARGET_STORY_NAME` and
 * `BUBU_TARGET_STORY_NAMESPACE`, `BUBU_IMPULSE_NAME` and `BUBU_IMPULSE_NAMESPACE`, and the
 * `BUBU_TRIGGER_*` and `BUBU_K8S_*` settings, read as in an impulse pod. Verifiers get every
 * string binding as their secrets (`githubSignature({ secret: { secretKey: "WEBHOOK_SECRET" } })`).
 * The handler is built on the first request of each set of bindings.
 *
 * @remarks
 * Replays: the default store is in memory, so on Workers each isolate remembers only what it
 * served. A copy that reaches another isolate is still verified and submitted, and then resolves
 * to the same StoryRun, because the body's digest is the StoryTrigger's token (outside
 * `BUBU_TRIGGER_DEDUPE_MODE=key`). Bind a Durable Object (`durableObjectReplayStore`, strongly
 * consistent) or a KV namespace (`kvReplayStore`) to answer every copy from the store.
 *
 * The impulse's trigger stats are written after the response, through `ctx.waitUntil` where the
 * runtime has it. The Kubernetes client trusts what `fetch` trusts: on workerd, the config's
 * `trustedCertificates`; on Workers, publicly trusted certificates only.
 *
 * @example
 * ```ts
 * import { durableObjectReplayStore, edgeImpulse, githubSignature } from "@bubustack/sdk/edge";
 * export { ReplayStoreObject } from "@bubustack/sdk/edge";
 *
 * export default edgeImpulse({
 *   verify: githubSignature({ secret: { secretKey: "WEBHOOK_SECRET" } }),
 *   toInputs: (payload) => ({ event: payload }),
 *   replay: { store: (env) => durableObjectReplayStore(env.REPLAY as never) },
 * });
 * ```
 */
export function edgeImpulse(options: EdgeImpulseOptions): EdgeImpulse {
  const verifiers: readonly WebhookVerifier[] =
    options.verify === undefined
      ? []
      : Array.isArray(options.verify)
        ? options.verify
        : [options.verify as WebhookVerifier];
  const logger = options.logger ?? createLogger({ sink: (line) => console.log(line.replace(/\n$/, "")) });
  const built = new WeakMap<object, Promise<Built>>();

  const build = async (bindings: EdgeEnv): Promise<Built> => {
    const b = readBindings(bindings);
    registerSecretValues([b.token]);
    const secrets = new Secrets(b.strings);
    for (const verifier of verifiers) await verifier.prepare(secrets);
    const kube = createTokenKubeClient({
      server: b.apiUrl,
      token: b.token,
      env: (name) => b.strings[name],
      ...(options.fetch !== undefined ? { fetch: options.fetch } : {}),
    });
    const client = new StoryClient(kube, { env: b.env, logger });
    const pending = new Set<Promise<void>>();
    const impulse = { name: b.env.identity.impulseName.trim(), namespace: b.env.identity.impulseNamespace.trim() };
    const stories: CountingStories = {
      ...clusterStories(() => Promise.resolve(client), b.env),
      // Written after the response (ctx.waitUntil), each delivery on its own: a write shared by
      // several requests (the coalescing of a process) would do I/O in a request already ended.
      recordTriggerStats(delta) {
        if (impulse.name === "") return Promise.resolve();
        const options = { operationTimeoutMs: client.operationTimeoutMs };
        const write = updateImpulseTriggerStats(kube, impulse.name, impulse.namespace, delta, options).catch(
          (err: unknown) => {
            logger.warn("failed to update impulse trigger stats", { error: (err as Error)?.message ?? String(err) });
          },
        );
        pending.add(write);
        void write.finally(() => pending.delete(write));
        return Promise.resolve();
      },
    };
    const path = options.path ?? "/webhook";
    if (verifiers.length === 0) logger.warn("webhook requests are not authenticated: no verifier configured", { path });
    const store = options.replay?.store;
    const replay = {
      ...(store !== undefined ? { store: typeof store === "function" ? store(bindings) : store } : {}),
      ...(options.replay?.ttlMs !== undefined ? { ttlMs: options.replay.ttlMs } : {}),
    };
    const handler = createWebhookHandler({
      ...deliveryOptions({ ...options, verify: verifiers, replay }),
      path,
      logger,
      trigger: dispatchingTrigger(stories, {
        logger,
        ...(options.story !== undefined ? { story: options.story } : {}),
        ...(options.storyNamespace !== undefined ? { storyNamespace: options.storyNamespace } : {}),
      }),
    });
    return { handler, pending };
  };

  const builtFor = (bindings: EdgeEnv): Promise<Built> => {
    let p = built.get(bindings);
    if (p === undefined) {
      p = build(bindings);
      built.set(bindings, p);
      // A failed build is retried by the next request (a binding may have been fixed).
      p.catch(() => built.delete(bindings));
    }
    return p;
  };

  return {
    async fetch(request, env, ctx) {
      const bindings = options.env ?? (typeof env === "object" && env !== null ? (env as EdgeEnv) : {});
      let app: Built;
      try {
        app = await builtFor(bindings);
      } catch (err) {
        logger.error("edge impulse is misconfigured", { error: (err as Error)?.message ?? String(err) });
        return Response.json({ error: "the impulse is misconfigured (see its log)" }, { status: 500 });
      }
      const response = await app.handler(request);
      if (app.pending.size > 0 && typeof ctx?.waitUntil === "function")
        ctx.waitUntil(Promise.allSettled([...app.pending]));
      return response;
    },
  };
}
