// KubeClient list/listAll/delete/watch and listAndWatch against a scripted HTTP server on
// 127.0.0.1: request shapes, chunking on the wire, timeouts, abort and the re-list on 410.

import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, test } from "node:test";
import { KubeClient } from "../../src/k8s/client.ts";
import type { KubeConfig } from "../../src/k8s/config.ts";
import {
  isConflict,
  isNotFound,
  isResourceExpired,
  KubernetesError,
  ResourceExpiredError,
} from "../../src/k8s/errors.ts";
import { type ListWatchEvent, listAndWatch } from "../../src/k8s/list-watch.ts";
import { STORY_RUNS } from "../../src/k8s/resources.ts";

const COLLECTION = "/apis/runs.bubustack.io/v1alpha1/namespaces/ns1/storyruns";

interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  body: string;
  /** Resolves when the client closes the connection of this request. */
  closed: Promise<void>;
}

type Handler = (req: Seen, res: ServerResponse) => void | Promise<void>;

let server: Server;
let url = "";
let handler: Handler;
let seen: Seen[];
const openResponses = new Set<ServerResponse>();
/** Errors of handlers whose response was still open (a handler that writes after the client left is fine). */
let handlerErrors: unknown[];

beforeEach(async () => {
  seen = [];
  handlerErrors = [];
  handler = (_req, res) => {
    res.writeHead(500);
    res.end();
  };
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const u = new URL(req.url ?? "/", "http://x");
      const closed = new Promise<void>((resolve) => res.on("close", () => resolve()));
      const s: Seen = {
        method: req.method ?? "",
        path: u.pathname,
        query: u.searchParams,
        body: Buffer.concat(chunks).toString(),
        closed,
      };
      seen.push(s);
      openResponses.add(res);
      res.on("close", () => openResponses.delete(res));
      Promise.resolve()
        .then(() => handler(s, res))
        .catch((err: unknown) => {
          if (!res.destroyed) handlerErrors.push(err);
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  for (const res of openResponses) res.destroy();
  server.closeAllConnections?.();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  assert.deepEqual(handlerErrors, []);
});

function client(timeoutMs = 5_000): KubeClient {
  const config: KubeConfig = {
    server: url,
    caSource: "system roots",
    source: "explicit",
    namespace: "ns1",
    userAgent: "bubu-sdk-go",
    timeoutMs,
    operationTimeoutMs: 10_000,
    patchMaxRetries: 5,
    podName: "",
  };
  return new KubeClient(config, {
    createTlsFetch: () => {
      throw new Error("TLS fetch not expected in this test");
    },
    fs: { readTextFile: () => Promise.reject(new Error("no files in this test")) },
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

function sendStatus(res: ServerResponse, code: number, reason: string, message: string): void {
  sendJson(res, code, { kind: "Status", apiVersion: "v1", status: "Failure", reason, message, code });
}

/** Starts a chunked watch response. */
function startWatch(res: ServerResponse): void {
  res.writeHead(200, { "Content-Type": "application/json", "Transfer-Encoding": "chunked" });
  res.flushHeaders();
}

const line = (type: string, name: string, rv: string): string =>
  `${JSON.stringify({ type, object: { kind: "StoryRun", metadata: { name, resourceVersion: rv } } })}\n`;

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type Run = { metadata: { name: string; resourceVersion: string } };

describe("KubeClient.list / listAll", () => {
  test("list sends the selectors and paging parameters and returns items and metadata", async () => {
    handler = (_req, res) =>
      sendJson(res, 200, {
        apiVersion: "runs.bubustack.io/v1alpha1",
        kind: "StoryRunList",
        metadata: { resourceVersion: "42", continue: "c2", remainingItemCount: 3 },
        items: [{ metadata: { name: "a" } }, { metadata: { name: "b" } }],
      });
    const page = await client().list(STORY_RUNS, "ns1", {
      labelSelector: "app=x",
      fieldSelector: "spec.storyRef.name=s",
      limit: 2,
      continue: "c1",
    });
    assert.equal(seen[0]!.method, "GET");
    assert.equal(seen[0]!.path, COLLECTION);
    assert.deepEqual(Object.fromEntries(seen[0]!.query), {
      labelSelector: "app=x",
      fieldSelector: "spec.storyRef.name=s",
      limit: "2",
      continue: "c1",
    });
    assert.deepEqual(
      page.items.map((i) => (i["metadata"] as { name: string }).name),
      ["a", "b"],
    );
    assert.deepEqual(page.metadata, { resourceVersion: "42", continue: "c2", remainingItemCount: 3 });
  });

  test("listAll follows continue tokens with the same options and stops on the last page", async () => {
    const pages: Record<string, unknown> = {
      "": { metadata: { resourceVersion: "7", continue: "t1" }, items: [{ n: 1 }, { n: 2 }] },
      t1: { metadata: { resourceVersion: "7", continue: "t2" }, items: [{ n: 3 }, { n: 4 }] },
      t2: { metadata: { resourceVersion: "7" }, items: [{ n: 5 }] },
    };
    handler = (req, res) => sendJson(res, 200, pages[req.query.get("continue") ?? ""]);
    const got: number[][] = [];
    for await (const page of client().listAll<{ n: number }>(STORY_RUNS, "ns1", { labelSelector: "a=b", limit: 2 })) {
      got.push(page.items.map((i) => i.n));
      assert.equal(page.metadata.resourceVersion, "7");
    }
    assert.deepEqual(got, [[1, 2], [3, 4], [5]]);
    assert.deepEqual(
      seen.map((s) => s.query.toString()),
      [
        "labelSelector=a%3Db&limit=2",
        "labelSelector=a%3Db&limit=2&continue=t1",
        "labelSelector=a%3Db&limit=2&continue=t2",
      ],
    );
  });

  test("an expired continue token is a ResourceExpiredError; a non-list answer a protocol error", async () => {
    handler = (_req, res) => sendStatus(res, 410, "Expired", "The provided continue parameter is too old");
    await assert.rejects(
      client().list(STORY_RUNS, "ns1", { continue: "old" }),
      (e: unknown) => e instanceof ResourceExpiredError && isResourceExpired(e),
    );
    handler = (_req, res) => sendJson(res, 200, { items: "nope" });
    await assert.rejects(
      client().list(STORY_RUNS, "ns1"),
      (e: unknown) => e instanceof KubernetesError && e.kind === "protocol",
    );
    await assert.rejects(client().list(STORY_RUNS, "ns1", { limit: 0 }), RangeError);
    await assert.rejects(client().list(STORY_RUNS, ""), /namespace is required/);
  });

  test("an aborted list is a canceled KubernetesError", async () => {
    handler = async (_req, res) => {
      await delay(2_000);
      sendJson(res, 200, { items: [], metadata: {} });
    };
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    await assert.rejects(
      client().list(STORY_RUNS, "ns1", { signal: ac.signal }),
      (e: unknown) => e instanceof KubernetesError && e.kind === "canceled",
    );
  });
});

describe("KubeClient.delete", () => {
  test("sends DeleteOptions only when given, and maps 404 and 409", async () => {
    handler = (req, res) => {
      if (req.path.endsWith("/missing"))
        return sendStatus(res, 404, "NotFound", 'storyruns.runs.bubustack.io "missing" not found');
      if (req.body.includes("preconditions"))
        return sendStatus(
          res,
          409,
          "Conflict",
          "Precondition failed: ResourceVersion in precondition: 1, ResourceVersion in object meta: 2",
        );
      sendJson(res, 200, { kind: "Status", status: "Success" });
    };
    const c = client();
    assert.deepEqual(await c.delete(STORY_RUNS, "ns1", "a"), { kind: "Status", status: "Success" });
    assert.equal(seen[0]!.method, "DELETE");
    assert.equal(seen[0]!.path, `${COLLECTION}/a`);
    assert.equal(seen[0]!.body, "");
    await c.delete(STORY_RUNS, "ns1", "b", { propagationPolicy: "Background", gracePeriodSeconds: 0 });
    assert.deepEqual(JSON.parse(seen[1]!.body), {
      apiVersion: "meta.k8s.io/v1",
      kind: "DeleteOptions",
      propagationPolicy: "Background",
      gracePeriodSeconds: 0,
    });
    await assert.rejects(c.delete(STORY_RUNS, "ns1", "c", { preconditions: { resourceVersion: "1" } }), (e: unknown) =>
      isConflict(e),
    );
    await assert.rejects(
      c.delete(STORY_RUNS, "ns1", "missing"),
      (e: unknown) => isNotFound(e) && (e as KubernetesError).reason === "NotFound",
    );
  });
});

describe("KubeClient.watch", () => {
  test("events cut across TCP writes arrive whole and in order; the query is right; the end ends the iterator", async () => {
    const a = line("ADDED", "a", "11");
    const m = line("MODIFIED", "a", "12");
    handler = async (_req, res) => {
      startWatch(res);
      res.write(a.slice(0, 25));
      await delay(30);
      res.write(a.slice(25) + m.slice(0, 5));
      await delay(30);
      res.write(m.slice(5) + line("BOOKMARK", "", "13") + line("DELETED", "a", "14"));
      res.end();
    };
    const events: string[] = [];
    for await (const e of client().watch<Run>(STORY_RUNS, "ns1", {
      signal: new AbortController().signal,
      resourceVersion: "10",
      labelSelector: "app=x",
      allowWatchBookmarks: true,
      timeoutSeconds: 30,
    })) {
      events.push(`${e.type}:${e.object.metadata.resourceVersion}`);
    }
    assert.deepEqual(events, ["ADDED:11", "MODIFIED:12", "BOOKMARK:13", "DELETED:14"]);
    assert.deepEqual(Object.fromEntries(seen[0]!.query), {
      watch: "true",
      resourceVersion: "10",
      labelSelector: "app=x",
      allowWatchBookmarks: "true",
      timeoutSeconds: "30",
    });
  });

  test("the per-request timeout bounds the headers only: a stream may outlast it", async () => {
    handler = async (_req, res) => {
      startWatch(res);
      await delay(400);
      res.write(line("ADDED", "late", "2"));
      res.end();
    };
    const events = [];
    for await (const e of client(150).watch<Run>(STORY_RUNS, "ns1", { signal: new AbortController().signal }))
      events.push(e.object.metadata.name);
    assert.deepEqual(events, ["late"]);
  });

  test("headers that do not arrive in time are a retryable timeout error", async () => {
    handler = async (_req, res) => {
      await delay(1_000);
      startWatch(res);
      res.end();
    };
    await assert.rejects(
      async () => {
        for await (const _ of client(100).watch(STORY_RUNS, "ns1", { signal: new AbortController().signal }));
      },
      (e: unknown) => e instanceof KubernetesError && e.kind === "timeout" && e.retryable,
    );
  });

  test("HTTP 410 and 403 answers are thrown as typed errors", async () => {
    handler = (_req, res) => sendStatus(res, 410, "Gone", "too old");
    await assert.rejects(
      async () => {
        for await (const _ of client().watch(STORY_RUNS, "ns1", {
          signal: new AbortController().signal,
          resourceVersion: "1",
        }));
      },
      (e: unknown) => e instanceof ResourceExpiredError && e.reason === "Gone",
    );
    handler = (_req, res) => sendStatus(res, 403, "Forbidden", "storyruns is forbidden");
    await assert.rejects(
      async () => {
        for await (const _ of client().watch(STORY_RUNS, "ns1", { signal: new AbortController().signal }));
      },
      (e: unknown) => e instanceof KubernetesError && e.status === 403 && e.message === "storyruns is forbidden",
    );
  });

  test("an ERROR event mid-stream throws after the earlier events and closes the connection", async () => {
    handler = (_req, res) => {
      startWatch(res);
      res.write(line("ADDED", "a", "5"));
      res.write(
        `${JSON.stringify({ type: "ERROR", object: { kind: "Status", code: 500, reason: "InternalError", message: "etcd went away" } })}\n`,
      );
    };
    const got: string[] = [];
    await assert.rejects(
      async () => {
        for await (const e of client().watch<Run>(STORY_RUNS, "ns1", { signal: new AbortController().signal }))
          got.push(e.object.metadata.name);
      },
      (e: unknown) => e instanceof KubernetesError && e.status === 500 && e.message === "etcd went away",
    );
    assert.deepEqual(got, ["a"]);
    await Promise.race([seen[0]!.closed, delay(3_000).then(() => assert.fail("the watch connection stayed open"))]);
  });

  test("abort mid-stream ends the iterator without error and closes the connection", async () => {
    handler = (_req, res) => {
      startWatch(res);
      res.write(line("ADDED", "a", "5"));
    };
    const ac = new AbortController();
    const got: string[] = [];
    for await (const e of client().watch<Run>(STORY_RUNS, "ns1", { signal: ac.signal })) {
      got.push(e.object.metadata.name);
      setTimeout(() => ac.abort(), 20);
    }
    assert.deepEqual(got, ["a"]);
    await Promise.race([seen[0]!.closed, delay(3_000).then(() => assert.fail("the watch connection stayed open"))]);
  });

  test("abort before the headers ends the iterator without error; an already aborted signal sends nothing", async () => {
    handler = async (_req, res) => {
      await delay(2_000);
      startWatch(res);
      res.end();
    };
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const t0 = Date.now();
    for await (const _ of client().watch(STORY_RUNS, "ns1", { signal: ac.signal })) assert.fail("no events expected");
    assert.ok(Date.now() - t0 < 1_500);
    const before = seen.length;
    for await (const _ of client().watch(STORY_RUNS, "ns1", { signal: AbortSignal.abort() }))
      assert.fail("no events expected");
    assert.equal(seen.length, before);
  });
});

describe("listAndWatch", () => {
  test("lists, watches from the list version, resumes from the last version, re-lists on 410, backs off on 429", async () => {
    let lists = 0;
    let watches = 0;
    handler = (req, res) => {
      if (req.query.get("watch") !== "true") {
        if (!req.query.has("continue")) lists++;
        if (lists === 1) {
          // Two pages of the first snapshot.
          if (!req.query.has("continue"))
            return sendJson(res, 200, {
              metadata: { resourceVersion: "10", continue: "p2" },
              items: [{ metadata: { name: "a", resourceVersion: "3" } }],
            });
          return sendJson(res, 200, {
            metadata: { resourceVersion: "10" },
            items: [{ metadata: { name: "b", resourceVersion: "4" } }],
          });
        }
        return sendJson(res, 200, {
          metadata: { resourceVersion: "20" },
          items: [{ metadata: { name: "c", resourceVersion: "19" } }],
        });
      }
      watches++;
      if (watches === 1) {
        // Ends normally (timeoutSeconds) after an event and a bookmark.
        startWatch(res);
        res.end(line("ADDED", "x", "11") + line("BOOKMARK", "", "12"));
      } else if (watches === 2) {
        sendStatus(res, 429, "TooManyRequests", "slow down");
      } else if (watches === 3) {
        startWatch(res);
        res.end(
          `${JSON.stringify({ type: "ERROR", object: { kind: "Status", code: 410, reason: "Expired", message: "too old resource version: 12 (15)" } })}\n`,
        );
      } else {
        startWatch(res);
        res.write(line("MODIFIED", "c", "21"));
      }
    };
    const ac = new AbortController();
    const got: string[] = [];
    for await (const e of listAndWatch<Run>(client(), STORY_RUNS, "ns1", {
      signal: ac.signal,
      pageSize: 1,
      labelSelector: "app=x",
      initialBackoffMs: 20,
      watchTimeoutSeconds: 60,
    })) {
      got.push(describeEvent(e));
      if (e.type === "MODIFIED") ac.abort();
    }
    assert.deepEqual(got, ["SYNC@10:a,b", "ADDED:x@11", "SYNC@20:c", "MODIFIED:c@21"]);
    const watchVersions = seen
      .filter((s) => s.query.get("watch") === "true")
      .map((s) => s.query.get("resourceVersion"));
    assert.deepEqual(watchVersions, ["10", "12", "12", "20"]);
    for (const s of seen) assert.equal(s.query.get("labelSelector"), "app=x");
    for (const s of seen.filter((x) => x.query.get("watch") === "true")) {
      assert.equal(s.query.get("allowWatchBookmarks"), "true");
      assert.equal(s.query.get("timeoutSeconds"), "60");
    }
  });

  test("a non-retryable error is thrown; abort during the backoff ends quietly", async () => {
    handler = (req, res) => {
      if (req.query.get("watch") !== "true")
        return sendJson(res, 200, { metadata: { resourceVersion: "1" }, items: [] });
      sendStatus(res, 403, "Forbidden", "no watch for you");
    };
    await assert.rejects(
      async () => {
        for await (const _ of listAndWatch(client(), STORY_RUNS, "ns1", { signal: new AbortController().signal }));
      },
      (e: unknown) => e instanceof KubernetesError && e.status === 403,
    );

    handler = (_req, res) => sendStatus(res, 503, "ServiceUnavailable", "not yet"); // not retryable in the shared classification
    await assert.rejects(
      async () => {
        for await (const _ of listAndWatch(client(), STORY_RUNS, "ns1", { signal: new AbortController().signal }));
      },
      (e: unknown) => e instanceof KubernetesError && e.status === 503,
    );

    handler = (_req, res) => sendStatus(res, 429, "TooManyRequests", "later");
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 150);
    const t0 = Date.now();
    const before = seen.length;
    for await (const _ of listAndWatch(client(), STORY_RUNS, "ns1", { signal: ac.signal, initialBackoffMs: 10_000 }))
      assert.fail("no events expected");
    assert.ok(Date.now() - t0 < 2_000);
    assert.equal(seen.length - before, 1, "one list, then the backoff wait that the abort cut short");
  });
});

function describeEvent(e: ListWatchEvent<Run>): string {
  if (e.type === "SYNC") return `SYNC@${e.resourceVersion}:${e.items.map((i) => i.metadata.name).join(",")}`;
  return `${e.type}:${e.object.metadata.name}@${e.object.metadata.resourceVersion}`;
}
