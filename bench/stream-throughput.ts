// Streaming throughput: an echo engram through the fake connector, in messages per second, for
// 100 B, 1 KiB and 64 KiB payloads per runtime; next to a bare Connect bidi client doing the same
// exchange (the limit on this machine) and to the Go echo engram (bubu-sdk-go v0.1.5).
// Targets (issue 7): ours >= 0.8x the bare client, and not slower than Go.
//   node bench/stream-throughput.ts [runs=5] [runtimes=bun,deno,node]
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import process from "node:process";
import { FakeConnectorServer } from "../test/peers/connector/server.ts";
import { envelopePacket } from "../test/peers/connector/packets.ts";
import { commandFor, repoRoot, type RuntimeName } from "../test/support/spawn.ts";
import { bindingJson } from "../test/streaming/helpers.ts";

const runs = Number(process.argv[2] ?? "5");
const runtimes = (process.argv[3] ?? "bun,deno,node").split(",") as RuntimeName[];
const sizes: [string, number, number][] = [["100 B", 100, 20_000], ["1 KiB", 1024, 20_000], ["64 KiB", 65536, 2_000]];
const goBin = resolve(repoRoot, ".cache/go-echo");

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function once(client: "sdk" | "bare" | "go", rt: RuntimeName, size: number, n: number): Promise<number> {
  const server = new FakeConnectorServer({ startup: "none" });
  let echoed = 0;
  let opened = false;
  let ready = false;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  server.onEvent((e) => {
    if (e.type === "data-open") opened = true;
    if (e.type === "control-request" && e.request.metadata.type === "connector.ready") ready = true;
    if (e.type === "data-request" && e.request.metadata["bubu-heartbeat"] !== "true" && ++echoed === n) done();
  });
  const endpoint = await server.listen();
  const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", BUBU_TRANSPORT_BINDING: bindingJson(endpoint) };
  const [cmd, args] = client === "go"
    ? [goBin, []]
    : client === "bare"
    ? commandFor(rt, resolve(repoRoot, "bench/fixtures/stream-bare-echo.ts"), [endpoint])
    : commandFor(rt, resolve(repoRoot, "test/streaming/fixtures/echo-engram.ts"));
  const child = spawn(cmd, args, { env, stdio: ["ignore", "ignore", "ignore"] });
  try {
    const t0 = Date.now();
    while (!(client === "bare" ? opened : ready)) {
      if (Date.now() - t0 > 20_000) throw new Error(`${client}/${rt}: no handshake`);
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, 100));
    const payload = { blob: "x".repeat(size) };
    const start = performance.now();
    for (let i = 0; i < n; i++) server.sendData(envelopePacket({ payload }));
    await finished;
    return n / ((performance.now() - start) / 1000);
  } finally {
    child.kill("SIGKILL");
    await server.close();
  }
}

console.log(`runs=${runs}; median msg/s (payload echoed through the fake connector)`);
console.log("| payload | runtime | bare Connect client | our engram | ratio | Go engram |");
console.log("|---|---|---|---|---|---|");
for (const [label, size, n] of sizes) {
  let go = "n/a";
  if (existsSync(goBin)) {
    const xs: number[] = [];
    for (let i = 0; i < runs; i++) xs.push(await once("go", "node", size, n));
    go = String(Math.round(median(xs)));
  }
  for (const rt of runtimes) {
    const bare: number[] = [];
    const sdk: number[] = [];
    for (let i = 0; i < runs; i++) {
      bare.push(await once("bare", rt, size, n));
      sdk.push(await once("sdk", rt, size, n));
    }
    const b = median(bare);
    const s = median(sdk);
    console.log(`| ${label} | ${rt} | ${Math.round(b)} | ${Math.round(s)} | ${(s / b).toFixed(2)} | ${go} |`);
  }
}
if (!existsSync(goBin)) console.log(`(Go engram: build it with: cd test/interop/streaming/go-echo && go build -o ${goBin} .)`);
