// OpenTelemetry providers for tests, registered through the global @opentelemetry/api: spans go
// through the OpenTelemetry SDK (TracerProvider + InMemorySpanExporter) with the SDK's
// AsyncLocalStorage context manager; metrics go to a recording MeterProvider that keeps every single
// measurement (the SDK aggregates, and these tests check individual recordings — the SDK's own
// metric pipeline is exercised in otel-sdk.test.ts).

import {
  type Attributes,
  type Counter,
  createNoopMeter,
  type Histogram,
  type Meter,
  type MeterProvider,
  type MetricAttributes,
  type MetricOptions,
  metrics,
  type ObservableCallback,
  type ObservableGauge,
  context as otelContext,
  propagation,
  type SpanStatus,
  type Tracer,
  type TracerProvider,
  trace,
} from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  InMemorySpanExporter,
  type ReadableSpan,
  TracerProvider as SdkTracerProvider,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace";

export interface FinishedSpan {
  tracer: string;
  name: string;
  attributes: Attributes;
  events: { name: string; attributes: Attributes }[];
  status: SpanStatus;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  ended: boolean;
  /** The attributes of the SDK's `exception` events (recordException). */
  exceptions: Attributes[];
}

function finished(span: ReadableSpan): FinishedSpan {
  const ctx = span.spanContext();
  const events = span.events.map((e) => ({ name: e.name, attributes: { ...(e.attributes ?? {}) } }));
  return {
    tracer: span.instrumentationScope.name,
    name: span.name,
    attributes: { ...span.attributes },
    events,
    status: { ...span.status },
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    ended: span.ended,
    exceptions: events.filter((e) => e.name === "exception").map((e) => e.attributes),
  };
}

/**
 * The OpenTelemetry SDK's TracerProvider with an InMemorySpanExporter behind a
 * SimpleSpanProcessor: `spans` are the exporter's finished spans, in end order.
 */
export class InMemoryTracerProvider implements TracerProvider {
  readonly exporter: InMemorySpanExporter = new InMemorySpanExporter();
  readonly sdk: SdkTracerProvider = new SdkTracerProvider({
    spanProcessors: [new SimpleSpanProcessor({ exporter: this.exporter })],
  });
  getTracer(name: string, version?: string): Tracer {
    return this.sdk.getTracer(name, version);
  }
  get spans(): FinishedSpan[] {
    return this.exporter.getFinishedSpans().map(finished);
  }
}

export interface Recording {
  meter: string;
  instrument: string;
  kind: "counter" | "histogram" | "gauge";
  options: MetricOptions | undefined;
  value: number;
  attributes: MetricAttributes;
}

/** A MeterProvider recording every measurement and able to collect observable gauges. */
export class InMemoryMeterProvider implements MeterProvider {
  readonly recordings: Recording[] = [];
  readonly created: { meter: string; instrument: string; kind: string; options: MetricOptions | undefined }[] = [];
  readonly #gauges: {
    meter: string;
    name: string;
    options: MetricOptions | undefined;
    callbacks: Set<ObservableCallback>;
  }[] = [];

  getMeter(meterName: string): Meter {
    const noop = createNoopMeter();
    const self = this;
    const sync = (kind: "counter" | "histogram", instrument: string, options?: MetricOptions) => {
      self.created.push({ meter: meterName, instrument, kind, options });
      const record = (value: number, attributes?: MetricAttributes): void => {
        self.recordings.push({
          meter: meterName,
          instrument,
          kind,
          options,
          value,
          attributes: { ...(attributes ?? {}) },
        });
      };
      return { add: record, record };
    };
    return {
      // The no-op meter's methods live on its prototype (a spread would copy none of them).
      createGauge: noop.createGauge.bind(noop),
      createUpDownCounter: noop.createUpDownCounter.bind(noop),
      createObservableCounter: noop.createObservableCounter.bind(noop),
      createObservableUpDownCounter: noop.createObservableUpDownCounter.bind(noop),
      addBatchObservableCallback: noop.addBatchObservableCallback.bind(noop),
      removeBatchObservableCallback: noop.removeBatchObservableCallback.bind(noop),
      createCounter: (name: string, options?: MetricOptions): Counter => sync("counter", name, options),
      createHistogram: (name: string, options?: MetricOptions): Histogram => sync("histogram", name, options),
      createObservableGauge: (name: string, options?: MetricOptions): ObservableGauge => {
        self.created.push({ meter: meterName, instrument: name, kind: "gauge", options });
        const entry = { meter: meterName, name, options, callbacks: new Set<ObservableCallback>() };
        self.#gauges.push(entry);
        return {
          addCallback: (cb: ObservableCallback) => void entry.callbacks.add(cb),
          removeCallback: (cb: ObservableCallback) => void entry.callbacks.delete(cb),
        };
      },
    } as Meter;
  }

  /** Polls every registered gauge callback once, like a metric reader's collection. */
  async collectGauges(): Promise<void> {
    for (const g of this.#gauges) {
      for (const cb of g.callbacks) {
        await cb({
          observe: (value: number, attributes?: MetricAttributes) => {
            this.recordings.push({
              meter: g.meter,
              instrument: g.name,
              kind: "gauge",
              options: g.options,
              value,
              attributes: { ...(attributes ?? {}) },
            });
          },
        });
      }
    }
  }

  of(instrument: string): Recording[] {
    return this.recordings.filter((r) => r.instrument === instrument);
  }
}

/**
 * Replaces the global tracer provider, meter provider and context manager (and, with
 * `propagation`, clears the global propagator) with fresh in-memory ones for one test.
 */
export function installTestProviders(options: { propagation?: boolean } = {}): {
  tracer: InMemoryTracerProvider;
  meter: InMemoryMeterProvider;
} {
  trace.disable();
  metrics.disable();
  otelContext.disable();
  if (options.propagation) propagation.disable();
  otelContext.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const tracer = new InMemoryTracerProvider();
  const meter = new InMemoryMeterProvider();
  if (!trace.setGlobalTracerProvider(tracer)) throw new Error("could not register the test tracer provider");
  if (!metrics.setGlobalMeterProvider(meter)) throw new Error("could not register the test meter provider");
  return { tracer, meter };
}
