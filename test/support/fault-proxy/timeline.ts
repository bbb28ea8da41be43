// Measures one final write under an API outage and prints its timeline: every request the proxy
// saw (relative to the run's start), the SDK's own attempt log lines, the exit code and the
// StepRun status the peer ends up with. A manual tool, not a test.
//
//   node test/support/fault-proxy/timeline.ts --outage 5000 [--at schema-lookup|final-write]
//        [--mode refuse|reset|stall|500|409] [--runtime node|bun|deno] [--env K=V]...
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { peerRequest } from "../../batch/peer-request.ts";
import { requireK8sPeer } from "../../peers/k8s/peer.ts";
import { type RuntimeName, runScript } from "../spawn.ts";
import { type Fault, startFaultProxy } from "./client.ts";

const { values } = parseArgs({
  options: {
    outage: { type: "string", default: "5000" },
    // One EngramTemplate lookup per run, shared by the input and the output check.
    at: { type: "string", default: "schema-lookup" },
    mode: { type: "string", default: "refuse" },
    runtime: { type: "string", default: "node" },
    env: { type: "string", multiple: true, default: [] },
  },
});
const peer = requireK8sPeer();
if (!peer) throw new Error("the Kubernetes peer is not running");
const ns = `timeline-${randomBytes(3).toString("hex")}`;
const name = "sr";
const engram = "timeline-engram";
const template = `timeline-template-${randomBytes(3).toString("hex")}`;
const runs = `/apis/runs.bubustack.io/v1alpha1/namespaces/${ns}/stepruns`;

await peerRequest(peer, "POST", "/apis/catalog.bubustack.io/v1alpha1/engramtemplates", {
  apiVersion: "catalog.bubustack.io/v1alpha1",
  kind: "EngramTemplate",
  metadata: { name: template },
  spec: { version: "1.0.0", supportedModes: ["job"], outputSchema: { type: "object", required: ["ok"] } },
});
await peerRequest(peer, "POST", `/apis/bubustack.io/v1alpha1/namespaces/${ns}/engrams`, {
  apiVersion: "bubustack.io/v1alpha1",
  kind: "Engram",
  metadata: { name: engram },
  spec: { templateRef: { name: template } },
});
await peerRequest(peer, "POST", runs, {
  apiVersion: "runs.bubustack.io/v1alpha1",
  kind: "StepRun",
  metadata: { name },
  spec: { stepId: "step", storyRunRef: { name: "run" }, engramRef: { name: engram } },
});
await peerRequest(peer, "PATCH", `${runs}/${name}/status`, { status: { phase: "Running", retries: 0 } });

const dir = mkdtempSync(join(tmpdir(), "timeline-"));
const proxy = await startFaultProxy(peer);
try {
  const kubeconfig = proxy.writeKubeconfig(join(dir, "kubeconfig.yaml"));
  const mode = values.mode;
  const fault: Fault =
    mode === "500" || mode === "409"
      ? { kind: "status", status: Number(mode) }
      : { kind: mode as "refuse" | "reset" | "stall" };
  const trigger =
    values.at === "final-write"
      ? { method: "PATCH", path: `/stepruns/${name}/status`, body: '"phase"' }
      : { method: "GET", path: `/engrams/${engram}` };
  await proxy.arm({
    name: "outage",
    trigger,
    ...(mode === "409" ? { target: { method: "PATCH" } } : {}),
    fault,
    durationMs: Number(values.outage),
  });
  const extra = Object.fromEntries((values.env as string[]).map((kv) => kv.split("=", 2) as [string, string]));
  const t0 = Date.now();
  const r = await runScript("test/batch/fixtures/fixture-engram.ts", {
    runtime: values.runtime as RuntimeName,
    timeoutMs: 40 * 60_000,
    env: {
      KUBECONFIG: kubeconfig,
      BUBU_STEPRUN_NAME: name,
      BUBU_STEPRUN_NAMESPACE: ns,
      BUBU_ENGRAM_NAME: engram,
      BUBU_TRIGGER_DATA: JSON.stringify({ mode: "ok", value: 1 }),
      BUBU_DEBUG: "true",
      ...extra,
    },
  });
  const rel = (t: number): string => `${((t - t0) / 1000).toFixed(2)}s`;
  console.log(`fault: ${JSON.stringify(fault)} for ${values.outage}ms at ${values.at}, runtime ${values.runtime}`);
  for (const e of await proxy.events()) {
    const what =
      e.method === "PATCH"
        ? e.body?.includes('"phase"')
          ? " (terminal)"
          : e.body?.includes('"logs"')
            ? " (logs)"
            : ""
        : "";
    console.log(
      `${rel(e.t).padStart(8)}  ${e.method.padEnd(5)} ${e.path.replace(/^\/apis\//, "")}${what}  → ${e.action}${e.status ? ` ${e.status}` : ""}`,
    );
  }
  for (const line of r.stdout.split("\n")) {
    if (!/status writ|schema|StepRun status patch|engram (completed|failed)/i.test(line)) continue;
    try {
      const j = JSON.parse(line) as Record<string, unknown>;
      const { time, level, msg, ...rest } = j;
      console.log(
        `${rel(Date.parse(String(time))).padStart(8)}  [sdk ${level}] ${msg} ${JSON.stringify(rest).slice(0, 300)}`,
      );
    } catch {
      // not a log line
    }
  }
  const sr = await peerRequest(peer, "GET", `${runs}/${name}`);
  const status = sr.status as Record<string, unknown>;
  console.log(
    `exit ${r.code} after ${rel(t0 + r.ms)}; StepRun phase ${status.phase}${status.lastFailureMsg ? `: ${status.lastFailureMsg}` : ""}`,
  );
} finally {
  await proxy.close();
  await peerRequest(peer, "DELETE", `/apis/catalog.bubustack.io/v1alpha1/engramtemplates/${template}`).catch(() => {});
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}
