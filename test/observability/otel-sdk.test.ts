// The SDK's metrics through the OpenTelemetry SDK's own pipeline: a MeterProvider from
// @opentelemetry/sdk-metrics with an InMemoryMetricExporter, registered globally in the test.
// This checks what an operator's exporter would see: instrument names, units, descriptions,
// value types, aggregation (sum / histogram / gauge), scopes and data point attributes — and that
// the SDK accepts every instrument (it drops invalid names or units with a diagnostic only).

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import { context, DiagLogLevel, diag, metrics, trace, ValueType } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  type MetricData,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import { defineStreaming } from "../../src/engram/streaming-engram.ts";
import { newStreamMessage } from "../../src/engram/streaming-message.ts";
import {
  k8sOperationRecorder,
  METRIC,
  recordBackpressureTimeout,
  recordStreamReconnectAttempt,
  registerClientBufferGauges,
  resetBuiltInMetrics,
  SDK_METER_NAME,
  STORAGE_METER_NAME,
} from "../../src/observability/instruments.ts";
import { counter, gauge, histogram } from "../../src/observability/metrics-entry.ts";
import { registerSecretValues } from "../../src/observability/redaction.ts";
import { configureObservability, resetObservability } from "../../src/observability/toggles.ts";
import { detectRuntime } from "../../src/runtime/detect.ts";
import { createFileStore } from "../../src/storage/file-store.ts";
import { StorageManager } from "../../src/storage/manager.ts";
import { startStreaming } from "../../src/streaming/start-streaming.ts";
import { FakeConnector } from "../peers/connector/index.ts";
import { envelopePacket } from "../peers/connector/packets.ts";
import { json, memoryLogger, streamEnv } from "../streaming/helpers.ts";
import { InMemoryTracerProvider } from "./otel-test-providers.ts";

interface Exported {
  scope: string;
  metric: MetricData;
}

let exporter: InMemoryMetricExporter;
let reader: PeriodicExportingMetricReader;
let provider: MeterProvider;
let tracer: InMemoryTracerProvider;
const diagnostics: string[] = [];

/** Collects once and returns every exported metric with its instrumentation scope. */
async function collect(): Promise<Map<string, Exported>> {
  exporter.reset();
  await reader.forceFlush();
  const out = new Map<string, Exported>();
  for (const rm of exporter.getMetrics()) {
    for (const sm of rm.scopeMetrics) {
      for (const metric of sm.metrics) out.set(metric.descriptor.name, { scope: sm.scope.name, metric });
    }
  }
  return out;
}

function get(all: Map<string, Exported>, name: string): Exported {
  const e = all.get(name);
  assert.ok(e, `${name} exported (got ${[...all.keys()].join(", ")})`);
  return e;
}

/** Sum data points as `{attributes JSON: value}`. */
function sums(e: Exported): Record<string, number> {
  assert.equal(e.metric.dataPointType, DataPointType.SUM);
  return Object.fromEntries(e.metric.dataPoints.map((p) => [JSON.stringify(p.attributes), p.value as number]));
}

/** Histogram data points as `{attributes JSON: {count, sum}}`. */
function histograms(e: Exported): Record<string, { count: number; sum: number | undefined }> {
  assert.equal(e.metric.dataPointType, DataPointType.HISTOGRAM);
  return Object.fromEntries(
    e.metric.dataPoints.map((p) => {
      const h = p.value as { count: number; sum?: number };
      return [JSON.stringify(p.attributes), { count: h.count, sum: h.sum }];
    }),
  );
}

describe("metrics through the OpenTelemetry SDK (sdk-metrics, InMemoryMetricExporter)", () => {
  beforeEach(() => {
    resetObservability();
    resetBuiltInMetrics();
    trace.disable();
    metrics.disable();
    context.disable();
    diag.disable();
    diagnostics.length = 0;
    // The SDK reports rejected instruments only through diag: capture it to fail on any warning.
    const capture = (...args: unknown[]): void => void diagnostics.push(args.map(String).join(" "));
    diag.setLogger(
      { error: capture, warn: capture, info: () => {}, debug: () => {}, verbose: () => {} },
      DiagLogLevel.WARN,
    );
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    tracer = new InMemoryTracerProvider();
    trace.setGlobalTracerProvider(tracer);
    exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    // A long interval: collection happens only on forceFlush, so each test controls it.
    reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    provider = new MeterProvider({ readers: [reader] });
    assert.ok(metrics.setGlobalMeterProvider(provider));
  });
  afterEach(async () => {
    await provider.shutdown();
    trace.disable();
    metrics.disable();
    context.disable();
    diag.disable();
    resetObservability();
    resetBuiltInMetrics();
  });

  test("built-in instruments: names, units, descriptions, value types and scopes as exported", async () => {
    const done = k8sOperationRecorder("PatchStepRunStatus");
    done({ durationSeconds: 0.25, success: true });
    done({ durationSeconds: 0.5, success: false });
    recordStreamReconnectAttempt("eof");
    recordStreamReconnectAttempt("eof");
    recordBackpressureTimeout("send");
    let size = 3;
    const unregister = registerClientBufferGauges(
      () => size,
      () => {
        throw new Error("not measurable now");
      },
    );

    const all = await collect();
    const k8s = get(all, METRIC.K8S_OPERATION_DURATION);
    assert.equal(k8s.scope, SDK_METER_NAME);
    const { name, description, unit, valueType } = k8s.metric.descriptor;
    assert.deepEqual(
      { name, description, unit, valueType },
      {
        name: "bubu.k8s.operation.duration_seconds",
        description: "Duration of Kubernetes API operations",
        unit: "s",
        valueType: ValueType.DOUBLE,
      },
    );
    assert.deepEqual(histograms(k8s), {
      '{"operation":"PatchStepRunStatus","success":true}': { count: 1, sum: 0.25 },
      '{"operation":"PatchStepRunStatus","success":false}': { count: 1, sum: 0.5 },
    });
    const attempts = get(all, METRIC.STREAM_RECONNECT_ATTEMPTS);
    assert.equal(attempts.metric.descriptor.valueType, ValueType.INT);
    assert.equal(attempts.metric.dataPointType, DataPointType.SUM);
    assert.equal(attempts.metric.isMonotonic, true);
    assert.deepEqual(sums(attempts), { '{"reason":"eof"}': 2 });
    assert.deepEqual(sums(get(all, METRIC.BACKPRESSURE_TIMEOUTS)), { '{"stage":"send"}': 1 });

    const bufferSize = get(all, METRIC.CLIENT_BUFFER_SIZE);
    assert.equal(bufferSize.metric.dataPointType, DataPointType.GAUGE);
    assert.equal(bufferSize.metric.descriptor.unit, "{messages}");
    assert.deepEqual(
      bufferSize.metric.dataPoints.map((p) => p.value),
      [3],
    );
    const bytes = all.get(METRIC.CLIENT_BUFFER_BYTES);
    assert.deepEqual(bytes?.metric.dataPoints ?? [], [], "a throwing gauge callback observes nothing");

    size = 7;
    assert.deepEqual(
      get(await collect(), METRIC.CLIENT_BUFFER_SIZE).metric.dataPoints.map((p) => p.value),
      [7],
      "polled on every collection",
    );
    unregister();
    size = 99;
    const after = (await collect()).get(METRIC.CLIENT_BUFFER_SIZE)?.metric.dataPoints.map((p) => p.value) ?? [];
    assert.ok(!after.includes(99), "unregistered: the callback is no longer polled");
    assert.deepEqual(diagnostics, [], "the SDK accepted every instrument");
  });

  test("the metrics entry point: counter, histogram, gauge; secret values scrubbed from labels", async () => {
    const unregisterSecret = registerSecretValues(["hunter2-secret"]);
    try {
      counter("engram.items_total", "Items handled").add(2, { tenant: "acme", token: "hunter2-secret" });
      histogram("engram.latency_seconds", "Handling latency", "s").record(0.125, { route: "a" });
      const stop = gauge("engram.queue_depth", "Items waiting", "{items}", () => 11);
      const all = await collect();
      const c = get(all, "engram.items_total");
      assert.equal(c.scope, SDK_METER_NAME);
      assert.equal(c.metric.descriptor.valueType, ValueType.INT);
      const [point] = c.metric.dataPoints;
      assert.equal(point?.value, 2);
      assert.equal(point?.attributes.tenant, "acme");
      assert.ok(!JSON.stringify(c.metric.dataPoints).includes("hunter2-secret"), "the secret value is not exported");
      assert.deepEqual(histograms(get(all, "engram.latency_seconds")), { '{"route":"a"}': { count: 1, sum: 0.125 } });
      assert.equal(get(all, "engram.latency_seconds").metric.descriptor.unit, "s");
      const g = get(all, "engram.queue_depth");
      assert.equal(g.metric.dataPointType, DataPointType.GAUGE);
      assert.deepEqual(
        g.metric.dataPoints.map((p) => p.value),
        [11],
      );
      stop();
      assert.deepEqual(diagnostics, []);
    } finally {
      unregisterSecret();
    }
  });

  test("storage: both meters' size histograms from a dehydrate → hydrate round trip", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bubu-otel-sdk-"));
    try {
      const m = new StorageManager({ store: await createFileStore(detectRuntime().fs, dir), maxInlineSize: 16 });
      const ref = await m.dehydrate({ text: "x".repeat(100) }, "ns1/step-a");
      assert.deepEqual(await m.hydrate(ref), { text: "x".repeat(100) });
      const all = await collect();
      for (const [name, scope] of [
        [METRIC.DEHYDRATION_SIZE, SDK_METER_NAME],
        [METRIC.HYDRATION_SIZE, SDK_METER_NAME],
        [METRIC.STORAGE_DEHYDRATION_SIZE, STORAGE_METER_NAME],
        [METRIC.STORAGE_HYDRATION_SIZE, STORAGE_METER_NAME],
      ] as const) {
        const e = get(all, name);
        assert.equal(e.scope, scope, name);
        assert.equal(e.metric.descriptor.unit, "By", name);
        assert.equal(e.metric.descriptor.valueType, ValueType.INT, name);
        const points = Object.values(histograms(e));
        assert.equal(points.length, 1, name);
        assert.equal(points[0]!.count, 1, name);
        assert.ok((points[0]!.sum ?? 0) > 0, `${name} has a size`);
      }
      assert.ok(
        tracer.spans.some((s) => s.name === "storage.Dehydrate") &&
          tracer.spans.some((s) => s.name === "storage.Hydrate"),
      );
      assert.deepEqual(diagnostics, []);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("streaming: an echo through the fake connector counts received and sent messages", async () => {
    const fake = await FakeConnector.start({ startup: "none" });
    const stop = new AbortController();
    try {
      const engram = defineStreaming({
        async stream(_signal, inbound, outbound) {
          for await (const msg of inbound) {
            await outbound.send(newStreamMessage("data", { json: { echo: json(msg.payload) } }));
            msg.done();
          }
        },
      });
      const { logger } = memoryLogger();
      const outcome = startStreaming(engram, {
        env: streamEnv(fake.endpoint),
        exit: false,
        logger,
        signal: stop.signal,
      });
      await fake.waitFor(
        () => fake.controlRequests.some((r) => r.metadata.type === "connector.ready"),
        10_000,
        "startup ACK",
      );
      for (let i = 0; i < 3; i++) await fake.sendData(envelopePacket({ payload: { i } }));
      await fake.waitFor(() => fake.dataRequests.length === 3, 10_000, "three echoes");
      const all = await collect();
      const messages = get(all, METRIC.STREAM_MESSAGES);
      assert.equal(messages.scope, SDK_METER_NAME);
      assert.deepEqual(sums(messages), { '{"direction":"received"}': 3, '{"direction":"sent"}': 3 });
      stop.abort();
      assert.equal((await outcome).exitCode, 0);
      assert.deepEqual(diagnostics, []);
    } finally {
      stop.abort();
      await fake.close();
    }
  });

  test("streaming: the client buffer gauges report what waits while the connector stops reading", async () => {
    const fake = await FakeConnector.start({ startup: "none" });
    const stop = new AbortController();
    const N = 12;
    try {
      const blob = new Uint8Array(256 * 1024).fill(7);
      const engram = defineStreaming({
        async stream(_signal, inbound, outbound) {
          for await (const msg of inbound) {
            msg.done();
            for (let i = 0; i < N; i++)
              await outbound.send({ kind: "data", binary: { payload: blob, mimeType: "application/octet-stream" } });
          }
        },
      });
      const { logger } = memoryLogger();
      const outcome = startStreaming(engram, {
        env: streamEnv(fake.endpoint),
        exit: false,
        logger,
        signal: stop.signal,
      });
      await fake.waitFor(
        () => fake.controlRequests.some((r) => r.metadata.type === "connector.ready"),
        10_000,
        "startup ACK",
      );
      await fake.setReading(false);
      await fake.sendData(envelopePacket({ payload: { go: 1 } }));
      let size = 0;
      let bytes = 0;
      const t0 = Date.now();
      while (size === 0 && Date.now() - t0 < 10_000) {
        const all = await collect();
        size = Number(all.get(METRIC.CLIENT_BUFFER_SIZE)?.metric.dataPoints[0]?.value ?? 0);
        bytes = Number(all.get(METRIC.CLIENT_BUFFER_BYTES)?.metric.dataPoints[0]?.value ?? 0);
        if (size === 0) await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(size > 0, "packets wait in the client buffer while the connector does not read");
      assert.ok(bytes >= size * blob.length, `bytes (${bytes}) cover the waiting packets (${size} × ${blob.length})`);
      await fake.setReading(true);
      await fake.waitFor(() => fake.dataRequests.length === N, 20_000, "all packets delivered");
      const after = await collect();
      assert.deepEqual(
        after.get(METRIC.CLIENT_BUFFER_SIZE)?.metric.dataPoints.map((p) => p.value),
        [0],
      );
      stop.abort();
      assert.equal((await outcome).exitCode, 0);
      assert.deepEqual(diagnostics, []);
    } finally {
      stop.abort();
      await fake.close();
    }
  });

  test("BUBU_SDK_METRICS_ENABLED=false: the SDK exports nothing from the SDK's meters", async () => {
    configureObservability({ metrics: false });
    resetBuiltInMetrics();
    k8sOperationRecorder("TriggerStory")({ durationSeconds: 0.1, success: true });
    recordStreamReconnectAttempt("eof");
    counter("engram.items_total").add(1);
    registerClientBufferGauges(
      () => 1,
      () => 1,
    );
    const all = await collect();
    assert.deepEqual([...all.keys()], []);
  });
});
