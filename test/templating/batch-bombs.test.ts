// End to end: the template bombs of issue #15 in BUBU_TRIGGER_DATA. Before the budget, the printf
// bomb ran ~40 s to a heap-out-of-memory abort (leaving the StepRun Running) and the indent bomb
// built a 500 MB string. Now a batch run ends promptly: the printf literal prints Go's
// `%!(NOVERB)` text as Go does, and anything over the budget fails the run (exit 1, a structured
// error naming the limit), in process, in a child with a 256 MB heap, and against the Kubernetes
// API peer (the StepRun ends Failed).

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import process from "node:process";
import { after, before, describe, test } from "node:test";
import { startBatch } from "../../src/batch/start-batch.ts";
import { defineBatch } from "../../src/engram/batch-engram.ts";
import { detectRuntime } from "../../src/runtime/detect.ts";
import type { Runtime } from "../../src/runtime/types.ts";
import { peerRequest } from "../batch/peer-request.ts";
import { type K8sPeer, k8sPeerSkip, requireK8sPeer } from "../peers/k8s/peer.ts";
import { currentRuntime, runScript } from "../support/spawn.ts";

const FIXTURE = "test/batch/fixtures/fixture-engram.ts";
const INDENT_BOMB = '{{ indent 500000000 "x" }}';
const PRINTF_BOMB = '{{ printf "%.500000000f" 1.0 }}';
// Within Go's width bound, 17 MB in one value: over the 16 MiB value limit.
const PRINTF_WIDE = `{{ printf "${"%.1000000f".repeat(17)}" ${"1.0 ".repeat(17)}}}`;
const GO_PRINTF_TEXT = "%!(NOVERB)%!(EXTRA float64=1)";
const VALUE_LIMIT =
  /^failed to resolve input templates: template: bubu:1:3: executing "bubu" at <(indent|printf) [^>]*>: error calling (indent|printf): template value exceeds max bytes \(size=\d+, max=16777216\)$/;
const MB = 1024 * 1024;

function capturing(): { runtime: Runtime; out: () => string } {
  const chunks: string[] = [];
  const runtime: Runtime = {
    ...detectRuntime(),
    onSignal: () => () => {},
    args: () => [],
    writeStdout: (t) => void chunks.push(t),
    writeStderr: (t) => void chunks.push(t),
  };
  return { runtime, out: () => chunks.join("") };
}

async function runInProcess(
  value: string,
): Promise<{ exitCode: number; status: Record<string, unknown>; output: string; rssGrowth: number }> {
  const { runtime, out } = capturing();
  const engram = defineBatch({ process: (_ctx, inputs) => ({ echoed: inputs }) });
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  // Sampled between the run's awaits; the evaluation itself is synchronous, so the final sample
  // after it matters most (a 500 MB string would still be referenced from the failed run's error
  // path or be visible before the next GC).
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  try {
    const outcome = await startBatch(engram, {
      runtime,
      exit: false,
      env: { BUBU_TRIGGER_DATA: JSON.stringify({ value }) },
      args: [],
    });
    peak = Math.max(peak, process.memoryUsage().rss);
    return {
      exitCode: outcome.exitCode,
      status: outcome.status as unknown as Record<string, unknown>,
      output: out(),
      rssGrowth: peak - rss0,
    };
  } finally {
    clearInterval(timer);
  }
}

describe("template bombs in BUBU_TRIGGER_DATA, in process (local mode)", () => {
  test("indent 500000000: Failed, exit 1, value limit named, bounded memory", { timeout: 30_000 }, async () => {
    const r = await runInProcess(INDENT_BOMB);
    assert.equal(r.exitCode, 1, r.output);
    assert.equal(r.status.phase, "Failed");
    assert.equal(r.status.exitClass, "terminal");
    const error = r.status.error as Record<string, unknown>;
    assert.equal(error.type, "execution_error");
    assert.match(String(error.message), VALUE_LIMIT);
    assert.match(String(error.message), /error calling indent: .*\(size=500000001, max=16777216\)$/);
    assert.ok(r.rssGrowth < 256 * MB, `rss grew by ${Math.round(r.rssGrowth / MB)} MB`);
  });

  test("printf %.500000000f: Go's %!(NOVERB) text, exit 0, bounded memory", { timeout: 30_000 }, async () => {
    const r = await runInProcess(PRINTF_BOMB);
    assert.equal(r.exitCode, 0, r.output);
    assert.equal(r.status.phase, "Succeeded");
    assert.deepEqual(JSON.parse(r.output.trim().split("\n").at(-1)!), { echoed: { value: GO_PRINTF_TEXT } });
    assert.ok(r.rssGrowth < 256 * MB, `rss grew by ${Math.round(r.rssGrowth / MB)} MB`);
  });

  test("printf over the value limit within Go's widths: Failed, exit 1", { timeout: 30_000 }, async () => {
    const r = await runInProcess(PRINTF_WIDE);
    assert.equal(r.exitCode, 1, r.output);
    assert.equal(r.status.phase, "Failed");
    assert.match(
      String((r.status.error as Record<string, unknown>).message),
      /error calling printf: template value exceeds max bytes \(size=\d+, max=16777216\)$/,
    );
    assert.ok(r.rssGrowth < 256 * MB, `rss grew by ${Math.round(r.rssGrowth / MB)} MB`);
  });

  test("printf under the value limit, over the 1 MiB output limit: Go's output error", {
    timeout: 30_000,
  }, async () => {
    const r = await runInProcess('{{ printf "%.9999999f" 1.0 }}');
    assert.equal(r.exitCode, 1, r.output);
    assert.equal(
      (r.status.error as Record<string, unknown>).message,
      "failed to resolve input templates: template output exceeds max bytes (current=0, writing=10000001, max=1048576)",
    );
  });
});

/** A heap cap for the child, where the runtime has one (Bun has no equivalent flag). */
function heapCapEnv(): Record<string, string> {
  switch (currentRuntime()) {
    case "node":
      return { NODE_OPTIONS: "--max-old-space-size=256" };
    case "deno":
      return { DENO_V8_FLAGS: "--max-old-space-size=256" };
    case "bun":
      return {};
  }
}

describe("template bombs in a child process with a 256 MB heap", () => {
  for (const [name, value] of [
    ["indent", INDENT_BOMB],
    ["printf", PRINTF_WIDE],
  ] as const) {
    test(`${name}: exit 1 with the structured error, no crash`, { timeout: 60_000 }, async () => {
      const r = await runScript(FIXTURE, {
        env: { BUBU_TRIGGER_DATA: JSON.stringify({ mode: "ok", value }), ...heapCapEnv() },
        timeoutMs: 45_000,
      });
      assert.equal(r.signal, null, r.stderr);
      assert.equal(r.code, 1, r.stderr);
      const line = r.stderr
        .trim()
        .split("\n")
        .filter((l) => l.startsWith('{"version"'))
        .pop();
      assert.ok(line, r.stderr);
      const e = JSON.parse(line) as Record<string, unknown>;
      assert.equal(e.type, "execution_error");
      assert.equal(e.exitCode, 1);
      assert.match(String(e.message), VALUE_LIMIT);
    });
  }
  test("printf %.500000000f: Go's text, exit 0", { timeout: 60_000 }, async () => {
    const r = await runScript(FIXTURE, {
      env: { BUBU_TRIGGER_DATA: JSON.stringify({ mode: "ok", value: PRINTF_BOMB }), ...heapCapEnv() },
      timeoutMs: 45_000,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { ok: true, value: GO_PRINTF_TEXT });
  });
});

describe("template bombs against the Kubernetes API peer: the StepRun ends Failed", () => {
  const skip = k8sPeerSkip();
  const ns = `tmpl-${randomBytes(3).toString("hex")}`;
  let peer: K8sPeer;
  before(() => {
    const p = requireK8sPeer();
    if (p) peer = p;
  });
  after(() => {});

  test("indent bomb: Failed, exit 1, terminal, the limit in lastFailureMsg", { skip, timeout: 60_000 }, async () => {
    const base = `/apis/runs.bubustack.io/v1alpha1/namespaces/${ns}/stepruns`;
    const name = "indent-bomb";
    await peerRequest(peer, "POST", base, {
      apiVersion: "runs.bubustack.io/v1alpha1",
      kind: "StepRun",
      metadata: { name },
      spec: { stepId: "step", storyRunRef: { name: "run" } },
    });
    await peerRequest(peer, "PATCH", `${base}/${name}/status`, { status: { phase: "Running", retries: 0 } });
    const r = await runScript(FIXTURE, {
      env: {
        KUBECONFIG: peer.kubeconfigPath,
        BUBU_STEPRUN_NAME: name,
        BUBU_STEPRUN_NAMESPACE: ns,
        BUBU_TRIGGER_DATA: JSON.stringify({ mode: "ok", value: INDENT_BOMB }),
        BUBU_K8S_OPERATION_TIMEOUT: "10s",
        ...heapCapEnv(),
      },
      timeoutMs: 45_000,
    });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const sr = await peerRequest(peer, "GET", `${base}/${name}`);
    const status = (sr.status ?? {}) as Record<string, unknown>;
    assert.equal(status.phase, "Failed");
    assert.equal(status.exitCode, 1);
    assert.equal(status.exitClass, "terminal");
    assert.match(String(status.lastFailureMsg), VALUE_LIMIT);
  });
});
