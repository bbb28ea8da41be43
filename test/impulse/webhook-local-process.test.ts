// The webhook example run locally as a process of the runtime under test (bun test → Bun, deno
// test → Deno, node --test → Node): every line it writes is a JSON log line (Deno printed a
// plain-text notice when the handler read the request's signal), a malformed body gets the same
// 400 text on every runtime, and without its secret it stops at start with one error line.

import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { describe, test } from "node:test";
import { runScript } from "../support/spawn.ts";
import { startWebhookExample, WEBHOOK_EXAMPLE } from "./webhook-example-process.ts";

const SECRET = "local-webhook-secret";

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        assert.fail(`not a JSON line: ${l}\n--- all output\n${text}`);
      }
    });
}

describe("webhook impulse as a local process", () => {
  test("serves a delivery and a malformed body; writes nothing but JSON lines", { timeout: 90_000 }, async () => {
    const hook = await startWebhookExample({ BUBU_SECRET_WEBHOOK: SECRET, BUBU_TARGET_STORY_NAME: "ci" }, 60_000);
    const post = (body: string) =>
      fetch(`${hook.origin}/webhook`, {
        method: "POST",
        body,
        headers: {
          "content-type": "application/json",
          "x-github-event": "push",
          "x-hub-signature-256": `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`,
        },
      });
    const push = JSON.stringify({ ref: "refs/heads/main", after: "c0ffee", repository: { full_name: "octo/repo" } });
    const ok = await post(push);
    assert.equal(ok.status, 202, await ok.clone().text());
    await ok.body?.cancel();
    const malformed = await post('{"ref":');
    assert.equal(malformed.status, 400);
    assert.deepEqual(await malformed.json(), {
      error: "malformed JSON at line 1, column 8 (offset 7): unexpected end of input, expected a value",
    });
    hook.kill("SIGTERM");
    const r = await hook.exited;
    assert.equal(r.code, 143, r.stderr);
    assert.equal(r.stdout, "");
    const lines = jsonLines(r.stderr);
    assert.ok(lines.some((l) => l.msg === "webhook listening"));
  });

  test("without its secret: exit 1, one error line naming BUBU_SECRET_WEBHOOK, no stack", {
    timeout: 60_000,
  }, async () => {
    const r = await runScript(WEBHOOK_EXAMPLE, { timeoutMs: 30_000, env: { BUBU_TARGET_STORY_NAME: "ci" } });
    assert.equal(r.code, 1, r.stderr);
    const errors = jsonLines(r.stderr).filter((l) => l.level !== "INFO");
    assert.equal(errors.length, 1, r.stderr);
    assert.equal(errors[0]!.level, "ERROR");
    assert.match(String(errors[0]!.error), /missing required secret "WEBHOOK" \(.*BUBU_SECRET_WEBHOOK is not set/);
  });
});
