// The echo engram as a child process: SIGTERM drain with messages in flight, `stream` throwing,
// bad bindings, and local NDJSON mode.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import process from "node:process";
import { describe, test } from "node:test";
import { ControlAction } from "../../src/gen/transport/v1/transport_pb.ts";
import { FakeConnector } from "../peers/connector/index.ts";
import { envelopePacket } from "../peers/connector/packets.ts";
import { commandFor, currentRuntime, repoRoot, runScript } from "../support/spawn.ts";
import { bindingJson, dec } from "./helpers.ts";

const ECHO = "test/streaming/fixtures/echo-engram.ts";

function startEcho(env: Record<string, string>, stdin?: string) {
  const [cmd, args] = commandFor(currentRuntime(), resolve(repoRoot, ECHO));
  const child = spawn(cmd, args, {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root", NO_COLOR: "1", ...env },
    stdio: ["pipe", "pipe", "pipe"],
    cwd: repoRoot,
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Uint8Array) => (stdout += dec.decode(d)));
  child.stderr.on("data", (d: Uint8Array) => (stderr += dec.decode(d)));
  if (stdin !== undefined) child.stdin.end(stdin);
  const exited = new Promise<number | null>((res) => child.on("close", (code) => res(code)));
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  void exited.then(() => clearTimeout(timer));
  return { child, exited, out: () => stdout, err: () => stderr, term: () => process.kill(child.pid!, "SIGTERM") };
}

describe("streaming engram process", () => {
  test("SIGTERM with messages in flight: every message it read is echoed and receipted, exit 0", async () => {
    const fake = await FakeConnector.start();
    try {
      const p = startEcho({ BUBU_TRANSPORT_BINDING: bindingJson(fake.endpoint), ECHO_DELAY_MS: "15" });
      await fake.waitFor(
        () => fake.controlRequests.some((r) => r.metadata.type === "connector.ready"),
        20_000,
        "established",
      );
      for (let i = 1; i <= 60; i++)
        await fake.sendData(envelopePacket({ payload: { i }, streamId: "s", sequence: BigInt(i) }));
      await fake.waitFor(() => fake.dataRequests.length >= 5, 10_000, "some echoes");
      p.term();
      const code = await p.exited;
      assert.equal(code, 0, p.err());
      const echoed = fake.dataRequests.map((r) => Number(r.payload?.i));
      const receipted = fake.receipts.map((r) => Number(r.sequence));
      assert.ok(echoed.length >= 5 && echoed.length <= 60);
      assert.deepEqual(
        echoed,
        [...echoed].sort((a, b) => a - b),
        "in order",
      );
      assert.deepEqual(receipted, echoed, "a receipt for every echoed message, none for unread ones");
      assert.deepEqual(
        echoed,
        echoed.map((_, k) => k + 1),
        "no gaps",
      );
      assert.ok(
        fake.events.some((e) => e.type === "data-end") && fake.events.some((e) => e.type === "control-end"),
        "both streams closed",
      );
    } finally {
      await fake.close();
    }
  });

  test("stream throwing: outputs flushed, an error envelope sent, exit 1", async () => {
    const fake = await FakeConnector.start();
    try {
      const p = startEcho({ BUBU_TRANSPORT_BINDING: bindingJson(fake.endpoint), ECHO_FAIL_AFTER: "3" });
      await fake.waitFor(
        () => fake.controlRequests.some((r) => r.metadata.type === "connector.ready"),
        20_000,
        "established",
      );
      for (let i = 1; i <= 3; i++) await fake.sendData(envelopePacket({ payload: { i } }));
      const code = await p.exited;
      assert.equal(code, 1);
      assert.match(p.out() + p.err(), /echo gave up after 3 messages/);
      const reqs = fake.dataRequests;
      assert.equal(reqs.length, 4);
      const last = reqs[3];
      assert.equal(last.metadata["bubu.envelope.kind"], "error");
      assert.equal(last.payload?.message, "echo gave up after 3 messages");
      assert.equal(last.payload?.type, "execution_error");
      assert.ok(!fake.controlRequests.some((r) => r.action === ControlAction.ERROR));
    } finally {
      await fake.close();
    }
  });

  test("bad bindings end the process with a clear error before dialling", async () => {
    const cases: [string, RegExp][] = [
      ['{"binding":{"endpoint":"127.0.0.1:1","protocolVersion":"1.0.0"}}', /binding envelope name is required/],
      [
        bindingJson("127.0.0.1:1", { protocolVersion: "0.9.0" }),
        /invalid transport protocol version in binding: \\"0.9.0\\"/,
      ],
      ["not json", /expected a JSON object/],
    ];
    for (const [binding, re] of cases) {
      const r = await runScript(ECHO, { env: { BUBU_TRANSPORT_BINDING: binding } });
      assert.equal(r.code, 1, binding);
      assert.match(r.stderr, re);
    }
  });

  test("local mode: NDJSON on stdin → NDJSON on stdout; bad lines are reported and skipped", async () => {
    const p = startEcho(
      {},
      '{"kind":"data","payload":{"a":1},"metadata":{"k":"v"}}\nnot json\n{"binary":{"mimeType":"text/plain","data":"aGk="}}\n',
    );
    const code = await p.exited;
    assert.equal(code, 0, p.err());
    assert.deepEqual(
      p
        .out()
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l)),
      [{ kind: "data", metadata: { k: "v" }, payload: { a: 1 } }, { binary: { mimeType: "text/plain", data: "aGk=" } }],
    );
    assert.match(p.err(), /invalid input message skipped.*"line":2/);
  });
});
