/**
 * `@bubustack/sdk/metrics`: custom metrics for engram authors, on the meter `bubu-sdk` of the
 * application's global `MeterProvider`. The SDK installs no provider: without one every
 * instrument is a no-op, as is everything when `BUBU_SDK_METRICS_ENABLED` is off.
 *
 * Instruments may be created at module load, before the application registers its provider:
 * each call resolves the current provider (and recreates the underlying instrument when it
 * changed). Attribute values pass through the secret scrubber.
 *
 * @remarks The Go SDK's `pkg/metrics` (`Counter`, `Histogram`, `Gauge`, `GetMeter`), on the same meter.
 *
 * @example
 * ```ts
 * import { counter, histogram } from "@bubustack/sdk/metrics";
 * const processed = counter("myengram.records.processed_total", "Records processed");
 * processed.add(records.length);
 * histogram("myengram.processing.duration_seconds", "Processing duration", "s").record(0.42);
 * ```
 * @module
 */
import {
  type Context,
  type Counter,
  createNoopMeter,
  type Histogram,
  type Meter,
  type MeterProvider,
  type MetricAttributes,
  metrics,
  ValueType,
} from "@opentelemetry/api";
import { SDK_METER_NAME, safeObserve } from "./instruments.ts";
import { redactAttributes } from "./redaction.ts";
import { metricsEnabled } from "./toggles.ts";

export { type K8sOperation, METRIC, type MetricNames } from "./instruments.ts";

const noopMeter: Meter = createNoopMeter();

/** The meter custom instruments come from: `bubu-sdk` of the global provider, or a no-op meter. */
export function getMeter(): Meter {
  return metricsEnabled() ? metrics.getMeterProvider().getMeter(SDK_METER_NAME) : noopMeter;
}

/** Creates the underlying instrument for the current provider, once per provider. */
function lazy<T>(make: (meter: Meter) => T, noop: T): () => T {
  let cached: { provider: MeterProvider; instrument: T } | undefined;
  return () => {
    if (!metricsEnabled()) return noop;
    const provider = metrics.getMeterProvider();
    if (cached?.provider !== provider) cached = { provider, instrument: make(provider.getMeter(SDK_METER_NAME)) };
    return cached.instrument;
  };
}

/** An integer counter. */
export function counter(name: string, description: string = ""): Counter {
  const get = lazy(
    (m) => m.createCounter(name, { description, valueType: ValueType.INT }),
    noopMeter.createCounter(name),
  );
  return {
    add(value: number, attributes?: MetricAttributes, context?: Context): void {
      get().add(value, redactAttributes(attributes), context);
    },
  };
}

/** A floating-point histogram with an optional unit (`s`, `By`, …). */
export function histogram(name: string, description: string = "", unit: string = ""): Histogram {
  const get = lazy(
    (m) => m.createHistogram(name, { description, unit, valueType: ValueType.DOUBLE }),
    noopMeter.createHistogram(name),
  );
  return {
    record(value: number, attributes?: MetricAttributes, context?: Context): void {
      get().record(value, redactAttributes(attributes), context);
    },
  };
}

/**
 * An asynchronous floating-point gauge polled through `callback`, registered on the
 * provider current at this call (register the provider first). A throwing callback records
 * nothing for that collection. Returns a function that unregisters it.
 */
export function gauge(name: string, description: string, unit: string, callback: () => number): () => void {
  if (!metricsEnabled()) return () => {};
  const g = getMeter().createObservableGauge(name, { description, unit, valueType: ValueType.DOUBLE });
  const observe = (result: { observe(value: number): void }): void => safeObserve(result, callback);
  g.addCallback(observe);
  return () => g.removeCallback(observe);
}
