/**
 * The defaults the API server writes into a Story when it is applied, from the Story CRD's
 * schema: every retry policy object gets `delay: 1s` and `maxRetries: 3` where they are not set.
 * The operator only ever sees the defaulted Story, so the runner applies them to the manifests
 * before anything reads them.
 *
 * @remarks bobrapet v0.1.13 `config/crd/bases/bubustack.io_stories.yaml`: `default: 1s` and
 * `default: 3` on `RetryPolicy` under `steps[]`, `compensations[]` and `finally[]`
 * `.execution.retry`, `policy.execution.retry` and `policy.retries.stepRetryPolicy`. The other
 * schema defaults (`pattern: batch`, `policy.retries.continueOnStepFailure: false`,
 * `concurrency` mode and scope, an empty S3 `secretRef.name`) change nothing the runner does.
 * Parallel branches live in a step's free-form `with`, which the schema does not default. It
 * matters where a step gives a retry policy without a delay: the EngramTemplate's recommended
 * delay then never applies, as in a cluster.
 * @module
 */
import type { RetryPolicy, Step, Story } from "./types.ts";

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A retry policy object with `delay` and `maxRetries` defaulted; anything else as it is. */
function defaultRetry(p: unknown): RetryPolicy | undefined {
  if (!isObject(p)) return p as RetryPolicy | undefined;
  const r = p as RetryPolicy;
  return { ...r, delay: r.delay ?? "1s", maxRetries: r.maxRetries ?? 3 };
}

function defaultStep(s: Step): Step {
  if (!isObject(s) || !isObject(s.execution) || s.execution.retry === undefined) return s;
  return { ...s, execution: { ...s.execution, retry: defaultRetry(s.execution.retry) } };
}

/** `story` as the API server stores it: a copy with the CRD's retry policy defaults. */
export function withCrdDefaults(story: Story): Story {
  const spec = story?.spec;
  // A malformed manifest is left as it is, for validation to report.
  if (!isObject(spec)) return story;
  const policy = isObject(spec.policy) ? spec.policy : undefined;
  return {
    ...story,
    spec: {
      ...spec,
      ...(Array.isArray(spec.steps) ? { steps: spec.steps.map(defaultStep) } : {}),
      ...(Array.isArray(spec.compensations) ? { compensations: spec.compensations.map(defaultStep) } : {}),
      ...(Array.isArray(spec.finally) ? { finally: spec.finally.map(defaultStep) } : {}),
      ...(policy
        ? {
            policy: {
              ...policy,
              ...(isObject(policy.execution) && policy.execution.retry !== undefined
                ? { execution: { ...policy.execution, retry: defaultRetry(policy.execution.retry) } }
                : {}),
              ...(isObject(policy.retries) && policy.retries.stepRetryPolicy !== undefined
                ? { retries: { ...policy.retries, stepRetryPolicy: defaultRetry(policy.retries.stepRetryPolicy) } }
                : {}),
            },
          }
        : {}),
    },
  };
}
