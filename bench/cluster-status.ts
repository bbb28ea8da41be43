// Time from process start to StepRun status patched, for examples/hello-batch against the real
// API server peer (start it first: bash test/peers/k8s/start.sh). The process exits right after
// the patch is acknowledged, so spawn→exit bounds start→patched from above.
// Run: node bench/cluster-status.ts [runs=10]
import { spawnSync } from "node:child_process";
import { request } from "node:https";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const runs = Number(process.argv[2] ?? 10);
const state = join(root, ".cache/peers/k8s");
const env = Object.fromEntries(
  readFileSync(join(state, "env"), "utf8").split("\n").map((l) => /^([A-Z0-9_]+)='([^']*)'$/.exec(l)).filter((m) => m).map((m) => [m![1], m![2]]),
);
const tls = { ca: readFileSync(env.BUBU_TEST_K8S_CA), cert: readFileSync(env.BUBU_TEST_K8S_CLIENT_CERT), key: readFileSync(env.BUBU_TEST_K8S_CLIENT_KEY) };
const ns = `bench-${process.pid}`;
const base = `/apis/runs.bubustack.io/v1alpha1/namespaces/${ns}/stepruns`;

function call(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  return new Promise((ok, fail) => {
    const req = request(new URL(path, env.BUBU_TEST_K8S_URL), {
      method, ...tls,
      headers: { "content-type": method === "PATCH" ? "application/merge-patch+json" : "application/json" },
    }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => ((res.statusCode ?? 500) < 300 ? ok(JSON.parse(text || "{}")) : fail(new Error(`${res.statusCode} ${text}`))));
    });
    req.on("error", fail);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const bins: Record<string, string[]> = {
  node: [join(root, ".cache/node/node_modules/.bin/node")],
  bun: [join(root, "node_modules/.bin/bun"), "run"],
  deno: [join(root, ".cache/runtimes/deno"), "run", "-A"],
};

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const [rt, cmd] of Object.entries(bins)) {
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const name = `${rt}-${i}`;
    await call("POST", base, { apiVersion: "runs.bubustack.io/v1alpha1", kind: "StepRun", metadata: { name }, spec: { stepId: "hello", storyRunRef: { name: "r" } } });
    await call("PATCH", `${base}/${name}/status`, { status: { phase: "Running", retries: 0 } });
    const t0 = Date.now();
    const r = spawnSync(cmd[0], [...cmd.slice(1), "examples/hello-batch/engram.ts"], {
      cwd: root,
      encoding: "utf8",
      env: { PATH: "/usr/bin:/bin", KUBECONFIG: env.BUBU_TEST_KUBECONFIG, BUBU_STEPRUN_NAME: name, BUBU_STEPRUN_NAMESPACE: ns, BUBU_TRIGGER_DATA: '{"name":"bench"}' },
    });
    const ms = Date.now() - t0;
    const status = (await call("GET", `${base}/${name}`)).status as Record<string, unknown>;
    if (r.status !== 0 || status.phase !== "Succeeded") throw new Error(`${rt}: exit ${r.status}, phase ${status.phase}: ${r.stdout}${r.stderr}`);
    if (i > 0) times.push(ms); // the first run warms the file cache
  }
  console.log(`${rt.padEnd(5)} start→status patched (spawn→exit) median ${median(times)} ms over ${runs} runs`);
}
