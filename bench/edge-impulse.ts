// The edge impulse (examples/edge-impulse/worker.ts) on workerd, without Node compatibility:
// the bundle's size (minified, gzipped), cold start (workerd spawned → first /healthz answer;
// and → listening), and verified deliveries per second: new pushes (HMAC checked, replay store
// read and write in the Durable Object, StoryTrigger POST and StoryRun GET) against a stub API
// server on loopback that resolves every StoryTrigger at once, and replays (answered from the
// Durable Object). With the cluster peer running, also new pushes against the real API server
// and operator (the operator's decision is then most of the time).
// Run: node bench/edge-impulse.ts [cold-runs=10] [deliveries=2000] [concurrency=8]
import { createHmac } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { edgeCluster } from "../test/edge/cluster-setup.ts";
import { bundleForWorkers, configFor, serveWorkerd, textBinding, type Workerd, workDir } from "../test/edge/workerd.ts";
import { clusterPeer } from "../test/peers/cluster/peer.ts";
import { cpuSeconds, median } from "./support.ts";

const coldRuns = Number(process.argv[2] ?? 10);
const deliveries = Number(process.argv[3] ?? 2000);
const concurrency = Number(process.argv[4] ?? 8);
const SECRET = "bench secret";
const sign = (body: string): string => `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;
const push = (i: number): string =>
  JSON.stringify({ ref: "refs/heads/main", after: `c${i}`, repository: { full_name: "octo/repo" } });

const work = workDir("edge-bench");
try {
  // Size: what wrangler would upload (minified), and gzipped.
  const min = bundleForWorkers("examples/edge-impulse/worker.ts", join(work.dir, "min.js"), { minify: true });
  const { readFileSync } = await import("node:fs");
  const gz = gzipSync(readFileSync(min.file), { level: 9 }).length;
  console.log(
    `bundle (examples/edge-impulse/worker.ts): ${(min.bytes / 1024).toFixed(1)} KiB minified, ${(gz / 1024).toFixed(1)} KiB gzipped; node:* imports: ${min.externals.length}`,
  );

  // A stub API server: every StoryTrigger is Created at once; Stories are not found (no version).
  let posts = 0;
  const stub = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d));
    req.on("end", () => {
      const url = req.url ?? "";
      res.setHeader("content-type", "application/json");
      if (req.method === "POST" && url.endsWith("/storytriggers")) {
        posts++;
        const t = JSON.parse(body) as { metadata: { name: string; namespace: string } };
        res.writeHead(201).end(
          JSON.stringify({
            ...t,
            status: { decision: "Created", storyRunRef: { name: `run-${t.metadata.name.slice(-12)}` } },
          }),
        );
      } else if (req.method === "GET" && url.includes("/storyruns/")) {
        const [, ns, name] = /namespaces\/([^/]+)\/storyruns\/([^/?]+)/.exec(url) ?? [];
        res.writeHead(200).end(
          JSON.stringify({
            apiVersion: "runs.bubustack.io/v1alpha1",
            kind: "StoryRun",
            metadata: { name, namespace: ns },
          }),
        );
      } else {
        res.writeHead(404).end(JSON.stringify({ kind: "Status", status: "Failure", reason: "NotFound", code: 404 }));
      }
    });
  });
  await new Promise<void>((r) => stub.listen(0, "127.0.0.1", r));
  const stubUrl = `http://127.0.0.1:${(stub.address() as { port: number }).port}`;

  bundleForWorkers("examples/edge-impulse/worker.ts", join(work.dir, "worker.js"), { minify: true });
  const config = (apiUrl: string, token: string, ns: string, caFile?: string): string =>
    configFor({
      modules: ["worker.js"],
      bindings: Object.entries({
        BUBU_KUBE_API_URL: apiUrl,
        BUBU_KUBE_TOKEN: token,
        WEBHOOK_SECRET: SECRET,
        BUBU_TARGET_STORY_NAME: "greet",
        BUBU_TARGET_STORY_NAMESPACE: ns,
      }).map(([k, v]) => textBinding(k, v)),
      durableObjects: [{ name: "REPLAY", className: "ReplayStoreObject" }],
      ...(caFile !== undefined ? { caFile } : {}),
    });

  // Cold start.
  const listen: number[] = [];
  const firstAnswer: number[] = [];
  for (let i = 0; i < coldRuns; i++) {
    const t0 = performance.now();
    const wd = await serveWorkerd(work.dir, config(stubUrl, "bench-token", "bench"));
    listen.push(wd.startMs);
    const r = await fetch(`${wd.url}/healthz`);
    await r.text();
    firstAnswer.push(performance.now() - t0);
    await wd.close();
  }
  console.log(
    `cold start, median of ${coldRuns}: workerd spawned → listening ${median(listen).toFixed(0)} ms; → first /healthz answer ${median(firstAnswer).toFixed(0)} ms`,
  );

  /** Deliveries per second, and workerd's CPU milliseconds per delivery. */
  const drive = async (
    wd: Workerd,
    bodies: readonly string[],
    expect: number,
  ): Promise<{ rate: number; cpuMs: number }> => {
    let next = 0;
    let wrong = 0;
    const cpu0 = cpuSeconds(wd.pid);
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < bodies.length) {
          const body = bodies[next++]!;
          const r = await fetch(`${wd.url}/webhook`, {
            method: "POST",
            body,
            headers: {
              "content-type": "application/json",
              "x-github-event": "push",
              "x-hub-signature-256": sign(body),
            },
          });
          await r.arrayBuffer();
          if (r.status !== expect) wrong++;
        }
      }),
    );
    const s = (performance.now() - t0) / 1000;
    if (wrong > 0)
      throw new Error(`${wrong} of ${bodies.length} answers were not ${expect}:\n${wd.output().slice(-2000)}`);
    return { rate: bodies.length / s, cpuMs: ((cpuSeconds(wd.pid) - cpu0) * 1000) / bodies.length };
  };
  const show = (r: { rate: number; cpuMs: number }, digits = 0): string =>
    `${r.rate.toFixed(digits)}/s (workerd CPU ${r.cpuMs.toFixed(2)} ms each)`;

  {
    const wd = await serveWorkerd(work.dir, config(stubUrl, "bench-token", "bench"));
    const bodies = Array.from({ length: deliveries }, (_, i) => push(i));
    await drive(wd, bodies.slice(0, 100), 202); // warm-up
    const fresh = await drive(wd, bodies.slice(100), 202);
    const replays = await drive(wd, bodies.slice(100), 200);
    console.log(
      `verified deliveries on workerd, ${concurrency} at once: new pushes (stub API, ${posts} StoryTriggers posted) ${show(fresh)}; replays (Durable Object) ${show(replays)}`,
    );
    await wd.close();
  }
  stub.close();

  const peer = clusterPeer();
  if (peer) {
    const cluster = await edgeCluster(peer, "edge-bench");
    try {
      writeFileSync(join(work.dir, "ca.pem"), peer.caPem);
      const wd = await serveWorkerd(work.dir, config(peer.url, cluster.token, cluster.ns, "ca.pem"));
      const n = Math.min(200, deliveries);
      const rate = await drive(
        wd,
        Array.from({ length: n }, (_, i) => push(1_000_000 + i)),
        202,
      );
      console.log(
        `verified deliveries on workerd against the cluster peer (real API server and operator), ${n} new pushes: ${show(rate, 1)}`,
      );
      await wd.close();
    } finally {
      await cluster.close();
    }
  } else {
    console.log("cluster peer not running: skipped the run against the real API server");
  }
} finally {
  work.rm();
}
