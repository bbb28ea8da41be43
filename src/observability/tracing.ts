/**
 * SDK tracers on `@opentelemetry/api` only:
 * the global provider's tracer when `BUBU_SDK_TRACING_ENABLED` is on, else a no-op tracer. Every
 * tracer the SDK hands out scrubs registered secret values from span names, attributes, events,
 * exceptions and status messages.
 * @module
 */
import {
  type Attributes,
  type AttributeValue,
  type Context,
  type Exception,
  type Link,
  context as otelContext,
  ProxyTracerProvider,
  type Span,
  type SpanContext,
  type SpanOptions,
  type SpanStatus,
  SpanStatusCode,
  type TimeInput,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { redactAttributes, redactScalar, redactText } from "./redaction.ts";
import { tracingEnabled } from "./toggles.ts";

/** The SDK's tracer name (`observability.Tracer("bubu-sdk")`). */
export const SDK_TRACER_NAME = "bubu-sdk";
/** The storage library's tracer name (bobrapet's global tracer). */
export const STORAGE_TRACER_NAME = "github.com/bubustack/bobrapet/pkg/storage";

// A proxy provider with no delegate answers with the API's no-op tracer.
const noopProvider = new ProxyTracerProvider();

/**
 * `observability.Tracer(name)`: the global provider's tracer (resolved lazily, so a provider
 * registered later is used) wrapped to scrub secrets, or a no-op tracer when tracing is off.
 */
export function sdkTracer(name: string = SDK_TRACER_NAME, version?: string): Tracer {
  if (!tracingEnabled()) return noopProvider.getTracer(name, version);
  return redactingTracer(trace.getTracer(name, version));
}

/** `tracer` with every name, attribute, event and message passed through the secret scrubber. */
export function redactingTracer(tracer: Tracer): Tracer {
  if (tracer instanceof RedactingTracer) return tracer;
  return new RedactingTracer(tracer);
}

class RedactingTracer implements Tracer {
  readonly #inner: Tracer;

  constructor(inner: Tracer) {
    this.#inner = inner;
  }

  startSpan(name: string, options?: SpanOptions, context?: Context): Span {
    const safe = options === undefined ? undefined : { ...options, attributes: redactAttributes(options.attributes) };
    return new RedactingSpan(this.#inner.startSpan(redactText(name), safe, context));
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    context: Context,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, ...rest: unknown[]): ReturnType<F> {
    const fn = rest[rest.length - 1] as F;
    const options = rest.length >= 2 ? (rest[0] as SpanOptions) : undefined;
    const parent = rest.length >= 3 ? (rest[1] as Context) : otelContext.active();
    const span = this.startSpan(name, options, parent);
    return otelContext.with(trace.setSpan(parent, span), fn as (span: Span) => ReturnType<F>, undefined, span);
  }
}

class RedactingSpan implements Span {
  readonly #inner: Span;

  constructor(inner: Span) {
    this.#inner = inner;
  }

  spanContext(): SpanContext {
    return this.#inner.spanContext();
  }
  setAttribute(key: string, value: AttributeValue): this {
    const safe = redactAttributes({ [key]: value });
    for (const [k, v] of Object.entries(safe)) this.#inner.setAttribute(k, v as AttributeValue);
    return this;
  }
  setAttributes(attributes: Attributes): this {
    this.#inner.setAttributes(redactAttributes(attributes));
    return this;
  }
  addEvent(name: string, attributesOrStartTime?: Attributes | TimeInput, startTime?: TimeInput): this {
    const isAttributes =
      typeof attributesOrStartTime === "object" &&
      attributesOrStartTime !== null &&
      !(attributesOrStartTime instanceof Date) &&
      !Array.isArray(attributesOrStartTime);
    const second = isAttributes ? redactAttributes(attributesOrStartTime as Attributes) : attributesOrStartTime;
    this.#inner.addEvent(redactText(name), second, startTime);
    return this;
  }
  addLink(link: Link): this {
    this.#inner.addLink({ ...link, attributes: redactAttributes(link.attributes) });
    return this;
  }
  addLinks(links: Link[]): this {
    this.#inner.addLinks(links.map((link) => ({ ...link, attributes: redactAttributes(link.attributes) })));
    return this;
  }
  setStatus(status: SpanStatus): this {
    this.#inner.setStatus(status.message === undefined ? status : { ...status, message: redactText(status.message) });
    return this;
  }
  updateName(name: string): this {
    this.#inner.updateName(redactText(name));
    return this;
  }
  end(endTime?: TimeInput): void {
    this.#inner.end(endTime);
  }
  isRecording(): boolean {
    return this.#inner.isRecording();
  }
  recordException(exception: Exception, time?: TimeInput): void {
    this.#inner.recordException(redactException(exception), time);
  }
}

function redactException(exception: Exception): Exception {
  if (typeof exception === "string") return redactText(exception);
  const e = exception as { name?: unknown; message?: unknown; code?: unknown; stack?: unknown };
  const out: Record<string, unknown> = {};
  for (const key of ["name", "message", "code", "stack"] as const) {
    if (e[key] !== undefined) out[key] = redactScalar(e[key]);
  }
  return out as unknown as Exception;
}

/** The span names of the storage operations (as the operator's storage library names them). */
export type StorageOperation =
  | "storage.Hydrate"
  | "storage.HydrateStorageRefsOnly"
  | "storage.Dehydrate"
  | "storage.DehydrateInputs";

/** The attributes every storage span carries. */
export interface StorageSpanAttributes {
  readonly enabled: boolean;
  readonly allowKubeRefs: boolean;
  readonly stepRunID: string;
  readonly storyRunID: string;
}

const EVENT_PREFIX: Readonly<Record<StorageOperation, string>> = {
  "storage.Hydrate": "hydrate",
  "storage.HydrateStorageRefsOnly": "hydrate",
  "storage.Dehydrate": "dehydrate",
  "storage.DehydrateInputs": "dehydrate.inputs",
};

/**
 * Runs one storage operation inside its span, as the storage library does: attributes
 * `storage.enabled`, `storage.allowKubeRefs`, `storage.stepRunID`, `storage.storyRunID`; event
 * `<op>.success` with `size_bytes` (when `sizeBytes` gives one) or `<op>.error` with `error`;
 * status Ok `"success"` or Error with the message. Unlike the Go SDK's, the span honours
 * `BUBU_SDK_TRACING_ENABLED` (off means no span).
 */
export async function traceStorageOperation<T>(
  operation: StorageOperation,
  attributes: StorageSpanAttributes,
  fn: () => Promise<T>,
  sizeBytes?: (result: T) => number | undefined,
): Promise<T> {
  const tracer = sdkTracer(STORAGE_TRACER_NAME);
  const span = tracer.startSpan(operation, {
    attributes: {
      "storage.enabled": attributes.enabled,
      "storage.allowKubeRefs": attributes.allowKubeRefs,
      "storage.stepRunID": attributes.stepRunID,
      "storage.storyRunID": attributes.storyRunID,
    },
  });
  const prefix = EVENT_PREFIX[operation];
  try {
    const result = await otelContext.with(trace.setSpan(otelContext.active(), span), fn);
    const size = sizeBytes?.(result);
    span.addEvent(`${prefix}.success`, size === undefined ? {} : { size_bytes: size });
    span.setStatus({ code: SpanStatusCode.OK, message: "success" });
    return result;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    span.addEvent(`${prefix}.error`, { error: message });
    span.setStatus({ code: SpanStatusCode.ERROR, message });
    throw err;
  } finally {
    span.end();
  }
}
