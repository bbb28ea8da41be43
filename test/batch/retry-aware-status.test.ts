// What the terminal write sends, given the StepRun as read: the operator applies a step's retry
// policy only to failure details written without a final phase.

import assert from "node:assert/strict";
import { test } from "node:test";
import { retryAwareStatus, retryState } from "../../src/batch/retry-aware-status.ts";
import { buildTerminalStatus } from "../../src/batch/status.ts";
import { BubuError } from "../../src/errors/bubu-error.ts";

const times = { startedAt: new Date(0), finishedAt: new Date(1500) };
const stepRun = (maxRetries: number | undefined, retries: number) => ({
  spec: maxRetries === undefined ? {} : { retry: { maxRetries } },
  status: { phase: "Running", retries },
});

test("a retryable failure with retries left: exitCode, exitClass, message and error, no phase", () => {
  const end = {
    kind: "failure",
    error: new BubuError("execution_error", "upstream 503", { retryable: true }),
  } as const;
  const status = buildTerminalStatus(end, times, { partial: true });
  assert.equal(status.phase, "Failed");
  const sent = retryAwareStatus(status, end, stepRun(2, 0));
  assert.deepEqual(Object.keys(sent!).sort(), ["error", "exitClass", "exitCode", "lastFailureMsg"]);
  assert.equal(sent!.exitClass, "retry");
  // Without a policy on the StepRun the operator's default applies: it decides.
  assert.equal(retryAwareStatus(status, end, stepRun(undefined, 7))!.phase, undefined);
});

test("the last attempt, a terminal failure: the final phase as built", () => {
  const retryable = { kind: "failure", error: new BubuError("execution_error", "503", { retryable: true }) } as const;
  const status = buildTerminalStatus(retryable, times, undefined);
  assert.equal(retryAwareStatus(status, retryable, stepRun(2, 2)), status);
  const terminal = { kind: "failure", error: new Error("bad input") } as const;
  const t = buildTerminalStatus(terminal, times, undefined);
  assert.equal(t.exitClass, "terminal");
  assert.equal(retryAwareStatus(t, terminal, stepRun(2, 0)), t);
});

test("a timeout with retries left has no phase; SIGTERM writes nothing; a success after a retry clears", () => {
  const timeout = { kind: "timeout", error: new Error("timed out") } as const;
  const ts = buildTerminalStatus(timeout, times, undefined);
  assert.equal(ts.phase, "Timeout");
  assert.equal(retryAwareStatus(ts, timeout, stepRun(1, 0))!.phase, undefined);
  assert.equal(retryAwareStatus(ts, timeout, stepRun(1, 1))!.phase, "Timeout");
  const term = { kind: "terminated", error: new Error("x"), signal: "SIGTERM" } as const;
  assert.equal(retryAwareStatus(buildTerminalStatus(term, times, undefined), term, stepRun(2, 0)), undefined);
  const ok = { kind: "success" } as const;
  const s = buildTerminalStatus(ok, times, { a: 1 });
  assert.equal(retryAwareStatus(s, ok, stepRun(2, 0)), s, "a first-attempt success is Go's wire");
  assert.equal(retryAwareStatus(s, ok, stepRun(2, 1))!.clearFailure, true);
  assert.deepEqual(retryState({ spec: { retry: { maxRetries: "3" } }, status: {} }), {
    maxRetries: undefined,
    retries: 0,
  });
});
