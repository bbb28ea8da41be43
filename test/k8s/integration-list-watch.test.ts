// KubeClient list/delete/watch and listAndWatch against the real Kubernetes API peer (etcd +
// apiextensions-apiserver, test/peers/k8s/start.sh), on StoryRun objects in a fresh namespace,
// through the runtime's TLS fetch. Skipped with a message when the peer is absent; under CI=true
// they fail instead.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import type { KubeClient } from "../../src/k8s/client.ts";
import { createKubeClient } from "../../src/k8s/create-client.ts";
import {
  isConflict,
  isNotFound,
  isResourceExpired,
  KubernetesError,
  ResourceExpiredError,
} from "../../src/k8s/errors.ts";
import { listAndWatch } from "../../src/k8s/list-watch.ts";
import { STORY_RUNS } from "../../src/k8s/resources.ts";
import type { WatchEvent } from "../../src/k8s/watch-event.ts";
import type { Runtime, TlsFetch } from "../../src/runtime/types.ts";
import { type K8sPeer, k8sPeerSkip, requireK8sPeer } from "../peers/k8s/peer.ts";

const skip = k8sPeerSkip();
const ns = `lw-${randomBytes(3).toString("hex")}`;
let peer: K8sPeer | undefined;
let runtime: Runtime | undefined;
let dir = "";
let kube: KubeClient | undefined;
let metricsFetch: TlsFetch | undefined;

type Run = {
  metadata: { name: string; resourceVersion: string; uid: string; labels?: Record<string, string> };
  spec: { storyRef: { name: string } };
};

/** Lazily finds the peer and the runtime; throws under CI when the peer is missing. */
async function setup(): Promise<KubeClient> {
  if (kube !== undefined) return kube;
  peer = requireK8sPeer();
  if (!peer) throw new Error("unreachable: the test is skipped without a peer");
  dir = await mkdtemp(join(tmpdir(), "k8s-lw-"));
  const { detectRuntime } = await import("../../src/runtime/detect.ts");
  const rt = detectRuntime();
  runtime = rt;
  const env: Record<string, string> = { BUBU_POD_NAMESPACE: ns, BUBU_K8S_TIMEOUT: "10s" };
  kube = await createKubeClient(
    {
      env: (n) => env[n],
      fs: rt.fs,
      homeDir: () => dir,
      cwd: () => dir,
      createTlsFetch: (o) => rt.createTlsFetch(o),
    },
    { kubeconfigPath: peer.kubeconfigPath },
  );
  return kube;
}

const id = (): string => randomBytes(4).toString("hex");

function createRun(c: KubeClient, name: string, labels: Record<string, string>, story = "story-a"): Promise<Run> {
  return c.create<Run>(STORY_RUNS, ns, {
    apiVersion: "runs.bubustack.io/v1alpha1",
    kind: "StoryRun",
    metadata: { name, namespace: ns, labels },
    spec: { storyRef: { name: story } },
  });
}

/** Collects watch events until `until` says stop; fails after `ms`. */
async function collect<T>(
  events: AsyncIterable<WatchEvent<T>>,
  until: (seen: WatchEvent<T>[]) => boolean,
  ms: number,
  ac: AbortController,
): Promise<WatchEvent<T>[]> {
  const seen: WatchEvent<T>[] = [];
  const timer = setTimeout(() => ac.abort(new Error("timed out waiting for watch events")), ms);
  try {
    for await (const e of events) {
      seen.push(e);
      if (until(seen)) break;
    }
  } finally {
    clearTimeout(timer);
  }
  return seen;
}

const nameOf = (o: unknown): string => (o as Run).metadata.name;

/** Active WATCH requests on storyruns as the API server counts them (`apiserver_longrunning_requests`). */
async function activeStoryRunWatches(): Promise<number> {
  metricsFetch ??= runtime!.createTlsFetch({ ca: peer!.caPem, cert: peer!.certPem, key: peer!.keyPem });
  const res = await metricsFetch.fetch(`${peer!.url}/metrics`, { signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  assert.equal(res.status, 200, text.slice(0, 200));
  let total = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith("apiserver_longrunning_requests{")) continue;
    if (
      line.includes('group="runs.bubustack.io"') &&
      line.includes('resource="storyruns"') &&
      line.includes('verb="WATCH"')
    ) {
      total += Number(line.slice(line.lastIndexOf(" ") + 1));
    }
  }
  return total;
}

/** Polls `probe` until it returns true; fails after `ms`. */
async function eventually(probe: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > end) assert.fail(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("KubeClient list, delete and watch against the real API server", () => {
  after(async () => {
    if (kube !== undefined) {
      // Remove whatever a failed test left behind in its namespace.
      try {
        for await (const page of kube.listAll<Run>(STORY_RUNS, ns)) {
          for (const item of page.items) await kube.delete(STORY_RUNS, ns, item.metadata.name).catch(() => {});
        }
      } catch {
        // The peer went away: nothing to clean.
      }
      await kube.close();
    }
    await metricsFetch?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test("list with a label selector pages through 5 objects with limit=2; listAll follows the tokens", {
    skip,
  }, async () => {
    const c = await setup();
    const set = id();
    const names = Array.from({ length: 5 }, (_, i) => `list-${set}-${i}`);
    for (const n of names) await createRun(c, n, { "it-set": set });
    await createRun(c, `list-${set}-other`, { "it-set": `${set}-other` });

    const pages: string[][] = [];
    let token: string | undefined;
    let listVersion = "";
    do {
      const page = await c.list<Run>(STORY_RUNS, ns, {
        labelSelector: `it-set=${set}`,
        limit: 2,
        ...(token ? { continue: token } : {}),
      });
      pages.push(page.items.map((i) => i.metadata.name));
      assert.match(page.metadata.resourceVersion, /^\d+$/);
      if (listVersion === "") listVersion = page.metadata.resourceVersion;
      token = page.metadata.continue;
    } while (token !== undefined);
    assert.deepEqual(
      pages.map((p) => p.length),
      [2, 2, 1],
    );
    assert.deepEqual(pages.flat().sort(), names);

    const all: string[][] = [];
    for await (const page of c.listAll<Run>(STORY_RUNS, ns, { labelSelector: `it-set=${set}`, limit: 2 }))
      all.push(page.items.map((i) => i.metadata.name));
    assert.deepEqual(all, pages);

    const one = await c.list<Run>(STORY_RUNS, ns, { fieldSelector: `metadata.name=${names[3]}` });
    assert.deepEqual(
      one.items.map((i) => i.metadata.name),
      [names[3]],
    );
    assert.equal(one.metadata.continue, undefined);
    const none = await c.list<Run>(STORY_RUNS, ns, { labelSelector: `it-set=${set}-absent` });
    assert.deepEqual(none.items, []);
    await assert.rejects(
      c.list(STORY_RUNS, ns, { labelSelector: "not a selector!" }),
      (e: unknown) => e instanceof KubernetesError && e.status === 400,
    );
  });

  test("delete: a stale resourceVersion or uid precondition is a 409 and keeps the object; a current one deletes; a missing object is a 404", {
    skip,
  }, async () => {
    const c = await setup();
    const name = `del-${id()}`;
    const v1 = await createRun(c, name, { "it-del": "x" });
    const v2 = await c.mergePatch<Run>(STORY_RUNS, ns, name, { metadata: { labels: { "it-del": "y" } } });
    assert.notEqual(v2.metadata.resourceVersion, v1.metadata.resourceVersion);

    await assert.rejects(
      c.delete(STORY_RUNS, ns, name, { preconditions: { resourceVersion: v1.metadata.resourceVersion } }),
      (e: unknown) => {
        assert.ok(e instanceof KubernetesError);
        assert.ok(isConflict(e), e.message);
        assert.equal(e.reason, "Conflict");
        assert.match(e.message, /precondition/i);
        return true;
      },
    );
    await assert.rejects(
      c.delete(STORY_RUNS, ns, name, { preconditions: { uid: "00000000-0000-0000-0000-000000000000" } }),
      (e: unknown) => isConflict(e),
    );
    assert.equal((await c.get<Run>(STORY_RUNS, ns, name)).metadata.resourceVersion, v2.metadata.resourceVersion);

    // A custom resource without finalizers is gone at once: the answer is a Success Status.
    const gone = await c.delete<{ kind: string; status: string; details: { name: string; uid: string } }>(
      STORY_RUNS,
      ns,
      name,
      {
        preconditions: { resourceVersion: v2.metadata.resourceVersion, uid: v2.metadata.uid },
        propagationPolicy: "Background",
      },
    );
    assert.equal(gone.kind, "Status");
    assert.equal(gone.status, "Success");
    assert.deepEqual([gone.details.name, gone.details.uid], [name, v2.metadata.uid]);
    await assert.rejects(c.get(STORY_RUNS, ns, name), (e: unknown) => isNotFound(e));

    const plain = `del-${id()}`;
    await createRun(c, plain, {});
    await c.delete(STORY_RUNS, ns, plain);
    await assert.rejects(c.delete(STORY_RUNS, ns, plain), (e: unknown) => {
      assert.ok(e instanceof KubernetesError);
      assert.ok(isNotFound(e));
      assert.equal(e.reason, "NotFound");
      assert.match(e.message, new RegExp(`"${plain}" not found`));
      return true;
    });
  });

  test("watch sees ADDED, MODIFIED and DELETED for changes after it starts, and resumes from a resourceVersion", {
    skip,
  }, async () => {
    const c = await setup();
    const set = id();
    const before = `w-${set}-before`;
    await createRun(c, before, { "it-watch": set });
    const start = await c.list<Run>(STORY_RUNS, ns, { labelSelector: `it-watch=${set}` });
    assert.deepEqual(
      start.items.map((i) => i.metadata.name),
      [before],
    );

    const name = `w-${set}-after`;
    const ac = new AbortController();
    const events = c.watch<Run>(STORY_RUNS, ns, {
      labelSelector: `it-watch=${set}`,
      resourceVersion: start.metadata.resourceVersion,
      signal: ac.signal,
    });
    const changes = (async () => {
      await createRun(c, name, { "it-watch": set });
      await c.mergePatch(STORY_RUNS, ns, name, { spec: { storyRef: { name: "story-b" } } });
      await c.delete(STORY_RUNS, ns, name);
    })();
    const seen = await collect(events, (s) => s.some((e) => e.type === "DELETED"), 15_000, ac);
    await changes;
    assert.deepEqual(
      seen.map((e) => `${e.type}:${nameOf(e.object)}`),
      [`ADDED:${name}`, `MODIFIED:${name}`, `DELETED:${name}`],
    );
    assert.equal(seen[1]!.object.spec.storyRef.name, "story-b");
    const rvs = seen.map((e) => BigInt(e.object.metadata.resourceVersion));
    assert.ok(rvs[0]! > BigInt(start.metadata.resourceVersion) && rvs[0]! < rvs[1]! && rvs[1]! < rvs[2]!);

    // Resumed from the MODIFIED event's version: only what came after it.
    const ac2 = new AbortController();
    const resumed = await collect(
      c.watch<Run>(STORY_RUNS, ns, {
        labelSelector: `it-watch=${set}`,
        resourceVersion: seen[1]!.object.metadata.resourceVersion,
        signal: ac2.signal,
      }),
      (s) => s.length >= 1,
      15_000,
      ac2,
    );
    assert.deepEqual(
      resumed.map((e) => `${e.type}:${nameOf(e.object)}`),
      [`DELETED:${name}`],
    );

    // Without a resourceVersion the watch starts with the current state.
    const ac3 = new AbortController();
    const initial = await collect(
      c.watch<Run>(STORY_RUNS, ns, { labelSelector: `it-watch=${set}`, signal: ac3.signal }),
      (s) => s.length >= 1,
      15_000,
      ac3,
    );
    assert.deepEqual(
      initial.map((e) => `${e.type}:${nameOf(e.object)}`),
      [`ADDED:${before}`],
    );

    // timeoutSeconds: the server ends the watch and the iterator ends by itself.
    const t0 = Date.now();
    const ended: WatchEvent<Run>[] = [];
    for await (const e of c.watch<Run>(STORY_RUNS, ns, {
      labelSelector: `it-watch=${set}-quiet`,
      timeoutSeconds: 1,
      signal: AbortSignal.timeout(15_000),
    }))
      ended.push(e);
    assert.deepEqual(ended, []);
    assert.ok(Date.now() - t0 < 10_000);
  });

  test("a watch from a compacted resourceVersion fails with ResourceExpiredError (410)", { skip }, async () => {
    const c = await setup();
    await assert.rejects(
      async () => {
        for await (const _ of c.watch(STORY_RUNS, ns, { resourceVersion: "1", signal: AbortSignal.timeout(15_000) }))
          assert.fail("no event expected");
      },
      (e: unknown) => {
        assert.ok(e instanceof ResourceExpiredError, String(e));
        assert.ok(isResourceExpired(e));
        assert.equal(e.status, 410);
        assert.equal(e.reason, "Expired");
        assert.match(e.message, /too old resource version/);
        return true;
      },
    );
  });

  test("aborting a watch ends the iterator and the API server no longer counts the request", { skip }, async () => {
    const c = await setup();
    const set = id();
    const baseline = await activeStoryRunWatches();
    const ac = new AbortController();
    const events = c.watch<Run>(STORY_RUNS, ns, { labelSelector: `it-abort=${set}`, signal: ac.signal });
    // A quiet watch: the iterator is parked on a read when the abort comes.
    const consumed = (async () => {
      const seen: string[] = [];
      for await (const e of events) seen.push(`${e.type}:${nameOf(e.object)}`);
      return seen;
    })();
    await createRun(c, `ab-${set}`, { "it-abort": set });
    await eventually(
      async () => (await activeStoryRunWatches()) >= baseline + 1,
      10_000,
      "the watch is open on the server",
    );
    await new Promise((r) => setTimeout(r, 200));
    ac.abort();
    const t0 = Date.now();
    const seen = await consumed;
    assert.ok(Date.now() - t0 < 2_000, "the iterator ends promptly");
    assert.ok(seen.length <= 1 && seen.every((s) => s === `ADDED:ab-${set}`), String(seen));
    await eventually(
      async () => (await activeStoryRunWatches()) <= baseline,
      10_000,
      "the watch request is closed on the server",
    );
  });

  test("breaking out of a watch closes the request too", { skip }, async () => {
    const c = await setup();
    const set = id();
    await createRun(c, `br-${set}`, { "it-break": set });
    const baseline = await activeStoryRunWatches();
    for await (const e of c.watch<Run>(STORY_RUNS, ns, {
      labelSelector: `it-break=${set}`,
      signal: AbortSignal.timeout(15_000),
    })) {
      assert.equal(e.type, "ADDED");
      assert.ok((await activeStoryRunWatches()) >= baseline + 1);
      break;
    }
    await eventually(
      async () => (await activeStoryRunWatches()) <= baseline,
      10_000,
      "the watch request is closed on the server",
    );
  });

  test("listAndWatch: a snapshot, then the changes", { skip }, async () => {
    const c = await setup();
    const set = id();
    await createRun(c, `lw-${set}-a`, { "it-lw": set });
    await createRun(c, `lw-${set}-b`, { "it-lw": set });
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), 15_000);
    const got: string[] = [];
    try {
      for await (const e of listAndWatch<Run>(c, STORY_RUNS, ns, {
        labelSelector: `it-lw=${set}`,
        pageSize: 1,
        signal: ac.signal,
      })) {
        if (e.type === "SYNC") {
          got.push(
            `SYNC:${e.items
              .map((i) => i.metadata.name)
              .sort()
              .join(",")}`,
          );
          await createRun(c, `lw-${set}-c`, { "it-lw": set });
          await c.delete(STORY_RUNS, ns, `lw-${set}-a`);
        } else {
          got.push(`${e.type}:${e.object.metadata.name}`);
          if (e.type === "DELETED") ac.abort();
        }
      }
    } finally {
      clearTimeout(timer);
    }
    assert.deepEqual(got, [`SYNC:lw-${set}-a,lw-${set}-b`, `ADDED:lw-${set}-c`, `DELETED:lw-${set}-a`]);
  });
});
