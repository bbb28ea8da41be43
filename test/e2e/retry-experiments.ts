/**
 * Which failures does the operator retry? Runs one-step Stories (step retry policy
 * `maxRetries: 2, delay: 1s, backoff: constant`) whose engram fails in a chosen way, and prints
 * for each case what was written to the StepRun status (from the apiserver's audit log), what the
 * operator did (StepRun phase, retries, events, number of pods started) and how the run ended.
 * Not a test: a tool for the lifecycle design; rerun it after changing what the SDK writes.
 *
 *   node test/e2e/retry-experiments.ts [--runtime bun|deno|node] [case-name...]
 *
 * Needs the cluster peer (test/peers/cluster/start.sh); the Go cases build test/e2e/go-probe.
 *
 * @module
 */
import process from "node:process";
import { requireClusterPeer } from "../peers/cluster/peer.ts";
import type { RuntimeName } from "../support/spawn.ts";
import { goProbeBinary } from "./go-probe.ts";
import { registerProbeImages } from "./probe-images.ts";
import { failureStatus as failure, type ProbeCase, RETRY, runProbe } from "./probe-run.ts";

const CASES: ProbeCase[] = [
  // What the SDK does today.
  {
    name: "sdk-retryable-error",
    what: "TS SDK: engram throws BubuError(retryable), then succeeds",
    probe: "sdk",
    with: { attempts: ["throw-retryable", "ok"] },
  },
  {
    name: "sdk-timeout",
    what: "TS SDK: engram hangs past execution.timeout 4s, then succeeds",
    probe: "sdk",
    with: { attempts: ["hang", "ok"] },
    execution: { retry: RETRY, timeout: "4s" },
  },
  {
    name: "sdk-sigterm",
    what: "TS SDK: pod deleted while the engram runs (SIGTERM), then succeeds",
    probe: "sdk",
    with: { attempts: ["hang", "ok"] },
    deletePod: true,
  },
  // What Go v0.1.5 does.
  {
    name: "go-retryable-error",
    what: "Go SDK: Process returns a retryable structured error, then succeeds",
    probe: "go",
    with: { attempts: ["throw-retryable", "ok"] },
  },
  {
    name: "go-timeout",
    what: "Go SDK: Process returns after the step deadline (4s), then succeeds",
    probe: "go",
    with: { attempts: ["hang", "ok"] },
    execution: { retry: RETRY, timeout: "4s" },
  },
  {
    name: "go-sigterm",
    what: "Go SDK: pod deleted while Process runs (no handler: killed by SIGTERM), then succeeds",
    probe: "go",
    with: { attempts: ["hang-hard", "ok"] },
    deletePod: true,
  },
  // Candidate wires, written by a probe without the SDK.
  {
    name: "raw-failed-retry",
    what: "status {phase: Failed, exitClass: retry, ...}, exit 1; then Succeeded",
    probe: "raw",
    with: {
      attempts: [
        { status: { phase: "Failed", ...failure(1, "retry", "transient") }, exit: 1 },
        { status: { phase: "Succeeded", exitClass: "success", output: { ok: true } }, exit: 0 },
      ],
    },
  },
  {
    name: "raw-nophase-retry",
    what: "status {exitClass: retry, exitCode, lastFailureMsg, error} without phase, exit 1; then Succeeded",
    probe: "raw",
    with: {
      attempts: [
        { status: failure(1, "retry", "transient"), exit: 1 },
        { status: { phase: "Succeeded", exitClass: "success", output: { ok: true } }, exit: 0 },
      ],
    },
  },
  {
    name: "raw-nophase-retry-exhausted",
    what: "status without phase (exitClass retry), exit 1, on every attempt",
    probe: "raw",
    with: { attempts: [{ status: failure(1, "retry", "still failing"), exit: 1 }] },
  },
  {
    name: "raw-nophase-terminal-143",
    what: "status without phase (exitClass terminal), exit 143",
    probe: "raw",
    with: { attempts: [{ status: failure(143, "terminal", "do not retry"), exit: 143 }, { exit: 0 }] },
  },
  {
    name: "raw-nostatus-124",
    what: "no status, exit 124 on every attempt",
    probe: "raw",
    with: { attempts: [{ exit: 124 }] },
  },
  {
    name: "raw-nostatus-1",
    what: "no status, exit 1",
    probe: "raw",
    with: { attempts: [{ exit: 1 }, { exit: 0 }] },
  },
  {
    name: "raw-timeout-phase",
    what: "status {phase: Timeout, exitCode 124, exitClass retry}, exit 124 (Go's timeout wire); then Succeeded",
    probe: "raw",
    with: {
      attempts: [
        { status: { phase: "Timeout", ...failure(124, "retry", "timed out") }, exit: 124 },
        { status: { phase: "Succeeded", exitClass: "success" }, exit: 0 },
      ],
    },
  },
  {
    name: "raw-nophase-timeout-124",
    what: "timeout details without phase (exitCode 124, exitClass retry, error.type timeout), exit 124, every attempt",
    probe: "raw",
    with: {
      attempts: [
        {
          status: {
            exitCode: 124,
            exitClass: "retry",
            lastFailureMsg: "timed out after 4s",
            error: {
              version: "v1",
              type: "timeout",
              message: "timed out after 4s",
              retryable: true,
              exitCode: 124,
              exitClass: "retry",
            },
          },
          exit: 124,
        },
      ],
    },
  },
  {
    name: "raw-nophase-timeout-then-ok",
    what: "timeout details without phase, exit 124; then Succeeded (error, lastFailureMsg, exitCode set to null)",
    probe: "raw",
    with: {
      attempts: [
        {
          status: {
            exitCode: 124,
            exitClass: "retry",
            lastFailureMsg: "timed out after 4s",
            error: {
              version: "v1",
              type: "timeout",
              message: "timed out after 4s",
              retryable: true,
              exitCode: 124,
              exitClass: "retry",
            },
          },
          exit: 124,
        },
        {
          status: {
            phase: "Succeeded",
            exitClass: "success",
            output: { ok: true },
            exitCode: null,
            lastFailureMsg: null,
            error: null,
          },
          exit: 0,
        },
      ],
    },
  },
  {
    name: "raw-nophase-no-policy",
    what: "no retry policy on the step; status without phase (exitClass retry), exit 1, every attempt",
    probe: "raw",
    with: { attempts: [{ status: failure(1, "retry", "no policy"), exit: 1 }] },
    execution: {},
  },
];

const args = process.argv.slice(2);
let rt: RuntimeName = "node";
const wanted: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--runtime") rt = args[++i] as RuntimeName;
  else wanted.push(args[i]!);
}
const peer = requireClusterPeer();
if (!peer) process.exit(2);
const cases = CASES.filter((c) => wanted.length === 0 || wanted.includes(c.name));
registerProbeImages(peer, cases.some((c) => c.probe === "go") ? await goProbeBinary() : undefined);
for (const c of cases) {
  const t0 = Date.now();
  const o = await runProbe(peer, rt, c).catch((err: unknown) => ({
    case: c.name,
    error: String((err as Error).stack ?? err),
  }));
  console.log(JSON.stringify({ ...o, ms: Date.now() - t0 }, null, 2));
}
