/**
 * The environment variables: names, defaults, parsing, durations.
 * @module
 */

export {
  type Duration,
  durationFromNanos,
  formatGoDuration,
  GoDurationError,
  millisToNanos,
  nanosToMillis,
  parseGoDuration,
  parseGoDurationValue,
} from "./duration.ts";
export { describeValue, EnvError, type EnvProblem, isSensitiveEnvName } from "./errors.ts";
export {
  parseDebugFlag,
  parseHybridBridge,
  parseObservabilityToggle,
  parseSkipInputTemplating,
  parseStrictUnmarshal,
  parseWideBool,
  type ToggleResult,
} from "./flags.ts";
export { parseGoBool, parseGoInt, trimSpace } from "./go-text.ts";
export {
  type BubuEnv,
  type EnvWarning,
  loadEnv,
  loadStreamingEnv,
  type StoryInfo,
  type StreamingEnv,
  type TriggerDedupePolicy,
  type TriggerRetryPolicy,
  type TriggerThrottlePolicy,
} from "./load.ts";
export { ENV, type EnvName } from "./names.ts";
export {
  executionMode,
  isBatchExecutionMode,
  isClusterMode,
  KUBE_REF_NAMESPACE_ORDER,
  POD_NAMESPACE_ORDER,
  resolveKubeRefNamespace,
  resolvePodNamespace,
} from "./namespace.ts";
export {
  collectConfigOverrides,
  collectSecretDescriptors,
  collectSecrets,
  type JsonObject,
  mergeConfig,
  parseJsonEnv,
  parseJsonObjectEnv,
  parseTransports,
  type TransportConfig,
  type TransportDescriptor,
} from "./payload.ts";
export { SecretDescriptors, SecretString } from "./redacted.ts";
export {
  ENV_SCHEMA,
  type EnvVars,
  parseEnvVars,
  parseStreamingEnvVars,
  type RawEnv,
  type S3ServerSideEncryption,
  SCHEMA_VARIABLES,
  STREAMING_ENV_SCHEMA,
  type StorageProvider,
  type StreamingEnvVars,
  type TriggerBackoff,
  type TriggerDedupeMode,
} from "./schema.ts";
export { type EnvReader, type EnvSource, envReader } from "./source.ts";
export { parseRfc3339, type StartedAt } from "./started-at.ts";
