// Fault injection at the points of a batch run where the Kubernetes API is used: the input schema
// lookup, the output schema lookup and terminal status write, and the logs patch. A real batch
// engram (child process of the runtime under test) talks to the real API peer through the
// fault-injecting TLS proxy (test/support/fault-proxy); each test asserts the StepRun status the
// peer ends up with and the process exit code.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type K8sPeer, k8sPeerSkip, requireK8sPeer } from "../peers/k8s/peer.ts";
import { requireS3Peer, s3PeerSkip } from "../peers/s3/peer.ts";
import {
  type FaultProxy,
  type Match,
  type ProxyEvent,
  type Rule,
  startFaultProxy,
} from "../support/fault-proxy/client.ts";
import { type RunOptions, type RunResult, runScript } from "../support/spawn.ts";
import { peerRequest } from "./peer-request.ts";

const FIXTURE = "test/batch/fixtures/fixture-engram.ts";
const skip = k8sPeerSkip();
const skipWithStorage = k8sPeerSkip() || s3PeerSkip();
const ns = `faults-${randomBytes(3).toString("hex")}`;
const ENGRAM = "fault-engram";
const TEMPLATE = `fault-template-${randomBytes(3).toString("hex")}`;
const RUNS = `/apis/runs.bubustack.io/v1alpha1/namespaces/${ns}/stepruns`;

let peer: K8sPeer;
let proxy: FaultProxy;
let kubeconfig = "";
let dir = "";

/** The terminal write: the PATCH to /status that carries a phase. */
const terminalPatch = (name: string): Match => ({ method: "PATCH", path: `/stepruns/${name}/status`, body: '"phase"' });
/** The logs patch: the PATCH to /status that carries the logs ref. */
const logsPatch = (name: string): Match => ({ method: "PATCH", path: `/stepruns/${name}/status`, body: '"logs"' });
/** A schema lookup starts with the Engram GET: the 1st of a run is for the inputs, the 2nd for the output. */
const engramGet: Match = { method: "GET", path: `/engrams/${ENGRAM}` };

async function createStepRun(name: string): Promise<void> {
  await peerRequest(peer, "POST", RUNS, {
    apiVersion: "runs.bubustack.io/v1alpha1",
    kind: "StepRun",
    metadata: { name },
    // No retries left: every failure is final, so the test sees the terminal write's phase.
    spec: { stepId: "step", storyRunRef: { name: "run" }, engramRef: { name: ENGRAM }, retry: { maxRetries: 0 } },
  });
  // The controller initialises the status before the pod starts (the CRD requires status.retries).
  await peerRequest(peer, "PATCH", `${RUNS}/${name}/status`, { status: { phase: "Running", retries: 0 } });
}

async function statusOf(name: string): Promise<Record<string, unknown>> {
  const sr = await peerRequest(peer, "GET", `${RUNS}/${name}`);
  return (sr.status ?? {}) as Record<string, unknown>;
}

interface Scenario {
  readonly rules: Rule[];
  readonly inputs?: unknown;
  readonly env?: Record<string, string>;
  readonly onOutput?: RunOptions["onOutput"];
}

interface Ran {
  readonly r: RunResult;
  readonly events: ProxyEvent[];
  /** When the process had exited (ms since the epoch). */
  readonly exitedAt: number;
}

/**
 * Creates the StepRun, arms `rules`, runs the fixture engram through the proxy with small,
 * test-sized limits, and clears the proxy whatever happens.
 */
async function scenario(name: string, s: Scenario): Promise<Ran> {
  await createStepRun(name);
  await proxy.clear();
  await proxy.clearEvents();
  for (const rule of s.rules) await proxy.arm(rule);
  try {
    const r = await runScript(FIXTURE, {
      timeoutMs: 60_000,
      ...(s.onOutput ? { onOutput: s.onOutput } : {}),
      env: {
        KUBECONFIG: kubeconfig,
        BUBU_STEPRUN_NAME: name,
        BUBU_STEPRUN_NAMESPACE: ns,
        BUBU_ENGRAM_NAME: ENGRAM,
        BUBU_TRIGGER_DATA: JSON.stringify(s.inputs ?? { mode: "ok", value: 1 }),
        // One attempt may take 1s; an operation (a schema lookup, the least a status write gets) 3s.
        BUBU_K8S_TIMEOUT: "1s",
        BUBU_K8S_OPERATION_TIMEOUT: "3s",
        BUBU_STEP_TIMEOUT: "20s",
        BUBU_SDK_GRACEFUL_SHUTDOWN_TIMEOUT: "2s",
        ...s.env,
      },
    });
    const exitedAt = Date.now();
    return { r, events: await proxy.events(), exitedAt };
  } finally {
    await proxy.clear();
  }
}

function faulted(events: ProxyEvent[], rule: string): ProxyEvent[] {
  return events.filter((e) => e.rule === rule);
}

/** Terminal or logs PATCHes of `name` that reached the API server and were accepted. */
function landed(events: ProxyEvent[], name: string, kind: "phase" | "logs" = "phase"): ProxyEvent[] {
  return events.filter(
    (e) =>
      e.action === "forwarded" &&
      e.method === "PATCH" &&
      e.path.endsWith(`/stepruns/${name}/status`) &&
      e.status === 200 &&
      (e.body ?? "").includes(`"${kind}"`),
  );
}

function outageEnd(events: ProxyEvent[]): ProxyEvent {
  const end = events.find((e) => e.action === "outage-end");
  assert.ok(end, "the outage ended during the run");
  return end;
}

const logOf = (r: RunResult): string => r.stdout + r.stderr;

/** Sends SIGTERM once the SDK reports the first failed attempt of the terminal write. */
function sigtermOnFirstRetry(): { onOutput: NonNullable<Scenario["onOutput"]>; sentAt: () => number } {
  let sentAt = 0;
  return {
    onOutput: (text, child) => {
      if (sentAt === 0 && text.includes("StepRun status write failed; retrying")) {
        sentAt = Date.now();
        child.kill("SIGTERM");
      }
    },
    sentAt: () => sentAt,
  };
}

describe("batch runs through a faulty API server", () => {
  before(async () => {
    const p = requireK8sPeer();
    if (!p) return;
    peer = p;
    dir = mkdtempSync(join(tmpdir(), "final-write-faults-"));
    await peerRequest(peer, "POST", "/apis/catalog.bubustack.io/v1alpha1/engramtemplates", {
      apiVersion: "catalog.bubustack.io/v1alpha1",
      kind: "EngramTemplate",
      metadata: { name: TEMPLATE },
      spec: {
        version: "1.0.0",
        supportedModes: ["job"],
        inputSchema: { type: "object", required: ["mode"] },
        outputSchema: { type: "object", required: ["ok"] },
      },
    });
    await peerRequest(peer, "POST", `/apis/bubustack.io/v1alpha1/namespaces/${ns}/engrams`, {
      apiVersion: "bubustack.io/v1alpha1",
      kind: "Engram",
      metadata: { name: ENGRAM },
      spec: { templateRef: { name: TEMPLATE } },
    });
    proxy = await startFaultProxy(peer);
    kubeconfig = proxy.writeKubeconfig(join(dir, "proxied.yaml"));
  });
  after(async () => {
    await proxy?.close();
    if (peer)
      await peerRequest(peer, "DELETE", `/apis/catalog.bubustack.io/v1alpha1/engramtemplates/${TEMPLATE}`).catch(
        () => {},
      );
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("no fault: one schema lookup through the proxy serves the input and the output check, Succeeded, exit 0", {
    skip,
  }, async () => {
    const { r, events } = await scenario("clean", { rules: [] });
    assert.equal(r.code, 0, logOf(r));
    assert.equal((await statusOf("clean")).phase, "Succeeded");
    assert.equal(
      events.filter((e) => e.path.includes(`/engrams/${ENGRAM}`)).length,
      1,
      "one lookup for the input and the output",
    );
    assert.equal(events.filter((e) => e.path.includes(`/engramtemplates/${TEMPLATE}`)).length, 1);
    assert.equal(landed(events, "clean").length, 1);
  });

  test("output schema violated: Failed by the SDK's own validation", { skip }, async () => {
    const { r } = await scenario("badout", { rules: [], inputs: { mode: "scalar", value: { notOk: 1 } } });
    assert.equal(r.code, 1, logOf(r));
    const s = await statusOf("badout");
    assert.equal(s.phase, "Failed");
    assert.match(String(s.lastFailureMsg), /output schema validation failed/);
  });

  // --- the input schema lookup ---------------------------------------------------------------

  test("input lookup, 1s outage: the lookup is retried, Succeeded, exit 0", { skip }, async () => {
    const { r, events } = await scenario("in-outage", {
      rules: [{ name: "outage", trigger: engramGet, fault: { kind: "refuse" }, durationMs: 1_000 }],
      // Attempts follow at about 0.1, 0.3, 0.7, 1.5 and 3.1s (±25%): a 6s budget leaves room after the outage.
      env: { BUBU_K8S_OPERATION_TIMEOUT: "6s" },
    });
    assert.equal(r.code, 0, logOf(r));
    assert.equal((await statusOf("in-outage")).phase, "Succeeded");
    assert.equal(faulted(events, "outage").length, 1);
    outageEnd(events);
  });

  test("input lookup, 500 storm: retried, Succeeded, exit 0", { skip }, async () => {
    const { r, events } = await scenario("in-500", {
      rules: [{ name: "500", trigger: engramGet, fault: { kind: "status", status: 500 }, durationMs: 1_000 }],
      env: { BUBU_K8S_OPERATION_TIMEOUT: "6s" },
    });
    assert.equal(r.code, 0, logOf(r));
    assert.equal((await statusOf("in-500")).phase, "Succeeded");
    assert.ok(faulted(events, "500").length >= 2, JSON.stringify(events));
  });

  test("input lookup, two GETs never answered: one attempt timeout each, Succeeded, exit 0", { skip }, async () => {
    const { r, events } = await scenario("in-stall", {
      rules: [{ name: "stall", trigger: engramGet, target: engramGet, fault: { kind: "stall" }, count: 2 }],
    });
    assert.equal(r.code, 0, logOf(r));
    assert.equal((await statusOf("in-stall")).phase, "Succeeded");
    assert.equal(faulted(events, "stall").length, 2);
  });

  test("input lookup, outage longer than the lookup budget: Failed (retry class), written once the API is back", {
    skip,
  }, async () => {
    const { r, events } = await scenario("in-long", {
      rules: [{ name: "outage", trigger: engramGet, fault: { kind: "refuse" }, durationMs: 5_000 }],
    });
    assert.equal(r.code, 1, logOf(r));
    const s = await statusOf("in-long");
    assert.equal(s.phase, "Failed");
    assert.equal(s.exitClass, "retry");
    assert.match(
      String(s.lastFailureMsg),
      /^input schema resolution failed: fetch engram: cannot reach the Kubernetes API server/,
    );
    const end = outageEnd(events);
    assert.equal(landed(events, "in-long").length, 1);
    assert.ok(landed(events, "in-long")[0]!.t > end.t);
  });

  // --- the output schema lookup and the terminal status write ----------------------------------

  test("an outage after the input lookup does not reach the output check (it reuses that lookup): Succeeded with its output, exit 0", {
    skip,
  }, async () => {
    // Go looks the template up again for the output; a second Engram GET would meet this outage.
    const { r, events } = await scenario("out-outage", {
      rules: [{ name: "outage", trigger: engramGet, nth: 2, fault: { kind: "refuse" }, durationMs: 5_000 }],
    });
    assert.equal(r.code, 0, logOf(r));
    const s = await statusOf("out-outage");
    assert.equal(s.phase, "Succeeded");
    assert.deepEqual(s.output, { ok: true, value: 1 });
    assert.equal(faulted(events, "outage").length, 0, JSON.stringify(events));
    assert.doesNotMatch(r.stdout, /Schema validation skipped/);
    assert.equal(landed(events, "out-outage").length, 1);
  });

  test("terminal write, 3s outage: retried past it, Succeeded, exit 0", { skip }, async () => {
    const { r, events } = await scenario("w-outage", {
      rules: [{ name: "outage", trigger: terminalPatch("w-outage"), fault: { kind: "refuse" }, durationMs: 3_000 }],
    });
    assert.equal(r.code, 0, logOf(r));
    assert.equal((await statusOf("w-outage")).phase, "Succeeded");
    const end = outageEnd(events);
    assert.equal(landed(events, "w-outage").length, 1);
    assert.ok(landed(events, "w-outage")[0]!.t > end.t);
    assert.match(r.stdout, /"level":"WARN","msg":"StepRun status write failed; retrying","attempt":1,"stage":"patch"/);
  });

  test("terminal write, 409 storm: every refusal is followed by a fresh GET, Succeeded, exit 0", { skip }, async () => {
    const { r, events } = await scenario("w-409", {
      rules: [
        {
          name: "409",
          trigger: terminalPatch("w-409"),
          target: { method: "PATCH" },
          fault: { kind: "status", status: 409 },
          durationMs: 2_000,
        },
      ],
    });
    assert.equal(r.code, 0, logOf(r));
    assert.equal((await statusOf("w-409")).phase, "Succeeded");
    const conflicts = faulted(events, "409");
    assert.ok(conflicts.length >= 3, JSON.stringify(events));
    for (const c of conflicts) {
      const next = events[events.indexOf(c) + 1]!;
      assert.equal(`${next.method} ${next.path}`, `GET ${RUNS}/w-409`, "a 409 is followed by a re-GET");
    }
  });

  test("terminal write, 500 storm: retried, Succeeded, exit 0", { skip }, async () => {
    const { r, events } = await scenario("w-500", {
      rules: [
        { name: "500", trigger: terminalPatch("w-500"), fault: { kind: "status", status: 500 }, durationMs: 2_000 },
      ],
    });
    assert.equal(r.code, 0, logOf(r));
    assert.equal((await statusOf("w-500")).phase, "Succeeded");
    assert.ok(faulted(events, "500").length >= 3);
  });

  test("terminal write, three PATCHes never answered: one attempt timeout each, Succeeded, exit 0", {
    skip,
  }, async () => {
    const { r, events } = await scenario("w-stall", {
      rules: [
        {
          name: "stall",
          trigger: terminalPatch("w-stall"),
          target: terminalPatch("w-stall"),
          fault: { kind: "stall" },
          count: 3,
        },
      ],
    });
    assert.equal(r.code, 0, logOf(r));
    assert.equal((await statusOf("w-stall")).phase, "Succeeded");
    const stalls = faulted(events, "stall");
    assert.equal(stalls.length, 3);
    // BUBU_K8S_TIMEOUT=1s bounds each attempt: the next one follows within seconds, not after 30s.
    for (let i = 1; i < stalls.length; i++) assert.ok(stalls[i]!.t - stalls[i - 1]!.t < 5_000);
  });

  test("terminal write, response lost after the PATCH took effect: the retry finds nothing to change, exit 0", {
    skip,
  }, async () => {
    const { r, events } = await scenario("w-lost", {
      rules: [{ name: "lost", trigger: terminalPatch("w-lost"), fault: { kind: "drop-response" }, count: 1 }],
    });
    assert.equal(r.code, 0, logOf(r));
    assert.equal((await statusOf("w-lost")).phase, "Succeeded");
    const patches = events.filter((e) => e.method === "PATCH" && e.path.endsWith("/stepruns/w-lost/status"));
    assert.equal(patches.length, 1, "no second PATCH: the status already says Succeeded");
    assert.match(r.stdout, /StepRun status written after retries","attempts":2,"conflicts":0,"patched":false/);
  });

  test("terminal write, 422: not retried, Running, exit 1", { skip }, async () => {
    const { r, events } = await scenario("w-422", {
      rules: [
        {
          name: "422",
          trigger: terminalPatch("w-422"),
          target: { method: "PATCH" },
          fault: { kind: "status", status: 422 },
        },
      ],
    });
    assert.equal(r.code, 1, logOf(r));
    assert.equal((await statusOf("w-422")).phase, "Running");
    assert.equal(faulted(events, "422").length, 1);
    assert.match(r.stdout, /StepRun status patch failed","error":"failed to apply StepRun 'w-422' status/);
  });

  test("terminal write, the API never comes back: gives up when the step's window ends, Running, exit 1", {
    skip,
  }, async () => {
    // Window: the later of deadline + grace (4s + 1s from the start) and write start + 3s.
    const { r } = await scenario("w-gone", {
      rules: [{ name: "outage", trigger: terminalPatch("w-gone"), fault: { kind: "refuse" } }],
      env: { BUBU_STEP_TIMEOUT: "4s", BUBU_SDK_GRACEFUL_SHUTDOWN_TIMEOUT: "1s" },
    });
    assert.equal(r.code, 1, logOf(r));
    assert.equal((await statusOf("w-gone")).phase, "Running");
    assert.match(
      r.stdout,
      /status patch retry aborted due to context cancellation: context deadline exceeded; last error: cannot reach the Kubernetes API server/,
    );
    assert.ok(r.ms < 20_000, `took ${r.ms}ms`);
  });

  test("timed-out step, 1s outage at its write: past the deadline the write still gets its operation budget, Timeout, exit 124", {
    skip,
  }, async () => {
    const { r } = await scenario("w-timeout", {
      rules: [{ name: "outage", trigger: terminalPatch("w-timeout"), fault: { kind: "refuse" }, durationMs: 1_000 }],
      inputs: { mode: "hang" },
      // The deadline and grace are long gone when the write starts; only the 6s operation budget is left.
      env: { BUBU_STEP_TIMEOUT: "1s", BUBU_SDK_GRACEFUL_SHUTDOWN_TIMEOUT: "200ms", BUBU_K8S_OPERATION_TIMEOUT: "6s" },
    });
    assert.equal(r.code, 124, logOf(r));
    const s = await statusOf("w-timeout");
    assert.equal(s.phase, "Timeout");
    assert.equal(s.exitCode, 124);
  });

  test("SIGTERM while the terminal write waits out an outage: gives up one grace window later, Running, exit 143", {
    skip,
  }, async () => {
    const term = sigtermOnFirstRetry();
    const { r, exitedAt } = await scenario("w-term", {
      rules: [{ name: "outage", trigger: terminalPatch("w-term"), fault: { kind: "refuse" } }],
      env: { BUBU_SDK_GRACEFUL_SHUTDOWN_TIMEOUT: "1s" },
      onOutput: term.onOutput,
    });
    assert.ok(term.sentAt() > 0);
    assert.equal(r.code, 143, logOf(r));
    assert.equal((await statusOf("w-term")).phase, "Running");
    // The step's own window (20s) was cut to the 1s grace window after the signal.
    assert.ok(exitedAt - term.sentAt() < 8_000, `exited ${exitedAt - term.sentAt()}ms after SIGTERM`);
  });

  test("SIGTERM during a short outage at the terminal write: the write lands within the grace window, exit 0", {
    skip,
  }, async () => {
    const term = sigtermOnFirstRetry();
    const { r } = await scenario("w-term-ok", {
      rules: [{ name: "outage", trigger: terminalPatch("w-term-ok"), fault: { kind: "refuse" }, durationMs: 1_500 }],
      env: { BUBU_SDK_GRACEFUL_SHUTDOWN_TIMEOUT: "6s" },
      onOutput: term.onOutput,
    });
    assert.ok(term.sentAt() > 0);
    assert.equal(r.code, 0, logOf(r));
    assert.equal((await statusOf("w-term-ok")).phase, "Succeeded");
  });

  // --- the logs patch (needs the S3 peer too) --------------------------------------------------

  /** Stores the output and the captured logs in the S3 peer. */
  function storageEnv(): Record<string, string> {
    const s3 = requireS3Peer();
    if (!s3) throw new Error("unreachable: skipped without the S3 peer");
    return {
      BUBU_STORAGE_PROVIDER: "s3",
      BUBU_STORAGE_S3_BUCKET: s3.bucket,
      BUBU_STORAGE_S3_ENDPOINT: s3.endpoint,
      BUBU_STORAGE_S3_REGION: s3.region,
      BUBU_S3_TLS: "false",
      BUBU_S3_ACCESS_KEY_ID: s3.accessKey,
      BUBU_S3_SECRET_ACCESS_KEY: s3.secretKey,
      BUBU_STORYRUN_ID: "run-1",
      BUBU_STEP_NAME: "step-1",
    };
  }

  test("logs patch, outage: the terminal status stands, exit 0, the logs ref is given up within its 5s", {
    skip: skipWithStorage,
  }, async () => {
    const { r, events, exitedAt } = await scenario("logs-outage", {
      rules: [{ name: "outage", trigger: logsPatch("logs-outage"), fault: { kind: "refuse" }, durationMs: 15_000 }],
      env: storageEnv(),
    });
    assert.equal(r.code, 0, logOf(r));
    const s = await statusOf("logs-outage");
    assert.equal(s.phase, "Succeeded");
    assert.equal(s.logs, undefined);
    assert.match(r.stdout, /captured logs not published/);
    const opened = faulted(events, "outage")[0]!;
    assert.ok(exitedAt - opened.t < 12_000, `exited ${exitedAt - opened.t}ms into the 15s outage`);
  });

  test("logs patch, 409 then 500 storm: retried, the logs ref lands, exit 0", { skip: skipWithStorage }, async () => {
    const { r, events } = await scenario("logs-storm", {
      rules: [
        {
          name: "409",
          trigger: logsPatch("logs-storm"),
          target: { method: "PATCH" },
          fault: { kind: "status", status: 409 },
          count: 2,
        },
        {
          name: "500",
          trigger: logsPatch("logs-storm"),
          target: { method: "PATCH" },
          fault: { kind: "status", status: 500 },
          count: 2,
        },
      ],
      env: storageEnv(),
    });
    assert.equal(r.code, 0, logOf(r));
    const s = await statusOf("logs-storm");
    assert.equal(s.phase, "Succeeded");
    assert.match(String((s.logs as Record<string, unknown>)?.$bubuStorageRef), /\/logs\/run-1\/step-1\/logs-storm\//);
    assert.equal(faulted(events, "409").length, 2);
    assert.equal(faulted(events, "500").length, 2);
    assert.equal(landed(events, "logs-storm", "logs").length, 1);
  });

  test("SIGTERM while the logs patch meets an outage: logs given up within the grace window, Succeeded, exit 0", {
    skip: skipWithStorage,
  }, async () => {
    let sentAt = 0;
    const { r, exitedAt } = await scenario("logs-term", {
      rules: [{ name: "outage", trigger: logsPatch("logs-term"), fault: { kind: "refuse" }, durationMs: 15_000 }],
      // Unbounded, the logs patch would try for its own 5s.
      env: { ...storageEnv(), BUBU_SDK_GRACEFUL_SHUTDOWN_TIMEOUT: "500ms", BUBU_K8S_OPERATION_TIMEOUT: "10s" },
      // Logged once the terminal status is written, just before the logs are published.
      onOutput: (text, child) => {
        if (sentAt === 0 && text.includes('"msg":"engram completed"')) {
          sentAt = Date.now();
          child.kill("SIGTERM");
        }
      },
    });
    assert.ok(sentAt > 0);
    assert.equal(r.code, 0, logOf(r));
    const s = await statusOf("logs-term");
    assert.equal(s.phase, "Succeeded");
    assert.equal(s.logs, undefined);
    assert.ok(exitedAt - sentAt < 3_000, `exited ${exitedAt - sentAt}ms after SIGTERM`);
  });
});
