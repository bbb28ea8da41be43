// Local mode's stdin lines: a bad line is reported in the SDK's own words (the same on every
// runtime) and skipped; a line without a kind is data, as the previous step's SDK would send it;
// a kind other than data or error is passed on with one warning per kind.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createLogger } from "../../src/observability/logger.ts";
import { readLocalInput, textLines } from "../../src/streaming/local-mode.ts";
import { StreamPipeline } from "../../src/streaming/pipeline.ts";
import { parseMessageLine } from "../../src/streaming/wire/json-lines.ts";

async function feed(lines: readonly string[]) {
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger({ sink: (line) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const pipeline = new StreamPipeline({ bufferSize: 64, maxSendBytes: 1 << 20 });
  async function* stdin() {
    yield new TextEncoder().encode(lines.map((l) => `${l}\n`).join(""));
  }
  await readLocalInput(pipeline, { stdin: stdin(), writeStdout: () => {}, logger });
  const kinds: (string | undefined)[] = [];
  for await (const m of pipeline.messages()) kinds.push(m.kind);
  return { logs: logs.map(({ time: _, ...rest }) => rest), kinds };
}

describe("local mode input lines", () => {
  test("a line that is not JSON: the position and reason in the SDK's words", async () => {
    assert.throws(() => parseMessageLine('{"kind":"data"'), {
      message: "not JSON at column 15: unexpected end of input, expected ',' or '}'",
    });
    const { logs, kinds } = await feed(['{"kind":"data","payload":', '{"kind":"data","payload":{"a":1}}']);
    assert.deepEqual(kinds, ["data"]);
    assert.deepEqual(logs, [
      {
        level: "ERROR",
        msg: "invalid input message skipped",
        line: 1,
        error: "not JSON at column 26: unexpected end of input, expected a value",
      },
    ]);
  });

  test("no kind: data when it carries a payload or inputs, none for a bare binary; unknown kinds warn once each", async () => {
    const { logs, kinds } = await feed([
      '{"payload":{"a":1}}',
      '{"inputs":{"b":2}}',
      '{"binary":{"mimeType":"text/plain","data":"aGk="}}',
      '{"kind":"bogus","payload":{}}',
      '{"kind":"bogus"}',
      '{"kind":"Error","payload":{"message":"x"}}',
      '{"kind":"custom.event"}',
    ]);
    assert.deepEqual(kinds, ["data", "data", undefined, "bogus", "bogus", "Error", "custom.event"]);
    const warning = 'input message kind is neither "data" nor "error"; passed to the engram as it is';
    assert.deepEqual(logs, [
      { level: "WARN", msg: warning, line: 4, kind: "bogus" },
      { level: "WARN", msg: warning, line: 7, kind: "custom.event" },
    ]);
  });

  test("heartbeats, noops and empty messages are dropped, as the connector path drops them", async () => {
    const { logs, kinds } = await feed([
      '{"kind":"heartbeat"}',
      '{"kind":"NOOP"}',
      '{"metadata":{"bubu-heartbeat":"true"},"payload":{"a":1}}',
      "{}",
      '{"kind":"data","payload":{"kept":true}}',
    ]);
    assert.deepEqual(kinds, ["data"]);
    assert.deepEqual(logs, [], "dropped quietly (debug only)");
  });

  test("a line over the receive limit is skipped with an error, also split over chunks or never ended", async () => {
    const logs: Record<string, unknown>[] = [];
    const logger = createLogger({ sink: (line) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
    const pipeline = new StreamPipeline({ bufferSize: 64, maxSendBytes: 1 << 20 });
    const long = `{"kind":"data","payload":"${"x".repeat(200)}"}`;
    const chunks = [
      `${long}\n{"kind":"data","payload":1}\n${long.slice(0, 120)}`,
      `${long.slice(120)}\n{"kind":"data","payload":2}\n`,
      long.slice(0, 150),
      long.slice(150),
    ];
    async function* stdin() {
      for (const c of chunks) yield new TextEncoder().encode(c);
    }
    await readLocalInput(pipeline, { stdin: stdin(), writeStdout: () => {}, logger, maxLineBytes: 100 });
    const payloads: unknown[] = [];
    for await (const m of pipeline.messages()) payloads.push(new TextDecoder().decode(m.payload));
    assert.deepEqual(payloads, ["1", "2"]);
    assert.deepEqual(
      logs.map((l) => [l.msg, l.line, l.error]),
      [1, 3, 5].map((line) => [
        "invalid input message skipped",
        line,
        "line longer than 100 bytes (BUBU_GRPC_CLIENT_MAX_RECV_BYTES)",
      ]),
    );
  });

  test("textLines: lines across chunks (a character split between them), CRLF, a last line without a break", async () => {
    const bytes = new TextEncoder().encode("a\r\nbé\n\nlong-line\nlast");
    const split = [bytes.subarray(0, 4), bytes.subarray(4, 5), bytes.subarray(5, 12), bytes.subarray(12)];
    async function* chunks() {
      yield* split;
    }
    const lines: (string | null)[] = [];
    for await (const l of textLines(chunks(), 5)) lines.push(l);
    assert.deepEqual(lines, ["a", "bé", "", null, "last"]);
  });

  test("at most 16 distinct kinds are warned about", async () => {
    const { logs, kinds } = await feed(Array.from({ length: 40 }, (_, i) => `{"kind":"k${i}"}`));
    assert.equal(kinds.length, 40);
    assert.equal(logs.length, 16);
  });
});
