// Observability overhead: tracing + metrics on vs off, per runtime, with the OpenTelemetry SDK
// registered as an application would (bench/fixtures/otel-setup.ts; exporters count and drop).
//   none = nothing registered (the API's no-op default)
//   off  = SDK providers registered, BUBU_SDK_TRACING_ENABLED/METRICS_ENABLED=false, BUBU_TRACE_PROPAGATION=false
//   on   = SDK providers registered, all toggles on (the default)
// The engram's own spans are the app's: they exist in `off` and `on`. on/off is the SDK's own
// telemetry (metrics, propagation, storage spans); on/none is everything an app turns on.
// Streaming: a traced echo engram (a span per message under the inbound traceparent) through the
// fake connector, 1 KiB payloads, messages/s. Batch: startBatch run in a loop in one process
// (local mode, file storage, output offloaded), runs/s. Medians of `runs`, modes interleaved.
//   node bench/otel-overhead.ts [runs=5] [bun,deno,node]
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import process from "node:process";
import { envelopePacket } from "../test/peers/connector/packets.ts";
import { FakeConnectorServer } from "../test/peers/connector/server.ts";
import { bindingJson } from "../test/streaming/helpers.ts";
import { commandFor, type RuntimeName, repoRoot } from "../test/support/spawn.ts";
import { cpuSeconds, median } from "./support.ts";

type Mode = "none" | "off" | "on";
const MODES: Mode[] = ["none", "off", "on"];
const runs = Number(process.argv[2] ?? "5");
const runtimes = (process.argv[3] ?? "bun,deno,node").split(",") as RuntimeName[];
const STREAM_MESSAGES = 5_000;
const UPSTREAM_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const UPSTREAM_SPAN = "00f067aa0ba902b7";
const BATCH_RUNS = 500;

interface Sample {
  /** Messages or runs per second (wall clock). */
  readonly rate: number;
  /** CPU time of the engram process per message or run, in µs (steadier than wall clock here). */
  readonly cpuUs: number;
}

function modeEnv(mode: Mode): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/root",
    OTEL_BENCH_MODE: mode,
  };
  if (mode === "off")
    Object.assign(env, {
      BUBU_SDK_TRACING_ENABLED: "false",
      BUBU_SDK_METRICS_ENABLED: "false",
      BUBU_TRACE_PROPAGATION: "false",
    });
  return env;
}

async function streamOnce(rt: RuntimeName, mode: Mode): Promise<Sample> {
  const server = new FakeConnectorServer({ startup: "none" });
  let ready = false;
  let lastTraceparent: string | undefined;
  let echoed = 0;
  let target = 0;
  let reached: (() => void) | undefined;
  server.onEvent((e) => {
    if (e.type === "control-request" && e.request.metadata.type === "connector.ready") ready = true;
    if (e.type !== "data-request" || e.request.metadata["bubu-heartbeat"] === "true") return;
    lastTraceparent = e.request.metadata.traceparent;
    if (++echoed === target) reached?.();
  });
  const endpoint = await server.listen();
  const [cmd, args] = commandFor(rt, resolve(repoRoot, "bench/fixtures/otel-stream-echo.ts"));
  const child = spawn(cmd, args, {
    env: { ...modeEnv(mode), BUBU_TRANSPORT_BINDING: bindingJson(endpoint) },
    stdio: ["ignore", "ignore", "inherit"],
  });
  // Every message carries an upstream trace context, as messages from a traced story do.
  const packet = envelopePacket({
    payload: { blob: "x".repeat(1024) },
    metadata: { traceparent: `00-${UPSTREAM_TRACE}-${UPSTREAM_SPAN}-01` },
  });
  const exchange = async (count: number): Promise<void> => {
    echoed = 0;
    target = count;
    const done = new Promise<void>((r) => (reached = r));
    for (let i = 0; i < count; i++) server.sendData(packet);
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    const exited = new Promise<never>((_, reject) =>
      child.once("exit", () => reject(new Error(`${rt}/${mode}: exited after ${echoed}/${count}`))),
    );
    exited.catch(() => {});
    try {
      await Promise.race([done, exited]);
    } finally {
      clearTimeout(timer);
    }
  };
  try {
    const t0 = Date.now();
    while (!ready) {
      if (Date.now() - t0 > 20_000) throw new Error(`${rt}/${mode}: no handshake`);
      await new Promise((r) => setTimeout(r, 10));
    }
    await exchange(500); // warm-up
    const cpu0 = cpuSeconds(child.pid!);
    const start = performance.now();
    await exchange(STREAM_MESSAGES);
    const rate = STREAM_MESSAGES / ((performance.now() - start) / 1000);
    const cpuUs = ((cpuSeconds(child.pid!) - cpu0) / STREAM_MESSAGES) * 1e6;
    // Proof the mode is what it claims: with the SDK's telemetry on, the outbound traceparent is
    // the engram's span (a child of the upstream one); otherwise the echoed metadata keeps the
    // upstream span as it came in.
    const span = lastTraceparent?.split("-")[2];
    const traced = lastTraceparent?.startsWith(`00-${UPSTREAM_TRACE}-`) === true && span !== UPSTREAM_SPAN;
    if (traced !== (mode === "on"))
      throw new Error(`${rt}/${mode}: outbound traceparent ${lastTraceparent} does not match the mode`);
    return { rate, cpuUs };
  } finally {
    child.kill("SIGKILL");
    await server.close();
  }
}

async function batchOnce(rt: RuntimeName, mode: Mode): Promise<Sample> {
  // tmpfs when there is one: the loop measures the SDK, not the disk.
  const dir = await mkdtemp(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "bubu-otel-bench-"));
  try {
    const [cmd, args] = commandFor(rt, resolve(repoRoot, "bench/fixtures/otel-batch-loop.ts"), [
      dir,
      String(BATCH_RUNS),
    ]);
    const child = spawn(cmd, args, { env: modeEnv(mode), stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr!.on("data", (d) => (err += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 300_000);
    const code = await new Promise<number | null>((r) => child.once("exit", r));
    clearTimeout(timer);
    const line = err.trim().split("\n").at(-1) ?? "";
    if (code !== 0 || !line.startsWith("{")) throw new Error(`batch ${rt}/${mode} failed (${code}): ${err}`);
    const result = JSON.parse(line) as { runsPerSecond: number; cpuUsPerRun: number; spans: number };
    if (mode === "on" && result.spans === 0) throw new Error(`batch ${rt}/on exported no spans`);
    if (mode !== "on" && result.spans !== 0) throw new Error(`batch ${rt}/${mode} exported ${result.spans} spans`);
    return { rate: result.runsPerSecond, cpuUs: result.cpuUsPerRun };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

console.log(
  `runs=${runs}, modes interleaved; medians. Streaming: ${STREAM_MESSAGES} x 1 KiB echoes. Batch: ${BATCH_RUNS} runs in one process.`,
);
console.log("rate = msg/s or runs/s (wall clock); cpu = engram-process CPU µs per message or run");
console.log("| runtime | bench | none: rate / cpu | off: rate / cpu | on: rate / cpu | cpu on/none | cpu on/off |");
console.log("|---|---|---|---|---|---|---|");
for (const rt of runtimes) {
  for (const [label, fn] of [
    ["stream echo", streamOnce],
    ["batch run", batchOnce],
  ] as const) {
    const samples: Record<Mode, Sample[]> = { none: [], off: [], on: [] };
    for (let r = 0; r < runs; r++) {
      for (let j = 0; j < MODES.length; j++) {
        const mode = MODES[(j + r) % MODES.length]!; // rotate the order every round
        samples[mode].push(await fn(rt, mode));
      }
    }
    const med = (m: Mode, f: (s: Sample) => number): number => median(samples[m].map(f));
    const cell = (m: Mode): string => `${Math.round(med(m, (s) => s.rate))} / ${Math.round(med(m, (s) => s.cpuUs))}`;
    const cpu = (m: Mode): number => med(m, (s) => s.cpuUs);
    console.log(
      `| ${rt} | ${label} | ${cell("none")} | ${cell("off")} | ${cell("on")} | ${(cpu("on") / cpu("none")).toFixed(2)} | ${(cpu("on") / cpu("off")).toFixed(2)} |`,
    );
  }
}
