// Test-local OpenTelemetry providers implementing the @opentelemetry/api interfaces, with
// in-memory capture: spans (name, attributes, events, status, parent), metric recordings and
// observable gauges, and an AsyncLocalStorage context manager. The API's global registration
// works with any implementation, so the SDK code under test cannot tell these from the real SDK.
import { AsyncLocalStorage } from "node:async_hooks";
import { randomBytes } from "node:crypto";
import {
  type Attributes,
  type AttributeValue,
  type Context,
  type ContextManager,
  type Counter,
  type Histogram,
  type Meter,
  type MeterProvider,
  type MetricAttributes,
  type MetricOptions,
  type ObservableCallback,
  type ObservableGauge,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  type SpanOptions,
  type SpanStatus,
  type TimeInput,
  trace,
  TraceFlags,
  type Tracer,
  type TracerProvider,
  context as otelContext,
  createNoopMeter,
  metrics,
  propagation,
} from "@opentelemetry/api";

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
  exceptions: unknown[];
}

class TestSpan implements Span {
  readonly record: FinishedSpan;
  readonly #ctx: SpanContext;
  readonly #sink: FinishedSpan[];
  constructor(tracer: string, name: string, parent: SpanContext | undefined, attributes: Attributes, sink: FinishedSpan[]) {
    this.#ctx = {
      traceId: parent?.traceId ?? randomBytes(16).toString("hex"),
      spanId: randomBytes(8).toString("hex"),
      traceFlags: TraceFlags.SAMPLED,
      // A child keeps its parent's tracestate, as the OpenTelemetry SDK does.
      ...(parent?.traceState !== undefined ? { traceState: parent.traceState } : {}),
    };
    this.#sink = sink;
    this.record = {
      tracer,
      name,
      attributes: { ...attributes },
      events: [],
      status: { code: 0 },
      traceId: this.#ctx.traceId,
      spanId: this.#ctx.spanId,
      parentSpanId: parent?.spanId,
      ended: false,
      exceptions: [],
    };
  }
  spanContext(): SpanContext {
    return this.#ctx;
  }
  setAttribute(key: string, value: AttributeValue): this {
    this.record.attributes[key] = value;
    return this;
  }
  setAttributes(attributes: Attributes): this {
    Object.assign(this.record.attributes, attributes);
    return this;
  }
  addEvent(name: string, attributesOrStartTime?: Attributes | TimeInput): this {
    const attrs = typeof attributesOrStartTime === "object" && !(attributesOrStartTime instanceof Date) && !Array.isArray(attributesOrStartTime)
      ? (attributesOrStartTime as Attributes)
      : {};
    this.record.events.push({ name, attributes: { ...attrs } });
    return this;
  }
  addLink(): this {
    return this;
  }
  addLinks(): this {
    return this;
  }
  setStatus(status: SpanStatus): this {
    this.record.status = status;
    return this;
  }
  updateName(name: string): this {
    this.record.name = name;
    return this;
  }
  end(): void {
    if (this.record.ended) return;
    this.record.ended = true;
    this.#sink.push(this.record);
  }
  isRecording(): boolean {
    return !this.record.ended;
  }
  recordException(exception: unknown): void {
    this.record.exceptions.push(exception);
  }
}

class TestTracer implements Tracer {
  readonly #name: string;
  readonly #sink: FinishedSpan[];
  constructor(name: string, sink: FinishedSpan[]) {
    this.#name = name;
    this.#sink = sink;
  }
  startSpan(name: string, options?: SpanOptions, ctx: Context = otelContext.active()): Span {
    const parent = options?.root ? undefined : trace.getSpanContext(ctx);
    return new TestSpan(this.#name, name, parent, options?.attributes ?? {}, this.#sink);
  }
  startActiveSpan<F extends (span: Span) => unknown>(name: string, ...rest: unknown[]): ReturnType<F> {
    const fn = rest[rest.length - 1] as F;
    const options = rest.length >= 2 ? (rest[0] as SpanOptions) : undefined;
    const ctx = rest.length >= 3 ? (rest[1] as Context) : otelContext.active();
    const span = this.startSpan(name, options, ctx);
    return otelContext.with(trace.setSpan(ctx, span), () => fn(span)) as ReturnType<F>;
  }
}

/** A TracerProvider keeping finished spans in memory. */
export class InMemoryTracerProvider implements TracerProvider {
  readonly spans: FinishedSpan[] = [];
  getTracer(name: string): Tracer {
    return new TestTracer(name, this.spans);
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
  readonly #gauges: { meter: string; name: string; options: MetricOptions | undefined; callbacks: Set<ObservableCallback> }[] = [];

  getMeter(meterName: string): Meter {
    const noop = createNoopMeter();
    const self = this;
    const sync = (kind: "counter" | "histogram", instrument: string, options?: MetricOptions) => {
      self.created.push({ meter: meterName, instrument, kind, options });
      const record = (value: number, attributes?: MetricAttributes): void => {
        self.recordings.push({ meter: meterName, instrument, kind, options, value, attributes: { ...(attributes ?? {}) } });
      };
      return { add: record, record };
    };
    return {
      ...noop,
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
            this.recordings.push({ meter: g.meter, instrument: g.name, kind: "gauge", options: g.options, value, attributes: { ...(attributes ?? {}) } });
          },
        });
      }
    }
  }

  of(instrument: string): Recording[] {
    return this.recordings.filter((r) => r.instrument === instrument);
  }
}

/** An AsyncLocalStorage context manager (what @opentelemetry/context-async-hooks provides). */
export class AlsContextManager implements ContextManager {
  readonly #als = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.#als.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    return this.#als.run(ctx, () => fn.call(thisArg, ...args));
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.#als.disable();
    return this;
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
  otelContext.setGlobalContextManager(new AlsContextManager());
  const tracer = new InMemoryTracerProvider();
  const meter = new InMemoryMeterProvider();
  if (!trace.setGlobalTracerProvider(tracer)) throw new Error("could not register the test tracer provider");
  if (!metrics.setGlobalMeterProvider(meter)) throw new Error("could not register the test meter provider");
  return { tracer, meter };
}
