/**
 * `loadEnv`: the typed, parsed view of the environment (`BubuEnv`), built from an env map or
 * getter, read once per run and validated as a whole.
 * @module
 */

import { type Duration, durationFromNanos } from "./duration.ts";
import { EnvError, type EnvProblem } from "./errors.ts";
import { ENV } from "./names.ts";
import { isClusterMode, resolveKubeRefNamespace, resolvePodNamespace } from "./namespace.ts";
import {
  collectConfigOverrides,
  collectSecrets,
  type JsonObject,
  mergeConfig,
  type TransportDescriptor,
} from "./payload.ts";
import type { SecretDescriptors, SecretString } from "./redacted.ts";
import {
  type EnvVars,
  parseEnvVars,
  parseStreamingEnvVars,
  type S3ServerSideEncryption,
  type StorageProvider,
  type StreamingEnvVars,
  type TriggerBackoff,
  type TriggerDedupeMode,
} from "./schema.ts";
import { type EnvReader, type EnvSource, envReader } from "./source.ts";
import type { StartedAt } from "./started-at.ts";
import type { StoryInfo } from "./story-info.ts";
import { present } from "./var-parsers.ts";

export type { StoryInfo };

/** A non-fatal env problem, for the caller to log as a warning. */
export interface EnvWarning {
  readonly variable: string;
  /** The log message, e.g. `ignoring invalid observability env override`. */
  readonly message: string;
  readonly value: string;
}

/** The trigger dedupe policy (`BUBU_TRIGGER_DEDUPE_*`). */
export interface TriggerDedupePolicy {
  readonly mode: TriggerDedupeMode;
  /** Only meaningful (and then required) for mode `key`. */
  readonly keyTemplate: string | undefined;
}

/** The trigger retry policy (`BUBU_TRIGGER_RETRY_*`), defaults filled in. */
export interface TriggerRetryPolicy {
  /** Attempts including the first; 0 or 1 means no retry. */
  readonly maxAttempts: number;
  readonly baseDelay: Duration;
  readonly maxDelay: Duration;
  readonly backoff: TriggerBackoff;
}

/** The trigger throttle (`BUBU_TRIGGER_THROTTLE_*`). */
export interface TriggerThrottlePolicy {
  /** 0 disables the rate limit. */
  readonly ratePerSecond: number;
  /** Token-bucket burst; defaults to the rate when unset or 0. */
  readonly burst: number;
  /** 0 disables the in-flight cap. */
  readonly maxInFlight: number;
}

/** Everything the SDK reads from env, parsed. */
export interface BubuEnv {
  /** Every variable, parsed, keyed by its name (the single source for the sections below). */
  readonly vars: EnvVars;
  readonly storyInfo: StoryInfo;
  readonly identity: {
    readonly storyVersion: string;
    readonly engramName: string;
    readonly engramVersion: string;
    readonly podName: string;
    readonly podNamespace: string;
    readonly impulseName: string;
    readonly impulseNamespace: string;
    readonly targetStoryName: string;
    readonly targetStoryNamespace: string;
    readonly triggerToken: string;
  };
  /** `ExecutionMode()`: lower-cased, trimmed, `batch` when unset. */
  readonly executionMode: string;
  /** `KUBERNETES_SERVICE_HOST` or `BUBU_STEPRUN_NAME` is set; otherwise local mode. */
  readonly clusterMode: boolean;
  /** `BUBU_STARTED_AT`; `undefined` when unset (the caller then uses its own start time). */
  readonly startedAt: StartedAt | undefined;
  readonly namespaces: {
    /** Kubernetes client namespace: TARGET_STORY → IMPULSE → STEPRUN → POD, else `""`. */
    readonly client: string;
    /** Storage kube-ref default: POD → STEPRUN → TARGET_STORY → IMPULSE, else `""`. */
    readonly kubeRef: string;
  };
  readonly payload: {
    /** `BUBU_TRIGGER_DATA`; `undefined` when absent (batch treats that as `{}`). */
    readonly inputs: JsonObject | undefined;
    /** `BUBU_STEP_CONFIG` as sent, before overrides. */
    readonly stepConfig: JsonObject | undefined;
    /** The effective config: `BUBU_STEP_CONFIG` (or `{}`) with `BUBU_CONFIG_<KEY>` applied. */
    readonly config: JsonObject;
    /** The `BUBU_CONFIG_<KEY>` overrides alone. */
    readonly configOverrides: Readonly<Record<string, string>>;
    /** `BUBU_TEMPLATE_CONTEXT` as sent (templating normalizes `inputs`/`steps`). */
    readonly templateContext: JsonObject | undefined;
    readonly transports: readonly TransportDescriptor[];
    readonly skipInputTemplating: boolean;
    readonly strictUnmarshal: boolean;
  };
  /** The raw `BUBU_SECRET_<NAME>` descriptors; never printed. */
  readonly secrets: SecretDescriptors;
  readonly limits: {
    readonly stepTimeout: Duration;
    readonly signalMaxPayloadBytes: number;
    readonly effectMaxDetailsBytes: number;
    readonly templateMaxOutputBytes: number;
    readonly templateMaxInputBytes: number;
    readonly templateEvaluationTimeout: Duration;
    readonly configHydrationMaxDepth: number;
    readonly configHydrationMaxNodes: number;
    /** `undefined`: use the defaults (`/tmp`, `/var/tmp`, `/var/log`, the temp dir, the cwd). */
    readonly logAllowedRoots: readonly string[] | undefined;
    readonly logFileMaxBytes: number;
    /** `BUBU_GRPC_PORT`: parsed for parity, unused. */
    readonly grpcPort: number | undefined;
  };
  readonly hybridBridge: { readonly enabled: boolean; readonly timeout: Duration };
  readonly k8s: {
    readonly userAgent: string;
    /** Per-HTTP-request timeout. */
    readonly requestTimeout: Duration;
    /** Per-operation budget (all patch attempts, schema lookups, trigger wait). */
    readonly operationTimeout: Duration;
    /** Status-patch retries after the first attempt. */
    readonly patchMaxRetries: number;
    readonly kubeconfig: string | undefined;
    readonly serviceHost: string | undefined;
    readonly servicePort: string | undefined;
  };
  readonly trigger: {
    readonly dedupe: TriggerDedupePolicy | undefined;
    readonly retry: TriggerRetryPolicy | undefined;
    readonly throttle: TriggerThrottlePolicy | undefined;
  };
  readonly storage: {
    readonly provider: StorageProvider;
    /** Provider `s3` or `file`. */
    readonly enabled: boolean;
    readonly path: string | undefined;
    readonly outputPrefix: string;
    readonly inputPrefix: string;
    readonly timeout: Duration;
    readonly maxInlineSize: number;
    readonly maxRecursionDepth: number;
    /** `media.MaybeOffloadBlob` threshold: MEDIA_INLINE_SIZE, else a positive MAX_INLINE_SIZE, else 48 KiB. */
    readonly mediaInlineSize: number;
    readonly s3: {
      readonly bucket: string | undefined;
      readonly region: string | undefined;
      readonly endpoint: string | undefined;
      /** Explicit value, else `true` with a custom endpoint and `false` without. */
      readonly forcePathStyle: boolean;
      readonly tls: boolean | undefined;
      readonly accessKeyId: string | undefined;
      readonly secretAccessKey: SecretString | undefined;
      readonly sessionToken: SecretString | undefined;
      readonly maxRetries: number;
      readonly maxBackoff: Duration;
      readonly timeout: Duration;
      readonly maxPartSize: number | undefined;
      readonly concurrency: number | undefined;
      readonly sse: S3ServerSideEncryption | undefined;
      readonly sseKmsKey: string | undefined;
    };
    readonly aws: {
      readonly accessKeyId: string | undefined;
      readonly secretAccessKey: SecretString | undefined;
      readonly sessionToken: SecretString | undefined;
      readonly region: string | undefined;
      readonly defaultRegion: string | undefined;
      readonly webIdentityTokenFile: string | undefined;
      readonly roleArn: string | undefined;
      readonly roleSessionName: string | undefined;
    };
  };
  readonly streaming: StreamingEnv;
  readonly observability: {
    readonly debug: boolean;
    readonly metricsEnabled: boolean;
    readonly tracingEnabled: boolean;
    readonly tracePropagation: boolean;
  };
  /** Non-fatal problems to log once (invalid observability toggles). */
  readonly warnings: readonly EnvWarning[];
}

/** The streaming tunables from the process env (binding overrides come later, in the resolver). */
export interface StreamingEnv {
  /** The raw binding JSON (`BUBU_TRANSPORT_BINDING`), trimmed. */
  readonly binding: string | undefined;
  readonly securityMode: "tls";
  readonly channelBufferSize: number;
  readonly messageTimeout: Duration;
  /** 0 = blocking enqueue. */
  readonly channelSendTimeout: Duration;
  /** 0 = no hang watcher. */
  readonly hangTimeout: Duration;
  /** Not yet clamped below `messageTimeout` (the session does that, with a warning). */
  readonly heartbeatInterval: Duration;
  readonly controlHeartbeatInterval: Duration;
  readonly reconnectBaseBackoff: Duration;
  readonly reconnectMaxBackoff: Duration;
  /** Lifetime budget; -1 = unlimited. */
  readonly reconnectMaxRetries: number;
  readonly dialTimeout: Duration;
  readonly clientMaxRecvBytes: number;
  readonly clientMaxSendBytes: number;
}

const DEFAULT_MEDIA_INLINE_SIZE = 48 * 1024;

/**
 * Reads and parses every variable the SDK uses. Malformed values throw one {@link EnvError}
 * listing every problem. Pass a map (for example `runtime.envAll()`) to get the
 * `BUBU_CONFIG_*` overrides and `BUBU_SECRET_*` descriptors; a getter cannot be scanned.
 * @throws {EnvError}
 */
export function loadEnv(source: EnvSource): BubuEnv {
  const reader = envReader(source);
  const vars = parseEnvVars(reader);
  const problems: EnvProblem[] = [];
  const trigger = {
    dedupe: dedupePolicy(vars, problems),
    retry: retryPolicy(vars),
    throttle: throttlePolicy(vars),
  };
  if (problems.length > 0) throw new EnvError(problems);

  const configOverrides = collectConfigOverrides(reader);
  const endpoint = vars.BUBU_STORAGE_S3_ENDPOINT;
  return {
    vars,
    storyInfo: {
      storyName: vars.BUBU_STORY_NAME,
      storyRunID: vars.BUBU_STORYRUN_ID,
      stepName: vars.BUBU_STEP_NAME,
      stepRunID: vars.BUBU_STEPRUN_NAME,
      stepRunNamespace: vars.BUBU_STEPRUN_NAMESPACE,
    },
    identity: {
      storyVersion: vars.BUBU_STORY_VERSION,
      engramName: vars.BUBU_ENGRAM_NAME,
      engramVersion: vars.BUBU_ENGRAM_VERSION,
      podName: vars.BUBU_POD_NAME,
      podNamespace: vars.BUBU_POD_NAMESPACE,
      impulseName: vars.BUBU_IMPULSE_NAME,
      impulseNamespace: vars.BUBU_IMPULSE_NAMESPACE,
      targetStoryName: vars.BUBU_TARGET_STORY_NAME,
      targetStoryNamespace: vars.BUBU_TARGET_STORY_NAMESPACE,
      triggerToken: vars.BUBU_TRIGGER_TOKEN,
    },
    executionMode: vars.BUBU_EXECUTION_MODE,
    clusterMode: isClusterMode(reader.get),
    startedAt: vars.BUBU_STARTED_AT,
    namespaces: { client: resolvePodNamespace(reader.get), kubeRef: resolveKubeRefNamespace(reader.get) },
    payload: {
      inputs: vars.BUBU_TRIGGER_DATA,
      stepConfig: vars.BUBU_STEP_CONFIG,
      config: mergeConfig(vars.BUBU_STEP_CONFIG, configOverrides),
      configOverrides,
      templateContext: vars.BUBU_TEMPLATE_CONTEXT,
      transports: vars.BUBU_TRANSPORTS,
      skipInputTemplating: vars.BUBU_SKIP_INPUT_TEMPLATING,
      strictUnmarshal: vars.BUBU_RUNTIME_STRICT_UNMARSHAL,
    },
    secrets: collectSecrets(reader),
    limits: {
      stepTimeout: vars.BUBU_STEP_TIMEOUT,
      signalMaxPayloadBytes: vars.BUBU_SIGNAL_MAX_PAYLOAD_BYTES,
      effectMaxDetailsBytes: vars.BUBU_EFFECT_MAX_DETAILS_BYTES,
      templateMaxOutputBytes: vars.BUBU_TEMPLATE_MAX_OUTPUT_BYTES,
      templateMaxInputBytes: vars.BUBU_TEMPLATE_MAX_INPUT_BYTES,
      templateEvaluationTimeout: vars.BUBU_TEMPLATE_EVALUATION_TIMEOUT,
      configHydrationMaxDepth: vars.BUBU_CONFIG_HYDRATION_MAX_DEPTH,
      configHydrationMaxNodes: vars.BUBU_CONFIG_HYDRATION_MAX_NODES,
      logAllowedRoots: vars.BUBU_LOG_ALLOWED_ROOTS,
      logFileMaxBytes: vars.BUBU_LOG_FILE_MAX_BYTES,
      grpcPort: vars.BUBU_GRPC_PORT,
    },
    hybridBridge: { enabled: vars.BUBU_HYBRID_BRIDGE, timeout: vars.BUBU_HYBRID_BRIDGE_TIMEOUT },
    k8s: {
      userAgent: vars.BUBU_K8S_USER_AGENT,
      requestTimeout: vars.BUBU_K8S_TIMEOUT,
      operationTimeout: vars.BUBU_K8S_OPERATION_TIMEOUT,
      patchMaxRetries: vars.BUBU_K8S_PATCH_MAX_RETRIES,
      kubeconfig: vars.KUBECONFIG,
      serviceHost: vars.KUBERNETES_SERVICE_HOST,
      servicePort: vars.KUBERNETES_SERVICE_PORT,
    },
    trigger,
    storage: {
      provider: vars.BUBU_STORAGE_PROVIDER,
      enabled: vars.BUBU_STORAGE_PROVIDER === "s3" || vars.BUBU_STORAGE_PROVIDER === "file",
      path: vars.BUBU_STORAGE_PATH,
      outputPrefix: vars.BUBU_STORAGE_OUTPUT_PREFIX,
      inputPrefix: vars.BUBU_STORAGE_INPUT_PREFIX,
      timeout: vars.BUBU_STORAGE_TIMEOUT,
      maxInlineSize: vars.BUBU_MAX_INLINE_SIZE,
      maxRecursionDepth: vars.BUBU_MAX_RECURSION_DEPTH,
      mediaInlineSize: mediaInlineSize(vars, reader),
      s3: {
        bucket: vars.BUBU_STORAGE_S3_BUCKET,
        region: vars.BUBU_STORAGE_S3_REGION,
        endpoint,
        forcePathStyle: vars.BUBU_S3_FORCE_PATH_STYLE ?? endpoint !== undefined,
        tls: vars.BUBU_S3_TLS,
        accessKeyId: vars.BUBU_S3_ACCESS_KEY_ID,
        secretAccessKey: vars.BUBU_S3_SECRET_ACCESS_KEY,
        sessionToken: vars.BUBU_S3_SESSION_TOKEN,
        maxRetries: vars.BUBU_S3_MAX_RETRIES,
        maxBackoff: vars.BUBU_S3_MAX_BACKOFF,
        timeout: vars.BUBU_S3_TIMEOUT,
        maxPartSize: vars.BUBU_S3_MAX_PART_SIZE,
        concurrency: vars.BUBU_S3_CONCURRENCY,
        sse: vars.BUBU_S3_SSE,
        sseKmsKey: vars.BUBU_S3_SSE_KMS_KEY,
      },
      aws: {
        accessKeyId: vars.AWS_ACCESS_KEY_ID,
        secretAccessKey: vars.AWS_SECRET_ACCESS_KEY,
        sessionToken: vars.AWS_SESSION_TOKEN,
        region: vars.AWS_REGION,
        defaultRegion: vars.AWS_DEFAULT_REGION,
        webIdentityTokenFile: vars.AWS_WEB_IDENTITY_TOKEN_FILE,
        roleArn: vars.AWS_ROLE_ARN,
        roleSessionName: vars.AWS_ROLE_SESSION_NAME,
      },
    },
    streaming: toStreamingEnv(vars),
    observability: {
      debug: vars.BUBU_DEBUG,
      metricsEnabled: vars.BUBU_SDK_METRICS_ENABLED.value,
      tracingEnabled: vars.BUBU_SDK_TRACING_ENABLED.value,
      tracePropagation: vars.BUBU_TRACE_PROPAGATION.value,
    },
    warnings: observabilityWarnings(vars, reader),
  };
}

/**
 * Parses only the streaming tunables. The streaming resolver calls this with a source where a
 * non-blank binding `env` override wins over the process env (as in the Go SDK).
 * @throws {EnvError}
 */
export function loadStreamingEnv(source: EnvSource): StreamingEnv {
  return toStreamingEnv(parseStreamingEnvVars(envReader(source)));
}

function toStreamingEnv(vars: StreamingEnvVars): StreamingEnv {
  return {
    binding: vars.BUBU_TRANSPORT_BINDING,
    securityMode: vars.BUBU_TRANSPORT_SECURITY_MODE,
    channelBufferSize: vars.BUBU_GRPC_CHANNEL_BUFFER_SIZE,
    messageTimeout: vars.BUBU_GRPC_MESSAGE_TIMEOUT,
    channelSendTimeout: vars.BUBU_GRPC_CHANNEL_SEND_TIMEOUT,
    hangTimeout: vars.BUBU_GRPC_HANG_TIMEOUT,
    heartbeatInterval: vars.BUBU_GRPC_HEARTBEAT_INTERVAL,
    controlHeartbeatInterval: vars.BUBU_TRANSPORT_HEARTBEAT_INTERVAL,
    reconnectBaseBackoff: vars.BUBU_GRPC_RECONNECT_BASE_BACKOFF,
    reconnectMaxBackoff: vars.BUBU_GRPC_RECONNECT_MAX_BACKOFF,
    reconnectMaxRetries: vars.BUBU_GRPC_RECONNECT_MAX_RETRIES,
    dialTimeout: vars.BUBU_GRPC_DIAL_TIMEOUT,
    clientMaxRecvBytes: vars.BUBU_GRPC_CLIENT_MAX_RECV_BYTES,
    clientMaxSendBytes: vars.BUBU_GRPC_CLIENT_MAX_SEND_BYTES,
  };
}

/**
 * These combinations would fail every story trigger (the Go SDK fails each call); we fail at load
 * instead, naming the variable.
 */
function dedupePolicy(vars: EnvVars, problems: EnvProblem[]): TriggerDedupePolicy | undefined {
  const mode = vars.BUBU_TRIGGER_DEDUPE_MODE;
  const keyTemplate = vars.BUBU_TRIGGER_DEDUPE_KEY_TEMPLATE;
  if (mode === undefined && keyTemplate === undefined) return undefined;
  if (mode === undefined) {
    const variable = ENV.TRIGGER_DEDUPE_KEY_TEMPLATE;
    problems.push({ variable, message: `${variable}: requires ${ENV.TRIGGER_DEDUPE_MODE}=key` });
    return undefined;
  }
  if (mode === "key" && keyTemplate === undefined) {
    const variable = ENV.TRIGGER_DEDUPE_KEY_TEMPLATE;
    problems.push({ variable, message: `${variable}: required when ${ENV.TRIGGER_DEDUPE_MODE}=key` });
    return undefined;
  }
  return { mode, keyTemplate };
}

function retryPolicy(vars: EnvVars): TriggerRetryPolicy | undefined {
  const maxAttempts = vars.BUBU_TRIGGER_RETRY_MAX_ATTEMPTS;
  const baseDelay = vars.BUBU_TRIGGER_RETRY_BASE_DELAY;
  const maxDelay = vars.BUBU_TRIGGER_RETRY_MAX_DELAY;
  const backoff = vars.BUBU_TRIGGER_RETRY_BACKOFF;
  if (maxAttempts === undefined && baseDelay === undefined && maxDelay === undefined && backoff === undefined) {
    return undefined;
  }
  return {
    maxAttempts: maxAttempts ?? 0,
    baseDelay: baseDelay ?? durationFromNanos(1_000_000_000n),
    maxDelay: maxDelay ?? durationFromNanos(300_000_000_000n),
    backoff: backoff ?? "exponential",
  };
}

function throttlePolicy(vars: EnvVars): TriggerThrottlePolicy | undefined {
  const rate = vars.BUBU_TRIGGER_THROTTLE_RATE_PER_SECOND;
  const burst = vars.BUBU_TRIGGER_THROTTLE_BURST;
  const maxInFlight = vars.BUBU_TRIGGER_THROTTLE_MAX_IN_FLIGHT;
  if (rate === undefined && burst === undefined && maxInFlight === undefined) return undefined;
  const ratePerSecond = rate ?? 0;
  return {
    ratePerSecond,
    burst: burst !== undefined && burst > 0 ? burst : ratePerSecond,
    maxInFlight: maxInFlight ?? 0,
  };
}

function mediaInlineSize(vars: EnvVars, reader: EnvReader): number {
  if (vars.BUBU_MEDIA_INLINE_SIZE !== undefined) return vars.BUBU_MEDIA_INLINE_SIZE;
  // Only an explicitly set, positive BUBU_MAX_INLINE_SIZE counts (not its 1024 default).
  if (present(reader.get(ENV.MAX_INLINE_SIZE)) !== undefined && vars.BUBU_MAX_INLINE_SIZE > 0) {
    return vars.BUBU_MAX_INLINE_SIZE;
  }
  return DEFAULT_MEDIA_INLINE_SIZE;
}

function observabilityWarnings(vars: EnvVars, reader: EnvReader): EnvWarning[] {
  const out: EnvWarning[] = [];
  for (const name of [ENV.SDK_METRICS_ENABLED, ENV.SDK_TRACING_ENABLED, ENV.TRACE_PROPAGATION] as const) {
    if (vars[name].invalid) {
      out.push({
        variable: name,
        message: "ignoring invalid observability env override",
        value: reader.get(name) ?? "",
      });
    }
  }
  return out;
}
