// Go reference engram vs ours, same fake connector, same assertions: the startup handshake
// (contract streaming.md §6), headers, the binding reference, control directives and heartbeats.
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { ControlAction, ControlResponseSchema, FlowControlSignal } from "../../../src/gen/transport/v1/transport_pb.ts";
import { envelopePacket, framelessPacket, hubHeartbeat } from "../../peers/connector/packets.ts";
import { acks, count, established, exitWithin, readyAcks, runScenarios, type Scenario, sleep } from "./scenario.ts";

const scenarios: Scenario[] = [
  {
    name: "startup none: protocol header on Data and Control, binding <ns>/<name> on Control only, ready and cutover ACKed",
    fake: { startup: "none" },
    async run({ fake, start }) {
      await start({}, { name: "b1", namespace: "ns1" });
      await established(fake);
      await fake.waitFor(() => acks(fake).some((m) => m.type === "handoff.cutover"), 10_000, "cutover ACK");
      const control = fake.opens("control");
      const data = fake.opens("data");
      assert.equal(control.length, 1);
      assert.equal(data.length, 1);
      assert.equal(control[0]["bubu-transport-protocol"], "1.0.0");
      assert.equal(control[0]["bubu.transport.binding"], "ns1/b1");
      assert.equal(data[0]["bubu-transport-protocol"], "1.0.0");
      assert.equal(data[0]["bubu.transport.binding"], undefined, "the binding reference goes on Control only");
      assert.equal(fake.events.filter((e) => e.type === "rejected").length, 0);
      assert.deepEqual(
        acks(fake).find((m) => m.type === "connector.ready"),
        { handled: "true", reason: "startup", type: "connector.ready" },
      );
      assert.deepEqual(
        acks(fake).find((m) => m.type === "handoff.cutover"),
        { handled: "true", reason: "handoff", type: "handoff.cutover" },
      );
    },
  },
  {
    name: "binding namespace falls back to BUBU_TARGET_STORY_NAMESPACE…BUBU_POD_NAMESPACE in order; a bare name without any",
    fake: { startup: "none" },
    async run({ fake, start }) {
      const p1 = await start({ BUBU_STEPRUN_NAMESPACE: "step-ns", BUBU_POD_NAMESPACE: "pod-ns" }, { name: "b2" });
      await established(fake);
      assert.equal(fake.opens("control")[0]["bubu.transport.binding"], "step-ns/b2");
      p1.signal("SIGKILL");
      await p1.exited;
      await start(
        { BUBU_POD_NAMESPACE: "pod-ns", BUBU_TARGET_STORY_NAMESPACE: "story-ns", BUBU_IMPULSE_NAMESPACE: "imp-ns" },
        { name: "b3" },
      );
      await established(fake, 2);
      assert.equal(fake.opens("control")[1]["bubu.transport.binding"], "story-ns/b3");
      const p3 = await start({}, { name: "b4" });
      await established(fake, 3);
      assert.equal(fake.opens("control")[2]["bubu.transport.binding"], "b4");
      p3.signal("SIGKILL");
    },
  },
  {
    name: "startup required: capabilities ACKed; no data is read before they arrive",
    fake: {
      startup: "required",
      capabilitiesDelayMs: 3000,
      capabilities: { "audio.codec": "pcm16", "binary.mime": "application/json" },
    },
    async run({ fake, start }) {
      await start();
      await established(fake);
      await fake.sendData(envelopePacket({ payload: { early: true } }));
      await sleep(600);
      assert.equal(fake.dataRequests.length, 0, "nothing echoed before connector.capabilities");
      assert.ok(!acks(fake).some((m) => m.type === "connector.capabilities"));
      await fake.waitFor(() => fake.dataRequests.length === 1, 10_000, "echo after the gate");
      assert.deepEqual(fake.dataRequests[0].payload, { early: true });
      await fake.waitFor(() => acks(fake).some((m) => m.type === "connector.capabilities"), 5_000, "capabilities ACK");
      assert.deepEqual(
        acks(fake).find((m) => m.type === "connector.capabilities"),
        {
          handled: "true",
          reason: "capabilities",
          type: "connector.capabilities",
        },
      );
    },
  },
  {
    name: "connector directives get the default handler's ACKs; an ACK gets no reply",
    fake: { startup: "none" },
    async run({ fake, start }) {
      await start();
      await established(fake);
      await fake.waitFor(() => acks(fake).some((m) => m.type === "handoff.cutover"), 10_000, "cutover ACK");
      const cases: [Parameters<typeof create<typeof ControlResponseSchema>>[1], Record<string, string> | undefined][] =
        [
          [
            { action: ControlAction.HANDOFF_DRAINING, metadata: { phase: "draining", reason: "hub_disconnected" } },
            { handled: "true", reason: "handoff", type: "handoff.draining" },
          ],
          [
            { action: ControlAction.HANDOFF_READY, metadata: { phase: "ready" } },
            { handled: "true", reason: "handoff", type: "handoff.ready" },
          ],
          [{ action: ControlAction.NOOP }, { handled: "false", reason: "noop", type: "noop" }],
          [{ action: ControlAction.ACK, metadata: { received: "x" } }, undefined],
          [
            { action: ControlAction.HEARTBEAT, metadata: { ts: "1" } },
            { handled: "false", reason: "no_control_handler", type: "heartbeat" },
          ],
          [
            { action: ControlAction.ERROR, metadata: { message: "boom" }, error: { code: 3, message: "boom" } },
            { handled: "false", reason: "no_control_handler", type: "error" },
          ],
          [
            { action: ControlAction.CODEC_SELECT, metadata: { "audio.codec": "opus" } },
            { handled: "false", reason: "no_control_handler", type: "codec-select" },
          ],
          [
            { customAction: "my.custom", metadata: { a: "b" } },
            { handled: "false", reason: "no_control_handler", type: "my.custom" },
          ],
          // A flow-only response (the hub's PAUSE reaching the SDK) is ignored: quirks I10.
          [{ flow: { signal: FlowControlSignal.PAUSE } }, { handled: "false", reason: "noop", type: "" }],
          [
            { action: ControlAction.CONNECTOR_CAPABILITIES, metadata: { "video.codec": "h264" } },
            { handled: "true", reason: "capabilities", type: "connector.capabilities" },
          ],
        ];
      for (const [resp, want] of cases) {
        const before = acks(fake).length;
        await fake.sendControl(create(ControlResponseSchema, resp));
        if (want === undefined) continue; // checked by the next case: its ACK is the next one
        await fake.waitFor(() => acks(fake).length > before, 5_000, `ACK for ${JSON.stringify(want)}`);
        await sleep(50);
        assert.deepEqual(acks(fake).slice(before), [want]);
      }
      assert.ok(!fake.controlRequests.some((r) => r.action === ControlAction.ERROR), "no ERROR sent");
      // Still in the same session and working.
      assert.equal(count(fake, "control-open"), 1);
      await fake.sendData(envelopePacket({ payload: { after: 1 } }));
      await fake.waitFor(() => fake.dataRequests.length === 1, 10_000, "echo after the directives");
    },
  },
  {
    name: "heartbeats: idle data heartbeats and control HEARTBEAT (answered, reply not acked); hub heartbeats dropped, receipted when sequenced",
    fake: { startup: "none" },
    async run({ fake, start }) {
      await start({ BUBU_GRPC_HEARTBEAT_INTERVAL: "150ms", BUBU_TRANSPORT_HEARTBEAT_INTERVAL: "200ms" });
      await established(fake);
      await fake.sendData(hubHeartbeat());
      await fake.sendData(
        envelopePacket({ metadata: { "bubu-heartbeat": "true" }, payload: {}, streamId: "hb", sequence: 4n }),
      );
      await fake.sendData(framelessPacket("ka", 7n));
      await fake.waitFor(() => fake.heartbeats >= 3, 10_000, "data heartbeats");
      await fake.waitFor(
        () => fake.controlRequests.filter((r) => r.action === ControlAction.HEARTBEAT).length >= 2,
        10_000,
        "control heartbeats",
      );
      await fake.waitFor(
        () => fake.receipts.length === 2,
        10_000,
        "receipts for the sequenced heartbeat and keepalive",
      );
      const hb = fake.events.flatMap((e) =>
        e.type === "data-request" && e.request.metadata["bubu-heartbeat"] === "true" ? [e.request] : [],
      );
      for (const r of hb) {
        assert.deepEqual({ ...r.metadata }, { "bubu-heartbeat": "true" });
        assert.equal(r.frame.case, undefined);
        assert.equal(r.payload, undefined);
        assert.equal(r.envelope, undefined);
      }
      for (const r of fake.controlRequests.filter((c) => c.action === ControlAction.HEARTBEAT)) {
        assert.deepEqual(Object.keys(r.metadata), ["ts"]);
        assert.ok(Math.abs(Number(r.metadata.ts) - Date.now()) < 60_000, `ts is unix ms: ${r.metadata.ts}`);
      }
      assert.deepEqual(fake.receipts.map((r) => [r.streamId, r.sequence]).sort(), [
        ["hb", "4"],
        ["ka", "7"],
      ]);
      assert.equal(fake.dataRequests.length, 0, "hub heartbeats and keepalives are not delivered to the engram");
      assert.ok(!acks(fake).some((m) => m.type === "ack"), "the connector's heartbeat ACKs get no reply");
    },
  },
  {
    name: "a second connector.ready: valid is ACKed in-session; malformed ends the session and the engram reconnects (quirks I9)",
    fake: { startup: "none" },
    async run({ fake, start }) {
      await start();
      await established(fake);
      await fake.sendControl(
        create(ControlResponseSchema, {
          action: ControlAction.CONNECTOR_READY,
          metadata: { "startup.capabilities": " NONE " },
        }),
      );
      await established(fake, 2);
      assert.equal(count(fake, "control-open"), 1, "same session");
      await fake.sendControl(
        create(ControlResponseSchema, {
          action: ControlAction.CONNECTOR_READY,
          metadata: { "startup.capabilities": "sometimes" },
        }),
      );
      await fake.waitFor(
        () => count(fake, "control-open") === 2 && count(fake, "data-open") === 2,
        10_000,
        "a new session",
      );
      await established(fake, 3);
      await fake.sendData(envelopePacket({ payload: { n: 1 } }));
      await fake.waitFor(() => fake.dataRequests.length === 1, 10_000, "echo on the new session");
    },
  },
  {
    name: "malformed startup.capabilities at open: the engram reconnects until the connector sends a valid one",
    fake: { startup: "bogus" },
    async run({ fake, start }) {
      await start({ BUBU_GRPC_RECONNECT_MAX_RETRIES: "-1" });
      await fake.waitFor(() => count(fake, "control-open") >= 3, 15_000, "three attempts");
      assert.equal(fake.dataRequests.length, 0);
      await fake.setOptions({ startup: "none" });
      for (let k = 0; fake.dataRequests.length === 0; k++) {
        assert.ok(k < 100, "no echo after the connector recovered");
        try {
          await fake.sendData(envelopePacket({ payload: { k } }));
        } catch {
          // between sessions: no Data stream open right now
        }
        await sleep(100);
      }
    },
  },
  {
    name: "no connector.ready: the handshake timeout is fatal, exit 1 without reconnecting (quirks I9)",
    fake: { startup: "omit-ready" },
    async run({ fake, start }) {
      const p = await start({ BUBU_GRPC_MESSAGE_TIMEOUT: "1s" });
      const code = await exitWithin(p, 20_000);
      assert.equal(code, 1, p.output());
      assert.match(p.output(), /control startup handshake timed out/);
      assert.equal(count(fake, "control-open"), 1);
    },
  },
  {
    name: "unsupported protocolVersion in the binding: exit 1 before dialling",
    fake: { startup: "none" },
    async run({ fake, start }) {
      const p = await start({}, { name: "echo", protocolVersion: "0.9.0" });
      const code = await exitWithin(p, 20_000);
      assert.equal(code, 1, p.output());
      assert.match(p.output(), /invalid transport protocol version in binding/);
      assert.equal(count(fake, "data-open") + count(fake, "control-open"), 0);
    },
  },
  {
    name: "unix:// endpoint: ours handshakes and echoes; Go v0.1.5 cannot dial it (finding U1, not in quirks.md)",
    fake: { startup: "none" },
    unix: true,
    async run({ impl, fake, start }) {
      assert.match(fake.endpoint, /^unix:\/\//);
      const p = await start({ BUBU_GRPC_DIAL_TIMEOUT: "1s" });
      if (impl === "go") {
        // U1: Go strips "unix://" and hands the bare path to grpc.NewClient, whose default dns
        // resolver yields no address ("produced zero addresses"), so the unix dialer is never
        // called; WaitForReady hits the dial timeout, DeadlineExceeded is non-retriable, exit 1.
        const code = await exitWithin(p, 20_000);
        assert.equal(code, 1, p.output());
        assert.match(p.output(), /context deadline exceeded/);
        assert.equal(count(fake, "data-open") + count(fake, "control-open"), 0, "Go never reached the socket");
        return;
      }
      await established(fake);
      await fake.sendData(envelopePacket({ payload: { via: "unix" } }));
      await fake.waitFor(() => fake.dataRequests.length === 1, 10_000, "echo");
      assert.deepEqual(fake.dataRequests[0].payload, { via: "unix" });
      assert.equal(readyAcks(fake), 1);
    },
  },
  {
    name: "connector not up yet when the engram starts: Go exits on the dial timeout; ours keeps dialling (finding D1)",
    fake: { startup: "none" },
    async run({ impl, fake, start }) {
      const back = fake.restart(3_000); // down for 3 s from now
      await sleep(200);
      const p = await start({ BUBU_GRPC_DIAL_TIMEOUT: "1s" });
      await back;
      if (impl === "go") {
        // D1: WaitForReady returns context.DeadlineExceeded, which Go treats as non-retriable
        // (streaming.md §14), so a connector that starts later than the dial timeout kills the engram.
        const code = await exitWithin(p, 20_000);
        assert.equal(code, 1, p.output());
        assert.match(p.output(), /context deadline exceeded/);
        assert.equal(count(fake, "control-open"), 0);
        return;
      }
      await established(fake);
      await fake.sendData(envelopePacket({ payload: { late: true } }));
      await fake.waitFor(() => fake.dataRequests.length === 1, 10_000, "echo once the connector is up");
    },
  },
];

runScenarios("interop (Go vs TS engram): handshake and control", scenarios);
