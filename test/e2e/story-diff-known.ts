/**
 * The differences between a Story run by the operator on the cluster peer and the same Story run
 * by the local runner that are expected, each with the reason it cannot or need not match. The
 * differential test (story-diff.test.ts) fails on any other difference, and on a row no
 * difference needs any more (unless the row says the values may happen to match).
 *
 * @module
 */
import { isDeepStrictEqual } from "node:util";
import type { KnownDifference } from "./story-diff-compare.ts";

const RFC3339_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const isString = (v: unknown): v is string => typeof v === "string" && v !== "";

/** `<steprun>-<5 characters>` for both; the StepRun name is the env var's own. */
function podNames(cluster: unknown, local: unknown): boolean {
  const shape = /^[a-z0-9-]+-[a-z0-9]{5}$/;
  return (
    isString(cluster) &&
    isString(local) &&
    shape.test(cluster) &&
    shape.test(local) &&
    cluster.slice(0, -6) === local.slice(0, -6)
  );
}

/**
 * Two `BUBU_TEMPLATE_CONTEXT`s that differ only by which of `siblings` had already succeeded:
 * the same inputs, and the same output for every step both hold.
 */
function sameContextBut(siblings: readonly string[]): (cluster: unknown, local: unknown) => boolean {
  return (cluster, local) => {
    if (!isString(cluster) || !isString(local)) return false;
    const a = JSON.parse(cluster) as { inputs: unknown; steps: Record<string, unknown> };
    const b = JSON.parse(local) as { inputs: unknown; steps: Record<string, unknown> };
    if (!isDeepStrictEqual(a.inputs, b.inputs)) return false;
    for (const key of new Set([...Object.keys(a.steps), ...Object.keys(b.steps)])) {
      if (key in a.steps && key in b.steps) {
        if (!isDeepStrictEqual(a.steps[key], b.steps[key])) return false;
      } else if (!siblings.includes(key)) return false;
    }
    return true;
  };
}

export const KNOWN: readonly KnownDifference[] = [
  {
    name: "pod name",
    path: /\.env\[\d+\]\.BUBU_POD_NAME$/,
    check: podNames,
    reason:
      "The Job controller names each pod `<job>-<5 random>`; the runner names each attempt's process the same way with its own random suffix.",
  },
  {
    name: "start time",
    path: /\.env\[\d+\]\.BUBU_STARTED_AT$/,
    check: (c, l) => isString(c) && isString(l) && RFC3339_SECONDS.test(c) && RFC3339_SECONDS.test(l),
    mayMatch: true,
    reason:
      "The StepRun's start, in whole seconds: the two runs are not started at the same instant (both keep the first attempt's value for a retry).",
  },
  {
    name: "API credentials",
    path: /\.env\[\d+\]\.(KUBERNETES_[A-Z0-9_]+|KUBECONFIG)$/,
    check: (c, l) => (isString(c) && l === undefined) || (c === undefined && isString(l)),
    reason:
      "A pod reaches the API server in-cluster (KUBERNETES_SERVICE_HOST/PORT and the service variables, plus the mounted service-account token); a local process gets KUBECONFIG, pointing at the runner's own API.",
  },
  {
    name: "local runner marker",
    path: /\.env\[\d+\]\.BUBU_LOCAL_STORY_RUNNER$/,
    check: (c, l) => c === undefined && l === "true",
    reason:
      "The runner tells the SDK in the process that it checks the inputs and output against the EngramTemplate itself, so the SDK logs the lookup its API answers 403 at debug level instead of an info line per step.",
  },
  {
    name: "S3 policy → local file store",
    path: /\.env\[\d+\]\.(BUBU_STORAGE_PROVIDER|BUBU_STORAGE_S3_[A-Z]+|BUBU_S3_FORCE_PATH_STYLE|BUBU_STORAGE_PATH)$/,
    stories: ["offload"],
    check: (c, l) =>
      (c === "s3" && l === "file") || (isString(c) && l === undefined) || (c === undefined && isString(l)),
    reason:
      "The Story's S3 storage policy is replaced by a file store in the runner's work directory (a warning says so): BUBU_STORAGE_PROVIDER is file with BUBU_STORAGE_PATH instead of s3 with the bucket, region, endpoint and path style. What is offloaded, the refs and their paths are the same.",
  },
  {
    name: "parallel siblings in the template context",
    path: /^step\.(left|middle|right)\.env\[1\]\.BUBU_TEMPLATE_CONTEXT$/,
    stories: ["fanout"],
    check: sameContextBut(["left", "middle", "right"]),
    mayMatch: true,
    reason:
      "BUBU_TEMPLATE_CONTEXT holds every step that had succeeded when the pod was built; three steps that start together may see one another's output if one ends before another's pod is made, on either side.",
  },
  {
    name: "allowed failures not stored",
    path: /^run\.allowedFailures$/,
    stories: ["allow-failure", "allow-failure-quiet"],
    check: (c, l) => c === undefined && Array.isArray(l) && l.length > 0,
    reason:
      "The operator computes status.allowedFailures on every pass but its status patches copy only stepStates, so the field stays empty; the runner's report keeps the list.",
  },
];
