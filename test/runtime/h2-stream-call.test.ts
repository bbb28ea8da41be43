// The connector's streaming transport (src/runtime/h2-stream-call.ts) against a raw HTTP/2
// gRPC server that produces what a Connect server never would: frames split into 1–17 byte
// DATA frames, trailers-only errors, a missing status, oversized and compressed frames, a
// RST_STREAM, an unanswered call. Runs under Bun, Deno and Node (the server is a node child).

import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { after, before, describe, test } from "node:test";
import { create, type Message, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import {
  type DataRequest,
  DataRequestSchema,
  type DataResponse,
  TransportConnectorService,
} from "../../src/gen/transport/v1/transport_pb.ts";
import { connectTransport } from "../../src/runtime/connect-transport.ts";
import { createGrpcTransport } from "../../src/runtime/grpc-transport.ts";
import type { EncodedMessage, GrpcTransport, RequestEncoder } from "../../src/runtime/types.ts";
import { openBidi } from "../../src/streaming/bidi.ts";
import { commandFor, currentRuntime, repoRoot } from "../support/spawn.ts";

let server: ChildProcess;
let port = 0;
let serverLog = "";

before(async () => {
  const [cmd, args] = commandFor("node", `${repoRoot}/test/runtime/fixtures/raw-grpc-server.ts`);
  server = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], cwd: repoRoot });
  server.stderr!.on("data", (d) => (serverLog += d));
  const line = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`raw gRPC server did not start: ${serverLog}`)), 20_000);
    createInterface({ input: server.stdout! }).once("line", (l) => {
      clearTimeout(t);
      resolve(l);
    });
  });
  port = (JSON.parse(line) as { port: number }).port;
});

after(async () => {
  server.kill("SIGTERM");
  await new Promise((r) => server.once("exit", r));
});

interface Limits {
  readMaxBytes?: number;
  writeMaxBytes?: number;
  encoders?: Record<string, RequestEncoder>;
  onWritten?: Record<string, (error?: unknown) => void>;
}

function transport(limits: Limits = {}): GrpcTransport {
  return createGrpcTransport({
    target: { kind: "tcp", host: "127.0.0.1", port },
    tls: false,
    connectTimeoutMs: 5_000,
    ...limits,
  });
}

async function* none(): AsyncGenerator<DataRequest> {}

/** Runs one Data call with `scenario`; returns the responses and the error it ended with. */
async function call(
  scenario: string,
  options: { requests?: AsyncIterable<DataRequest>; limits?: Limits; signal?: AbortSignal } = {},
): Promise<{ responses: DataResponse[]; error?: ConnectError }> {
  const gt = transport(options.limits);
  const responses: DataResponse[] = [];
  try {
    await gt.ready();
    const it = openBidi(connectTransport(gt), TransportConnectorService.method.data, options.requests ?? none(), {
      headers: { "x-scenario": scenario, "x-custom": "yes" },
      signal: options.signal ?? new AbortController().signal,
    });
    for (;;) {
      const r = await it.next();
      if (r.done) return { responses };
      responses.push(r.value);
    }
  } catch (err) {
    assert.ok(err instanceof ConnectError, `a ConnectError, got ${String(err)}`);
    return { responses, error: err };
  } finally {
    gt.close();
  }
}

async function sha256(b: Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", new Uint8Array(b)));
  return Array.from(d, (x) => x.toString(16).padStart(2, "0")).join("");
}

const req = (i: number, size = 10): DataRequest =>
  create(DataRequestSchema, { metadata: { i: String(i), pad: "p".repeat(size) } });
async function* requests(n: number, size = 10): AsyncGenerator<DataRequest> {
  for (let i = 1; i <= n; i++) yield req(i, size);
}

describe("h2 streaming transport: gRPC protocol edge cases", () => {
  test("frames split over tiny DATA frames are reassembled in order", async () => {
    const { responses, error } = await call("split");
    // The server ends without trailers after its frames: the status is missing.
    assert.deepEqual(
      responses.map((r) => r.metadata.i),
      ["1", "2", "3"],
    );
    assert.equal(responses[1].metadata.big, "y".repeat(300));
    assert.equal(error?.code, Code.Internal);
    assert.match(error!.rawMessage, /missing status/);
  });

  test("a piece holding the end of one frame, whole ones and the start of the next is read in order", async () => {
    const { responses, error } = await call("straddle");
    assert.deepEqual(
      responses.map((r) => r.metadata.i),
      Array.from({ length: 12 }, (_, k) => String(k + 1)),
    );
    for (const [k, r] of responses.entries()) assert.equal(r.metadata.pad, "s".repeat(((k + 1) * 97) % 700));
    assert.equal(error?.code, Code.Internal);
    assert.match(error!.rawMessage, /missing status/);
  });

  test("messages before an error trailer are delivered, then the trailer's code and decoded message", async () => {
    const { responses, error } = await call("trailer-error");
    assert.deepEqual(
      responses.map((r) => r.metadata.i),
      ["1"],
    );
    assert.equal(error?.code, Code.FailedPrecondition);
    assert.equal(error?.rawMessage, "not now: draining");
  });

  test("an OK trailer ends the stream cleanly and is exposed on the response", async () => {
    const gt = transport();
    try {
      await gt.ready();
      const res = await connectTransport(gt).stream(
        TransportConnectorService.method.data,
        undefined,
        undefined,
        { "x-scenario": "ok-trailers" },
        none(),
      );
      const got: string[] = [];
      for await (const m of res.message) got.push(m.metadata.i);
      assert.deepEqual(got, ["1"]);
      assert.equal(res.trailer.get("x-trailer"), "t");
      assert.equal(res.header.get("content-type"), "application/grpc+proto");
    } finally {
      gt.close();
    }
  });

  test("a trailers-only error response fails with its status", async () => {
    const { responses, error } = await call("trailers-only");
    assert.equal(responses.length, 0);
    assert.equal(error?.code, Code.PermissionDenied);
    assert.equal(error?.rawMessage, "no");
  });

  test("an HTTP error status maps to its gRPC code", async () => {
    const { error } = await call("http-503");
    assert.equal(error?.code, Code.Unavailable);
    assert.match(error!.rawMessage, /HTTP 503/);
  });

  test("a frame over readMaxBytes is refused before it is buffered", async () => {
    const { error } = await call("oversized", { limits: { readMaxBytes: 1024 } });
    assert.equal(error?.code, Code.ResourceExhausted);
    assert.match(error!.rawMessage, /1048576 is larger than configured readMaxBytes 1024/);
  });

  test("a frame over readMaxBytes is refused once its split header is complete, not after its body", async () => {
    const { error } = await call("oversized-split", {
      limits: { readMaxBytes: 1024 },
      signal: AbortSignal.timeout(5_000),
    });
    assert.equal(error?.code, Code.ResourceExhausted);
    assert.match(error!.rawMessage, /1048576 is larger than configured readMaxBytes 1024/);
  });

  test("a compressed frame without negotiated compression is an internal error", async () => {
    const { error } = await call("compressed");
    assert.equal(error?.code, Code.Internal);
    assert.match(error!.rawMessage, /compressed/);
  });

  test("RST_STREAM REFUSED_STREAM is unavailable (retriable)", async () => {
    const { error } = await call("refused");
    assert.equal(error?.code, Code.Unavailable);
    assert.match(error!.rawMessage, /REFUSED_STREAM/);
  });

  test("aborting the signal cancels at once and resets the stream with CANCEL", async () => {
    const ac = new AbortController();
    const t0 = Date.now();
    setTimeout(() => ac.abort(new Error("session closed")), 100);
    const { error } = await call("hold", { signal: ac.signal });
    assert.equal(error?.code, Code.Canceled);
    assert.equal(error?.rawMessage, "session closed");
    assert.ok(Date.now() - t0 < 5_000);
    const deadline = Date.now() + 5_000;
    while (!serverLog.includes("hold closed") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.match(serverLog, /hold closed rst=8/);
  });

  test("a request over writeMaxBytes fails the call with resource exhausted", async () => {
    const { error } = await call("echo", { requests: requests(1, 4096), limits: { writeMaxBytes: 1024 } });
    assert.equal(error?.code, Code.ResourceExhausted);
    assert.match(error!.rawMessage, /larger than configured writeMaxBytes 1024/);
  });

  test("request headers: gRPC content type, te: trailers and the caller's own", async () => {
    const { responses, error } = await call("echo", { requests: requests(1) });
    assert.equal(error, undefined);
    assert.equal(responses.length, 1);
    assert.equal(responses[0].metadata.ct, "application/grpc+proto");
    assert.equal(responses[0].metadata.te, "trailers");
    assert.equal(responses[0].metadata.custom, "yes");
  });

  test("5,000 requests written without waiting for each write, every response read while the reader lags", async () => {
    const gt = transport();
    try {
      await gt.ready();
      const it = openBidi(connectTransport(gt), TransportConnectorService.method.data, requests(5_000, 200), {
        headers: { "x-scenario": "echo" },
        signal: new AbortController().signal,
      });
      let n = 0;
      for (;;) {
        // A slow reader at first: the transport pauses the stream and resumes it as it drains.
        if (n < 300 && n % 50 === 0) await new Promise((r) => setTimeout(r, 20));
        const r = await it.next();
        if (r.done) break;
        n++;
        assert.equal(r.value.metadata.i, String(n));
        assert.equal(r.value.metadata.len, String(toBinary(DataRequestSchema, req(n, 200)).length));
      }
      assert.equal(n, 5_000);
    } finally {
      gt.close();
    }
  });

  test("a reader that does not read holds back the sender: parsed responses are bounded in bytes, not only in count", async () => {
    const gt = transport();
    try {
      await gt.ready();
      const it = openBidi(connectTransport(gt), TransportConnectorService.method.data, none(), {
        headers: { "x-scenario": "flood" },
        signal: new AbortController().signal,
      });
      const first = await it.next();
      assert.equal(first.done, false);
      const deadline = Date.now() + 10_000;
      while (!/flood wrote \d+/.test(serverLog) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const wrote = Number(/flood wrote (\d+)/.exec(serverLog)?.[1]);
      // 4 MiB of parsed responses (16 of these) plus HTTP/2 windows and socket buffers; a
      // count-only bound (64) would let about 16 MiB through.
      assert.ok(wrote >= 10 && wrote <= 40, `the server wrote ${wrote} × 256 KiB while nobody read`);
      let n = 1;
      for (;;) {
        const r = await it.next();
        if (r.done) break;
        n++;
        assert.equal(r.value.metadata.i, String(n));
      }
      assert.equal(n, 200);
    } finally {
      gt.close();
    }
  });

  test("requests over 16 KiB (several DATA frames each) arrive whole and in order", async () => {
    const { responses, error } = await call("echo", { requests: requests(20, 40_000) });
    assert.equal(error, undefined);
    assert.deepEqual(
      responses.map((r) => r.metadata.i),
      Array.from({ length: 20 }, (_, i) => String(i + 1)),
    );
    for (const [i, r] of responses.entries())
      assert.equal(r.metadata.len, String(toBinary(DataRequestSchema, req(i + 1, 40_000)).length));
  });

  test("a request encoder writes the messages, small and big; writeMaxBytes applies to its size", async () => {
    // Writes toBinary's bytes itself: what the server receives must be those bytes.
    let encoded = 0;
    const encoders = {
      [DataRequestSchema.typeName]: (m: Message): EncodedMessage => {
        const b = toBinary(DataRequestSchema, m as DataRequest);
        encoded++;
        return { size: b.length, writeTo: (out, at) => out.set(b, at) };
      },
    };
    const sizes = [10, 20_000, 100, 70_000];
    async function* mixed(): AsyncGenerator<DataRequest> {
      for (const [i, size] of sizes.entries()) yield req(i + 1, size);
    }
    const { responses, error } = await call("echo", { requests: mixed(), limits: { encoders } });
    assert.equal(error, undefined);
    assert.equal(encoded, sizes.length);
    assert.equal(responses.length, sizes.length);
    for (const [i, r] of responses.entries()) {
      const want = toBinary(DataRequestSchema, req(i + 1, sizes[i]));
      assert.equal(r.metadata.len, String(want.length));
      assert.equal(r.metadata.sha256, await sha256(want));
    }
    const over = await call("echo", { requests: requests(1, 4096), limits: { encoders, writeMaxBytes: 4096 } });
    assert.equal(over.error?.code, Code.ResourceExhausted);
  });

  test("the promise client over the same transport (createClient) sees the same stream", async () => {
    const gt = transport();
    try {
      await gt.ready();
      const client = createClient(TransportConnectorService, connectTransport(gt));
      const got: string[] = [];
      for await (const m of client.data(requests(3), { headers: { "x-scenario": "echo" } })) got.push(m.metadata.i);
      assert.deepEqual(got, ["1", "2", "3"]);
    } finally {
      gt.close();
    }
  });

  test("onWritten reports each request's write in order; confirmRead resolves after them, rejects once closed", async () => {
    const written: unknown[] = [];
    const gt = transport({ onWritten: { [DataRequestSchema.typeName]: (err) => written.push(err ?? "ok") } });
    const release = Promise.withResolvers<void>();
    async function* held(): AsyncGenerator<DataRequest> {
      for (let i = 1; i <= 5; i++) yield req(i, i === 3 ? 50_000 : 10);
      await release.promise; // the call stays open
    }
    try {
      await gt.ready();
      const it = openBidi(connectTransport(gt), TransportConnectorService.method.data, held(), {
        headers: { "x-scenario": "echo" },
        signal: new AbortController().signal,
      });
      const got: string[] = [];
      for (let i = 0; i < 5; i++) got.push(((await it.next()).value as DataResponse).metadata.i);
      assert.deepEqual(got, ["1", "2", "3", "4", "5"]);
      assert.deepEqual(written, ["ok", "ok", "ok", "ok", "ok"], "one callback per request, none failed");
      if (currentRuntime() === "deno") {
        // Deno's node:http2 client acknowledges only a session's first SETTINGS frame: the
        // Deno adapter leaves confirmRead out (src/runtime/deno/grpc-transport.ts).
        const { createGrpcTransport: denoTransport } = await import("../../src/runtime/deno/grpc-transport.ts");
        const d = await denoTransport({ target: { kind: "tcp", host: "127.0.0.1", port }, tls: false });
        assert.equal(d.confirmRead, undefined);
        d.close();
        return;
      }
      await gt.confirmRead!();
      await gt.confirmRead!();
      release.resolve();
    } finally {
      release.resolve();
      gt.close();
    }
    await assert.rejects(gt.confirmRead!(), /no open connection/);
  });
});
