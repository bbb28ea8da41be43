// Unit tests of the watch framing: the line splitter, event decoding, the stream reader, and the
// option checks of list, watch and delete. No server.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { deleteOptionsBody } from "../../src/k8s/delete-options.ts";
import { isResourceExpired, KubernetesError, ResourceExpiredError } from "../../src/k8s/errors.ts";
import { DEFAULT_MAX_LINE_LENGTH, LineSplitter, LineTooLongError } from "../../src/k8s/line-splitter.ts";
import { listQuery, toObjectList } from "../../src/k8s/list-options.ts";
import { parseWatchEvent, type WatchEvent, watchQuery } from "../../src/k8s/watch-event.ts";
import { readWatchEvents } from "../../src/k8s/watch-stream.ts";

const enc = new TextEncoder();
const URL_ = "https://k8s.test/apis/runs.bubustack.io/v1alpha1/namespaces/ns/storyruns?watch=true";

/** Feeds `text` to a splitter cut at the given byte offsets. */
function splitAt(text: string, cuts: number[], splitter = new LineSplitter()): string[] {
  const bytes = enc.encode(text);
  const out: string[] = [];
  let prev = 0;
  for (const c of [...cuts, bytes.length]) {
    out.push(...splitter.push(bytes.subarray(prev, c)));
    prev = c;
  }
  out.push(...splitter.end());
  return out;
}

const ev = (type: string, name: string, rv: string): string =>
  JSON.stringify({ type, object: { kind: "StoryRun", metadata: { name, resourceVersion: rv } } });

describe("LineSplitter", () => {
  test("a JSON line cut inside a string, a key and a number comes out whole", () => {
    const line = ev("ADDED", "run-ü", "12345");
    const text = `${line}\n`;
    for (let cut = 1; cut < enc.encode(text).length; cut++) {
      assert.deepEqual(splitAt(text, [cut]), [line], `cut at byte ${cut}`);
    }
  });

  test("a multi-byte UTF-8 character cut between chunks is decoded, not replaced", () => {
    const line = '{"type":"ADDED","object":{"metadata":{"name":"é€😀"}}}';
    const bytes = enc.encode(`${line}\n`);
    const emoji = bytes.indexOf(0xf0);
    assert.deepEqual(splitAt(`${line}\n`, [emoji + 1, emoji + 2, emoji + 3]), [line]);
  });

  test("one chunk with several lines, and a chunk that ends with a partial line", () => {
    const a = ev("ADDED", "a", "1");
    const b = ev("MODIFIED", "a", "2");
    const c = ev("DELETED", "a", "3");
    const s = new LineSplitter();
    assert.deepEqual(s.push(enc.encode(`${a}\n${b}\n${c.slice(0, 10)}`)), [a, b]);
    assert.deepEqual(s.push(enc.encode(`${c.slice(10)}\n`)), [c]);
    assert.deepEqual(s.end(), []);
  });

  test("CRLF, blank lines and a last line without a newline", () => {
    assert.deepEqual(splitAt("one\r\n\n  \r\ntwo\nthree", [2, 5]), ["one", "two", "three"]);
  });

  test("one byte at a time", () => {
    const text = `${ev("ADDED", "x", "7")}\n${ev("BOOKMARK", "", "8")}\n`;
    const cuts = Array.from({ length: enc.encode(text).length - 1 }, (_, i) => i + 1);
    assert.deepEqual(splitAt(text, cuts), [ev("ADDED", "x", "7"), ev("BOOKMARK", "", "8")]);
  });

  test("a line over the bound throws LineTooLongError, whether or not its newline has arrived", () => {
    assert.throws(() => new LineSplitter(8).push(enc.encode("123456789")), LineTooLongError);
    assert.throws(
      () => new LineSplitter(8).push(enc.encode("12345\n123456789\n")),
      (err: unknown) => {
        assert.ok(err instanceof LineTooLongError);
        assert.equal(err.maxLength, 8);
        return true;
      },
    );
    const s = new LineSplitter(8);
    assert.deepEqual(s.push(enc.encode("1234")), []);
    assert.throws(() => s.push(enc.encode("56789")), LineTooLongError);
    assert.deepEqual(new LineSplitter(8).push(enc.encode("12345678\n")), ["12345678"]);
    assert.throws(() => new LineSplitter(0), RangeError);
    assert.ok(DEFAULT_MAX_LINE_LENGTH >= 4 * 1024 * 1024);
  });
});

describe("parseWatchEvent", () => {
  test("decodes the four event types", () => {
    for (const type of ["ADDED", "MODIFIED", "DELETED", "BOOKMARK"]) {
      const e = parseWatchEvent<{ metadata: { name: string } }>(ev(type, "n", "1"), URL_);
      assert.equal(e.type, type);
      assert.equal(e.object.metadata.name, "n");
    }
  });

  test("an ERROR event with a Status throws the API server's code, reason and message", () => {
    const line = JSON.stringify({
      type: "ERROR",
      object: {
        kind: "Status",
        apiVersion: "v1",
        status: "Failure",
        message: "internal error: boom",
        reason: "InternalError",
        code: 500,
      },
    });
    assert.throws(
      () => parseWatchEvent(line, URL_),
      (err: unknown) => {
        assert.ok(err instanceof KubernetesError);
        assert.ok(!(err instanceof ResourceExpiredError));
        assert.equal(err.kind, "status");
        assert.equal(err.status, 500);
        assert.equal(err.reason, "InternalError");
        assert.equal(err.message, "internal error: boom");
        assert.equal(err.url, URL_);
        return true;
      },
    );
  });

  test("an ERROR event with code 410 is a ResourceExpiredError", () => {
    const line = JSON.stringify({
      type: "ERROR",
      object: {
        kind: "Status",
        status: "Failure",
        message: "too old resource version: 1 (240)",
        reason: "Expired",
        code: 410,
      },
    });
    assert.throws(
      () => parseWatchEvent(line, URL_),
      (err: unknown) => {
        assert.ok(err instanceof ResourceExpiredError);
        assert.ok(err instanceof KubernetesError);
        assert.equal(err.name, "ResourceExpiredError");
        assert.equal(err.status, 410);
        assert.equal(err.reason, "Expired");
        assert.equal(err.retryable, false);
        assert.ok(isResourceExpired(err));
        return true;
      },
    );
  });

  test("an ERROR event without a usable Status is an InternalError 500", () => {
    assert.throws(
      () => parseWatchEvent('{"type":"ERROR","object":null}', URL_),
      (err: unknown) => {
        assert.ok(err instanceof KubernetesError);
        assert.equal(err.status, 500);
        assert.equal(err.reason, "InternalError");
        return true;
      },
    );
  });

  test("lines that are not events are protocol errors", () => {
    for (const line of [
      "{not json",
      "[1,2]",
      '"ADDED"',
      '{"type":"SYNC","object":{}}',
      '{"object":{}}',
      '{"type":"ADDED"}',
      '{"type":"ADDED","object":[]}',
    ]) {
      assert.throws(
        () => parseWatchEvent(line, URL_),
        (err: unknown) => {
          assert.ok(err instanceof KubernetesError, line);
          assert.equal(err.kind, "protocol", line);
          assert.equal(err.retryable, false);
          return true;
        },
      );
    }
  });
});

/** A body that sends `chunks` (strings or bytes) and records whether it was cancelled. */
function body(
  chunks: (string | Uint8Array)[],
  options: { hold?: boolean } = {},
): { stream: ReadableStream<Uint8Array>; cancelled: () => boolean } {
  let cancelled = false;
  let i = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (i < chunks.length) {
          const c = chunks[i++]!;
          controller.enqueue(typeof c === "string" ? enc.encode(c) : c);
        } else if (!options.hold) {
          controller.close();
        }
        // hold: never closes, like a watch with no more changes.
      },
      cancel() {
        cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, cancelled: () => cancelled };
}

const failure = (err: unknown): KubernetesError =>
  new KubernetesError({ kind: "connection", reason: "ConnectionError", message: String(err) });

async function collect<T>(it: AsyncIterable<WatchEvent<T>>): Promise<WatchEvent<T>[]> {
  const out: WatchEvent<T>[] = [];
  for await (const e of it) out.push(e);
  return out;
}

describe("readWatchEvents", () => {
  test("events split across chunks and several per chunk arrive in order; the stream's end ends them", async () => {
    const a = ev("ADDED", "a", "1");
    const m = ev("MODIFIED", "a", "2");
    const d = ev("DELETED", "a", "3");
    const b = body([a.slice(0, 7), `${a.slice(7)}\n${m}\n${d.slice(0, 30)}`, `${d.slice(30)}\n`]);
    const events = await collect(
      readWatchEvents<{ metadata: { resourceVersion: string } }>(b.stream, {
        url: URL_,
        signal: new AbortController().signal,
        failure,
      }),
    );
    assert.deepEqual(
      events.map((e) => [e.type, e.object.metadata.resourceVersion]),
      [
        ["ADDED", "1"],
        ["MODIFIED", "2"],
        ["DELETED", "3"],
      ],
    );
  });

  test("an ERROR event after good events throws after yielding them", async () => {
    const err = JSON.stringify({
      type: "ERROR",
      object: { kind: "Status", code: 410, reason: "Expired", message: "too old resource version: 5 (9)" },
    });
    const b = body([`${ev("ADDED", "a", "6")}\n${err}\n${ev("ADDED", "b", "7")}\n`], { hold: true });
    const seen: string[] = [];
    await assert.rejects(
      async () => {
        for await (const e of readWatchEvents(b.stream, { url: URL_, signal: new AbortController().signal, failure }))
          seen.push(e.type);
      },
      (e: unknown) => e instanceof ResourceExpiredError && e.message === "too old resource version: 5 (9)",
    );
    assert.deepEqual(seen, ["ADDED"]);
    assert.equal(b.cancelled(), true, "the body is cancelled when the reader throws");
  });

  test("a truncated last line is a protocol error", async () => {
    const b = body([ev("ADDED", "a", "1").slice(0, 20)]);
    await assert.rejects(
      collect(readWatchEvents(b.stream, { url: URL_, signal: new AbortController().signal, failure })),
      (e: unknown) => e instanceof KubernetesError && e.kind === "protocol",
    );
  });

  test("an over-long line is a protocol error", async () => {
    const b = body(["x".repeat(50)], { hold: true });
    await assert.rejects(
      collect(
        readWatchEvents(b.stream, { url: URL_, signal: new AbortController().signal, failure, maxLineLength: 16 }),
      ),
      (e: unknown) => e instanceof KubernetesError && e.kind === "protocol" && /longer than 16/.test(e.message),
    );
  });

  test("a read failure goes through the failure mapping", async () => {
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new Error("socket hang up"));
      },
    });
    await assert.rejects(
      collect(readWatchEvents(stream, { url: URL_, signal: new AbortController().signal, failure })),
      (e: unknown) => e instanceof KubernetesError && e.kind === "connection" && /socket hang up/.test(e.message),
    );
  });

  test("abort while waiting for data ends the iterator without error and cancels the body", async () => {
    const ac = new AbortController();
    const b = body([`${ev("ADDED", "a", "1")}\n`], { hold: true });
    const seen: string[] = [];
    const done = (async () => {
      for await (const e of readWatchEvents(b.stream, { url: URL_, signal: ac.signal, failure })) {
        seen.push(e.type);
        setTimeout(() => ac.abort(), 20);
      }
    })();
    await done;
    assert.deepEqual(seen, ["ADDED"]);
    assert.equal(b.cancelled(), true);
  });

  test("breaking out of for-await cancels the body", async () => {
    const b = body([`${ev("ADDED", "a", "1")}\n${ev("ADDED", "b", "2")}\n`], { hold: true });
    for await (const _ of readWatchEvents(b.stream, { url: URL_, signal: new AbortController().signal, failure }))
      break;
    assert.equal(b.cancelled(), true);
  });

  test("an already aborted signal yields nothing", async () => {
    const ac = new AbortController();
    ac.abort();
    const b = body([`${ev("ADDED", "a", "1")}\n`]);
    assert.deepEqual(await collect(readWatchEvents(b.stream, { url: URL_, signal: ac.signal, failure })), []);
    assert.equal(b.cancelled(), true);
  });
});

describe("query and body builders", () => {
  test("listQuery drops empty values and checks limit", () => {
    assert.deepEqual(
      listQuery({ labelSelector: "a=b", fieldSelector: "", limit: 2, continue: "tok", resourceVersion: "" }),
      {
        labelSelector: "a=b",
        fieldSelector: undefined,
        limit: "2",
        continue: "tok",
        resourceVersion: undefined,
      },
    );
    for (const limit of [0, -1, 1.5, Number.NaN]) assert.throws(() => listQuery({ limit }), RangeError);
  });

  test("toObjectList normalises items and metadata and refuses non-lists", () => {
    assert.deepEqual(toObjectList({ items: null, metadata: { resourceVersion: "9", continue: "" } }), {
      items: [],
      metadata: { resourceVersion: "9" },
    });
    assert.deepEqual(
      toObjectList({ items: [{ a: 1 }], metadata: { resourceVersion: "9", continue: "c", remainingItemCount: 3 } }),
      {
        items: [{ a: 1 }],
        metadata: { resourceVersion: "9", continue: "c", remainingItemCount: 3 },
      },
    );
    assert.equal(toObjectList({ items: {} }), undefined);
    assert.equal(toObjectList("x"), undefined);
  });

  test("watchQuery", () => {
    assert.deepEqual(watchQuery({ signal: new AbortController().signal }), {
      watch: "true",
      resourceVersion: undefined,
      labelSelector: undefined,
      fieldSelector: undefined,
      allowWatchBookmarks: undefined,
      timeoutSeconds: undefined,
    });
    assert.deepEqual(
      watchQuery({
        signal: new AbortController().signal,
        resourceVersion: "5",
        labelSelector: "x=y",
        fieldSelector: "metadata.name=n",
        allowWatchBookmarks: true,
        timeoutSeconds: 0,
      }),
      {
        watch: "true",
        resourceVersion: "5",
        labelSelector: "x=y",
        fieldSelector: "metadata.name=n",
        allowWatchBookmarks: "true",
        timeoutSeconds: "0",
      },
    );
    assert.throws(() => watchQuery({ signal: new AbortController().signal, timeoutSeconds: -1 }), RangeError);
    assert.throws(() => watchQuery({ signal: new AbortController().signal, timeoutSeconds: 2.5 }), RangeError);
  });

  test("deleteOptionsBody", () => {
    assert.equal(deleteOptionsBody({}), undefined);
    assert.equal(deleteOptionsBody({ preconditions: {} }), undefined);
    assert.deepEqual(
      deleteOptionsBody({
        propagationPolicy: "Foreground",
        preconditions: { resourceVersion: "7", uid: "u-1" },
        gracePeriodSeconds: 0,
      }),
      {
        apiVersion: "meta.k8s.io/v1",
        kind: "DeleteOptions",
        propagationPolicy: "Foreground",
        gracePeriodSeconds: 0,
        preconditions: { resourceVersion: "7", uid: "u-1" },
      },
    );
    assert.throws(() => deleteOptionsBody({ propagationPolicy: "Cascade" as "Orphan" }), RangeError);
    assert.throws(() => deleteOptionsBody({ gracePeriodSeconds: -1 }), RangeError);
  });
});
