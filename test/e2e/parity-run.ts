/**
 * Runs one batch scenario as a one-step Story whose engram is either the Go twin (go-engram/,
 * bubu-sdk-go v0.1.5) or ours (engrams/e2e-engram.ts), with the same Story, the same names and the
 * same env, its pod talking to the apiserver through the API recorder; returns every request the
 * pod made, normalised for comparison (namespace, pod and generated names, times and ids replaced).
 *
 * @module
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { deriveEffectClaimName } from "../../src/k8s/effectclaim.ts";
import type { RecordedRequest } from "../peers/cluster/api-recorder.ts";
import type { Json } from "../peers/cluster/kube-api.ts";
import { waitFor } from "../peers/cluster/objects.ts";
import type { ClusterPeer } from "../peers/cluster/peer.ts";
import type { RuntimeName } from "../support/spawn.ts";
import { applyAll, e2eNamespace, engram, engramTemplate, type Finished, runStory, story } from "./story-run.ts";

export type Sdk = "go" | "ts";

export interface Scenario {
  readonly name: string;
  /** The engram's `with` (its mode) and the step's. */
  readonly with: Json;
  readonly stepWith?: Json;
  /** Step `execution`; default no retries. */
  readonly execution?: Json;
  /** Story `policy`. */
  readonly policy?: Json;
}

/** One request as compared: method, path, content type, body without times. */
export interface Req {
  readonly method: string;
  readonly path: string;
  readonly contentType: string;
  readonly body?: unknown;
  readonly status: number;
}

export interface SdkRun {
  readonly sdk: Sdk;
  readonly ns: string;
  readonly requests: Req[];
  readonly finished: Finished;
  /** The audit log's request URIs of the same pod, in order (a cross-check of the recorder). */
  readonly auditUris: string[];
  readonly recorderUris: string[];
}

const TIME_KEYS = new Set([
  "startedAt",
  "finishedAt",
  "emittedAt",
  "lastTransitionTime",
  "acquireTime",
  "renewTime",
  "completedAt",
  "duration",
  "time",
  "creationTimestamp",
]);
/** Server-made values that a PUT echoes back: they differ from run to run whoever sends them. */
const SERVER_KEYS = new Set(["resourceVersion", "uid", "generation", "managedFields"]);
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

interface Names {
  readonly ns: string;
  /** The EffectClaim name our SDK derives for the scenario's "charge" effect in this namespace. */
  readonly claim: string;
}

function normaliseText(s: string, n: Names): string {
  return s
    .replaceAll(n.claim, "{claim}")
    .replaceAll(n.ns, "{ns}")
    .replace(UUID, "{uuid}")
    .replace(/\/\d{15,}\.log\b/g, "/{nanos}.log");
}

/** `inMetadata`: inside an object's metadata, where a PUT echoes what the server made. */
function normaliseValue(v: unknown, n: Names, inMetadata = false): unknown {
  if (typeof v === "string") return normaliseText(v, n);
  if (Array.isArray(v)) return v.map((x) => normaliseValue(x, n));
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (TIME_KEYS.has(k)) out[k] = "{time}";
      else if (inMetadata && SERVER_KEYS.has(k)) out[k] = "{server}";
      else out[k] = normaliseValue(x, n, k === "metadata");
    }
    return out;
  }
  return v;
}

function normalise(r: RecordedRequest, n: Names): Req {
  let body: unknown;
  if (r.body !== undefined) {
    try {
      body = normaliseValue(JSON.parse(r.body), n);
    } catch {
      body = normaliseText(r.body, n);
    }
  }
  // A PUT of a whole object echoes the status it read (written by the operator a moment earlier or
  // not yet); the server ignores it (status is a subresource), so it says nothing about the SDK.
  if (r.method === "PUT" && body !== null && typeof body === "object" && "status" in body) {
    const { status: _echoed, ...rest } = body as Record<string, unknown>;
    body = rest;
  }
  return {
    method: r.method,
    path: normaliseText(r.path, n),
    contentType: r.contentType ?? "",
    ...(body !== undefined ? { body } : {}),
    status: r.status,
  };
}

/** Runs `scenario` with `sdk`'s engram and returns what its pod sent. */
export async function runScenario(peer: ClusterPeer, rt: RuntimeName, sdk: Sdk, scenario: Scenario): Promise<SdkRun> {
  const image = sdk === "go" ? "bubu-e2e/go-engram-rec" : `bubu-e2e/engram-rec:${rt}`;
  const { api, ns, close } = await e2eNamespace(peer, `parity-${scenario.name}-${sdk}`.slice(0, 40));
  try {
    await applyAll(api, [
      engramTemplate("parity", ns, image),
      engram("engram", ns, "parity", { with: scenario.with }),
      story("s", ns, {
        ...(scenario.policy ? { policy: scenario.policy } : {}),
        steps: [
          {
            name: "step",
            ref: { name: "engram" },
            ...(scenario.stepWith ? { with: scenario.stepWith } : {}),
            execution: scenario.execution ?? { retry: { maxRetries: 0 } },
          },
        ],
      }),
    ]);
    const finished = await runStory(peer, api, ns, "s", {}, { timeoutMs: 120_000 });
    // The pod may still write (the logs reference comes after the terminal status): wait for its exit.
    await waitFor(
      `the pods of ${ns} to exit`,
      async () => {
        const dirs = readdirSync(peer.podsDir).filter((d) => d.startsWith(`${ns}_`));
        return dirs.length > 0 && dirs.every((d) => existsSync(join(peer.podsDir, d, "exit"))) ? true : undefined;
      },
      { timeoutMs: 60_000 },
    );
    const user = `system:serviceaccount:${ns}:`;
    const names: Names = { ns, claim: await deriveEffectClaimName(ns, "s-run-step", "charge") };
    const recorded = readFileSync(peer.recorderLog, "utf8")
      .split("\n")
      .filter((l) => l.includes(user))
      .map((l) => JSON.parse(l) as RecordedRequest)
      .filter((r) => r.user.startsWith(user));
    const auditUris = readFileSync(peer.auditLog, "utf8")
      .split("\n")
      .filter((l) => l.includes(user))
      .map((l) => JSON.parse(l) as Json)
      .filter((e) => (e.user as { username: string }).username.startsWith(user))
      .map((e) => e.requestURI as string);
    return {
      sdk,
      ns,
      requests: recorded.map((r) => normalise(r, names)),
      finished,
      auditUris: auditUris.map((u) => normaliseText(u, names)).sort(),
      recorderUris: recorded.map((r) => normaliseText(r.path, names)).sort(),
    };
  } finally {
    await close();
  }
}

/** JSON with object keys sorted: two bodies are the same request whatever their key order. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x !== null && typeof x === "object" && !Array.isArray(x)
      ? Object.fromEntries(
          Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : x,
  );
}

/** One line per request (bodies with sorted keys), for comparison and failure messages. */
export function show(reqs: readonly Req[]): string {
  return reqs
    .map(
      (r) =>
        `${r.method} ${r.path} [${r.contentType}] ${r.status}${r.body === undefined ? "" : ` ${canonical(r.body)}`}`,
    )
    .join("\n");
}
