// Spans, metrics and propagation through the global @opentelemetry/api registration, captured by
// the test-local in-memory providers (otel-test-providers.ts).

import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import { context, metrics, propagation, ROOT_CONTEXT, SpanStatusCode, trace } from "@opentelemetry/api";
import {
  k8sOperationRecorder,
  METRIC,
  recordBackpressureTimeout,
  recordClientBufferAdded,
  recordClientBufferDropped,
  recordClientBufferFlushed,
  recordDehydrationSize,
  recordHydrationSize,
  recordStreamMessage,
  recordStreamReconnectAttempt,
  recordStreamReconnectFailure,
  registerClientBufferGauges,
  resetBuiltInMetrics,
} from "../../src/observability/instruments.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { counter, gauge, histogram } from "../../src/observability/metrics-entry.ts";
import {
  extractTraceAnnotations,
  extractTraceContext,
  injectTraceContext,
  parseTraceparent,
  traceAnnotations,
} from "../../src/observability/propagation.ts";
import { configureObservability, observabilityFromEnv, resetObservability } from "../../src/observability/toggles.ts";
import { sdkTracer, traceStorageOperation } from "../../src/observability/tracing.ts";
import { InMemoryMeterProvider, InMemoryTracerProvider, installTestProviders } from "./otel-test-providers.ts";

let tracer: InMemoryTracerProvider;
let meter: InMemoryMeterProvider;

function install(): void {
  ({ tracer, meter } = installTestProviders());
}

describe("observability on the global OpenTelemetry API", () => {
  beforeEach(() => {
    resetObservability();
    resetBuiltInMetrics();
    install();
  });
  afterEach(() => {
    trace.disable();
    metrics.disable();
    context.disable();
    resetObservability();
  });

  test("toggles parse the contract's sets and warn on invalid values", () => {
    const lines: string[] = [];
    const logger = createLogger({ sink: (l) => lines.push(l) });
    const env: Record<string, string> = {
      BUBU_SDK_TRACING_ENABLED: "off",
      BUBU_SDK_METRICS_ENABLED: " Y ",
      BUBU_TRACE_PROPAGATION: "maybe",
    };
    assert.deepEqual(
      { ...observabilityFromEnv((n) => env[n], logger) },
      { tracing: false, metrics: true, propagation: true },
    );
    assert.equal(lines.length, 1);
    const line = JSON.parse(lines[0]!);
    assert.equal(line.msg, "ignoring invalid observability env override");
    assert.equal(line.level, "WARN");
    assert.equal(line.env, "BUBU_TRACE_PROPAGATION");
    assert.deepEqual({ ...observabilityFromEnv(() => undefined) }, { tracing: true, metrics: true, propagation: true });
    assert.deepEqual(
      { ...observabilityFromEnv((n) => (({ BUBU_SDK_METRICS_ENABLED: "0" }) as Record<string, string>)[n]) },
      {
        tracing: true,
        metrics: false,
        propagation: true,
      },
    );
  });

  test("storage spans: names, attributes, success event with size, Ok status", async () => {
    const out = await traceStorageOperation(
      "storage.Dehydrate",
      { enabled: true, allowKubeRefs: false, stepRunID: "sr-1", storyRunID: "run-1" },
      () => Promise.resolve({ bytes: 42 }),
      (r) => r.bytes,
    );
    assert.deepEqual(out, { bytes: 42 });
    assert.equal(tracer.spans.length, 1);
    const span = tracer.spans[0]!;
    assert.equal(span.tracer, "github.com/bubustack/bobrapet/pkg/storage");
    assert.equal(span.name, "storage.Dehydrate");
    assert.deepEqual(span.attributes, {
      "storage.enabled": true,
      "storage.allowKubeRefs": false,
      "storage.stepRunID": "sr-1",
      "storage.storyRunID": "run-1",
    });
    assert.deepEqual(span.events, [{ name: "dehydrate.success", attributes: { size_bytes: 42 } }]);
    // The SDK drops an Ok status description (OTel spec; Go's SDK does the same with codes.Ok, "success").
    assert.deepEqual(span.status, { code: SpanStatusCode.OK });
  });

  test("storage spans: error event and Error status; inputs and hydrate prefixes", async () => {
    await assert.rejects(
      traceStorageOperation(
        "storage.DehydrateInputs",
        { enabled: true, allowKubeRefs: true, stepRunID: "", storyRunID: "ns/k" },
        () => Promise.reject(new Error("bucket gone")),
      ),
      /bucket gone/,
    );
    await traceStorageOperation(
      "storage.HydrateStorageRefsOnly",
      { enabled: true, allowKubeRefs: true, stepRunID: "s", storyRunID: "r" },
      () => Promise.resolve(1),
    );
    const [failed, hydrated] = tracer.spans;
    assert.deepEqual(failed!.events, [{ name: "dehydrate.inputs.error", attributes: { error: "bucket gone" } }]);
    assert.deepEqual(failed!.status, { code: SpanStatusCode.ERROR, message: "bucket gone" });
    assert.deepEqual(hydrated!.events, [{ name: "hydrate.success", attributes: {} }]);
  });

  test("spans started inside the operation are its children", async () => {
    await traceStorageOperation(
      "storage.Hydrate",
      { enabled: true, allowKubeRefs: false, stepRunID: "s", storyRunID: "r" },
      async () => {
        await Promise.resolve();
        sdkTracer().startSpan("inner").end();
      },
    );
    const inner = tracer.spans.find((s) => s.name === "inner")!;
    const outer = tracer.spans.find((s) => s.name === "storage.Hydrate")!;
    assert.equal(inner.parentSpanId, outer.spanId);
    assert.equal(inner.traceId, outer.traceId);
    assert.equal(inner.tracer, "bubu-sdk");
  });

  test("tracing off: sdkTracer is a no-op even with a provider registered", () => {
    configureObservability({ tracing: false });
    const span = sdkTracer().startSpan("x");
    span.end();
    assert.equal(span.isRecording(), false);
    assert.equal(tracer.spans.length, 0);
  });

  test("parent/child across a stream message: inject on send, extract on receive", () => {
    const t = sdkTracer();
    const sender = t.startSpan("send");
    const bag = propagation.createBaggage({ tenant: { value: "a b,c" }, plan: { value: "pro" } });
    const sendCtx = propagation.setBaggage(trace.setSpan(ROOT_CONTEXT, sender), bag);
    const original = { "content-type": "application/json" };
    const metadata = injectTraceContext(original, sendCtx);
    assert.deepEqual(original, { "content-type": "application/json" }, "the caller's metadata is not modified");
    const sc = sender.spanContext();
    assert.equal(metadata["traceparent"], `00-${sc.traceId}-${sc.spanId}-01`);
    assert.equal(metadata["tracestate"], undefined, "tracestate only when non-empty");
    assert.equal(metadata["baggage"], "tenant=a%20b%2Cc,plan=pro");

    // Receiver side: another process would see only the metadata.
    const recvCtx = extractTraceContext({ ...metadata }, ROOT_CONTEXT);
    assert.equal(propagation.getBaggage(recvCtx)?.getEntry("tenant")?.value, "a b,c");
    const child = t.startSpan("receive", {}, recvCtx);
    child.end();
    sender.end();
    const recv = tracer.spans.find((s) => s.name === "receive")!;
    assert.equal(recv.traceId, sc.traceId);
    assert.equal(recv.parentSpanId, sc.spanId);
  });

  test("injection needs a valid span; an engram-supplied traceparent is left alone", () => {
    const supplied = { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" };
    assert.equal(injectTraceContext(supplied, ROOT_CONTEXT), supplied);
    const ctx = extractTraceContext(supplied, ROOT_CONTEXT);
    assert.equal(trace.getSpanContext(ctx)?.spanId, "b7ad6b7169203331");
    assert.equal(trace.getSpanContext(ctx)?.isRemote, true);
  });

  test("tracestate round-trips; propagation off injects and extracts nothing", () => {
    const meta = {
      traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00",
      tracestate: "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7",
    };
    const ctx = extractTraceContext(meta, ROOT_CONTEXT);
    const again = injectTraceContext({}, ctx);
    assert.deepEqual(again, meta);
    configureObservability({ propagation: false });
    assert.deepEqual(injectTraceContext({}, ctx), {});
    assert.equal(extractTraceContext(meta, ROOT_CONTEXT), ROOT_CONTEXT);
  });

  test("bad traceparent values are ignored", () => {
    for (const bad of [
      "00-00000000000000000000000000000000-b7ad6b7169203331-01",
      "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",
      "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
      "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra",
      "00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01",
      "garbage",
    ]) {
      assert.equal(parseTraceparent(bad), undefined, bad);
    }
    assert.ok(parseTraceparent("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-future"));
  });

  test("StoryTrigger annotations carry the same fields under bubustack.io/ keys", () => {
    const span = sdkTracer().startSpan("trigger");
    const ann = traceAnnotations(trace.setSpan(ROOT_CONTEXT, span));
    assert.deepEqual(Object.keys(ann), ["bubustack.io/traceparent"]);
    const ctx = extractTraceAnnotations(ann, ROOT_CONTEXT);
    assert.equal(trace.getSpanContext(ctx)?.spanId, span.spanContext().spanId);
    assert.deepEqual(traceAnnotations(ROOT_CONTEXT), {});
  });

  test("built-in metrics: names, units, attributes, meters", async () => {
    k8sOperationRecorder("PatchStepRunStatus")({ durationSeconds: 0.25, success: true });
    k8sOperationRecorder("StopStoryRun")({ durationSeconds: 1.5, success: false });
    recordHydrationSize(100, "sr-1");
    recordDehydrationSize(200, "ns/key");
    recordStreamMessage("sent");
    recordStreamMessage("received", 3);
    recordStreamReconnectAttempt("unavailable");
    recordStreamReconnectFailure("max_retries");
    recordClientBufferAdded("transient");
    recordClientBufferDropped("overflow");
    recordClientBufferFlushed(0);
    recordClientBufferFlushed(4);
    recordBackpressureTimeout("client_receiver");
    const off = registerClientBufferGauges(
      () => 7,
      () => 1024,
    );
    await meter.collectGauges();
    off();
    await meter.collectGauges();

    const k8s = meter.of(METRIC.K8S_OPERATION_DURATION);
    assert.deepEqual(
      k8s.map((r) => [r.value, r.attributes]),
      [
        [0.25, { operation: "PatchStepRunStatus", success: true }],
        [1.5, { operation: "StopStoryRun", success: false }],
      ],
    );
    assert.equal(k8s[0]!.meter, "bubu-sdk");
    assert.equal(k8s[0]!.options?.unit, "s");
    assert.deepEqual(
      meter.of("bubu.storage.hydration.size_bytes").map((r) => [r.value, r.attributes, r.options?.unit]),
      [[100, {}, "By"]],
    );
    assert.deepEqual(
      meter.of("bobrapet.storage.hydration.size_bytes").map((r) => [r.meter, r.attributes]),
      [["github.com/bubustack/bobrapet/pkg/storage", { steprun_id: "sr-1" }]],
    );
    assert.deepEqual(
      meter.of("bobrapet.storage.dehydration.size_bytes").map((r) => r.attributes),
      [{ steprun_id: "ns/key" }],
    );
    assert.deepEqual(
      meter.of("bubu.stream.messages_total").map((r) => [r.value, r.attributes]),
      [
        [1, { direction: "sent" }],
        [3, { direction: "received" }],
      ],
    );
    assert.deepEqual(
      meter.of("bubu.stream.reconnect.attempts_total").map((r) => r.attributes),
      [{ reason: "unavailable" }],
    );
    assert.deepEqual(
      meter.of("bubu.stream.reconnect.failures_total").map((r) => r.attributes),
      [{ reason: "max_retries" }],
    );
    assert.deepEqual(
      meter.of("bubu.stream.client_buffer.added_total").map((r) => r.attributes),
      [{ reason: "transient" }],
    );
    assert.deepEqual(
      meter.of("bubu.stream.client_buffer.dropped_total").map((r) => r.attributes),
      [{ reason: "overflow" }],
    );
    assert.deepEqual(
      meter.of("bubu.stream.client_buffer.flushed_total").map((r) => r.value),
      [4],
    );
    assert.deepEqual(
      meter.of("bubu.stream.backpressure.timeouts_total").map((r) => r.attributes),
      [{ stage: "client_receiver" }],
    );
    assert.deepEqual(
      meter.of("bubu.stream.client_buffer.current_size").map((r) => [r.value, r.options?.unit]),
      [[7, "{messages}"]],
    );
    assert.deepEqual(
      meter.of("bubu.stream.client_buffer.current_bytes").map((r) => [r.value, r.options?.unit]),
      [[1024, "By"]],
    );
  });

  test("metrics off: nothing is recorded or created", () => {
    configureObservability({ metrics: false });
    recordStreamMessage("sent");
    counter("custom.total").add(1);
    assert.equal(meter.recordings.length, 0);
    assert.equal(meter.created.length, 0);
  });

  test("metrics entry: instruments made before the provider is registered still record", async () => {
    metrics.disable();
    const c = counter("myengram.records.processed_total", "Records processed");
    const h = histogram("myengram.processing.duration_seconds", "Processing duration", "s");
    c.add(1); // no provider yet: no-op
    const late = new InMemoryMeterProvider();
    metrics.setGlobalMeterProvider(late);
    c.add(2, { kind: "a" });
    h.record(0.5);
    const stop = gauge("myengram.queue.size", "Queue size", "items", () => 3);
    const broken = gauge("myengram.broken", "Throws", "1", () => {
      throw new Error("boom");
    });
    await late.collectGauges();
    stop();
    broken();
    assert.deepEqual(
      late.recordings.map((r) => [r.meter, r.instrument, r.value, r.attributes]),
      [
        ["bubu-sdk", "myengram.records.processed_total", 2, { kind: "a" }],
        ["bubu-sdk", "myengram.processing.duration_seconds", 0.5, {}],
        ["bubu-sdk", "myengram.queue.size", 3, {}],
      ],
    );
    assert.equal(late.created.find((c) => c.instrument === "myengram.processing.duration_seconds")?.options?.unit, "s");
  });
});
