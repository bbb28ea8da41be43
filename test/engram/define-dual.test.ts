// defineDual: one set of valibot schemas serves both lifecycles; start() applies them in batch mode.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as v from "valibot";
import { defineDual } from "../../src/engram/dual-engram.ts";
import { newStreamMessage, streamMessageJson } from "../../src/engram/streaming-message.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { start } from "../../src/start.ts";
import { StreamHarness } from "../../src/testkit/mod.ts";

const engram = defineDual({
  config: v.object({ suffix: v.optional(v.string(), "!") }),
  inputs: v.object({ text: v.pipe(v.string(), v.minLength(1)) }),
  output: v.object({ text: v.string() }),
  process(ctx, { text }) {
    return { text: text.toUpperCase() + ctx.config.suffix };
  },
  async stream(ctx, inbound, outbound) {
    for await (const msg of inbound) {
      const { text } = streamMessageJson(msg) as { text: string };
      await outbound.send(newStreamMessage("data", { json: { text: text + ctx.config.suffix } }));
      msg.done();
    }
  },
});

test("defineDual keeps the config, inputs and output schemas", async () => {
  assert.ok(engram.schemas?.config && engram.schemas.inputs && engram.schemas.output);
  const lines: string[] = [];
  const logger = createLogger({ sink: (l) => lines.push(l) });
  const ok = await start(engram, {
    env: { BUBU_EXECUTION_MODE: "batch" },
    args: ["--inputs", '{"text":"hi"}'],
    exit: false,
    logger,
  });
  assert.equal(ok.kind, "batch");
  assert.equal(ok.exitCode, 0, lines.join("\n"));
  assert.deepEqual(ok.output, { text: "HI!" }, "the config default reached the handler");
  const bad = await start(engram, { env: {}, args: ["--inputs", '{"text":""}'], exit: false, logger });
  assert.equal(bad.exitCode, 1, "the inputs schema ran in batch mode");
  assert.match(String((bad.error as Error).message), /inputs validation failed at text/);
});

test("the same definition streams, with the config decoded once for init", async () => {
  const r = await new StreamHarness({ engram, inputs: [newStreamMessage("data", { json: { text: "a" } })] }).run();
  assert.equal(r.failed, false, String(r.error));
  assert.deepEqual(
    r.outputs.map((m) => streamMessageJson(m)),
    [{ text: "a!" }],
  );
});
