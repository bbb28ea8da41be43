/**
 * echo-stream: a streaming engram that echoes every message with one JSON field upper-cased.
 * Run it locally (NDJSON on stdin → NDJSON on stdout) with
 *   echo '{"kind":"data","payload":{"text":"hi"}}' | bun run examples/echo-stream/engram.ts
 * and `BUBU_STEP_CONFIG='{"field":"name"}'` to pick another field; in a cluster it talks to the
 * transport connector sidecar.
 */
import * as v from "valibot";
import { validationError } from "../../src/mod.ts";
import { defineStreaming, newStreamErrorMessage, newStreamMessage, startStreaming, streamMessageJson } from "../../src/streaming/mod.ts";

/** Config: which payload field to upper-case, and an optional prefix. */
export const config = v.object({
  field: v.optional(v.pipe(v.string(), v.minLength(1, "field must not be empty")), "text"),
  prefix: v.optional(v.string(), ""),
});

let field = "text";
let prefix = "";

/**
 * For every inbound message: a JSON object payload is sent back with `field` upper-cased (other
 * fields and the metadata kept); anything else gets a `validation_error` stream error message.
 * Every message is marked done.
 */
export const echoStream = defineStreaming({
  name: "echo-stream",
  config,
  init(cfg) {
    field = cfg.field;
    prefix = cfg.prefix;
  },
  async stream(signal, inbound, outbound) {
    for await (const msg of inbound) {
      let payload: unknown;
      try {
        payload = streamMessageJson(msg);
      } catch {
        payload = undefined;
      }
      if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
        const err = validationError("payload must be a JSON object", { path: "payload" });
        await outbound.send(newStreamErrorMessage(err, { metadata: msg.metadata }), signal);
      } else {
        const value = (payload as Record<string, unknown>)[field];
        const json = typeof value === "string" ? { ...payload, [field]: prefix + value.toUpperCase() } : payload;
        await outbound.send(newStreamMessage("data", { json, metadata: msg.metadata, messageId: msg.messageId }), signal);
      }
      msg.done();
    }
  },
});

if (import.meta.main) await startStreaming(echoStream);
