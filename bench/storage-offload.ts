// Offload (dehydrate) and hydrate throughput and peak memory against the S3 peer (versitygw), per
// runtime, next to a bare signed fetch of the same bytes (the limit). Peak memory is the kernel's
// high-water mark (VmHWM, reset through /proc/self/clear_refs before each operation), so short
// spikes inside synchronous code are counted. Start the peer first: bash test/peers/s3/start.sh
// Run: node bench/storage-offload.ts [reps=5]          (drives bun, deno and node workers)
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { StorageManager } from "../src/storage/manager.ts";
import { S3Store } from "../src/storage/s3/s3-store.ts";
import { signV4 } from "../src/storage/s3/sigv4.ts";
import { median } from "./support.ts";

const root = resolve(fileURLToPath(import.meta.url), "../..");
const MiB = 1024 * 1024;

function peerEnv(): Record<string, string> {
  const text = readFileSync(join(root, ".cache/peers/s3/env"), "utf8");
  return Object.fromEntries(
    text
      .split("\n")
      .map((l) => /^([A-Z0-9_]+)='([^']*)'$/.exec(l))
      .filter((m) => m)
      .map((m) => [m![1]!, m![2]!]),
  );
}

function status(field: "VmHWM" | "VmRSS"): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync("/proc/self/status", "utf8"));
  return Number(m![1]) * 1024;
}

function gc(): void {
  const g = globalThis as { gc?: () => void; Bun?: { gc(sync: boolean): void } };
  if (g.Bun) g.Bun.gc(true);
  else g.gc?.();
}

/** Runs `op` and returns [ms, peak RSS above the RSS just before it]. */
async function measure(op: () => Promise<unknown>): Promise<[number, number, unknown]> {
  gc();
  writeFileSync("/proc/self/clear_refs", "5");
  const before = status("VmRSS");
  const t0 = performance.now();
  const out = await op();
  const ms = performance.now() - t0;
  return [ms, status("VmHWM") - before, out];
}

async function worker(reps: number): Promise<void> {
  const env = peerEnv();
  const creds = { accessKeyId: env.BUBU_TEST_S3_ACCESS_KEY!, secretAccessKey: env.BUBU_TEST_S3_SECRET_KEY! };
  const store = new S3Store({
    bucket: env.BUBU_TEST_S3_BUCKET!,
    region: env.BUBU_TEST_S3_REGION!,
    endpoint: env.BUBU_TEST_S3_ENDPOINT!,
    forcePathStyle: true,
    maxAttempts: 3,
    maxBackoffMs: 1000,
    requestTimeoutMs: 120_000,
    partSize: 5 * MiB,
    concurrency: 5,
    sse: undefined,
    sseKmsKey: undefined,
    credentials: () => Promise.resolve(creds),
    fetch: (i, init) => fetch(i, init),
  });
  // As createStorageManager picks it from the runtime: a whole-body read on Bun.
  const m = new StorageManager({ store, maxInlineSize: 1024, readBodyWhole: "Bun" in globalThis });
  const rows: string[] = [];
  for (const size of [1 * MiB, 64 * MiB]) {
    const chunk = "The quick brown fox jumps over the lazy dog 0123456789. ";
    const payload = chunk.repeat(Math.ceil(size / chunk.length)).slice(0, size);
    const bytes = new TextEncoder().encode(payload);
    const results: Record<string, { ms: number[]; peak: number[] }> = {};
    const add = (k: string, ms: number, peak: number): void => {
      (results[k] ??= { ms: [], peak: [] }).ms.push(ms);
      results[k]!.peak.push(peak);
    };
    for (let r = 0; r < reps; r++) {
      const id = `bench/${process.pid}-${size}-${r}`;
      const [oms, opeak, ref] = await measure(() => m.dehydrate(payload, id));
      add("offload", oms, opeak);
      const [hms, hpeak, back] = await measure(() => m.hydrate(ref));
      if (back !== payload) throw new Error("hydrated payload differs");
      add("hydrate", hms, hpeak);
      const url = new URL(
        `${env.BUBU_TEST_S3_ENDPOINT}/${env.BUBU_TEST_S3_BUCKET}/bench/bare-${process.pid}-${size}-${r}`,
      );
      const sign = async (method: string): Promise<Record<string, string>> => {
        const s = await signV4({
          method,
          url,
          headers: { host: url.host },
          payloadHash: "UNSIGNED-PAYLOAD",
          region: env.BUBU_TEST_S3_REGION!,
          service: "s3",
          credentials: creds,
          now: new Date(),
        });
        delete s.headers.host;
        return s.headers;
      };
      const [pms, ppeak] = await measure(async () => {
        const res = await fetch(url, { method: "PUT", headers: await sign("PUT"), body: bytes });
        if (!res.ok) throw new Error(`bare PUT ${res.status} ${await res.text()}`);
        await res.body?.cancel();
      });
      add("bare PUT", pms, ppeak);
      const [gms, gpeak] = await measure(async () => {
        const res = await fetch(url, { headers: await sign("GET") });
        const got = new Uint8Array(await res.arrayBuffer());
        if (got.length !== bytes.length) throw new Error("bare GET length differs");
      });
      add("bare GET", gms, gpeak);
    }
    for (const [op, r] of Object.entries(results)) {
      const ms = median(r.ms);
      const peak = median(r.peak);
      rows.push(
        `${(size / MiB).toString().padStart(2)} MiB ${op.padEnd(8)} ${(size / MiB / (ms / 1000)).toFixed(1).padStart(7)} MB/s ` +
          `peak +${(peak / MiB).toFixed(1).padStart(6)} MiB (${(peak / size).toFixed(2)}x payload)`,
      );
    }
  }
  console.log(rows.join("\n"));
  await m.close();
}

if (process.argv.includes("--worker")) {
  await worker(Number(process.argv[process.argv.indexOf("--worker") + 1] ?? 5));
} else {
  const reps = Number(process.argv[2] ?? 5);
  const self = fileURLToPath(import.meta.url);
  const bins: Record<string, string[]> = {
    bun: [join(root, "node_modules/.bin/bun"), "run"],
    deno: [join(root, ".cache/runtimes/deno"), "run", "-A", "--no-check", "--v8-flags=--expose-gc"],
    node: [join(root, ".cache/node/node_modules/.bin/node"), "--expose-gc"],
  };
  for (const [rt, cmd] of Object.entries(bins)) {
    const r = spawnSync(cmd[0]!, [...cmd.slice(1), self, "--worker", String(reps)], {
      cwd: root,
      encoding: "utf8",
      maxBuffer: 1 << 20,
    });
    if (r.status !== 0) throw new Error(`${rt}: exit ${r.status}: ${r.stdout}${r.stderr}`);
    console.log(`== ${rt} (median of ${reps}; peak = VmHWM above the RSS before the operation)\n${r.stdout.trim()}`);
  }
}
