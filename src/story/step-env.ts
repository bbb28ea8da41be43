/**
 * The environment of an engram process: what the operator puts in a step's Job pod, in the same
 * order, plus what the local process needs to find the runner's API and file storage.
 *
 * @remarks bobrapet v0.1.13 `internal/controller/runs/steprun_controller.go`:
 * `buildBaseEnvVars` (identity, `BUBU_TRIGGER_DATA`, mode, `BUBU_MAX_INLINE_SIZE` 4096,
 * `BUBU_STORAGE_TIMEOUT` 300s, `BUBU_STEP_TIMEOUT` as Go prints the duration,
 * `BUBU_MAX_RECURSION_DEPTH` 32 unless the Story's `policy.execution.maxRecursionDepth`,
 * `BUBU_DEBUG`, the downward-API pod name/namespace/service account), then
 * `assembleJobResources` (gRPC tuning from `core/runtime/env.BuildGRPCTuningEnv` with the
 * operator's defaults, `BUBU_ENGRAM_NAME`/`VERSION`, `BUBU_STARTED_AT` in RFC 3339 with
 * nanoseconds, `BUBU_STEP_CONFIG`, `BUBU_TEMPLATE_CONTEXT`), and `core/runtime/storage.ApplyEnv`
 * for file storage. Locally the pod name is `<steprun>-<5 random>` per attempt (a new Job per
 * retry), the storage path is the runner's directory instead of the pod's mount path, and
 * `KUBECONFIG` points at the runner's API instead of the in-cluster service account.
 * @module
 */
import { formatGoDuration } from "../env/duration.ts";

/** What one attempt's environment is made of. */
export interface StepEnvInput {
  readonly storyName: string;
  readonly storyVersion: string;
  readonly storyRunName: string;
  readonly stepName: string;
  readonly stepRunName: string;
  readonly namespace: string;
  readonly triggerData: string;
  readonly stepConfig: string;
  /** Undefined leaves `BUBU_TEMPLATE_CONTEXT` out (the operator could not build it). */
  readonly templateContext: string | undefined;
  readonly timeoutNs: bigint;
  readonly maxInlineSize: number;
  readonly maxRecursionDepth: number;
  readonly debug: boolean;
  readonly engramName: string;
  readonly engramVersion: string;
  readonly startedAt: Date;
  readonly podName: string;
  readonly serviceAccountName: string;
  /** Local file storage directory, when storage is on. */
  readonly storagePath?: string;
  readonly storageTimeout?: string;
}

/** The gRPC tuning variables with the operator's default values. */
export const GRPC_TUNING_ENV: readonly (readonly [string, string])[] = [
  ["BUBU_GRPC_MAX_RECV_BYTES", "10485760"],
  ["BUBU_GRPC_MAX_SEND_BYTES", "10485760"],
  ["BUBU_GRPC_CLIENT_MAX_RECV_BYTES", "10485760"],
  ["BUBU_GRPC_CLIENT_MAX_SEND_BYTES", "10485760"],
  ["BUBU_GRPC_DIAL_TIMEOUT", "10s"],
  ["BUBU_GRPC_CHANNEL_BUFFER_SIZE", "16"],
  ["BUBU_GRPC_RECONNECT_MAX_RETRIES", "10"],
  ["BUBU_GRPC_RECONNECT_BASE_BACKOFF", "500ms"],
  ["BUBU_GRPC_RECONNECT_MAX_BACKOFF", "30s"],
  ["BUBU_GRPC_HANG_TIMEOUT", "0s"],
  ["BUBU_GRPC_MESSAGE_TIMEOUT", "30s"],
  ["BUBU_GRPC_CHANNEL_SEND_TIMEOUT", "30s"],
];

/** `metav1.Time.Format(time.RFC3339Nano)` of a UTC instant (trailing zeros dropped). */
export function rfc3339Nano(d: Date): string {
  const iso = d.toISOString(); // 2006-01-02T15:04:05.000Z
  const [whole, frac = ""] = iso.slice(0, -1).split(".");
  const trimmed = frac.replace(/0+$/, "");
  return `${whole}${trimmed === "" ? "" : `.${trimmed}`}Z`;
}

/** The operator's variables, in the Job's order. */
export function stepEnv(i: StepEnvInput): [string, string][] {
  const env: [string, string][] = [
    ["BUBU_STORY_NAME", i.storyName],
    ["BUBU_STORY_VERSION", i.storyVersion],
    ["BUBU_STORYRUN_ID", i.storyRunName],
    ["BUBU_STEP_NAME", i.stepName],
    ["BUBU_STEPRUN_NAME", i.stepRunName],
    ["BUBU_STEPRUN_NAMESPACE", i.namespace],
    ["BUBU_TRIGGER_DATA", i.triggerData],
    ["BUBU_EXECUTION_MODE", "batch"],
    ["BUBU_HYBRID_BRIDGE", "false"],
    ["BUBU_GRPC_PORT", "50051"],
    ["BUBU_MAX_INLINE_SIZE", String(i.maxInlineSize)],
    ["BUBU_STORAGE_TIMEOUT", "300s"],
    ["BUBU_STEP_TIMEOUT", formatGoDuration(i.timeoutNs)],
    ["BUBU_MAX_RECURSION_DEPTH", String(i.maxRecursionDepth)],
    ["BUBU_DEBUG", String(i.debug)],
    ["BUBU_POD_NAME", i.podName],
    ["BUBU_POD_NAMESPACE", i.namespace],
    ["BUBU_SERVICE_ACCOUNT_NAME", i.serviceAccountName],
    ...GRPC_TUNING_ENV.map(([k, v]) => [k, v] as [string, string]),
    ["BUBU_ENGRAM_NAME", i.engramName],
    ["BUBU_ENGRAM_VERSION", i.engramVersion],
    ["BUBU_STARTED_AT", rfc3339Nano(i.startedAt)],
    ["BUBU_STEP_CONFIG", i.stepConfig],
  ];
  if (i.templateContext !== undefined) env.push(["BUBU_TEMPLATE_CONTEXT", i.templateContext]);
  if (i.storagePath !== undefined) {
    env.push(["BUBU_STORAGE_PROVIDER", "file"], ["BUBU_STORAGE_PATH", i.storagePath]);
    if (i.storageTimeout !== undefined) env.find((e) => e[0] === "BUBU_STORAGE_TIMEOUT")![1] = i.storageTimeout;
  }
  return env;
}
