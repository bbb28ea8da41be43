/**
 * The SDK's spans and built-in metrics for code that runs in every batch engram (the handler
 * context's tracer, storage, status and signal writes), loaded only once OpenTelemetry is in use.
 *
 * Until something registers an OpenTelemetry global (a tracer or meter provider, a context
 * manager, a propagator), every span the SDK would start and every measurement it would record is
 * a no-op; loading `@opentelemetry/api` for nothing cost a batch engram's start-up about 27 ms of
 * CPU on Node and 9 ms on Bun (measured, 2 vCPU). The API keeps its globals under one symbol on
 * `globalThis`, so finding out is a property read. Entry points await {@link loadTelemetry}
 * before running handlers; a registration made later (in `init`, say) is picked up from the next
 * span or measurement on, the first one after it being dropped while the API loads.
 *
 * Streaming and the `./metrics` entry point import the API directly (they always need it).
 * @module
 */
import type { Span, SpanContext, Tracer } from "@opentelemetry/api";
import { globalSymbolValue } from "../runtime/global-symbol.ts";
import type * as Instruments from "./instruments.ts";
import type * as Tracing from "./tracing.ts";

/** Where `@opentelemetry/api` 1.x keeps its registered globals. */
const OTEL_GLOBAL = Symbol.for("opentelemetry.js.api.1");

let loaded: { readonly tracing: typeof Tracing; readonly instruments: typeof Instruments } | undefined;
let loading: Promise<void> | undefined;

/** Whether anything registered an OpenTelemetry global in this process. */
export function otelRegistered(): boolean {
  return globalSymbolValue(OTEL_GLOBAL) !== undefined;
}

/** Loads the SDK's tracing and metrics when OpenTelemetry is registered; otherwise does nothing. */
export function loadTelemetry(): Promise<void> {
  if (loaded !== undefined || !otelRegistered()) return Promise.resolve();
  loading ??= Promise.all([import("./tracing.ts"), import("./instruments.ts")]).then(([tracing, instruments]) => {
    loaded = { tracing, instruments };
  });
  return loading;
}

/** The loaded modules; a registration seen for the first time starts the load. */
function telemetry(): typeof loaded {
  if (loaded === undefined && otelRegistered()) loadTelemetry().catch(() => {});
  return loaded;
}

/** Runs `record` with the built-in instruments, or not at all while OpenTelemetry is not in use. */
export function withInstruments(record: (instruments: typeof Instruments) => void): void {
  const t = telemetry();
  if (t !== undefined) record(t.instruments);
}

/** `k8sOperationRecorder` of `instruments.ts`, through the gate. */
export function k8sOperationRecorder(
  operation: Instruments.K8sOperation,
): (outcome: { readonly durationSeconds: number; readonly success: boolean }) => void {
  return (outcome) => withInstruments((m) => m.recordK8sOperation(operation, outcome.durationSeconds, outcome.success));
}

/** `traceStorageOperation` of `tracing.ts`, or just `fn()` while OpenTelemetry is not in use. */
export async function traceStorageOperation<T>(
  operation: Tracing.StorageOperation,
  attributes: Tracing.StorageSpanAttributes,
  fn: () => Promise<T>,
  sizeBytes?: (result: T) => number | undefined,
): Promise<T> {
  await loadTelemetry();
  return loaded === undefined
    ? await fn()
    : await loaded.tracing.traceStorageOperation(operation, attributes, fn, sizeBytes);
}

/**
 * The handler context's tracer: the SDK tracer of `tracing.ts` (the global provider's, scrubbing
 * secrets, honouring `BUBU_SDK_TRACING_ENABLED`) once OpenTelemetry is in use, non-recording spans
 * until then.
 */
export function contextTracer(): Tracer {
  return {
    startSpan(name, options, context) {
      const t = telemetry();
      return t === undefined ? NOOP_SPAN : t.tracing.sdkTracer().startSpan(name, options, context);
    },
    startActiveSpan(name: string, ...rest: unknown[]) {
      const t = telemetry();
      if (t !== undefined)
        return (t.tracing.sdkTracer().startActiveSpan as (name: string, ...rest: unknown[]) => unknown)(name, ...rest);
      return (rest[rest.length - 1] as (span: Span) => unknown)(NOOP_SPAN);
    },
  } as Tracer;
}

/** What the API's no-op tracer returns when there is no parent span: a non-recording span. */
const INVALID_SPAN_CONTEXT: SpanContext = Object.freeze({
  traceId: "0".repeat(32),
  spanId: "0".repeat(16),
  traceFlags: 0,
});

const NOOP_SPAN: Span = Object.freeze({
  spanContext: () => INVALID_SPAN_CONTEXT,
  setAttribute: () => NOOP_SPAN,
  setAttributes: () => NOOP_SPAN,
  addEvent: () => NOOP_SPAN,
  addLink: () => NOOP_SPAN,
  addLinks: () => NOOP_SPAN,
  setStatus: () => NOOP_SPAN,
  updateName: () => NOOP_SPAN,
  end: () => {},
  isRecording: () => false,
  recordException: () => {},
});
