/**
 * The env contract as a valibot schema: for every variable the SDK reads, its name, default and
 * parsing. Input: the raw variables; output: {@link EnvVars}, keyed by variable name.
 * `load.ts` turns that into the structured `BubuEnv`.
 *
 * Defaults are the Go SDK's code defaults, which sometimes differ from the operator's (e.g.
 * `BUBU_MAX_INLINE_SIZE` 1 KiB here, 4 KiB injected) and from its docs; the operator normally injects
 * its own values. Durations and integers are strict (see `var-parsers.ts`).
 * @module
 */

import * as v from "valibot";
import type { Duration } from "./duration.ts";
import { describeValue, EnvError, type EnvProblem } from "./errors.ts";
import {
  parseDebugFlag,
  parseHybridBridge,
  parseObservabilityToggle,
  parseSkipInputTemplating,
  parseStrictUnmarshal,
  parseWideBool,
  type ToggleResult,
} from "./flags.ts";
import { trimSpace } from "./go-text.ts";
import { ENV } from "./names.ts";
import { type JsonObject, parseJsonObjectEnv, parseTransports, type TransportDescriptor } from "./payload.ts";
import { SecretString } from "./redacted.ts";
import type { EnvReader } from "./source.ts";
import { parseRfc3339, type StartedAt } from "./started-at.ts";
import {
  checkInt,
  choiceVar,
  customVar,
  durationVar,
  Invalid,
  intVar,
  present,
  textVar,
  type VarSchema,
} from "./var-parsers.ts";

/** `BUBU_STORAGE_PROVIDER` values; `""` and `none` both disable storage. */
export type StorageProvider = "" | "s3" | "file" | "none";
/** `BUBU_S3_SSE` after mapping. */
export type S3ServerSideEncryption = "AES256" | "aws:kms";
/** `BUBU_TRIGGER_DEDUPE_MODE`. */
export type TriggerDedupeMode = "none" | "token" | "key";
/** `BUBU_TRIGGER_RETRY_BACKOFF`. */
export type TriggerBackoff = "exponential" | "linear" | "constant";

/** Every variable the SDK reads, parsed, keyed by name. Absent optional values are `undefined`. */
export interface EnvVars {
  // Identity and context (trimmed; "" when unset).
  readonly BUBU_STORY_NAME: string;
  readonly BUBU_STORY_VERSION: string;
  readonly BUBU_STORYRUN_ID: string;
  readonly BUBU_STEP_NAME: string;
  readonly BUBU_STEPRUN_NAME: string;
  readonly BUBU_STEPRUN_NAMESPACE: string;
  readonly BUBU_ENGRAM_NAME: string;
  readonly BUBU_ENGRAM_VERSION: string;
  readonly BUBU_POD_NAME: string;
  readonly BUBU_POD_NAMESPACE: string;
  readonly BUBU_IMPULSE_NAME: string;
  readonly BUBU_IMPULSE_NAMESPACE: string;
  readonly BUBU_TARGET_STORY_NAME: string;
  readonly BUBU_TARGET_STORY_NAMESPACE: string;
  readonly BUBU_TRIGGER_TOKEN: string;
  /** Lower-cased and trimmed; `batch` when unset. */
  readonly BUBU_EXECUTION_MODE: string;
  readonly BUBU_STARTED_AT: StartedAt | undefined;
  // Payload.
  readonly BUBU_TRIGGER_DATA: JsonObject | undefined;
  readonly BUBU_STEP_CONFIG: JsonObject | undefined;
  readonly BUBU_TEMPLATE_CONTEXT: JsonObject | undefined;
  readonly BUBU_TRANSPORTS: TransportDescriptor[];
  readonly BUBU_SKIP_INPUT_TEMPLATING: boolean;
  readonly BUBU_RUNTIME_STRICT_UNMARSHAL: boolean;
  // Limits and timeouts.
  readonly BUBU_STEP_TIMEOUT: Duration;
  readonly BUBU_MAX_INLINE_SIZE: number;
  readonly BUBU_MAX_RECURSION_DEPTH: number;
  readonly BUBU_STORAGE_TIMEOUT: Duration;
  readonly BUBU_MEDIA_INLINE_SIZE: number | undefined;
  readonly BUBU_SIGNAL_MAX_PAYLOAD_BYTES: number;
  readonly BUBU_EFFECT_MAX_DETAILS_BYTES: number;
  readonly BUBU_TEMPLATE_MAX_OUTPUT_BYTES: number;
  readonly BUBU_TEMPLATE_MAX_INPUT_BYTES: number;
  readonly BUBU_TEMPLATE_EVALUATION_TIMEOUT: Duration;
  readonly BUBU_CONFIG_HYDRATION_MAX_DEPTH: number;
  readonly BUBU_CONFIG_HYDRATION_MAX_NODES: number;
  readonly BUBU_LOG_ALLOWED_ROOTS: string[] | undefined;
  readonly BUBU_LOG_FILE_MAX_BYTES: number;
  readonly BUBU_HYBRID_BRIDGE: boolean;
  readonly BUBU_HYBRID_BRIDGE_TIMEOUT: Duration;
  readonly BUBU_GRPC_PORT: number | undefined;
  // Kubernetes client.
  readonly BUBU_K8S_USER_AGENT: string;
  readonly BUBU_K8S_TIMEOUT: Duration;
  readonly BUBU_K8S_OPERATION_TIMEOUT: Duration;
  readonly BUBU_K8S_PATCH_MAX_RETRIES: number;
  readonly KUBECONFIG: string | undefined;
  readonly KUBERNETES_SERVICE_HOST: string | undefined;
  readonly KUBERNETES_SERVICE_PORT: string | undefined;
  // Trigger delivery.
  readonly BUBU_TRIGGER_DEDUPE_MODE: TriggerDedupeMode | undefined;
  readonly BUBU_TRIGGER_DEDUPE_KEY_TEMPLATE: string | undefined;
  readonly BUBU_TRIGGER_RETRY_MAX_ATTEMPTS: number | undefined;
  readonly BUBU_TRIGGER_RETRY_BASE_DELAY: Duration | undefined;
  readonly BUBU_TRIGGER_RETRY_MAX_DELAY: Duration | undefined;
  readonly BUBU_TRIGGER_RETRY_BACKOFF: TriggerBackoff | undefined;
  readonly BUBU_TRIGGER_THROTTLE_RATE_PER_SECOND: number | undefined;
  readonly BUBU_TRIGGER_THROTTLE_BURST: number | undefined;
  readonly BUBU_TRIGGER_THROTTLE_MAX_IN_FLIGHT: number | undefined;
  // Storage.
  readonly BUBU_STORAGE_PROVIDER: StorageProvider;
  readonly BUBU_STORAGE_PATH: string | undefined;
  readonly BUBU_STORAGE_S3_BUCKET: string | undefined;
  readonly BUBU_STORAGE_S3_REGION: string | undefined;
  readonly BUBU_STORAGE_S3_ENDPOINT: string | undefined;
  readonly BUBU_S3_FORCE_PATH_STYLE: boolean | undefined;
  readonly BUBU_S3_TLS: boolean | undefined;
  readonly BUBU_S3_ACCESS_KEY_ID: string | undefined;
  readonly BUBU_S3_SECRET_ACCESS_KEY: SecretString | undefined;
  readonly BUBU_S3_SESSION_TOKEN: SecretString | undefined;
  readonly BUBU_S3_MAX_RETRIES: number;
  readonly BUBU_S3_MAX_BACKOFF: Duration;
  readonly BUBU_S3_TIMEOUT: Duration;
  readonly BUBU_S3_MAX_PART_SIZE: number | undefined;
  readonly BUBU_S3_CONCURRENCY: number | undefined;
  readonly BUBU_S3_SSE: S3ServerSideEncryption | undefined;
  readonly BUBU_S3_SSE_KMS_KEY: string | undefined;
  readonly BUBU_STORAGE_OUTPUT_PREFIX: string;
  readonly BUBU_STORAGE_INPUT_PREFIX: string;
  readonly AWS_ACCESS_KEY_ID: string | undefined;
  readonly AWS_SECRET_ACCESS_KEY: SecretString | undefined;
  readonly AWS_SESSION_TOKEN: SecretString | undefined;
  readonly AWS_REGION: string | undefined;
  readonly AWS_DEFAULT_REGION: string | undefined;
  readonly AWS_WEB_IDENTITY_TOKEN_FILE: string | undefined;
  readonly AWS_ROLE_ARN: string | undefined;
  readonly AWS_ROLE_SESSION_NAME: string | undefined;
  // Streaming (process env; binding overrides are applied by the streaming resolver).
  readonly BUBU_TRANSPORT_BINDING: string | undefined;
  readonly BUBU_TRANSPORT_SECURITY_MODE: "tls";
  readonly BUBU_GRPC_CHANNEL_BUFFER_SIZE: number;
  readonly BUBU_GRPC_MESSAGE_TIMEOUT: Duration;
  readonly BUBU_GRPC_CHANNEL_SEND_TIMEOUT: Duration;
  readonly BUBU_GRPC_HANG_TIMEOUT: Duration;
  readonly BUBU_GRPC_HEARTBEAT_INTERVAL: Duration;
  readonly BUBU_TRANSPORT_HEARTBEAT_INTERVAL: Duration;
  readonly BUBU_GRPC_RECONNECT_BASE_BACKOFF: Duration;
  readonly BUBU_GRPC_RECONNECT_MAX_BACKOFF: Duration;
  readonly BUBU_GRPC_RECONNECT_MAX_RETRIES: number;
  readonly BUBU_GRPC_DIAL_TIMEOUT: Duration;
  readonly BUBU_GRPC_CLIENT_MAX_RECV_BYTES: number;
  readonly BUBU_GRPC_CLIENT_MAX_SEND_BYTES: number;
  // Observability.
  readonly BUBU_DEBUG: boolean;
  readonly BUBU_SDK_METRICS_ENABLED: ToggleResult;
  readonly BUBU_SDK_TRACING_ENABLED: ToggleResult;
  readonly BUBU_TRACE_PROPAGATION: ToggleResult;
}

const identity = (name: string): VarSchema<string> => textVar(name, "");

/** A wide boolean (the operator's storage `parseBoolEnv` set): an invalid value is an error. */
const wideBool = (name: string): VarSchema<boolean | undefined> =>
  customVar(name, (raw) => {
    const value = present(raw);
    if (value === undefined) return undefined;
    const b = parseWideBool(value);
    return (
      b ??
      new Invalid(`invalid boolean ${describeValue(name, value)} (expected 1/true/t/yes/y/on or 0/false/f/no/n/off)`)
    );
  });

const secret = (name: string): VarSchema<SecretString | undefined> =>
  customVar(name, (raw) => {
    const value = present(raw);
    return value === undefined ? undefined : new SecretString(value);
  });

const toggle = (name: string): VarSchema<ToggleResult> => customVar(name, (raw) => parseObservabilityToggle(raw));

/** An integer where negatives are clamped (`floor`) instead of rejected. */
const clampedInt = (name: string, fallback: number, floor: number): VarSchema<number> =>
  customVar(name, (raw) => {
    const value = present(raw);
    if (value === undefined) return fallback;
    const n = checkInt(name, value, {});
    return n instanceof Invalid ? n : Math.max(n, floor);
  });

const MIB = 1024 * 1024;

const identityEntries = {
  [ENV.STORY_NAME]: identity(ENV.STORY_NAME),
  [ENV.STORY_VERSION]: identity(ENV.STORY_VERSION),
  [ENV.STORYRUN_ID]: identity(ENV.STORYRUN_ID),
  [ENV.STEP_NAME]: identity(ENV.STEP_NAME),
  [ENV.STEPRUN_NAME]: identity(ENV.STEPRUN_NAME),
  [ENV.STEPRUN_NAMESPACE]: identity(ENV.STEPRUN_NAMESPACE),
  [ENV.ENGRAM_NAME]: identity(ENV.ENGRAM_NAME),
  [ENV.ENGRAM_VERSION]: identity(ENV.ENGRAM_VERSION),
  [ENV.POD_NAME]: identity(ENV.POD_NAME),
  [ENV.POD_NAMESPACE]: identity(ENV.POD_NAMESPACE),
  [ENV.IMPULSE_NAME]: identity(ENV.IMPULSE_NAME),
  [ENV.IMPULSE_NAMESPACE]: identity(ENV.IMPULSE_NAMESPACE),
  [ENV.TARGET_STORY_NAME]: identity(ENV.TARGET_STORY_NAME),
  [ENV.TARGET_STORY_NAMESPACE]: identity(ENV.TARGET_STORY_NAMESPACE),
  [ENV.TRIGGER_TOKEN]: identity(ENV.TRIGGER_TOKEN),
  [ENV.EXECUTION_MODE]: customVar(ENV.EXECUTION_MODE, (raw) => present(raw)?.toLowerCase() ?? "batch"),
  // The Go SDK falls back to "now" for an unparsable value; we report it (see var-parsers.ts).
  [ENV.STARTED_AT]: customVar(ENV.STARTED_AT, (raw) => {
    const value = present(raw);
    if (value === undefined) return undefined;
    const parsed = parseRfc3339(value);
    return typeof parsed === "string"
      ? new Invalid(`invalid timestamp ${describeValue(ENV.STARTED_AT, value)}: ${parsed}`)
      : parsed;
  }),
};

const payloadEntries = {
  [ENV.TRIGGER_DATA]: customVar(ENV.TRIGGER_DATA, (raw) => parseJsonObjectEnv(ENV.TRIGGER_DATA, raw)),
  [ENV.STEP_CONFIG]: customVar(ENV.STEP_CONFIG, (raw) => parseJsonObjectEnv(ENV.STEP_CONFIG, raw)),
  [ENV.TEMPLATE_CONTEXT]: customVar(ENV.TEMPLATE_CONTEXT, (raw) => parseJsonObjectEnv(ENV.TEMPLATE_CONTEXT, raw)),
  [ENV.TRANSPORTS]: customVar(ENV.TRANSPORTS, (raw) => parseTransports(raw)),
  [ENV.SKIP_INPUT_TEMPLATING]: customVar(ENV.SKIP_INPUT_TEMPLATING, parseSkipInputTemplating),
  // The Go SDK warns and uses false for an invalid value; we reject it (a typo would disable strict mode).
  [ENV.RUNTIME_STRICT_UNMARSHAL]: customVar(ENV.RUNTIME_STRICT_UNMARSHAL, (raw) => {
    const b = parseStrictUnmarshal(raw);
    return (
      b ??
      new Invalid(
        `invalid boolean ${describeValue(ENV.RUNTIME_STRICT_UNMARSHAL, trimSpace(raw ?? ""))} (expected one of 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False)`,
      )
    );
  }),
};

const limitEntries = {
  [ENV.STEP_TIMEOUT]: durationVar(ENV.STEP_TIMEOUT, { default: "30m" }),
  // Non-integer or negative is an error (in Go too); 0 offloads everything non-empty.
  [ENV.MAX_INLINE_SIZE]: intVar(ENV.MAX_INLINE_SIZE, { default: 1024, min: 0 }),
  [ENV.MAX_RECURSION_DEPTH]: intVar(ENV.MAX_RECURSION_DEPTH, { default: 10, min: 1 }),
  [ENV.STORAGE_TIMEOUT]: durationVar(ENV.STORAGE_TIMEOUT, { default: "300s" }),
  [ENV.MEDIA_INLINE_SIZE]: intVar(ENV.MEDIA_INLINE_SIZE, { min: 1 }),
  [ENV.SIGNAL_MAX_PAYLOAD_BYTES]: intVar(ENV.SIGNAL_MAX_PAYLOAD_BYTES, { default: 8192, min: 1 }),
  [ENV.EFFECT_MAX_DETAILS_BYTES]: intVar(ENV.EFFECT_MAX_DETAILS_BYTES, { default: 8192, min: 1 }),
  [ENV.TEMPLATE_MAX_OUTPUT_BYTES]: intVar(ENV.TEMPLATE_MAX_OUTPUT_BYTES, { default: MIB, min: 1 }),
  [ENV.TEMPLATE_MAX_INPUT_BYTES]: intVar(ENV.TEMPLATE_MAX_INPUT_BYTES, { default: 8 * MIB, min: 1 }),
  [ENV.TEMPLATE_EVALUATION_TIMEOUT]: durationVar(ENV.TEMPLATE_EVALUATION_TIMEOUT, { default: "30s" }),
  [ENV.CONFIG_HYDRATION_MAX_DEPTH]: intVar(ENV.CONFIG_HYDRATION_MAX_DEPTH, { default: 64, min: 1 }),
  [ENV.CONFIG_HYDRATION_MAX_NODES]: intVar(ENV.CONFIG_HYDRATION_MAX_NODES, { default: 10000, min: 1 }),
  // `os.PathListSeparator` is ':' on Linux, the only platform pods run on. Blank entries are dropped.
  [ENV.LOG_ALLOWED_ROOTS]: customVar(ENV.LOG_ALLOWED_ROOTS, (raw) => {
    const value = present(raw);
    if (value === undefined) return undefined;
    const roots = value
      .split(":")
      .map((r) => trimSpace(r))
      .filter((r) => r !== "");
    return [...new Set(roots)];
  }),
  [ENV.LOG_FILE_MAX_BYTES]: intVar(ENV.LOG_FILE_MAX_BYTES, { default: 5 * MIB, min: 1 }),
  [ENV.HYBRID_BRIDGE]: customVar(ENV.HYBRID_BRIDGE, parseHybridBridge),
  [ENV.HYBRID_BRIDGE_TIMEOUT]: durationVar(ENV.HYBRID_BRIDGE_TIMEOUT, { default: "15s" }),
  [ENV.GRPC_PORT]: intVar(ENV.GRPC_PORT, { min: 1, max: 65535 }),
};

const k8sEntries = {
  // The Go SDK's value: the API server derives the managedFields manager from the User-Agent prefix.
  [ENV.K8S_USER_AGENT]: textVar(ENV.K8S_USER_AGENT, "bubu-sdk-go"),
  [ENV.K8S_TIMEOUT]: durationVar(ENV.K8S_TIMEOUT, { default: "30s" }),
  [ENV.K8S_OPERATION_TIMEOUT]: durationVar(ENV.K8S_OPERATION_TIMEOUT, { default: "30s" }),
  // Retries after the first attempt; negative means 0. Malformed is an error (the Go SDK uses 5).
  [ENV.K8S_PATCH_MAX_RETRIES]: clampedInt(ENV.K8S_PATCH_MAX_RETRIES, 5, 0),
  [ENV.KUBECONFIG]: textVar(ENV.KUBECONFIG),
  [ENV.KUBERNETES_SERVICE_HOST]: textVar(ENV.KUBERNETES_SERVICE_HOST),
  [ENV.KUBERNETES_SERVICE_PORT]: textVar(ENV.KUBERNETES_SERVICE_PORT),
};

const triggerEntries = {
  [ENV.TRIGGER_DEDUPE_MODE]: choiceVar<TriggerDedupeMode>(
    ENV.TRIGGER_DEDUPE_MODE,
    { none: "none", token: "token", key: "key" },
    { lower: true, expected: "none, token or key" },
  ),
  [ENV.TRIGGER_DEDUPE_KEY_TEMPLATE]: textVar(ENV.TRIGGER_DEDUPE_KEY_TEMPLATE),
  [ENV.TRIGGER_RETRY_MAX_ATTEMPTS]: intVar(ENV.TRIGGER_RETRY_MAX_ATTEMPTS, { min: 0 }),
  [ENV.TRIGGER_RETRY_BASE_DELAY]: durationVar(ENV.TRIGGER_RETRY_BASE_DELAY),
  [ENV.TRIGGER_RETRY_MAX_DELAY]: durationVar(ENV.TRIGGER_RETRY_MAX_DELAY),
  [ENV.TRIGGER_RETRY_BACKOFF]: choiceVar<TriggerBackoff>(
    ENV.TRIGGER_RETRY_BACKOFF,
    { exponential: "exponential", linear: "linear", constant: "constant" },
    { lower: true, expected: "exponential, linear or constant" },
  ),
  [ENV.TRIGGER_THROTTLE_RATE_PER_SECOND]: intVar(ENV.TRIGGER_THROTTLE_RATE_PER_SECOND, { min: 0 }),
  [ENV.TRIGGER_THROTTLE_BURST]: intVar(ENV.TRIGGER_THROTTLE_BURST, { min: 0 }),
  [ENV.TRIGGER_THROTTLE_MAX_IN_FLIGHT]: intVar(ENV.TRIGGER_THROTTLE_MAX_IN_FLIGHT, { min: 0 }),
};

const storageEntries = {
  // Case-sensitive (as in Go); we trim (Go does not), so " s3" is s3 rather than an error.
  [ENV.STORAGE_PROVIDER]: choiceVar<StorageProvider, StorageProvider>(
    ENV.STORAGE_PROVIDER,
    { s3: "s3", file: "file", none: "none" },
    { fallback: "", expected: "'s3', 'file', or 'none'" },
  ),
  [ENV.STORAGE_PATH]: textVar(ENV.STORAGE_PATH),
  [ENV.STORAGE_S3_BUCKET]: textVar(ENV.STORAGE_S3_BUCKET),
  [ENV.STORAGE_S3_REGION]: textVar(ENV.STORAGE_S3_REGION),
  [ENV.STORAGE_S3_ENDPOINT]: textVar(ENV.STORAGE_S3_ENDPOINT),
  [ENV.S3_FORCE_PATH_STYLE]: wideBool(ENV.S3_FORCE_PATH_STYLE),
  // Set-but-blank is an error (`BUBU_S3_TLS is set but empty`, as in Go), unlike the other variables.
  [ENV.S3_TLS]: customVar(ENV.S3_TLS, (raw) => {
    if (raw === undefined) return undefined;
    const value = present(raw);
    if (value === undefined) return new Invalid("is set but empty");
    const b = parseWideBool(value);
    return (
      b ??
      new Invalid(
        `invalid boolean ${describeValue(ENV.S3_TLS, value)} (expected 1/true/t/yes/y/on or 0/false/f/no/n/off)`,
      )
    );
  }),
  [ENV.S3_ACCESS_KEY_ID]: textVar(ENV.S3_ACCESS_KEY_ID),
  [ENV.S3_SECRET_ACCESS_KEY]: secret(ENV.S3_SECRET_ACCESS_KEY),
  [ENV.S3_SESSION_TOKEN]: secret(ENV.S3_SESSION_TOKEN),
  [ENV.S3_MAX_RETRIES]: intVar(ENV.S3_MAX_RETRIES, { default: 3, min: 1 }),
  [ENV.S3_MAX_BACKOFF]: durationVar(ENV.S3_MAX_BACKOFF, { default: "10s" }),
  [ENV.S3_TIMEOUT]: durationVar(ENV.S3_TIMEOUT, { default: "5m" }),
  [ENV.S3_MAX_PART_SIZE]: intVar(ENV.S3_MAX_PART_SIZE, { min: 1 }),
  [ENV.S3_CONCURRENCY]: intVar(ENV.S3_CONCURRENCY, { min: 1 }),
  [ENV.S3_SSE]: choiceVar<S3ServerSideEncryption>(
    ENV.S3_SSE,
    { s3: "AES256", "sse-s3": "AES256", aes256: "AES256", kms: "aws:kms", "aws:kms": "aws:kms" },
    { lower: true, expected: "s3, sse-s3, aes256, kms or aws:kms" },
  ),
  [ENV.S3_SSE_KMS_KEY]: textVar(ENV.S3_SSE_KMS_KEY),
  [ENV.STORAGE_OUTPUT_PREFIX]: textVar(ENV.STORAGE_OUTPUT_PREFIX, "outputs"),
  [ENV.STORAGE_INPUT_PREFIX]: textVar(ENV.STORAGE_INPUT_PREFIX, "inputs"),
  [ENV.AWS_ACCESS_KEY_ID]: textVar(ENV.AWS_ACCESS_KEY_ID),
  [ENV.AWS_SECRET_ACCESS_KEY]: secret(ENV.AWS_SECRET_ACCESS_KEY),
  [ENV.AWS_SESSION_TOKEN]: secret(ENV.AWS_SESSION_TOKEN),
  [ENV.AWS_REGION]: textVar(ENV.AWS_REGION),
  [ENV.AWS_DEFAULT_REGION]: textVar(ENV.AWS_DEFAULT_REGION),
  [ENV.AWS_WEB_IDENTITY_TOKEN_FILE]: textVar(ENV.AWS_WEB_IDENTITY_TOKEN_FILE),
  [ENV.AWS_ROLE_ARN]: textVar(ENV.AWS_ROLE_ARN),
  [ENV.AWS_ROLE_SESSION_NAME]: textVar(ENV.AWS_ROLE_SESSION_NAME),
};

const streamingEntries = {
  [ENV.TRANSPORT_BINDING]: textVar(ENV.TRANSPORT_BINDING),
  [ENV.TRANSPORT_SECURITY_MODE]: choiceVar<"tls", "tls">(
    ENV.TRANSPORT_SECURITY_MODE,
    { tls: "tls" },
    { lower: true, fallback: "tls", expected: 'only "tls" is supported' },
  ),
  [ENV.GRPC_CHANNEL_BUFFER_SIZE]: intVar(ENV.GRPC_CHANNEL_BUFFER_SIZE, { default: 16, min: 1 }),
  [ENV.GRPC_MESSAGE_TIMEOUT]: durationVar(ENV.GRPC_MESSAGE_TIMEOUT, { default: "30s" }),
  // 0 = off (blocking enqueue / no hang watcher), the default.
  [ENV.GRPC_CHANNEL_SEND_TIMEOUT]: durationVar(ENV.GRPC_CHANNEL_SEND_TIMEOUT, { default: "0", allowZero: true }),
  [ENV.GRPC_HANG_TIMEOUT]: durationVar(ENV.GRPC_HANG_TIMEOUT, { default: "0", allowZero: true }),
  [ENV.GRPC_HEARTBEAT_INTERVAL]: durationVar(ENV.GRPC_HEARTBEAT_INTERVAL, { default: "10s" }),
  [ENV.TRANSPORT_HEARTBEAT_INTERVAL]: durationVar(ENV.TRANSPORT_HEARTBEAT_INTERVAL, { default: "30s" }),
  [ENV.GRPC_RECONNECT_BASE_BACKOFF]: durationVar(ENV.GRPC_RECONNECT_BASE_BACKOFF, { default: "500ms" }),
  [ENV.GRPC_RECONNECT_MAX_BACKOFF]: durationVar(ENV.GRPC_RECONNECT_MAX_BACKOFF, { default: "30s" }),
  // Negative means unlimited (-1).
  [ENV.GRPC_RECONNECT_MAX_RETRIES]: customVar(ENV.GRPC_RECONNECT_MAX_RETRIES, (raw) => {
    const value = present(raw);
    if (value === undefined) return 10;
    const n = checkInt(ENV.GRPC_RECONNECT_MAX_RETRIES, value, {});
    return n instanceof Invalid || n >= 0 ? n : -1;
  }),
  [ENV.GRPC_DIAL_TIMEOUT]: durationVar(ENV.GRPC_DIAL_TIMEOUT, { default: "10s" }),
  [ENV.GRPC_CLIENT_MAX_RECV_BYTES]: intVar(ENV.GRPC_CLIENT_MAX_RECV_BYTES, { default: 10 * MIB, min: 1 }),
  [ENV.GRPC_CLIENT_MAX_SEND_BYTES]: intVar(ENV.GRPC_CLIENT_MAX_SEND_BYTES, { default: 10 * MIB, min: 1 }),
};

const observabilityEntries = {
  [ENV.DEBUG]: customVar(ENV.DEBUG, parseDebugFlag),
  [ENV.SDK_METRICS_ENABLED]: toggle(ENV.SDK_METRICS_ENABLED),
  [ENV.SDK_TRACING_ENABLED]: toggle(ENV.SDK_TRACING_ENABLED),
  [ENV.TRACE_PROPAGATION]: toggle(ENV.TRACE_PROPAGATION),
};

const envSchema = v.object({
  ...identityEntries,
  ...payloadEntries,
  ...limitEntries,
  ...k8sEntries,
  ...triggerEntries,
  ...storageEntries,
  ...streamingEntries,
  ...observabilityEntries,
});

/** The raw input of {@link ENV_SCHEMA}: variable name → value. */
export type RawEnv = Readonly<Record<string, string | undefined>>;

/** The valibot schema of every variable the SDK reads. */
export const ENV_SCHEMA: v.GenericSchema<RawEnv, EnvVars> = envSchema;

/** The streaming subset; the streaming resolver reuses it with binding overrides applied. */
const streamingSchema = v.object(streamingEntries);

/** The streaming variables, parsed. */
export type StreamingEnvVars = Pick<
  EnvVars,
  | "BUBU_TRANSPORT_BINDING"
  | "BUBU_TRANSPORT_SECURITY_MODE"
  | "BUBU_GRPC_CHANNEL_BUFFER_SIZE"
  | "BUBU_GRPC_MESSAGE_TIMEOUT"
  | "BUBU_GRPC_CHANNEL_SEND_TIMEOUT"
  | "BUBU_GRPC_HANG_TIMEOUT"
  | "BUBU_GRPC_HEARTBEAT_INTERVAL"
  | "BUBU_TRANSPORT_HEARTBEAT_INTERVAL"
  | "BUBU_GRPC_RECONNECT_BASE_BACKOFF"
  | "BUBU_GRPC_RECONNECT_MAX_BACKOFF"
  | "BUBU_GRPC_RECONNECT_MAX_RETRIES"
  | "BUBU_GRPC_DIAL_TIMEOUT"
  | "BUBU_GRPC_CLIENT_MAX_RECV_BYTES"
  | "BUBU_GRPC_CLIENT_MAX_SEND_BYTES"
>;

/** The valibot schema of the streaming tunables only. */
export const STREAMING_ENV_SCHEMA: v.GenericSchema<RawEnv, StreamingEnvVars> = streamingSchema;

/** Every variable name {@link ENV_SCHEMA} reads. */
export const SCHEMA_VARIABLES: readonly string[] = Object.keys(envSchema.entries);

/**
 * Reads the variables of `schema` from `reader` and parses them. All problems are collected
 * into one {@link EnvError}.
 */
export function parseWithSchema<T>(
  schema: v.GenericSchema<RawEnv, T>,
  variables: readonly string[],
  reader: EnvReader,
): T {
  const raw: Record<string, string | undefined> = {};
  for (const name of variables) raw[name] = reader.get(name);
  const result = v.safeParse(schema, raw, { abortEarly: false });
  if (result.success) return result.output;
  const problems: EnvProblem[] = result.issues.map((issue) => {
    const key = issue.path?.[0]?.key;
    const variable = typeof key === "string" ? key : "environment";
    return { variable, message: issue.message };
  });
  throw new EnvError(problems);
}

/** Parses every variable the SDK reads. */
export function parseEnvVars(reader: EnvReader): EnvVars {
  return parseWithSchema(ENV_SCHEMA, SCHEMA_VARIABLES, reader);
}

const k8sSchema = v.pick(envSchema, [
  "BUBU_K8S_USER_AGENT",
  "BUBU_K8S_TIMEOUT",
  "BUBU_K8S_OPERATION_TIMEOUT",
  "BUBU_K8S_PATCH_MAX_RETRIES",
  "BUBU_POD_NAME",
]);

/** The Kubernetes client's variables (`BUBU_K8S_*`, `BUBU_POD_NAME`), parsed. */
export type K8sEnvVars = Pick<
  EnvVars,
  | "BUBU_K8S_USER_AGENT"
  | "BUBU_K8S_TIMEOUT"
  | "BUBU_K8S_OPERATION_TIMEOUT"
  | "BUBU_K8S_PATCH_MAX_RETRIES"
  | "BUBU_POD_NAME"
>;

/**
 * Parses only the Kubernetes client's variables, so that a client can be created (for example
 * to report a startup failure) even when an unrelated variable is malformed.
 */
export function parseK8sEnvVars(reader: EnvReader): K8sEnvVars {
  return parseWithSchema(k8sSchema as v.GenericSchema<RawEnv, K8sEnvVars>, Object.keys(k8sSchema.entries), reader);
}

/** Parses the streaming tunables (for the streaming resolver, which passes a reader with binding overrides). */
export function parseStreamingEnvVars(reader: EnvReader): StreamingEnvVars {
  return parseWithSchema(STREAMING_ENV_SCHEMA, Object.keys(streamingSchema.entries), reader);
}
