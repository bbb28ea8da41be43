/**
 * The webhook as a Web-standard fetch handler (`Request` in, `Response` out, no runtime APIs
 * and no timer that outlives a request), so it can serve on any runtime, an edge one included.
 * Per delivery: a concurrency slot (or 503 with Retry-After), the body read within a size limit
 * and a deadline (413, 408), every verifier (401, 403), replay protection on a digest of the
 * verified body and on the delivery id, JSON, `toInputs`, then the trigger.
 * @module
 */
import { Hono } from "hono";
import { describeJsonSyntaxError, JsonPayloadError, parseJsonPayload } from "../../json/json-payload.ts";
import { type Logger, noopLogger } from "../../observability/logger.ts";
import {
  RetryableTriggerError,
  StoryTriggerConflictError,
  StoryTriggerRejectedError,
  TriggerAbortedError,
  TriggerPolicyError,
} from "../errors.ts";
import { sha256Hex } from "../hash.ts";
import { Admission, type AdmissionOptions } from "./admission.ts";
import { defaultDeliveryId } from "./delivery-ids.ts";
import { readBody, settleUnreadBody, type UnreadBody } from "./read-body.ts";
import { memoryReplayStore, type ReplayStore } from "./replay-store.ts";
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

/** Maps the parsed JSON payload to Story inputs; `undefined` ignores the delivery (202, no trigger). */
export type ToInputs = (
  payload: unknown,
  request: WebhookRequest,
) => Record<string, unknown> | undefined | Promise<Record<string, unknown> | undefined>;

/** What the handler asks {@link WebhookTrigger} to start. */
export interface WebhookTriggerRequest {
  readonly inputs: Record<string, unknown>;
  /** Hex SHA-256 of the verified body: the same content always carries the same token. */
  readonly triggerToken: string;
  readonly deliveryId: string | undefined;
}

/**
 * Starts the Story for one delivery and resolves to its StoryRun as `namespace/name`. Trigger
 * errors map to responses: rejected 422, conflict 409, policy 400, retryable or aborted 503,
 * anything else 502.
 */
export type WebhookTrigger = (request: WebhookTriggerRequest) => Promise<string>;

/** Replay protection: where delivered requests are remembered, and for how long. */
export interface WebhookReplayOptions {
  /** Default {@link memoryReplayStore} (10,000 entries). */
  readonly store?: ReplayStore;
  /** How long a delivery is remembered, in milliseconds. Default 24 hours. */
  readonly ttlMs?: number;
}

/** The concurrency bound (see {@link AdmissionOptions}) and what a refused sender is told. */
export interface WebhookConcurrencyOptions extends AdmissionOptions {
  /** `Retry-After` of a 503 for a full queue, in seconds. Default 2. */
  readonly retryAfterSeconds?: number;
}

/** Options of {@link createWebhookHandler}. */
export interface WebhookHandlerOptions {
  /** Webhook path; default `/webhook`. */
  readonly path?: string;
  /** Every verifier must pass; they must be prepared already. Without one nothing is authenticated. */
  readonly verify?: WebhookVerifier | readonly WebhookVerifier[];
  /** Maps the parsed JSON payload to Story inputs; `undefined` ignores the delivery (202, no trigger). */
  toInputs(payload: unknown, request: WebhookRequest): ReturnType<ToInputs>;
  readonly trigger: WebhookTrigger;
  /** Largest accepted body in bytes (default 1 MiB); larger gets 413. */
  readonly maxBodyBytes?: number;
  /** The body must arrive within this many milliseconds (default 10 s); else 408. */
  readonly bodyTimeoutMs?: number;
  /** Reads the delivery id; default `X-GitHub-Delivery`, `X-Delivery-Id`, `Idempotency-Key`, `X-Request-Id`. */
  readonly deliveryId?: (headers: Headers) => string | undefined;
  readonly replay?: WebhookReplayOptions;
  readonly concurrency?: WebhookConcurrencyOptions;
  readonly logger?: Logger;
  /** `/readyz` answers 503 while this returns false. */
  readonly ready?: () => boolean;
}

/** A fetch handler: health endpoints and the webhook path. */
export type WebhookHandler = (request: Request) => Promise<Response>;

const DAY_MS = 24 * 60 * 60 * 1000;
/** How long a refused request may take to settle after the answer went out. */
const MAX_LINGER_MS = 2000;
/** How much of a refused body is read and dropped, hoping it ends (a small body usually does). */
const SETTLE_READ_BYTES = 64 * 1024;
const encoder = new TextEncoder();

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body) + "\n", { status, headers: { "content-type": "application/json", ...headers } });

/**
 * Builds the webhook's fetch handler.
 *
 * A delivery counts as a replay when the digest of its verified body or its delivery id was
 * seen within the replay TTL: the id alone is not covered by a signature, so a copy with a new
 * or no id is still caught by the body digest. The body digest is also the trigger token, so
 * the StoryTrigger stays idempotent across restarts and replicas.
 */
export function createWebhookHandler(options: WebhookHandlerOptions): WebhookHandler {
  const verifiers: readonly WebhookVerifier[] =
    options.verify === undefined
      ? []
      : Array.isArray(options.verify)
        ? options.verify
        : [options.verify as WebhookVerifier];
  const path = options.path ?? "/webhook";
  const maxBytes = options.maxBodyBytes ?? 1024 * 1024;
  const timeoutMs = options.bodyTimeoutMs ?? 10_000;
  const lingerMs = Math.min(MAX_LINGER_MS, timeoutMs);
  const readId = options.deliveryId ?? defaultDeliveryId;
  const store = options.replay?.store ?? memoryReplayStore();
  const ttlMs = options.replay?.ttlMs ?? DAY_MS;
  const admission = new Admission(options.concurrency);
  const retryAfter = String(options.concurrency?.retryAfterSeconds ?? 2);
  const logger = options.logger ?? noopLogger;
  const ready = options.ready ?? (() => true);
  /** Replay keys of deliveries being processed now, so a concurrent copy waits for the first. */
  const inProgress = new Map<string, Promise<void>>();

  const deliver = async (request: Request): Promise<Response> => {
    const read = await readBody(request, { maxBytes, timeoutMs });
    if (!read.ok) return answerUnread(read.status, { error: read.error }, {}, read.rest, lingerMs);
    const body = read.body;
    const headers = request.headers;
    for (const verifier of verifiers) {
      const result = await verifier.verify({ headers, body });
      if (result !== "ok") {
        logger.warn("webhook signature rejected", { verifier: verifier.kind, result });
        if (result === "missing") return json(401, { error: "missing signature" });
        if (result === "stale") return json(401, { error: "signature timestamp outside the accepted window" });
        return json(403, { error: "invalid signature" });
      }
    }
    const deliveryId = readId(headers);
    const digest = await sha256Hex(body);
    const keys = [`body:${digest}`, ...(deliveryId !== undefined ? [`id:${await sha256Hex(deliveryId)}`] : [])];
    const replayed = (storyRun: string): Response =>
      json(200, { storyRun, ...(deliveryId !== undefined ? { deliveryId } : {}), replayed: true });

    for (;;) {
      const seen = await lookup(store, keys, logger);
      if (seen !== undefined) return replayed(seen);
      const first = keys.map((k) => inProgress.get(k)).find((p) => p !== undefined);
      if (first === undefined) break;
      await first;
    }
    let finish!: () => void;
    const mine = new Promise<void>((resolve) => (finish = resolve));
    for (const k of keys) inProgress.set(k, mine);
    try {
      let text: string;
      try {
        text = new TextDecoder("utf-8", { fatal: true }).decode(body);
      } catch {
        return json(400, { error: "malformed JSON: the body is not valid UTF-8" });
      }
      let payload: unknown;
      try {
        payload = parseJsonPayload(text);
      } catch (err) {
        // The SDK's own words, the same on every runtime (engines word JSON.parse errors differently).
        const syntax = err instanceof JsonPayloadError && err.problem === "syntax";
        return json(400, {
          error: syntax ? describeJsonSyntaxError(text, "malformed JSON") : `malformed JSON: ${(err as Error).message}`,
        });
      }
      let inputs: Record<string, unknown> | undefined;
      try {
        inputs = await options.toInputs(payload, { headers, url: request.url, body, deliveryId });
      } catch (err) {
        return json(400, { error: `payload rejected: ${(err as Error).message}` });
      }
      if (inputs === undefined) return json(202, { ignored: true });
      let storyRun: string;
      try {
        storyRun = await options.trigger({ inputs, triggerToken: digest, deliveryId });
      } catch (err) {
        return triggerFailure(err, logger);
      }
      try {
        for (const k of keys) await store.put(k, storyRun, ttlMs);
      } catch (err) {
        // The Story started; the StoryTrigger's token still guards against a second one.
        logger.warn("webhook replay store write failed", { error: (err as Error)?.message ?? String(err) });
      }
      return json(202, { storyRun, ...(deliveryId !== undefined ? { deliveryId } : {}) });
    } finally {
      for (const k of keys) if (inProgress.get(k) === mine) inProgress.delete(k);
      finish();
    }
  };

  const app = new Hono();
  app.get("/healthz", (c) => c.text("ok\n"));
  app.get("/livez", (c) => c.text("ok\n"));
  app.get("/readyz", (c) => (ready() ? c.text("ok\n") : c.text("shutting down\n", 503)));
  app.post(path, async (c) => {
    const release = await admission.enter(() => c.req.raw.signal);
    if (release === undefined) {
      return answerUnread(
        503,
        { error: "too many deliveries in progress" },
        { "retry-after": retryAfter },
        c.req.raw,
        lingerMs,
      );
    }
    try {
      return await deliver(c.req.raw);
    } finally {
      release();
    }
  });
  app.all(path, (c) => c.json({ error: "method not allowed" }, 405, { allow: "POST" }));
  app.notFound(() => json(404, { error: "not found" }));
  return (request) => Promise.resolve(app.fetch(request));
}

/**
 * An answer to a request whose body was not (fully) read: the JSON goes out at once (with its
 * length, so the sender has all of it), and the response ends once the rest of the request has
 * settled (see {@link settleUnreadBody}; at most `lingerMs`). `connection: close` then ends an
 * HTTP/1.1 connection that would otherwise have to wait for the rest of the body.
 */
function answerUnread(
  status: number,
  body: unknown,
  headers: Record<string, string>,
  rest: UnreadBody,
  lingerMs: number,
): Response {
  const bytes = encoder.encode(JSON.stringify(body) + "\n");
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      void settleUnreadBody(rest, { ms: lingerMs, readBytes: SETTLE_READ_BYTES }).then(() => {
        try {
          controller.close();
        } catch {
          // The response was cancelled (the client left).
        }
      });
    },
  });
  return new Response(stream, {
    status,
    headers: {
      "content-type": "application/json",
      "content-length": String(bytes.length),
      connection: "close",
      ...headers,
    },
  });
}

/** The StoryRun of the first key seen; a store that fails counts as not seen (the token still guards). */
async function lookup(store: ReplayStore, keys: readonly string[], logger: Logger): Promise<string | undefined> {
  try {
    for (const k of keys) {
      const v = await store.get(k);
      if (v !== undefined) return v;
    }
  } catch (err) {
    logger.warn("webhook replay store read failed", { error: (err as Error)?.message ?? String(err) });
  }
  return undefined;
}

function triggerFailure(err: unknown, logger: Logger): Response {
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
