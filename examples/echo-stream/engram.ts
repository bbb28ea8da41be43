/**
 * echo-stream: a streaming engram that echoes every message with one JSON field upper-cased.
 * Run it locally (NDJSON on stdin → NDJSON on stdout) with
 *   echo '{"kind":"data","payload":{"text":"hi"}}' | bun run examples/echo-stream/engram.ts
 * and `BUBU_STEP_CONFIG='{"field":"name"}'` to pick another field; in a cluster it talks to the
 * transport connector sidecar.
 */
import * as v from "valibot";
import { BubuError, defineStreaming, start } from "../../src/mod.ts";
import { newStreamErrorMessage, newStreamMessage, streamMessageJson } from "../../src/streaming/mod.ts";

/** Config: which payload field to upper-case, and an optional prefix. */
export const config = v.object({
  field: v.optional(v.pipe(v.string(), v.minLength(1, "field must not be empty")), "text"),
  prefix: v.optional(v.string(), ""),
});

/**
 * For every inbound message: a JSON object payload is sent back with `field` upper-cased (other
 * fields and the metadata kept); anything else gets a `validation_error` stream error message.
 * Every message is marked done.
 */
export const echoStream = defineStreaming({
  name: "echo-stream",
  config,
  async stream(ctx, inbound, outbound) {
    const { field, prefix } = ctx.config;
    for await (const msg of inbound) {
      let payload: unknown;
      try {
        payload = streamMessageJson(msg);
      } catch {
        payload = undefined;
      }
      if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
        const err = new BubuError("validation_error", "payload must be a JSON object", {
          retryable: false,
          details: { path: "payload" },
        });
        await outbound.send(newStreamErrorMessage(err, { metadata: msg.metadata }), ctx.signal);
      } else {
        const value = (payload as Record<string, unknown>)[field];
        const json = typeof value === "string" ? { ...payload, [field]: prefix + value.toUpperCase() } : payload;
        await outbound.send(
          newStreamMessage("data", { json, metadata: msg.metadata, messageId: msg.messageId }),
          ctx.signal,
        );
      }
      msg.done();
    }
  },
});

if (import.meta.main) await start(echoStream);
