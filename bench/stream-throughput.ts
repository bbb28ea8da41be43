// Streaming throughput: an echo engram through the fake connector, in messages per second, for
// 100 B, 1 KiB and 64 KiB payloads per runtime; next to a bare Connect bidi client doing the same
// exchange (the limit on this machine) and to the Go echo engram (bubu-sdk-go v0.1.5).
// Targets (issue 7): ours >= 0.8x the bare client, and not slower than Go.
//   node bench/stream-throughput.ts [runs=5] [runtimes=bun,deno,node] [sizes=100,1024,65536] [plain|sequenced]
// `sequenced` gives every packet a stream id and sequence, so each echo also sends a
// `downstream.delivered` receipt (held until the connector confirmed the echo).
// BENCH_BASELINE=<dir> adds the echo engram of another checkout (e.g. `git archive <rev>` with
// node_modules linked in) as a "before" column, interleaved with the rest.
// BENCH_MEMORY=1 prints the memory row instead: each client echoes 10,000 1 KiB messages (queued
// at once, after the handshake, no warm-up), then its peak RSS (VmHWM) and RSS are read from
// /proc, and its RSS again after 2 s idle; medians over the runs, interleaved
// (BENCH_MEMORY_MESSAGES=10 shows the floor: the client with almost nothing in flight). Node runs twice: the
// TS sources (type stripping) and dist/ (what the npm package runs; built if missing). Each client
// also runs inside a memory cgroup with the operator's default pod limit (512 MiB) when the machine
// allows one (root): the runtimes size their heaps by it as they do in a pod, Go does not. Deno
// runs once more with the V8 flags the Deno scaffold compiles into long-running components.
//
// How it measures: the fake connector runs in this (Node) process; each client is a fresh child
// process. After the handshake, a warm-up batch is echoed in full (JIT, HTTP/2 windows), then N
// envelope packets are queued on the fake at once and the clock stops when the N-th echo
// (heartbeats excluded) has been read back. Runs are interleaved: every round runs Go, then
// bare/ours per runtime, in a rotating order, so a load spike from other work on the machine
// hits every column alike. CPU columns: the client's CPU time per message in the timed window,
// and (in brackets) the cores the fake (this process) used, to show which side is the limit.
// Other work on the machine changes msg/s a lot; CPU per message much less.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { DENO_LONG_RUNNING_V8_FLAGS } from "../src/cli/scaffold-commands.ts";
import { envelopePacket } from "../test/peers/connector/packets.ts";
import { FakeConnectorServer } from "../test/peers/connector/server.ts";
import { bindingJson } from "../test/streaming/helpers.ts";
import { commandFor, type RuntimeName, repoRoot } from "../test/support/spawn.ts";
import { createMemoryCgroup, type MemoryCgroup, POD_MEMORY_LIMIT_MIB } from "./memory-limit.ts";
import { cpuSeconds, median } from "./support.ts";

const runs = Number(process.argv[2] ?? "5");
const runtimes = (process.argv[3] ?? "bun,deno,node").split(",") as RuntimeName[];
const wanted = (process.argv[4] ?? "100,1024,65536").split(",").map(Number);
const sequenced = process.argv[5] === "sequenced";
// 64 KiB: 2,000 messages (400 of warm-up) so the window is seconds long; with 800 (and 200 of
// warm-up) Bun's JIT had not settled and medians of 5 swung by ±25%.
const allSizes: [string, number, number][] = [
  ["100 B", 100, 8_000],
  ["1 KiB", 1024, 8_000],
  ["64 KiB", 65536, 2_000],
];
const sizes = allSizes.filter(([, size]) => wanted.includes(size));
const goBin = resolve(repoRoot, ".cache/go-echo");
const hasGo = existsSync(goBin);
const baseline = process.env.BENCH_BASELINE;

type Client = "sdk" | "bare" | "go" | "base" | "dist" | "v8";
interface Sample {
  rate: number;
  clientCores: number;
  fakeCores: number;
}

interface Memory {
  /** VmHWM after the messages, MiB. */
  peak: number;
  /** VmRSS right after, and after 2 s idle, MiB. */
  rss: number;
  idle: number;
}

/**
 * The echo engram (as test/streaming/fixtures/echo-engram.ts, without its test knobs) in
 * JavaScript on the public entry point of the SDK's dist/ build (`npm run build`): what Node runs
 * from the npm package (no type stripping).
 */
function distEcho(): string {
  const out = resolve(repoRoot, ".cache/bench/echo-engram-dist.mjs");
  const sdk = pathToFileURL(resolve(repoRoot, "dist/mod.js")).href;
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    `import { defineStreaming, start } from ${JSON.stringify(sdk)};
await start(defineStreaming({
  async stream(_ctx, inbound, outbound) {
    for await (const msg of inbound) {
      const { done: _done, envelope: _envelope, ...rest } = msg;
      await outbound.send(rest);
      msg.done();
    }
  },
}));
`,
  );
  return out;
}

/** VmHWM and VmRSS of `pid` in MiB (Linux /proc). */
function memoryOf(pid: number): { peak: number; rss: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (field: string): number =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
  return { peak: kib("VmHWM") / 1024, rss: kib("VmRSS") / 1024 };
}

async function once(client: Client, rt: RuntimeName, size: number, n: number): Promise<Sample>;
async function once(
  client: Client,
  rt: RuntimeName,
  size: number,
  n: number,
  memory: true,
  cgroup?: MemoryCgroup,
): Promise<Memory>;
async function once(
  client: Client,
  rt: RuntimeName,
  size: number,
  n: number,
  memory = false,
  cgroup?: MemoryCgroup,
): Promise<Sample | Memory> {
  const server = new FakeConnectorServer({ startup: "none" });
  let echoed = 0;
  let receipted = 0;
  let target = Number.POSITIVE_INFINITY;
  let opened = false;
  let ready = false;
  let reached: (() => void) | undefined;
  // Sequenced: our engram's window ends with the last receipt too (Go drops receipts in a
  // burst, quirks I7, and the bare client sends none: theirs end with the last echo).
  const receipts = sequenced && (client === "sdk" || client === "base");
  const check = (): void => {
    if (echoed >= target && (!receipts || receipted >= target)) reached?.();
  };
  server.onEvent((e) => {
    if (e.type === "data-open") opened = true;
    if (e.type === "control-request" && e.request.metadata.type === "connector.ready") ready = true;
    if (e.type === "data-request" && e.request.metadata["bubu-heartbeat"] !== "true") {
      echoed++;
      check();
    }
    if (e.type === "control-request" && e.request.customAction === "downstream.delivered") {
      receipted++;
      check();
    }
  });
  const endpoint = await server.listen();
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/root",
    BUBU_TRANSPORT_BINDING: bindingJson(endpoint),
    // The flags the Deno scaffold compiles into a long-running component (DENO_V8_FLAGS = --v8-flags).
    ...(client === "v8" ? { DENO_V8_FLAGS: DENO_LONG_RUNNING_V8_FLAGS } : {}),
  };
  const [cmd, args] =
    client === "go"
      ? [goBin, []]
      : client === "bare"
        ? commandFor(rt, resolve(repoRoot, "bench/fixtures/stream-bare-echo.ts"), [endpoint])
        : client === "dist"
          ? commandFor("node", distEcho())
          : commandFor(rt, resolve(client === "base" ? baseline! : repoRoot, "test/streaming/fixtures/echo-engram.ts"));
  const [file, argv] = cgroup ? cgroup.wrap(cmd, args) : [cmd, args];
  const child = spawn(file, argv, { env, stdio: ["ignore", "ignore", "ignore"] });
  const packet = envelopePacket({ payload: { blob: "x".repeat(size) } });
  let sequence = 0;
  const next = () =>
    sequenced
      ? envelopePacket({ payload: { blob: "x".repeat(size) }, streamId: "bench", sequence: ++sequence })
      : packet;
  const exchange = async (count: number): Promise<void> => {
    echoed = 0;
    receipted = 0;
    target = count;
    const done = new Promise<void>((r) => (reached = r));
    for (let i = 0; i < count; i++) server.sendData(next());
    const timeout = setTimeout(() => child.kill("SIGKILL"), 120_000);
    const exited = new Promise<never>((_, reject) =>
      child.once("exit", () => reject(new Error(`${client}/${rt}: exited after ${echoed}/${count}`))),
    );
    exited.catch(() => {});
    try {
      await Promise.race([done, exited]);
    } finally {
      clearTimeout(timeout);
    }
  };
  try {
    const t0 = Date.now();
    while (!(client === "bare" ? opened : ready)) {
      if (Date.now() - t0 > 20_000) throw new Error(`${client}/${rt}: no handshake`);
      await new Promise((r) => setTimeout(r, 10));
    }
    if (memory) {
      await exchange(n);
      const after = memoryOf(child.pid!);
      await new Promise((r) => setTimeout(r, 2_000));
      return { ...after, idle: memoryOf(child.pid!).rss };
    }
    await exchange(Math.max(200, Math.floor(n / 5))); // warm-up, not timed
    const c0 = cpuSeconds(child.pid!);
    const f0 = process.cpuUsage();
    const start = performance.now();
    await exchange(n);
    const secs = (performance.now() - start) / 1000;
    const f = process.cpuUsage(f0);
    return {
      rate: n / secs,
      clientCores: (cpuSeconds(child.pid!) - c0) / secs,
      fakeCores: (f.user + f.system) / 1e6 / secs,
    };
  } finally {
    child.kill("SIGKILL");
    await server.close();
  }
}

const jobs: [Client, RuntimeName][] = [...(hasGo ? [["go", "node"] as [Client, RuntimeName]] : [])];
for (const rt of runtimes)
  jobs.push(["bare", rt], ["sdk", rt], ...(baseline ? [["base", rt] as [Client, RuntimeName]] : []));
const key = (c: Client, rt: RuntimeName): string =>
  c === "go"
    ? "go"
    : c === "dist"
      ? "sdk/node (dist)"
      : c === "v8"
        ? `sdk/deno (${DENO_LONG_RUNNING_V8_FLAGS}, as the scaffold builds it)`
        : `${c}/${rt}`;

if (process.env.BENCH_MEMORY === "1") {
  const clients: [Client, RuntimeName][] = jobs.filter(([c]) => c !== "bare");
  // Node from the npm package runs dist/: build it when it is missing.
  if (runtimes.includes("node")) {
    if (!existsSync(resolve(repoRoot, "dist/mod.js")))
      execFileSync(process.execPath, [resolve(repoRoot, "scripts/build-dist.ts")], { stdio: "inherit" });
    clients.push(["dist", "node"]);
  }
  if (runtimes.includes("deno")) clients.push(["v8", "deno"]);
  // Every client twice per round: without a limit, and inside a memory cgroup with the operator's
  // default pod limit (the heap sizing a pod gets), when this machine lets us make one.
  const cgroup = createMemoryCgroup(POD_MEMORY_LIMIT_MIB);
  const modes = cgroup ? (["free", "pod"] as const) : (["free"] as const);
  const mem = new Map<string, Memory[]>();
  const messages = Number(process.env.BENCH_MEMORY_MESSAGES ?? 10_000);
  try {
    for (let r = 0; r < runs; r++) {
      for (let j = 0; j < clients.length; j++) {
        const [c, rt] = clients[(j + r) % clients.length]!;
        for (const mode of modes) {
          const m = await once(c, rt, 1024, messages, true, mode === "pod" ? cgroup : undefined);
          const k = `${mode} ${key(c, rt)}`;
          mem.set(k, [...(mem.get(k) ?? []), m]);
        }
      }
    }
  } finally {
    await cgroup?.remove();
  }
  const med = (k: string, f: (m: Memory) => number): number => median(mem.get(k)!.map(f));
  console.log(`streaming echo, ${messages.toLocaleString("en")} × 1 KiB messages; medians of ${runs}, interleaved`);
  if (!cgroup)
    console.log(`(no memory cgroup could be made here: the ${POD_MEMORY_LIMIT_MIB} MiB pod-limit column is missing)`);
  const limited = cgroup ? [`peak in a ${POD_MEMORY_LIMIT_MIB} MiB pod limit`, "vs Go"] : [];
  console.log(
    `| ${["client", "peak RSS (VmHWM)", "vs Go", ...limited, "RSS after", "RSS after 2 s idle"].join(" | ")} |`,
  );
  console.log(`|${"---|".repeat(5 + limited.length)}`);
  for (const [c, rt] of clients) {
    const k = key(c, rt);
    const cols = modes.flatMap((mode) => {
      const peak = med(`${mode} ${k}`, (m) => m.peak);
      const go = hasGo ? med(`${mode} go`, (m) => m.peak) : Number.NaN;
      return [`${peak.toFixed(1)} MiB`, `${(peak / go).toFixed(2)}x`];
    });
    console.log(
      `| ${k} | ${cols.join(" | ")} | ${med(`free ${k}`, (m) => m.rss).toFixed(1)} MiB | ${med(`free ${k}`, (m) => m.idle).toFixed(1)} MiB |`,
    );
  }
  process.exit(0);
}

console.log(
  `runs=${runs}, interleaved; median msg/s of the timed window (payload echoed through the fake connector${sequenced ? ", sequenced: with receipts" : ""})`,
);
console.log("CPU = client CPU µs per message (cores used by the fake in the same window)");
const baseHead = baseline ? ["before", "before/bare", "CPU before"] : [];
console.log(
  `| ${["payload", "runtime", "bare Connect client", "our engram", "ours/bare", "Go engram", "ours/Go", "CPU bare", "CPU ours", "CPU Go", ...baseHead].join(" | ")} |`,
);
console.log(`|${"---|".repeat(10 + baseHead.length)}`);
for (const [label, size, n] of sizes) {
  const samples = new Map<string, Sample[]>();
  for (let r = 0; r < runs; r++) {
    for (let j = 0; j < jobs.length; j++) {
      const [c, rt] = jobs[(j + r) % jobs.length]; // rotate the order every round
      const s = await once(c, rt, size, n);
      const k = key(c, rt);
      samples.set(k, [...(samples.get(k) ?? []), s]);
    }
  }
  const med = (k: string, f: (s: Sample) => number): number => median((samples.get(k) ?? []).map(f));
  const cores = (k: string): string =>
    samples.has(k)
      ? `${Math.round(med(k, (s) => (s.clientCores / s.rate) * 1e6))} (${med(k, (s) => s.fakeCores).toFixed(2)})`
      : "n/a";
  const go = hasGo ? med("go", (s) => s.rate) : Number.NaN;
  for (const rt of runtimes) {
    const b = med(key("bare", rt), (s) => s.rate);
    const s = med(key("sdk", rt), (s) => s.rate);
    const before = baseline ? med(key("base", rt), (s) => s.rate) : Number.NaN;
    const baseCols = baseline
      ? [` ${Math.round(before)} | ${(before / b).toFixed(2)} | ${cores(key("base", rt))} |`]
      : [];
    console.log(
      `| ${label} | ${rt} | ${Math.round(b)} | ${Math.round(s)} | ${(s / b).toFixed(2)} | ${hasGo ? Math.round(go) : "n/a"} | ${
        hasGo ? (s / go).toFixed(2) : "n/a"
      } | ${cores(key("bare", rt))} | ${cores(key("sdk", rt))} | ${cores("go")} |${baseCols.join("")}`,
    );
  }
}
if (!hasGo) console.log(`(Go engram: build it with: cd test/interop/streaming/go-echo && go build -o ${goBin} .)`);
