/**
 * Logs, tracing, metrics and propagation on `@opentelemetry/api`. Re-exports only.
 * @module
 */
export { defaultLogger, type LoggerCarrier, loggerFromContext, setDefaultLogger, withLogger } from "./context-logger.ts";
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
  sdkMeter,
  STORAGE_METER_NAME,
} from "./instruments.ts";
export {
  createLogger,
  LogCapture,
  type LogAttrs,
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
  traceAnnotations,
  TRACEPARENT,
  TRACESTATE,
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
  observabilityFromEnv,
  type ObservabilityToggles,
  observabilityToggles,
  resetObservability,
  tracePropagationEnabled,
  tracingEnabled,
} from "./toggles.ts";
export {
  redactingTracer,
  SDK_TRACER_NAME,
  sdkTracer,
  STORAGE_TRACER_NAME,
  type StorageOperation,
  type StorageSpanAttributes,
  traceStorageOperation,
} from "./tracing.ts";
