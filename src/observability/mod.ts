/**
 * Logs, tracing, metrics and propagation on `@opentelemetry/api`. Re-exports only.
 * @module
 */
export {
  defaultLogger,
  type LoggerCarrier,
  loggerFromContext,
  setDefaultLogger,
  withLogger,
} from "./context-logger.ts";
export {
  type K8sOperation,
  k8sOperationRecorder,
  METRIC,
  type MetricNames,
  recordBackpressureTimeout,
  recordClientBufferAdded,
  recordClientBufferDropped,
  recordClientBufferFlushed,
  recordDehydrationSize,
  recordHydrationSize,
  recordK8sOperation,
  recordStreamMessage,
  recordStreamReconnectAttempt,
  recordStreamReconnectFailure,
  registerClientBufferGauges,
  resetBuiltInMetrics,
  SDK_METER_NAME,
  STORAGE_METER_NAME,
  sdkMeter,
} from "./instruments.ts";
export {
  createLogger,
  type LogAttrs,
  LogCapture,
  type Logger,
  type LoggerOptions,
  type LogLevel,
  type LogSink,
  noopLogger,
} from "./logger.ts";
export { counter, gauge, getMeter, histogram } from "./metrics-entry.ts";
export {
  BAGGAGE,
  extractTraceAnnotations,
  extractTraceContext,
  formatTraceparent,
  injectTraceContext,
  parseTraceparent,
  TRACE_ANNOTATIONS,
  TRACEPARENT,
  TRACESTATE,
  traceAnnotations,
  W3CPropagator,
} from "./propagation.ts";
export {
  clearSecretValues,
  containsSecret,
  hasSecretValues,
  MIN_REDACTED_LENGTH,
  REDACTED,
  redactAttributes,
  redactText,
  redactValue,
  registerSecrets,
  registerSecretValues,
  type SecretSource,
} from "./redaction.ts";
export {
  configureObservability,
  configureObservabilityFromEnv,
  metricsEnabled,
  type ObservabilityToggles,
  observabilityFromEnv,
  observabilityToggles,
  resetObservability,
  tracePropagationEnabled,
  tracingEnabled,
} from "./toggles.ts";
export {
  redactingTracer,
  SDK_TRACER_NAME,
  STORAGE_TRACER_NAME,
  type StorageOperation,
  type StorageSpanAttributes,
  sdkTracer,
  traceStorageOperation,
} from "./tracing.ts";
