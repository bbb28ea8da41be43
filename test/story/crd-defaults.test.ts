// The Story CRD's retry defaults, applied to a manifest as the API server applies them: the
// operator only sees the defaulted Story (measured by the differential tests: a step's
// `retry: { maxRetries: 0 }` reaches its StepRun as `{ delay: 1s, maxRetries: 0 }`).

import assert from "node:assert/strict";
import { test } from "node:test";
import { withCrdDefaults } from "../../src/story/crd-defaults.ts";
import { stepRetrySpec } from "../../src/story/retry-policy.ts";
import type { Story } from "../../src/story/types.ts";

const story = (spec: Record<string, unknown>): Story =>
  ({ apiVersion: "bubustack.io/v1alpha1", kind: "Story", metadata: { name: "s" }, spec }) as unknown as Story;

test("every retry policy of a Story gets delay 1s and maxRetries 3 where they are not set", () => {
  const s = withCrdDefaults(
    story({
      steps: [
        { name: "a", ref: { name: "e" }, execution: { retry: { maxRetries: 0 } } },
        { name: "b", ref: { name: "e" }, execution: { retry: { delay: "5s", backoff: "linear" } } },
        { name: "c", ref: { name: "e" }, execution: { timeout: "1m" } },
        { name: "d", type: "parallel", with: { steps: [{ name: "x", ref: { name: "e" }, execution: { retry: {} } }] } },
      ],
      compensations: [{ name: "undo", ref: { name: "e" }, execution: { retry: {} } }],
      finally: [{ name: "tidy", ref: { name: "e" }, execution: { retry: { maxRetries: 1 } } }],
      policy: { retries: { stepRetryPolicy: { jitter: 10 } }, execution: { retry: {} } },
    }),
  );
  assert.deepEqual(
    s.spec.steps.map((x) => x.execution),
    [
      { retry: { maxRetries: 0, delay: "1s" } },
      { retry: { delay: "5s", backoff: "linear", maxRetries: 3 } },
      { timeout: "1m" },
      undefined,
    ],
  );
  // A parallel branch sits in the free-form `with`: the schema does not default it.
  assert.deepEqual(s.spec.steps[3]!.with, { steps: [{ name: "x", ref: { name: "e" }, execution: { retry: {} } }] });
  assert.deepEqual(s.spec.compensations![0]!.execution, { retry: { delay: "1s", maxRetries: 3 } });
  assert.deepEqual(s.spec.finally![0]!.execution, { retry: { maxRetries: 1, delay: "1s" } });
  assert.deepEqual(s.spec.policy!.retries!.stepRetryPolicy, { jitter: 10, delay: "1s", maxRetries: 3 });
  assert.deepEqual(s.spec.policy!.execution!.retry, { delay: "1s", maxRetries: 3 });
});

test("a Story without retry policies is unchanged, and a malformed one is left for validation", () => {
  const plain = story({ steps: [{ name: "a", ref: { name: "e" } }], policy: { timeouts: { step: "1m" } } });
  assert.deepEqual(withCrdDefaults(plain), plain);
  const bad = { apiVersion: "bubustack.io/v1alpha1", kind: "Story", metadata: { name: "s" } } as unknown as Story;
  assert.equal(withCrdDefaults(bad), bad);
  const odd = story({ steps: "nope", policy: "nope" });
  assert.deepEqual(withCrdDefaults(odd), odd);
});

test("a step that gives a retry policy no longer takes the EngramTemplate's recommended delay", () => {
  const template = {
    spec: { execution: { retry: { recommendedBaseDelay: "2s", recommendedBackoff: "linear" } } },
  } as never;
  const s = withCrdDefaults(
    story({ steps: [{ name: "a", ref: { name: "e" }, execution: { retry: { maxRetries: 2 } } }] }),
  );
  assert.deepEqual(stepRetrySpec(s, s.spec.steps[0]!, template), { maxRetries: 2, delay: "1s", backoff: "linear" });
});
