// Batch parity with the Go SDK, request by request. Each scenario runs once with the Go engram
// (bubu-sdk-go v0.1.5, go-engram/) and once with ours (engrams/e2e-engram.ts under this test's
// runtime): the same Story, names and env, each pod talking to the apiserver through the API
// recorder. Every request a pod sends (method, path, content type, body without times, status) is
// compared. The differences we chose are the rows of PARITY below, each with its reason; a row
// rewrites both sides so that its difference disappears, and whatever is left must be identical.
// Every row must be needed by at least one scenario (a row that matches nothing is stale).

import assert from "node:assert/strict";
import { test } from "node:test";
import type { Json } from "../peers/cluster/kube-api.ts";
import { clusterPeerSkip, requireClusterPeer } from "../peers/cluster/peer.ts";
import { requireS3Peer, s3PeerSkip } from "../peers/s3/peer.ts";
import { currentRuntime } from "../support/spawn.ts";
import { registerE2eImages } from "./e2e-images.ts";
import { goProgramBinary } from "./go-probe.ts";
import { type Req, runScenario, type Scenario, type SdkRun, show } from "./parity-run.ts";
import { parityScenarios } from "./parity-scenarios.ts";
import { applyStorageSecret } from "./storage-secret.ts";

const rt = currentRuntime();

interface Sides {
  readonly scenario: Scenario;
  go: Req[];
  ts: Req[];
  readonly goRun: SdkRun;
  readonly tsRun: SdkRun;
}

/** A difference we chose. `apply` rewrites the sides and says whether it changed anything. */
interface Row {
  readonly id: string;
  readonly go: string;
  readonly ours: string;
  readonly why: string;
  apply(s: Sides): boolean;
}

/** A difference we chose that these one-attempt scenarios cannot show; the named test pins it. */
interface ElsewhereRow {
  readonly id: string;
  readonly go: string;
  readonly ours: string;
  readonly why: string;
  readonly pinnedBy: string;
}

const isStatusPatch = (r: Req): boolean =>
  r.method === "PATCH" && r.path.includes("/stepruns/") && r.path.includes("/status");
const statusOf = (r: Req): Json => ((r.body as Json | undefined)?.status ?? {}) as Json;
const isClaimPut = (r: Req): boolean => r.method === "PUT" && r.path.includes("/effectclaims/");

function rewrite(reqs: Req[], f: (r: Req) => Req): { reqs: Req[]; changed: boolean } {
  let changed = false;
  const out = reqs.map((r) => {
    const n = f(r);
    if (JSON.stringify(n) !== JSON.stringify(r)) changed = true;
    return n;
  });
  return { reqs: out, changed };
}

export const PARITY: readonly Row[] = [
  {
    id: "discovery",
    go: "GET /api and GET /apis first (the controller-runtime client's REST mapper)",
    ours: "none: every path is built from the resource's known group, version and plural",
    why: "two requests less at every start; the resources and versions are fixed by the contract",
    apply(s) {
      const before = s.go.length;
      s.go = s.go.filter((r) => !(r.method === "GET" && (r.path.startsWith("/api?") || r.path.startsWith("/apis?"))));
      return s.go.length !== before;
    },
  },
  {
    id: "timeout-query",
    go: "every request carries ?timeout=30s (client-go passes its request timeout to the server)",
    ours: "no query: each request is bounded on our side (BUBU_K8S_TIMEOUT, at most 10s per attempt)",
    why: "the client's own deadline is what ends a request; see docs/status-writes.md",
    apply(s) {
      const r = rewrite(s.go, (q) => ({ ...q, path: q.path.replace(/[?&]timeout=30s$/, "") }));
      s.go = r.reqs;
      return r.changed;
    },
  },
  {
    id: "resource-version-precondition",
    go: "StepRun status merge patches without a precondition",
    ours: "the patch carries metadata.resourceVersion; a 409 reads, merges and patches again",
    why: "concurrent writers (signals, effects, the terminal write) never lose each other's entries",
    apply(s) {
      const r = rewrite(s.ts, (q) => {
        if (!isStatusPatch(q)) return q;
        const { metadata: _m, ...rest } = q.body as Json;
        return { ...q, body: rest };
      });
      s.ts = r.reqs;
      return r.changed;
    },
  },
  {
    id: "signal-latest-value",
    go: "status.signals[key] keeps the first value ever emitted (its merge updates the map it then diffs against, so later values never reach the patch)",
    ours: "each emit also updates status.signals[key] to the latest summary",
    why: "signals are documented as the latest value per key; readers of the StepRun see current progress",
    apply(s) {
      const seen = new Set<string>();
      const r = rewrite(s.ts, (q) => {
        if (!isStatusPatch(q)) return q;
        const st = statusOf(q);
        const signals = st.signals as Json | undefined;
        if (signals === undefined) return q;
        const kept: Json = {};
        for (const [k, v] of Object.entries(signals)) if (!seen.has(k)) kept[k] = v;
        for (const k of Object.keys(signals)) seen.add(k);
        const { signals: _s, ...rest } = st;
        const status = Object.keys(kept).length > 0 ? { ...rest, signals: kept } : rest;
        return { ...q, body: { ...(q.body as Json), status } };
      });
      s.ts = r.reqs;
      return r.changed;
    },
  },
  {
    id: "claim-conflict-retry",
    go: "a claim PUT that gets 409 (the operator writes a new claim's status right after the create) fails the effect and the step",
    ours: "the claim is read again and the PUT retried (src/effects/claim.ts)",
    why: "on the real operator the race is common; a completed effect must not fail its step",
    apply(s) {
      let changed = false;
      // Our retries: a 409 PUT followed by the GET that starts the next try.
      const ts: Req[] = [];
      for (let i = 0; i < s.ts.length; i++) {
        const q = s.ts[i]!;
        if (isClaimPut(q) && q.status === 409 && s.ts[i + 1]?.method === "GET" && s.ts[i + 1]!.path === q.path) {
          i++;
          changed = true;
          continue;
        }
        ts.push(q);
      }
      s.ts = ts;
      // Go gave up at its first 409: compare up to that PUT (its status aside), nothing after it.
      const at = s.go.findIndex((q) => isClaimPut(q) && q.status === 409);
      if (at >= 0) {
        const mine = s.ts.findIndex((q) => isClaimPut(q));
        s.go = [...s.go.slice(0, at), { ...s.go[at]!, status: 0, body: "{claim put}" }];
        s.ts = mine >= 0 ? [...s.ts.slice(0, mine), { ...s.ts[mine]!, status: 0, body: "{claim put}" }] : s.ts;
        changed = true;
      }
      return changed;
    },
  },
  {
    id: "one-template-lookup",
    go: "the Engram (and EngramTemplate) is looked up for the inputs check and again for the output check",
    ours: "one lookup per run, started before init and shared by both checks",
    why: "one to three GETs fewer per run, none read by the operator; an outage after process cannot fail a finished step",
    apply(s) {
      const lookup = (q: Req): boolean => q.method === "GET" && /\/(engrams|engramtemplates)\//.test(q.path);
      const seen = new Set<string>();
      const before = s.go.length;
      s.go = s.go.filter((q) => {
        if (!lookup(q)) return true;
        if (seen.has(q.path)) return false;
        seen.add(q.path);
        return true;
      });
      return s.go.length !== before;
    },
  },
  {
    id: "typed-inputs",
    go: 'inputs are decoded weakly ({"name":42} into a string field is "42") and the step succeeds',
    ours: "the inputs schema (valibot) is the author's type: a validation_error naming inputs.name, Failed, exit 1",
    why: "a wrong type is a bug in the Story, and the author's handler must get what its type says",
    apply(s) {
      if (s.scenario.name !== "inputs") return false;
      const mark = (q: Req): Req =>
        isStatusPatch(q) && statusOf(q).phase !== undefined ? { ...q, body: "{terminal status}" } : q;
      // Go's run went on to validate its output; its second lookup is taken by one-template-lookup.
      s.go = s.go.map(mark);
      s.ts = s.ts.map(mark);
      return true;
    },
  },
];

export const PARITY_ELSEWHERE: readonly ElsewhereRow[] = [
  {
    id: "retry-aware-status",
    go: "Failed / Timeout for every failure: the operator never retries a failure the SDK reported",
    ours: "a retryable failure or timeout with retries left is written without a phase, so the Story's retry policy applies; the last attempt writes the phase",
    why: "measured on the operator: a final phase ends the step whatever its exitClass (docs/status-writes.md)",
    pinnedBy: "test/e2e/sdk-retry.test.ts, test/e2e/operator-retry.test.ts",
  },
  {
    id: "clear-failure-after-retry",
    go: "a success after a retried failure leaves the earlier exitCode, lastFailureMsg and error",
    ours: "the success clears them",
    why: "a Succeeded StepRun should not show the previous attempt's error",
    pinnedBy: "test/e2e/sdk-retry.test.ts",
  },
  {
    id: "sigterm",
    go: "no handler: the process dies, nothing written",
    ours: "ctx.signal aborts, logs are uploaded, nothing written to the status, exit 143",
    why: "the operator retries a stopped pod only if it wrote no status",
    pinnedBy: "test/e2e/sdk-retry.test.ts, test/e2e/stop-story.test.ts",
  },
];

function compare(s: Sides, used: Set<string>): void {
  for (const row of PARITY) if (row.apply(s)) used.add(row.id);
  assert.equal(
    show(s.ts),
    show(s.go),
    `scenario ${s.scenario.name}: our requests (actual) differ from Go's (expected) beyond the PARITY rows`,
  );
  assert.deepEqual(s.ts, s.go);
}

test(`batch parity with bubu-sdk-go v0.1.5 (${rt}): request by request`, {
  skip: clusterPeerSkip() || s3PeerSkip(),
  timeout: 900_000,
}, async (t) => {
  const peer = requireClusterPeer(t);
  const s3 = requireS3Peer(t);
  if (!peer || !s3) return;
  registerE2eImages(peer, await goProgramBinary("go-engram"), s3);
  const api = peer.api();
  await applyStorageSecret(api, s3);
  api.close();
  const used = new Set<string>();
  for (const scenario of parityScenarios(s3)) {
    const goRun = await runScenario(peer, rt, "go", scenario);
    const tsRun = await runScenario(peer, rt, "ts", scenario);
    for (const r of [goRun, tsRun])
      assert.deepEqual(
        r.auditUris,
        r.recorderUris,
        `${scenario.name}/${r.sdk}: the audit log saw what the recorder saw`,
      );
    const stepOf = (r: SdkRun): Json =>
      JSON.parse(JSON.stringify(r.finished.steps.get("step")?.status ?? {}).replaceAll(r.ns, "{ns}")) as Json;
    const goStep = stepOf(goRun);
    const tsStep = stepOf(tsRun);
    // What each run ended as: the same, except where a row says otherwise.
    if (scenario.name === "inputs") {
      assert.equal(goStep.phase, "Succeeded");
      assert.deepEqual(goStep.output, { name: "42" });
      assert.equal(tsStep.phase, "Failed");
      assert.equal((tsStep.error as Json).type, "validation_error");
      assert.equal(((tsStep.error as Json).details as Json).path, "name");
    } else if (scenario.name === "effects" && goStep.phase === "Failed") {
      assert.match(
        String(goStep.lastFailureMsg),
        /^failed to complete effect reservation: .*the object has been modified/,
      );
      assert.equal(tsStep.phase, "Succeeded", JSON.stringify(tsStep));
    } else {
      for (const k of ["phase", "exitCode", "exitClass", "lastFailureMsg", "error", "output"]) {
        assert.deepEqual(tsStep[k], goStep[k], `${scenario.name}: status.${k}`);
      }
    }
    compare({ scenario, go: [...goRun.requests], ts: [...tsRun.requests], goRun, tsRun }, used);
  }
  // Every row is needed except claim-conflict-retry, which only shows when the race happens.
  for (const row of PARITY)
    if (row.id !== "claim-conflict-retry") assert.ok(used.has(row.id), `row ${row.id} matched nothing: stale?`);
});
