/**
 * The SDK's built-in metrics, meter `bubu-sdk`, and the operator storage library's two histograms
 * (meter `github.com/bubustack/bobrapet/pkg/storage`). The Go SDK declares most of them and never
 * records them; here each has a `record…` helper that the storage, streaming and Kubernetes code
 * calls.
 *
 * `@opentelemetry/api` has no delegating global meter (unlike tracing), so instruments are
 * created from the provider that is registered at the time of the first recording, and created
 * again when the application registers another provider. With `BUBU_SDK_METRICS_ENABLED` off
 * every helper is a no-op. Attribute values pass through the secret scrubber.
 * @module
 */
import { type Counter, type Histogram, type Meter, type MeterProvider, metrics, ValueType } from "@opentelemetry/api";
import { redactAttributes } from "./redaction.ts";
import { metricsEnabled } from "./toggles.ts";

/** The SDK meter name. */
export const SDK_METER_NAME: string = "bubu-sdk";
/** The storage library's meter name. */
export const STORAGE_METER_NAME: string = "github.com/bubustack/bobrapet/pkg/storage";

/** The metric name constants. */
export interface MetricNames {
  readonly HYDRATION_SIZE: "bubu.storage.hydration.size_bytes";
  readonly DEHYDRATION_SIZE: "bubu.storage.dehydration.size_bytes";
  readonly STREAM_MESSAGES: "bubu.stream.messages_total";
  readonly K8S_OPERATION_DURATION: "bubu.k8s.operation.duration_seconds";
  readonly STREAM_RECONNECT_ATTEMPTS: "bubu.stream.reconnect.attempts_total";
  readonly STREAM_RECONNECT_FAILURES: "bubu.stream.reconnect.failures_total";
  readonly CLIENT_BUFFER_DROPPED: "bubu.stream.client_buffer.dropped_total";
  readonly CLIENT_BUFFER_FLUSHED: "bubu.stream.client_buffer.flushed_total";
  readonly CLIENT_BUFFER_ADDED: "bubu.stream.client_buffer.added_total";
  readonly BACKPRESSURE_TIMEOUTS: "bubu.stream.backpressure.timeouts_total";
  readonly CLIENT_BUFFER_SIZE: "bubu.stream.client_buffer.current_size";
  readonly CLIENT_BUFFER_BYTES: "bubu.stream.client_buffer.current_bytes";
  readonly STORAGE_HYDRATION_SIZE: "bobrapet.storage.hydration.size_bytes";
  readonly STORAGE_DEHYDRATION_SIZE: "bobrapet.storage.dehydration.size_bytes";
}

/**
 * The names of the SDK's built-in metrics.
 *
 * @remarks The same names as the Go SDK and the operator's storage library declare.
 */
export const METRIC: MetricNames = Object.freeze({
  HYDRATION_SIZE: "bubu.storage.hydration.size_bytes",
  DEHYDRATION_SIZE: "bubu.storage.dehydration.size_bytes",
  STREAM_MESSAGES: "bubu.stream.messages_total",
  K8S_OPERATION_DURATION: "bubu.k8s.operation.duration_seconds",
  STREAM_RECONNECT_ATTEMPTS: "bubu.stream.reconnect.attempts_total",
  STREAM_RECONNECT_FAILURES: "bubu.stream.reconnect.failures_total",
  CLIENT_BUFFER_DROPPED: "bubu.stream.client_buffer.dropped_total",
  CLIENT_BUFFER_FLUSHED: "bubu.stream.client_buffer.flushed_total",
  CLIENT_BUFFER_ADDED: "bubu.stream.client_buffer.added_total",
  BACKPRESSURE_TIMEOUTS: "bubu.stream.backpressure.timeouts_total",
  CLIENT_BUFFER_SIZE: "bubu.stream.client_buffer.current_size",
  CLIENT_BUFFER_BYTES: "bubu.stream.client_buffer.current_bytes",
  STORAGE_HYDRATION_SIZE: "bobrapet.storage.hydration.size_bytes",
  STORAGE_DEHYDRATION_SIZE: "bobrapet.storage.dehydration.size_bytes",
} as const);

/** The `operation` values of `bubu.k8s.operation.duration_seconds`. */
export type K8sOperation = "PatchStepRunStatus" | "TriggerStory" | "StopStoryRun";

interface BuiltIns {
  readonly hydration: Histogram;
  readonly dehydration: Histogram;
  readonly streamMessages: Counter;
  readonly k8sDuration: Histogram;
  readonly reconnectAttempts: Counter;
  readonly reconnectFailures: Counter;
  readonly bufferDropped: Counter;
  readonly bufferFlushed: Counter;
  readonly bufferAdded: Counter;
  readonly backpressureTimeouts: Counter;
  readonly storageHydration: Histogram;
  readonly storageDehydration: Histogram;
}

let cache: { readonly provider: MeterProvider; readonly instruments: BuiltIns | undefined } | undefined;

function create(meter: Meter, storage: Meter): BuiltIns {
  const intHistogram = (m: Meter, name: string, description: string): Histogram =>
    m.createHistogram(name, { description, unit: "By", valueType: ValueType.INT });
  const counter = (name: string, description: string): Counter =>
    meter.createCounter(name, { description, valueType: ValueType.INT });
  return {
    hydration: intHistogram(meter, METRIC.HYDRATION_SIZE, "Size of hydrated data in bytes"),
    dehydration: intHistogram(meter, METRIC.DEHYDRATION_SIZE, "Size of dehydrated data in bytes"),
    streamMessages: counter(METRIC.STREAM_MESSAGES, "Stream messages processed"),
    k8sDuration: meter.createHistogram(METRIC.K8S_OPERATION_DURATION, {
      description: "Duration of Kubernetes API operations",
      unit: "s",
      valueType: ValueType.DOUBLE,
    }),
    reconnectAttempts: counter(METRIC.STREAM_RECONNECT_ATTEMPTS, "Stream reconnect attempts"),
    reconnectFailures: counter(METRIC.STREAM_RECONNECT_FAILURES, "Stream reconnect failures (terminal)"),
    bufferDropped: counter(METRIC.CLIENT_BUFFER_DROPPED, "Messages dropped by the client buffer"),
    bufferFlushed: counter(METRIC.CLIENT_BUFFER_FLUSHED, "Messages flushed from the client buffer after a reconnect"),
    bufferAdded: counter(METRIC.CLIENT_BUFFER_ADDED, "Messages added to the client buffer"),
    backpressureTimeouts: counter(METRIC.BACKPRESSURE_TIMEOUTS, "Backpressure timeouts"),
    storageHydration: intHistogram(storage, METRIC.STORAGE_HYDRATION_SIZE, "Size of hydrated data in bytes"),
    storageDehydration: intHistogram(storage, METRIC.STORAGE_DEHYDRATION_SIZE, "Size of dehydrated data in bytes"),
  };
}

/** The instruments of the current global provider, or undefined when metrics are off or broken. */
function builtIns(): BuiltIns | undefined {
  if (!metricsEnabled()) return undefined;
  const provider = metrics.getMeterProvider();
  if (cache?.provider !== provider) {
    let instruments: BuiltIns | undefined;
    try {
      instruments = create(provider.getMeter(SDK_METER_NAME), provider.getMeter(STORAGE_METER_NAME));
    } catch {
      // As in the Go SDK: if any built-in instrument fails to create, all metrics are disabled.
      instruments = undefined;
    }
    cache = { provider, instruments };
  }
  return cache.instruments;
}

/** Forgets the cached instruments (tests that swap providers). */
export function resetBuiltInMetrics(): void {
  cache = undefined;
}

/** The SDK meter of the current global provider. */
export function sdkMeter(): Meter {
  return metrics.getMeterProvider().getMeter(SDK_METER_NAME);
}

/** `bubu.k8s.operation.duration_seconds{operation, success}`. */
export function recordK8sOperation(operation: K8sOperation, durationSeconds: number, success: boolean): void {
  builtIns()?.k8sDuration.record(durationSeconds, { operation, success });
}

/**
 * A callback for `patchStepRunStatus`'s `onComplete` option (and any operation with the same
 * shape) that records `bubu.k8s.operation.duration_seconds`.
 */
export function k8sOperationRecorder(
  operation: K8sOperation,
): (outcome: { readonly durationSeconds: number; readonly success: boolean }) => void {
  return (outcome) => recordK8sOperation(operation, outcome.durationSeconds, outcome.success);
}

/**
 * Hydrated bytes: `bubu.storage.hydration.size_bytes` (no attributes) and
 * `bobrapet.storage.hydration.size_bytes{steprun_id}`.
 */
export function recordHydrationSize(sizeBytes: number, stepRunId: string): void {
  const m = builtIns();
  if (m === undefined) return;
  m.hydration.record(sizeBytes);
  m.storageHydration.record(sizeBytes, redactAttributes({ steprun_id: stepRunId }));
}

/**
 * Dehydrated bytes: `bubu.storage.dehydration.size_bytes` and
 * `bobrapet.storage.dehydration.size_bytes{steprun_id}` (for inputs: the StoryRun key).
 */
export function recordDehydrationSize(sizeBytes: number, stepRunId: string): void {
  const m = builtIns();
  if (m === undefined) return;
  m.dehydration.record(sizeBytes);
  m.storageDehydration.record(sizeBytes, redactAttributes({ steprun_id: stepRunId }));
}

/** `bubu.stream.messages_total{direction}` += `count`. */
export function recordStreamMessage(direction: "received" | "sent", count: number = 1): void {
  builtIns()?.streamMessages.add(count, { direction });
}

/** `bubu.stream.reconnect.attempts_total{reason}` += 1. */
export function recordStreamReconnectAttempt(reason: string): void {
  builtIns()?.reconnectAttempts.add(1, redactAttributes({ reason }));
}

/** `bubu.stream.reconnect.failures_total{reason}` += 1 (the reconnect policy gave up). */
export function recordStreamReconnectFailure(reason: string): void {
  builtIns()?.reconnectFailures.add(1, redactAttributes({ reason }));
}

/** `bubu.stream.client_buffer.dropped_total{reason}` += 1. */
export function recordClientBufferDropped(reason: string): void {
  builtIns()?.bufferDropped.add(1, redactAttributes({ reason }));
}

/** `bubu.stream.client_buffer.flushed_total` += `count` (ignored unless positive). */
export function recordClientBufferFlushed(count: number): void {
  if (count > 0) builtIns()?.bufferFlushed.add(count);
}

/** `bubu.stream.client_buffer.added_total{reason}` += 1. */
export function recordClientBufferAdded(reason: string): void {
  builtIns()?.bufferAdded.add(1, redactAttributes({ reason }));
}

/** `bubu.stream.backpressure.timeouts_total{stage}` += 1 (`client_receiver`, `server_reader`, …). */
export function recordBackpressureTimeout(stage: string): void {
  builtIns()?.backpressureTimeouts.add(1, redactAttributes({ stage }));
}

/**
 * Registers `bubu.stream.client_buffer.current_size` (`{messages}`) and `…current_bytes` (`By`)
 * on the current global provider. The callbacks are polled by the provider; an exception in one
 * skips that observation. Returns a function that unregisters both.
 */
export function registerClientBufferGauges(sizeFn: () => number, bytesFn: () => number): () => void {
  if (!metricsEnabled()) return () => {};
  try {
    const meter = sdkMeter();
    const size = meter.createObservableGauge(METRIC.CLIENT_BUFFER_SIZE, {
      description: "Messages currently buffered by the client",
      unit: "{messages}",
      valueType: ValueType.DOUBLE,
    });
    const bytes = meter.createObservableGauge(METRIC.CLIENT_BUFFER_BYTES, {
      description: "Bytes currently buffered by the client",
      unit: "By",
      valueType: ValueType.DOUBLE,
    });
    const onSize = (r: { observe(v: number): void }): void => safeObserve(r, sizeFn);
    const onBytes = (r: { observe(v: number): void }): void => safeObserve(r, bytesFn);
    size.addCallback(onSize);
    bytes.addCallback(onBytes);
    return () => {
      size.removeCallback(onSize);
      bytes.removeCallback(onBytes);
    };
  } catch {
    return () => {};
  }
}

/** Observes `fn()`; a throwing or non-finite callback records nothing. */
export function safeObserve(result: { observe(value: number): void }, fn: () => number): void {
  let value: number;
  try {
    value = fn();
  } catch {
    return;
  }
  if (Number.isFinite(value)) result.observe(value);
}
