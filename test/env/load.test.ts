import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { EnvError } from "../../src/env/errors.ts";
import { loadEnv, loadStreamingEnv } from "../../src/env/load.ts";
import { ENV } from "../../src/env/names.ts";
import { SecretString } from "../../src/env/redacted.ts";
import { type EnvVars, SCHEMA_VARIABLES } from "../../src/env/schema.ts";

const S = 1_000_000_000n;
const d = (nanos: bigint) => ({ nanos, millis: Number(nanos) / 1e6 });
const MIB = 1024 * 1024;

/** Every variable's value when unset. */
const DEFAULTS: Record<keyof EnvVars, unknown> = {
  BUBU_STORY_NAME: "",
  BUBU_STORY_VERSION: "",
  BUBU_STORYRUN_ID: "",
  BUBU_STEP_NAME: "",
  BUBU_STEPRUN_NAME: "",
  BUBU_STEPRUN_NAMESPACE: "",
  BUBU_ENGRAM_NAME: "",
  BUBU_ENGRAM_VERSION: "",
  BUBU_POD_NAME: "",
  BUBU_POD_NAMESPACE: "",
  BUBU_IMPULSE_NAME: "",
  BUBU_IMPULSE_NAMESPACE: "",
  BUBU_TARGET_STORY_NAME: "",
  BUBU_TARGET_STORY_NAMESPACE: "",
  BUBU_TRIGGER_TOKEN: "",
  BUBU_EXECUTION_MODE: "batch",
  BUBU_STARTED_AT: undefined,
  BUBU_TRIGGER_DATA: undefined,
  BUBU_STEP_CONFIG: undefined,
  BUBU_TEMPLATE_CONTEXT: undefined,
  BUBU_TRANSPORTS: [],
  BUBU_SKIP_INPUT_TEMPLATING: false,
  BUBU_RUNTIME_STRICT_UNMARSHAL: false,
  BUBU_STEP_TIMEOUT: d(30n * 60n * S),
  BUBU_MAX_INLINE_SIZE: 1024,
  BUBU_MAX_RECURSION_DEPTH: 10,
  BUBU_STORAGE_TIMEOUT: d(300n * S),
  BUBU_MEDIA_INLINE_SIZE: undefined,
  BUBU_SIGNAL_MAX_PAYLOAD_BYTES: 8192,
  BUBU_EFFECT_MAX_DETAILS_BYTES: 8192,
  BUBU_TEMPLATE_MAX_OUTPUT_BYTES: MIB,
  BUBU_TEMPLATE_MAX_INPUT_BYTES: 8 * MIB,
  BUBU_TEMPLATE_EVALUATION_TIMEOUT: d(30n * S),
  BUBU_CONFIG_HYDRATION_MAX_DEPTH: 64,
  BUBU_CONFIG_HYDRATION_MAX_NODES: 10000,
  BUBU_LOG_ALLOWED_ROOTS: undefined,
  BUBU_LOG_FILE_MAX_BYTES: 5 * MIB,
  BUBU_HYBRID_BRIDGE: true,
  BUBU_HYBRID_BRIDGE_TIMEOUT: d(15n * S),
  BUBU_GRPC_PORT: undefined,
  BUBU_K8S_USER_AGENT: "bubu-sdk-go",
  BUBU_K8S_TIMEOUT: d(30n * S),
  BUBU_K8S_OPERATION_TIMEOUT: d(30n * S),
  BUBU_K8S_PATCH_MAX_RETRIES: 5,
  KUBECONFIG: undefined,
  KUBERNETES_SERVICE_HOST: undefined,
  KUBERNETES_SERVICE_PORT: undefined,
  BUBU_TRIGGER_DEDUPE_MODE: undefined,
  BUBU_TRIGGER_DEDUPE_KEY_TEMPLATE: undefined,
  BUBU_TRIGGER_RETRY_MAX_ATTEMPTS: undefined,
  BUBU_TRIGGER_RETRY_BASE_DELAY: undefined,
  BUBU_TRIGGER_RETRY_MAX_DELAY: undefined,
  BUBU_TRIGGER_RETRY_BACKOFF: undefined,
  BUBU_TRIGGER_THROTTLE_RATE_PER_SECOND: undefined,
  BUBU_TRIGGER_THROTTLE_BURST: undefined,
  BUBU_TRIGGER_THROTTLE_MAX_IN_FLIGHT: undefined,
  BUBU_STORAGE_PROVIDER: "",
  BUBU_STORAGE_PATH: undefined,
  BUBU_STORAGE_S3_BUCKET: undefined,
  BUBU_STORAGE_S3_REGION: undefined,
  BUBU_STORAGE_S3_ENDPOINT: undefined,
  BUBU_S3_FORCE_PATH_STYLE: undefined,
  BUBU_S3_TLS: undefined,
  BUBU_S3_ACCESS_KEY_ID: undefined,
  BUBU_S3_SECRET_ACCESS_KEY: undefined,
  BUBU_S3_SESSION_TOKEN: undefined,
  BUBU_S3_MAX_RETRIES: 3,
  BUBU_S3_MAX_BACKOFF: d(10n * S),
  BUBU_S3_TIMEOUT: d(300n * S),
  BUBU_S3_MAX_PART_SIZE: undefined,
  BUBU_S3_CONCURRENCY: undefined,
  BUBU_S3_SSE: undefined,
  BUBU_S3_SSE_KMS_KEY: undefined,
  BUBU_STORAGE_OUTPUT_PREFIX: "outputs",
  BUBU_STORAGE_INPUT_PREFIX: "inputs",
  AWS_ACCESS_KEY_ID: undefined,
  AWS_SECRET_ACCESS_KEY: undefined,
  AWS_SESSION_TOKEN: undefined,
  AWS_REGION: undefined,
  AWS_DEFAULT_REGION: undefined,
  AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
  AWS_ROLE_ARN: undefined,
  AWS_ROLE_SESSION_NAME: undefined,
  BUBU_TRANSPORT_BINDING: undefined,
  BUBU_TRANSPORT_SECURITY_MODE: "tls",
  BUBU_GRPC_CHANNEL_BUFFER_SIZE: 16,
  BUBU_GRPC_MESSAGE_TIMEOUT: d(30n * S),
  BUBU_GRPC_CHANNEL_SEND_TIMEOUT: d(0n),
  BUBU_GRPC_HANG_TIMEOUT: d(0n),
  BUBU_GRPC_HEARTBEAT_INTERVAL: d(10n * S),
  BUBU_TRANSPORT_HEARTBEAT_INTERVAL: d(30n * S),
  BUBU_GRPC_RECONNECT_BASE_BACKOFF: d(S / 2n),
  BUBU_GRPC_RECONNECT_MAX_BACKOFF: d(30n * S),
  BUBU_GRPC_RECONNECT_MAX_RETRIES: 10,
  BUBU_GRPC_DIAL_TIMEOUT: d(10n * S),
  BUBU_GRPC_CLIENT_MAX_RECV_BYTES: 10 * MIB,
  BUBU_GRPC_CLIENT_MAX_SEND_BYTES: 10 * MIB,
  BUBU_DEBUG: false,
  BUBU_SDK_METRICS_ENABLED: { value: true, invalid: false },
  BUBU_SDK_TRACING_ENABLED: { value: true, invalid: false },
  BUBU_TRACE_PROPAGATION: { value: true, invalid: false },
};

/** [variable, raw value, parsed value] — one valid, non-default value per variable. */
const VALID: [keyof EnvVars, string, unknown][] = [
  ["BUBU_STORY_NAME", " my-story ", "my-story"],
  ["BUBU_STORY_VERSION", "v2", "v2"],
  ["BUBU_STORYRUN_ID", "run-1", "run-1"],
  ["BUBU_STEP_NAME", "step-a", "step-a"],
  ["BUBU_STEPRUN_NAME", "run-1-step-a", "run-1-step-a"],
  ["BUBU_STEPRUN_NAMESPACE", "ns1", "ns1"],
  ["BUBU_ENGRAM_NAME", "eng", "eng"],
  ["BUBU_ENGRAM_VERSION", "1.0.0", "1.0.0"],
  ["BUBU_POD_NAME", "pod-x", "pod-x"],
  ["BUBU_POD_NAMESPACE", "pns", "pns"],
  ["BUBU_IMPULSE_NAME", "imp", "imp"],
  ["BUBU_IMPULSE_NAMESPACE", "ins", "ins"],
  ["BUBU_TARGET_STORY_NAME", "ts", "ts"],
  ["BUBU_TARGET_STORY_NAMESPACE", "tns", "tns"],
  ["BUBU_TRIGGER_TOKEN", "tok", "tok"],
  ["BUBU_EXECUTION_MODE", " Hybrid ", "hybrid"],
  ["BUBU_TRIGGER_DATA", '{"x":1}', { x: 1 }],
  ["BUBU_STEP_CONFIG", '{"y":"z"}', { y: "z" }],
  ["BUBU_TEMPLATE_CONTEXT", '{"inputs":{},"steps":{}}', { inputs: {}, steps: {} }],
  ["BUBU_TRANSPORTS", '[{"name":"a","kind":"k"}]', [{ name: "a", kind: "k", mode: "hot" }]],
  ["BUBU_SKIP_INPUT_TEMPLATING", "yes", true],
  ["BUBU_RUNTIME_STRICT_UNMARSHAL", "True", true],
  ["BUBU_STEP_TIMEOUT", "5m", d(300n * S)],
  ["BUBU_MAX_INLINE_SIZE", "0", 0],
  ["BUBU_MAX_RECURSION_DEPTH", "32", 32],
  ["BUBU_STORAGE_TIMEOUT", "1m30s", d(90n * S)],
  ["BUBU_MEDIA_INLINE_SIZE", "2048", 2048],
  ["BUBU_SIGNAL_MAX_PAYLOAD_BYTES", "100", 100],
  ["BUBU_EFFECT_MAX_DETAILS_BYTES", "200", 200],
  ["BUBU_TEMPLATE_MAX_OUTPUT_BYTES", "300", 300],
  ["BUBU_TEMPLATE_MAX_INPUT_BYTES", "400", 400],
  ["BUBU_TEMPLATE_EVALUATION_TIMEOUT", "250ms", d(S / 4n)],
  ["BUBU_CONFIG_HYDRATION_MAX_DEPTH", "8", 8],
  ["BUBU_CONFIG_HYDRATION_MAX_NODES", "99", 99],
  ["BUBU_LOG_ALLOWED_ROOTS", "/a::/b: /a ", ["/a", "/b"]],
  ["BUBU_LOG_FILE_MAX_BYTES", "1000", 1000],
  ["BUBU_HYBRID_BRIDGE", "off", false],
  ["BUBU_HYBRID_BRIDGE_TIMEOUT", "2s", d(2n * S)],
  ["BUBU_GRPC_PORT", "50051", 50051],
  ["BUBU_K8S_USER_AGENT", "my-agent/1", "my-agent/1"],
  ["BUBU_K8S_TIMEOUT", "5s", d(5n * S)],
  ["BUBU_K8S_OPERATION_TIMEOUT", "1m", d(60n * S)],
  ["BUBU_K8S_PATCH_MAX_RETRIES", "-3", 0],
  ["KUBECONFIG", "/home/u/.kube/config", "/home/u/.kube/config"],
  ["KUBERNETES_SERVICE_HOST", "10.0.0.1", "10.0.0.1"],
  ["KUBERNETES_SERVICE_PORT", "443", "443"],
  ["BUBU_TRIGGER_DEDUPE_MODE", " TOKEN ", "token"],
  ["BUBU_TRIGGER_RETRY_MAX_ATTEMPTS", "0", 0],
  ["BUBU_TRIGGER_RETRY_BASE_DELAY", "2s", d(2n * S)],
  ["BUBU_TRIGGER_RETRY_MAX_DELAY", "1m", d(60n * S)],
  ["BUBU_TRIGGER_RETRY_BACKOFF", "Linear", "linear"],
  ["BUBU_TRIGGER_THROTTLE_RATE_PER_SECOND", "0", 0],
  ["BUBU_TRIGGER_THROTTLE_BURST", "4", 4],
  ["BUBU_TRIGGER_THROTTLE_MAX_IN_FLIGHT", "2", 2],
  ["BUBU_STORAGE_PROVIDER", "none", "none"],
  ["BUBU_STORAGE_PATH", "/var/run/bubu/storage", "/var/run/bubu/storage"],
  ["BUBU_STORAGE_S3_BUCKET", "b", "b"],
  ["BUBU_STORAGE_S3_REGION", "eu-west-1", "eu-west-1"],
  ["BUBU_STORAGE_S3_ENDPOINT", "minio:9000", "minio:9000"],
  ["BUBU_S3_FORCE_PATH_STYLE", "N", false],
  ["BUBU_S3_TLS", "t", true],
  ["BUBU_S3_ACCESS_KEY_ID", "AKID", "AKID"],
  ["BUBU_S3_MAX_RETRIES", "7", 7],
  ["BUBU_S3_MAX_BACKOFF", "3s", d(3n * S)],
  ["BUBU_S3_TIMEOUT", "45s", d(45n * S)],
  ["BUBU_S3_MAX_PART_SIZE", "10485760", 10485760],
  ["BUBU_S3_CONCURRENCY", "4", 4],
  ["BUBU_S3_SSE", "SSE-S3", "AES256"],
  ["BUBU_S3_SSE_KMS_KEY", "key-1", "key-1"],
  ["BUBU_STORAGE_OUTPUT_PREFIX", "out", "out"],
  ["BUBU_STORAGE_INPUT_PREFIX", "in", "in"],
  ["AWS_ACCESS_KEY_ID", "AKIA", "AKIA"],
  ["AWS_REGION", "us-west-2", "us-west-2"],
  ["AWS_DEFAULT_REGION", "us-east-2", "us-east-2"],
  ["AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/token", "/var/run/token"],
  ["AWS_ROLE_ARN", "arn:aws:iam::1:role/x", "arn:aws:iam::1:role/x"],
  ["AWS_ROLE_SESSION_NAME", "sess", "sess"],
  ["BUBU_TRANSPORT_BINDING", ' {"a":1} ', '{"a":1}'],
  ["BUBU_TRANSPORT_SECURITY_MODE", "TLS", "tls"],
  ["BUBU_GRPC_CHANNEL_BUFFER_SIZE", "64", 64],
  ["BUBU_GRPC_MESSAGE_TIMEOUT", "1m", d(60n * S)],
  ["BUBU_GRPC_CHANNEL_SEND_TIMEOUT", "100ms", d(S / 10n)],
  ["BUBU_GRPC_HANG_TIMEOUT", "0s", d(0n)],
  ["BUBU_GRPC_HEARTBEAT_INTERVAL", "5s", d(5n * S)],
  ["BUBU_TRANSPORT_HEARTBEAT_INTERVAL", "15s", d(15n * S)],
  ["BUBU_GRPC_RECONNECT_BASE_BACKOFF", "1s", d(S)],
  ["BUBU_GRPC_RECONNECT_MAX_BACKOFF", "2m", d(120n * S)],
  ["BUBU_GRPC_RECONNECT_MAX_RETRIES", "-7", -1],
  ["BUBU_GRPC_DIAL_TIMEOUT", "3s", d(3n * S)],
  ["BUBU_GRPC_CLIENT_MAX_RECV_BYTES", "1024", 1024],
  ["BUBU_GRPC_CLIENT_MAX_SEND_BYTES", "2048", 2048],
  ["BUBU_DEBUG", "debug", true],
  ["BUBU_SDK_METRICS_ENABLED", "off", { value: false, invalid: false }],
  ["BUBU_SDK_TRACING_ENABLED", "0", { value: false, invalid: false }],
  ["BUBU_TRACE_PROPAGATION", "n", { value: false, invalid: false }],
];

/** [variable, bad raw value, expected message]. Every duration and integer the SDK reads is here. */
const INVALID: [string, string, RegExp][] = [
  ["BUBU_STEP_TIMEOUT", "5x", /^BUBU_STEP_TIMEOUT: invalid Go duration "5x" \(expected e\.g\. 30s, 5m, 1h30m\)$/],
  ["BUBU_STEP_TIMEOUT", "0", /^BUBU_STEP_TIMEOUT: duration must be positive, got "0"$/],
  ["BUBU_STEP_TIMEOUT", "-5m", /^BUBU_STEP_TIMEOUT: duration must be positive, got "-5m"$/],
  ["BUBU_STEP_TIMEOUT", "30", /^BUBU_STEP_TIMEOUT: invalid Go duration "30"/],
  ["BUBU_STORAGE_TIMEOUT", "300", /^BUBU_STORAGE_TIMEOUT: invalid Go duration "300"/],
  ["BUBU_TEMPLATE_EVALUATION_TIMEOUT", "1d", /^BUBU_TEMPLATE_EVALUATION_TIMEOUT: invalid Go duration/],
  ["BUBU_HYBRID_BRIDGE_TIMEOUT", "0s", /^BUBU_HYBRID_BRIDGE_TIMEOUT: duration must be positive/],
  ["BUBU_K8S_TIMEOUT", "fast", /^BUBU_K8S_TIMEOUT: invalid Go duration "fast"/],
  ["BUBU_K8S_OPERATION_TIMEOUT", "-1s", /^BUBU_K8S_OPERATION_TIMEOUT: duration must be positive/],
  ["BUBU_TRIGGER_RETRY_BASE_DELAY", "0", /^BUBU_TRIGGER_RETRY_BASE_DELAY: duration must be positive/],
  ["BUBU_TRIGGER_RETRY_MAX_DELAY", "x", /^BUBU_TRIGGER_RETRY_MAX_DELAY: invalid Go duration/],
  ["BUBU_S3_MAX_BACKOFF", "10", /^BUBU_S3_MAX_BACKOFF: invalid Go duration/],
  ["BUBU_S3_TIMEOUT", "5 m", /^BUBU_S3_TIMEOUT: invalid Go duration "5 m"/],
  ["BUBU_GRPC_MESSAGE_TIMEOUT", "0", /^BUBU_GRPC_MESSAGE_TIMEOUT: duration must be positive/],
  [
    "BUBU_GRPC_CHANNEL_SEND_TIMEOUT",
    "-1s",
    /^BUBU_GRPC_CHANNEL_SEND_TIMEOUT: duration must not be negative, got "-1s"$/,
  ],
  ["BUBU_GRPC_HANG_TIMEOUT", "soon", /^BUBU_GRPC_HANG_TIMEOUT: invalid Go duration/],
  ["BUBU_GRPC_HEARTBEAT_INTERVAL", "0", /^BUBU_GRPC_HEARTBEAT_INTERVAL: duration must be positive/],
  ["BUBU_TRANSPORT_HEARTBEAT_INTERVAL", "1x", /^BUBU_TRANSPORT_HEARTBEAT_INTERVAL: invalid Go duration/],
  ["BUBU_GRPC_RECONNECT_BASE_BACKOFF", "0ms", /^BUBU_GRPC_RECONNECT_BASE_BACKOFF: duration must be positive/],
  ["BUBU_GRPC_RECONNECT_MAX_BACKOFF", "1", /^BUBU_GRPC_RECONNECT_MAX_BACKOFF: invalid Go duration/],
  ["BUBU_GRPC_DIAL_TIMEOUT", "-", /^BUBU_GRPC_DIAL_TIMEOUT: invalid Go duration/],
  ["BUBU_MAX_INLINE_SIZE", "-1", /^BUBU_MAX_INLINE_SIZE: must be >= 0, got "-1"$/],
  [
    "BUBU_MAX_INLINE_SIZE",
    "4KiB",
    /^BUBU_MAX_INLINE_SIZE: invalid integer "4KiB" \(expected a whole number such as 10\)$/,
  ],
  ["BUBU_MAX_RECURSION_DEPTH", "0", /^BUBU_MAX_RECURSION_DEPTH: must be a positive integer, got "0"$/],
  ["BUBU_MEDIA_INLINE_SIZE", "1.5", /^BUBU_MEDIA_INLINE_SIZE: invalid integer/],
  ["BUBU_SIGNAL_MAX_PAYLOAD_BYTES", "0", /^BUBU_SIGNAL_MAX_PAYLOAD_BYTES: must be a positive integer/],
  ["BUBU_EFFECT_MAX_DETAILS_BYTES", "x", /^BUBU_EFFECT_MAX_DETAILS_BYTES: invalid integer/],
  ["BUBU_TEMPLATE_MAX_OUTPUT_BYTES", "-1", /^BUBU_TEMPLATE_MAX_OUTPUT_BYTES: must be a positive integer/],
  ["BUBU_TEMPLATE_MAX_INPUT_BYTES", "1e6", /^BUBU_TEMPLATE_MAX_INPUT_BYTES: invalid integer/],
  ["BUBU_CONFIG_HYDRATION_MAX_DEPTH", "0", /^BUBU_CONFIG_HYDRATION_MAX_DEPTH: must be a positive integer/],
  ["BUBU_CONFIG_HYDRATION_MAX_NODES", "lots", /^BUBU_CONFIG_HYDRATION_MAX_NODES: invalid integer/],
  ["BUBU_LOG_FILE_MAX_BYTES", "0", /^BUBU_LOG_FILE_MAX_BYTES: must be a positive integer/],
  ["BUBU_GRPC_PORT", "70000", /^BUBU_GRPC_PORT: must be <= 65535, got "70000"$/],
  ["BUBU_GRPC_PORT", "0", /^BUBU_GRPC_PORT: must be a positive integer/],
  ["BUBU_K8S_PATCH_MAX_RETRIES", "five", /^BUBU_K8S_PATCH_MAX_RETRIES: invalid integer "five"/],
  ["BUBU_TRIGGER_RETRY_MAX_ATTEMPTS", "-1", /^BUBU_TRIGGER_RETRY_MAX_ATTEMPTS: must be >= 0/],
  ["BUBU_TRIGGER_THROTTLE_RATE_PER_SECOND", "1.5", /^BUBU_TRIGGER_THROTTLE_RATE_PER_SECOND: invalid integer/],
  ["BUBU_TRIGGER_THROTTLE_BURST", "-2", /^BUBU_TRIGGER_THROTTLE_BURST: must be >= 0/],
  ["BUBU_TRIGGER_THROTTLE_MAX_IN_FLIGHT", "x", /^BUBU_TRIGGER_THROTTLE_MAX_IN_FLIGHT: invalid integer/],
  ["BUBU_S3_MAX_RETRIES", "0", /^BUBU_S3_MAX_RETRIES: must be a positive integer/],
  [
    "BUBU_S3_MAX_PART_SIZE",
    "99999999999999999999",
    /^BUBU_S3_MAX_PART_SIZE: integer "99999999999999999999" is out of range$/,
  ],
  ["BUBU_S3_CONCURRENCY", "0", /^BUBU_S3_CONCURRENCY: must be a positive integer/],
  ["BUBU_GRPC_CHANNEL_BUFFER_SIZE", "0", /^BUBU_GRPC_CHANNEL_BUFFER_SIZE: must be a positive integer/],
  ["BUBU_GRPC_RECONNECT_MAX_RETRIES", "many", /^BUBU_GRPC_RECONNECT_MAX_RETRIES: invalid integer/],
  ["BUBU_GRPC_CLIENT_MAX_RECV_BYTES", "-1", /^BUBU_GRPC_CLIENT_MAX_RECV_BYTES: must be a positive integer/],
  ["BUBU_GRPC_CLIENT_MAX_SEND_BYTES", "1MB", /^BUBU_GRPC_CLIENT_MAX_SEND_BYTES: invalid integer/],
  ["BUBU_STARTED_AT", "yesterday", /^BUBU_STARTED_AT: invalid timestamp "yesterday": not an RFC3339 timestamp/],
  ["BUBU_STARTED_AT", "2024-02-30T00:00:00Z", /^BUBU_STARTED_AT: invalid timestamp .*: day out of range$/],
  ["BUBU_TRIGGER_DATA", "{", /^BUBU_TRIGGER_DATA: invalid JSON at line 1, column 2 \(offset 1\)/],
  ["BUBU_STEP_CONFIG", "[]", /^BUBU_STEP_CONFIG: expected a JSON object, got an array$/],
  ["BUBU_TEMPLATE_CONTEXT", "{'a':1}", /^BUBU_TEMPLATE_CONTEXT: invalid JSON at line 1, column 2/],
  ["BUBU_TRANSPORTS", '[{"name":"a"}]', /^BUBU_TRANSPORTS\[0\]: kind is required$/],
  ["BUBU_RUNTIME_STRICT_UNMARSHAL", "yes", /^BUBU_RUNTIME_STRICT_UNMARSHAL: invalid boolean "yes"/],
  [
    "BUBU_STORAGE_PROVIDER",
    "S3",
    /^BUBU_STORAGE_PROVIDER: unsupported value "S3" \(expected 's3', 'file', or 'none'\)$/,
  ],
  ["BUBU_S3_FORCE_PATH_STYLE", "maybe", /^BUBU_S3_FORCE_PATH_STYLE: invalid boolean "maybe"/],
  ["BUBU_S3_TLS", "  ", /^BUBU_S3_TLS: is set but empty$/],
  ["BUBU_S3_TLS", "secure", /^BUBU_S3_TLS: invalid boolean "secure"/],
  ["BUBU_S3_SSE", "aes128", /^BUBU_S3_SSE: unsupported value "aes128"/],
  [
    "BUBU_TRANSPORT_SECURITY_MODE",
    "plaintext",
    /^BUBU_TRANSPORT_SECURITY_MODE: unsupported value "plaintext" \(expected only "tls" is supported\)$/,
  ],
  [
    "BUBU_TRIGGER_DEDUPE_MODE",
    "always",
    /^BUBU_TRIGGER_DEDUPE_MODE: unsupported value "always" \(expected none, token or key\)$/,
  ],
  ["BUBU_TRIGGER_RETRY_BACKOFF", "fibonacci", /^BUBU_TRIGGER_RETRY_BACKOFF: unsupported value "fibonacci"/],
];

describe("loadEnv defaults", () => {
  const env = loadEnv({});
  test("covers every schema variable", () => {
    assert.deepEqual([...SCHEMA_VARIABLES].sort(), Object.keys(DEFAULTS).sort());
  });
  for (const [name, want] of Object.entries(DEFAULTS)) {
    test(`${name} defaults to ${JSON.stringify(want, (_k, v) => (typeof v === "bigint" ? `${v}n` : v))}`, () => {
      assert.deepEqual(env.vars[name as keyof EnvVars], want);
    });
  }
  test("blank values mean unset", () => {
    const blank = Object.fromEntries(SCHEMA_VARIABLES.filter((n) => n !== ENV.S3_TLS).map((n) => [n, "  "]));
    const env2 = loadEnv(blank);
    for (const [name, want] of Object.entries(DEFAULTS)) {
      if (name === ENV.S3_TLS || name.startsWith("BUBU_SDK_") || name === ENV.TRACE_PROPAGATION) continue;
      assert.deepEqual(env2.vars[name as keyof EnvVars], want, name);
    }
  });
  test("structured sections", () => {
    assert.deepEqual(env.storyInfo, {
      storyName: "",
      storyRunID: "",
      stepName: "",
      stepRunID: "",
      stepRunNamespace: "",
    });
    assert.equal(env.executionMode, "batch");
    assert.equal(env.clusterMode, false);
    assert.deepEqual(env.namespaces, { client: "", kubeRef: "" });
    assert.deepEqual(env.payload.config, {});
    assert.equal(env.secrets.size, 0);
    assert.deepEqual(env.trigger, { dedupe: undefined, retry: undefined, throttle: undefined });
    assert.equal(env.storage.enabled, false);
    assert.equal(env.storage.s3.forcePathStyle, false);
    assert.equal(env.storage.mediaInlineSize, 48 * 1024);
    assert.deepEqual(env.hybridBridge, { enabled: true, timeout: d(15n * S) });
    assert.deepEqual(env.observability, {
      debug: false,
      metricsEnabled: true,
      tracingEnabled: true,
      tracePropagation: true,
    });
    assert.deepEqual(env.warnings, []);
  });
});

describe("loadEnv valid values", () => {
  test("every variable has a valid case", () => {
    const covered = new Set(VALID.map(([n]) => n));
    const secretVars = [
      "BUBU_STARTED_AT",
      "BUBU_S3_SECRET_ACCESS_KEY",
      "BUBU_S3_SESSION_TOKEN",
      "AWS_SECRET_ACCESS_KEY",
      "AWS_SESSION_TOKEN",
      "BUBU_TRIGGER_DEDUPE_KEY_TEMPLATE",
    ];
    const missing = SCHEMA_VARIABLES.filter((n) => !covered.has(n as keyof EnvVars) && !secretVars.includes(n));
    assert.deepEqual(missing, []);
  });
  for (const [name, raw, want] of VALID) {
    test(`${name}=${JSON.stringify(raw)}`, () => {
      assert.deepEqual(loadEnv({ [name]: raw }).vars[name], want);
      // A getter source gives the same result.
      assert.deepEqual(loadEnv((n) => (n === name ? raw : undefined)).vars[name], want);
    });
  }
  test("BUBU_STARTED_AT keeps nanoseconds", () => {
    const env = loadEnv({ BUBU_STARTED_AT: "2024-05-06T07:08:09.123456789Z" });
    assert.equal(env.startedAt?.epochNanos, 1714979289123456789n);
    assert.equal(env.startedAt?.date.toISOString(), "2024-05-06T07:08:09.123Z");
  });
  test("credentials are SecretStrings", () => {
    const env = loadEnv({
      BUBU_S3_SECRET_ACCESS_KEY: "s3-secret-value",
      BUBU_S3_SESSION_TOKEN: "s3-session-value",
      AWS_SECRET_ACCESS_KEY: "aws-secret-value",
      AWS_SESSION_TOKEN: "aws-session-value",
    });
    assert.ok(env.storage.s3.secretAccessKey instanceof SecretString);
    assert.equal(env.storage.s3.secretAccessKey.reveal(), "s3-secret-value");
    assert.equal(env.storage.s3.sessionToken?.reveal(), "s3-session-value");
    assert.equal(env.storage.aws.secretAccessKey?.reveal(), "aws-secret-value");
    assert.equal(env.storage.aws.sessionToken?.reveal(), "aws-session-value");
    assert.equal(String(env.storage.s3.secretAccessKey), "[REDACTED]");
    assert.doesNotMatch(
      JSON.stringify(env, (_k, v) => (typeof v === "bigint" ? String(v) : v)),
      /-value/,
    );
  });
});

describe("loadEnv invalid values", () => {
  for (const [name, raw, message] of INVALID) {
    test(`${name}=${JSON.stringify(raw)}`, () => {
      assert.throws(
        () => loadEnv({ [name]: raw }),
        (err: unknown) => {
          assert.ok(err instanceof EnvError, String(err));
          assert.equal(err.code, "invalid_env");
          assert.equal(err.variable, name);
          assert.equal(err.problems.length, 1);
          assert.match(err.message, message);
          return true;
        },
      );
    });
  }
  test("every problem is reported at once, in variable order", () => {
    assert.throws(
      () => loadEnv({ BUBU_MAX_INLINE_SIZE: "x", BUBU_STEP_TIMEOUT: "y", BUBU_S3_SSE: "z" }),
      (err: unknown) => {
        assert.ok(err instanceof EnvError);
        assert.deepEqual(
          err.problems.map((p) => p.variable),
          ["BUBU_STEP_TIMEOUT", "BUBU_MAX_INLINE_SIZE", "BUBU_S3_SSE"],
        );
        assert.equal(err.variable, "BUBU_STEP_TIMEOUT");
        assert.match(err.message, /^BUBU_STEP_TIMEOUT: .*; BUBU_MAX_INLINE_SIZE: .*; BUBU_S3_SSE: /);
        return true;
      },
    );
  });
  test("long values are shortened in messages", () => {
    assert.throws(
      () => loadEnv({ BUBU_STEP_TIMEOUT: "9".repeat(500) }),
      (err: unknown) => {
        assert.ok(err instanceof EnvError);
        assert.ok(err.message.length < 300, err.message);
        return true;
      },
    );
  });
  test("a non-string value in the map names the variable", () => {
    assert.throws(
      () => loadEnv({ BUBU_STEP_TIMEOUT: 5 as unknown as string }),
      (err: unknown) => {
        assert.ok(err instanceof EnvError);
        assert.equal(err.variable, "BUBU_STEP_TIMEOUT");
        assert.match(err.message, /^BUBU_STEP_TIMEOUT: expected a string$/);
        return true;
      },
    );
  });
});

describe("loadEnv derived values", () => {
  test("payload: config overrides, secrets, transports", () => {
    const env = loadEnv({
      BUBU_STEP_CONFIG: '{"a":"json","b":2}',
      BUBU_CONFIG_a: "env",
      BUBU_CONFIG_HYDRATION_MAX_DEPTH: "16",
      BUBU_SECRET_TOKEN: "literal-top-secret",
      BUBU_SECRET_TOKEN_NAME: "k8s-secret",
      BUBU_TRIGGER_DATA: '{"in":1}',
    });
    assert.deepEqual(env.payload.config, { a: "env", b: 2 });
    assert.deepEqual(env.payload.configOverrides, { a: "env" });
    assert.deepEqual(env.payload.stepConfig, { a: "json", b: 2 });
    assert.equal(env.limits.configHydrationMaxDepth, 16);
    assert.deepEqual(env.payload.inputs, { in: 1 });
    assert.deepEqual(env.secrets.names(), ["TOKEN"]);
    assert.equal(env.secrets.get("TOKEN"), "literal-top-secret");
    assert.doesNotMatch(
      JSON.stringify(env, (_k, v) => (typeof v === "bigint" ? String(v) : v)),
      /top-secret/,
    );
  });
  test("identity, namespaces and cluster mode", () => {
    const env = loadEnv({
      BUBU_STEPRUN_NAME: "sr",
      BUBU_STEPRUN_NAMESPACE: "ns-sr",
      BUBU_POD_NAMESPACE: "ns-pod",
      BUBU_IMPULSE_NAMESPACE: "ns-imp",
    });
    assert.equal(env.clusterMode, true);
    assert.deepEqual(env.namespaces, { client: "ns-imp", kubeRef: "ns-pod" });
    assert.equal(env.storyInfo.stepRunID, "sr");
    assert.equal(env.storyInfo.stepRunNamespace, "ns-sr");
  });
  test("storage: provider, path style and media inline size", () => {
    const s3 = loadEnv({
      BUBU_STORAGE_PROVIDER: "s3",
      BUBU_STORAGE_S3_ENDPOINT: "minio:9000",
      BUBU_MAX_INLINE_SIZE: "4096",
    });
    assert.equal(s3.storage.enabled, true);
    assert.equal(s3.storage.s3.forcePathStyle, true);
    assert.equal(s3.storage.mediaInlineSize, 4096);
    const explicit = loadEnv({ BUBU_STORAGE_S3_ENDPOINT: "minio:9000", BUBU_S3_FORCE_PATH_STYLE: "false" });
    assert.equal(explicit.storage.s3.forcePathStyle, false);
    assert.equal(loadEnv({ BUBU_MAX_INLINE_SIZE: "0" }).storage.mediaInlineSize, 48 * 1024);
    assert.equal(loadEnv({ BUBU_MEDIA_INLINE_SIZE: "100", BUBU_MAX_INLINE_SIZE: "4096" }).storage.mediaInlineSize, 100);
    assert.equal(loadEnv({ BUBU_STORAGE_PROVIDER: "file" }).storage.enabled, true);
    assert.equal(loadEnv({ BUBU_STORAGE_PROVIDER: "none" }).storage.enabled, false);
    assert.equal(loadEnv({ BUBU_S3_SSE: "aws:kms" }).storage.s3.sse, "aws:kms");
    assert.equal(loadEnv({ BUBU_S3_SSE: "KMS" }).storage.s3.sse, "aws:kms");
    assert.equal(loadEnv({ BUBU_S3_SSE: "aes256" }).storage.s3.sse, "AES256");
  });
  test("trigger policies", () => {
    const env = loadEnv({
      BUBU_TRIGGER_DEDUPE_MODE: "key",
      BUBU_TRIGGER_DEDUPE_KEY_TEMPLATE: "{{ .inputs.id }}",
      BUBU_TRIGGER_RETRY_MAX_ATTEMPTS: "3",
      BUBU_TRIGGER_THROTTLE_RATE_PER_SECOND: "5",
    });
    assert.deepEqual(env.trigger.dedupe, { mode: "key", keyTemplate: "{{ .inputs.id }}" });
    assert.deepEqual(env.trigger.retry, {
      maxAttempts: 3,
      baseDelay: d(S),
      maxDelay: d(300n * S),
      backoff: "exponential",
    });
    assert.deepEqual(env.trigger.throttle, { ratePerSecond: 5, burst: 5, maxInFlight: 0 });
    assert.deepEqual(
      loadEnv({ BUBU_TRIGGER_THROTTLE_BURST: "3", BUBU_TRIGGER_THROTTLE_RATE_PER_SECOND: "5" }).trigger.throttle,
      {
        ratePerSecond: 5,
        burst: 3,
        maxInFlight: 0,
      },
    );
    assert.deepEqual(loadEnv({ BUBU_TRIGGER_RETRY_BACKOFF: "constant" }).trigger.retry?.backoff, "constant");
    assert.deepEqual(
      loadEnv({ BUBU_TRIGGER_DEDUPE_MODE: "token", BUBU_TRIGGER_DEDUPE_KEY_TEMPLATE: "x" }).trigger.dedupe,
      {
        mode: "token",
        keyTemplate: "x",
      },
    );
  });
  test("trigger policy combinations Go rejects", () => {
    assert.throws(
      () => loadEnv({ BUBU_TRIGGER_DEDUPE_KEY_TEMPLATE: "{{ .x }}" }),
      (err: unknown) => {
        assert.ok(err instanceof EnvError);
        assert.equal(err.variable, "BUBU_TRIGGER_DEDUPE_KEY_TEMPLATE");
        assert.equal(err.message, "BUBU_TRIGGER_DEDUPE_KEY_TEMPLATE: requires BUBU_TRIGGER_DEDUPE_MODE=key");
        return true;
      },
    );
    assert.throws(
      () => loadEnv({ BUBU_TRIGGER_DEDUPE_MODE: "key" }),
      /BUBU_TRIGGER_DEDUPE_KEY_TEMPLATE: required when BUBU_TRIGGER_DEDUPE_MODE=key/,
    );
  });
  test("invalid observability toggles warn and keep the default", () => {
    const env = loadEnv({ BUBU_SDK_TRACING_ENABLED: "nope", BUBU_TRACE_PROPAGATION: "false" });
    assert.equal(env.observability.tracingEnabled, true);
    assert.equal(env.observability.tracePropagation, false);
    assert.deepEqual(env.warnings, [
      { variable: "BUBU_SDK_TRACING_ENABLED", message: "ignoring invalid observability env override", value: "nope" },
    ]);
  });
});

describe("loadStreamingEnv", () => {
  test("defaults", () => {
    const s = loadStreamingEnv({});
    assert.equal(s.securityMode, "tls");
    assert.equal(s.reconnectMaxRetries, 10);
    assert.deepEqual(s.dialTimeout, d(10n * S));
    assert.equal(s.binding, undefined);
  });
  test("reads through a getter (the resolver's override-first lookup)", () => {
    const overrides: Record<string, string> = { BUBU_GRPC_DIAL_TIMEOUT: "2s" };
    const process: Record<string, string> = { BUBU_GRPC_DIAL_TIMEOUT: "9s", BUBU_GRPC_CHANNEL_BUFFER_SIZE: "8" };
    const s = loadStreamingEnv((n) => (overrides[n]?.trim() ? overrides[n] : process[n]));
    assert.deepEqual(s.dialTimeout, d(2n * S));
    assert.equal(s.channelBufferSize, 8);
  });
  test("invalid values name the variable", () => {
    assert.throws(
      () => loadStreamingEnv({ BUBU_GRPC_MESSAGE_TIMEOUT: "x" }),
      /^EnvError: BUBU_GRPC_MESSAGE_TIMEOUT: invalid Go duration "x"/,
    );
  });
});
