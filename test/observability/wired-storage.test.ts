// The storage manager's spans and size metrics, captured by the test-local in-memory providers:
// a dehydrate → hydrate round trip over the file provider (contract observability.md "Storage
// spans and metrics", "Metrics").

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import { context, metrics, SpanStatusCode, trace } from "@opentelemetry/api";
import { goJsonByteLength } from "../../src/json/go-json.ts";
import { METRIC, resetBuiltInMetrics, STORAGE_METER_NAME } from "../../src/observability/instruments.ts";
import { configureObservability, resetObservability } from "../../src/observability/toggles.ts";
import { STORAGE_TRACER_NAME } from "../../src/observability/tracing.ts";
import { detectRuntime } from "../../src/runtime/detect.ts";
import { createFileStore } from "../../src/storage/file-store.ts";
import { StorageManager } from "../../src/storage/manager.ts";
import {
  type FinishedSpan,
  InMemoryMeterProvider,
  InMemoryTracerProvider,
  installTestProviders,
} from "./otel-test-providers.ts";

let tracer: InMemoryTracerProvider;
let meter: InMemoryMeterProvider;
let dir: string;

function install(): void {
  ({ tracer, meter } = installTestProviders());
}

function only(name: string): FinishedSpan {
  const spans = tracer.spans.filter((s) => s.name === name);
  assert.equal(spans.length, 1, `exactly one ${name} span (got ${tracer.spans.map((s) => s.name).join(", ")})`);
  return spans[0]!;
}

async function fileManager(maxInlineSize = 16): Promise<StorageManager> {
  return new StorageManager({ store: await createFileStore(detectRuntime().fs, dir), maxInlineSize });
}

describe("storage manager telemetry (wired)", () => {
  beforeEach(async () => {
    resetObservability();
    resetBuiltInMetrics();
    install();
    dir = await mkdtemp(join(tmpdir(), "bubu-wired-storage-"));
  });
  afterEach(async () => {
    trace.disable();
    metrics.disable();
    context.disable();
    resetObservability();
    resetBuiltInMetrics();
    await rm(dir, { recursive: true, force: true });
  });

  test("dehydrate, dehydrateInputs and hydrate: spans with the contract's names, attributes, events, status; size histograms", async () => {
    const m = await fileManager();
    const output = { text: "x".repeat(100), n: 1 };
    const inputs = { prompt: "y".repeat(64) };

    const outRef = await m.dehydrate(output, "ns1/step-a");
    assert.equal(
      typeof (outRef as { text: Record<string, string> }).text.$bubuStorageRef,
      "string",
      "the long string was offloaded",
    );
    const inRef = await m.dehydrateInputs(inputs, "ns1/run-1");
    const hydrated = await m.hydrate({ out: outRef, in: inRef }, { stepRunId: "step-a" });
    assert.deepEqual(hydrated, { out: output, in: inputs });

    const de = only("storage.Dehydrate");
    assert.equal(de.tracer, STORAGE_TRACER_NAME);
    assert.deepEqual(de.attributes, {
      "storage.enabled": true,
      "storage.allowKubeRefs": false,
      "storage.stepRunID": "ns1/step-a",
      "storage.storyRunID": "",
    });
    assert.deepEqual(de.events, [{ name: "dehydrate.success", attributes: { size_bytes: goJsonByteLength(output) } }]);
    assert.deepEqual(de.status, { code: SpanStatusCode.OK }, "the SDK drops an Ok description, as Go's does");

    const di = only("storage.DehydrateInputs");
    assert.equal(di.attributes["storage.storyRunID"], "ns1/run-1");
    assert.equal(di.attributes["storage.stepRunID"], "");
    assert.deepEqual(di.events, [
      { name: "dehydrate.inputs.success", attributes: { size_bytes: goJsonByteLength(inputs) } },
    ]);

    const hy = only("storage.Hydrate");
    assert.equal(hy.attributes["storage.stepRunID"], "step-a");
    assert.equal(hy.attributes["storage.enabled"], true);
    assert.deepEqual(hy.events, [{ name: "hydrate.success", attributes: { size_bytes: goJsonByteLength(hydrated) } }]);
    assert.equal(hy.status.code, SpanStatusCode.OK);
    for (const s of [de, di, hy]) assert.equal(s.parentSpanId, undefined, "a root span when nothing is active");

    // The SDK histograms carry no attributes; the storage library's carry steprun_id.
    const sdkDe = meter.of(METRIC.DEHYDRATION_SIZE);
    assert.deepEqual(
      sdkDe.map((r) => [r.value, r.attributes]),
      [
        [goJsonByteLength(output), {}],
        [goJsonByteLength(inputs), {}],
      ],
    );
    const libDe = meter.of(METRIC.STORAGE_DEHYDRATION_SIZE);
    assert.deepEqual(
      libDe.map((r) => [r.meter, r.value, r.attributes]),
      [
        [STORAGE_METER_NAME, goJsonByteLength(output), { steprun_id: "ns1/step-a" }],
        [STORAGE_METER_NAME, goJsonByteLength(inputs), { steprun_id: "ns1/run-1" }],
      ],
    );
    assert.deepEqual(
      meter.of(METRIC.HYDRATION_SIZE).map((r) => [r.value, r.attributes]),
      [[goJsonByteLength(hydrated), {}]],
    );
    assert.deepEqual(
      meter.of(METRIC.STORAGE_HYDRATION_SIZE).map((r) => [r.value, r.attributes]),
      [[goJsonByteLength(hydrated), { steprun_id: "step-a" }]],
    );
    assert.equal(libDe[0]!.options?.unit, "By");
    await m.close();
  });

  test("a failing hydration: error event and status, no size metric", async () => {
    const m = await fileManager();
    await assert.rejects(
      m.hydrate({ $bubuStorageRef: "outputs/missing/output.json" }),
      /failed to read offloaded data/,
    );
    const hy = only("storage.Hydrate");
    assert.equal(hy.events.length, 1);
    assert.equal(hy.events[0]!.name, "hydrate.error");
    assert.match(
      String(hy.events[0]!.attributes.error),
      /failed to read offloaded data from 'outputs\/missing\/output.json'/,
    );
    assert.equal(hy.status.code, SpanStatusCode.ERROR);
    assert.equal(hy.status.message, hy.events[0]!.attributes.error);
    assert.equal(meter.of(METRIC.HYDRATION_SIZE).length, 0);
    assert.equal(meter.of(METRIC.STORAGE_HYDRATION_SIZE).length, 0);
    await m.close();
  });

  test("storage disabled: spans say so, the size limit error is traced, nothing is measured", async () => {
    const m = new StorageManager({ maxInlineSize: 8 });
    assert.deepEqual(await m.dehydrate({ a: 1 }, "s"), { a: 1 });
    await assert.rejects(m.dehydrate({ a: "long enough" }, "s"), /exceeds inline limit 8 and storage is disabled/);
    const spans = tracer.spans.filter((s) => s.name === "storage.Dehydrate");
    assert.equal(spans.length, 2);
    assert.ok(spans.every((s) => s.attributes["storage.enabled"] === false));
    assert.equal(spans[0]!.status.code, SpanStatusCode.OK);
    assert.equal(spans[1]!.status.code, SpanStatusCode.ERROR);
    assert.equal(spans[1]!.events[0]!.name, "dehydrate.error");
    assert.equal(meter.of(METRIC.DEHYDRATION_SIZE).length, 0);
  });

  test("the span is a child of the caller's active span, and the toggles switch spans and metrics off", async () => {
    const m = await fileManager(1024);
    const parent = trace.getTracer("caller").startSpan("step");
    await context.with(trace.setSpan(context.active(), parent), () => m.dehydrate({ a: 1 }, "s"));
    parent.end();
    const de = only("storage.Dehydrate");
    assert.equal(de.parentSpanId, parent.spanContext().spanId);
    assert.equal(de.traceId, parent.spanContext().traceId);

    configureObservability({ tracing: false, metrics: false });
    const before = tracer.spans.length;
    assert.deepEqual(await m.hydrate({ a: 1 }), { a: 1 });
    assert.equal(tracer.spans.length, before, "no span with tracing off");
    assert.equal(meter.of(METRIC.HYDRATION_SIZE).length, 0, "no metric with metrics off");
    await m.close();
  });
});
