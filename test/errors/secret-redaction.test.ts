// Registered secret values (engram Secrets, $bubuSecretRef values) never reach a persisted error
// message: the StepRun's lastFailureMsg, its structured error, or a BubuError's JSON.

import assert from "node:assert/strict";
import { test } from "node:test";
import { buildTerminalStatus } from "../../src/batch/status.ts";
import { BubuError } from "../../src/errors/bubu-error.ts";
import { buildStatusError } from "../../src/errors/build-status-error.ts";
import { sanitizeErrorMessage } from "../../src/errors/sanitize.ts";
import { registerSecretValues } from "../../src/observability/redaction.ts";

const SECRET = "tok-9f8e7d6c5b4a";

test("sanitizeErrorMessage, buildStatusError, BubuError.toJSON and the terminal status redact registered values", () => {
  const unregister = registerSecretValues([SECRET]);
  try {
    const msg = `upstream rejected key ${SECRET} (twice: ${SECRET})`;
    assert.equal(sanitizeErrorMessage(msg), "upstream rejected key [REDACTED] (twice: [REDACTED])");
    const structured = buildStatusError(new Error(msg), { timedOut: false, exitCode: 1, exitClass: "terminal" });
    assert.ok(structured && !JSON.stringify(structured).includes(SECRET), JSON.stringify(structured));
    assert.ok(!JSON.stringify(new BubuError("execution_error", msg)).includes(SECRET));
    const now = new Date();
    const status = buildTerminalStatus(
      { kind: "failure", error: new Error(msg) },
      { startedAt: now, finishedAt: now },
      undefined,
    );
    const text = JSON.stringify(status);
    assert.ok(text.includes("[REDACTED]") && !text.includes(SECRET), text);
  } finally {
    unregister();
  }
  assert.equal(sanitizeErrorMessage(`key ${SECRET}`), `key ${SECRET}`, "unregistered values are left alone");
});
