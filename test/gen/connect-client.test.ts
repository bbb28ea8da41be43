// The generated service descriptor works with Connect's gRPC client under each runtime.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { HubService } from "../../src/gen/transport/v1/hub_pb.ts";
import { ControlRequestSchema, TransportConnectorService } from "../../src/gen/transport/v1/transport_pb.ts";

describe("Connect client from the generated descriptors", () => {
  test("createClient exposes the service methods", () => {
    // Nothing is dialled until a call is made.
    const transport = createGrpcTransport({ baseUrl: "http://127.0.0.1:1" });
    const client = createClient(TransportConnectorService, transport);
    assert.equal(typeof client.data, "function");
    assert.equal(typeof client.control, "function");
    assert.equal(typeof client.hubPush, "function");
    const hub = createClient(HubService, transport);
    assert.equal(typeof hub.process, "function");
  });

  test("a Control call to a closed port fails with Unavailable", async () => {
    // Port 1 on loopback refuses the connection at once; the deadline bounds the wait anyway.
    const transport = createGrpcTransport({ baseUrl: "http://127.0.0.1:1" });
    const client = createClient(TransportConnectorService, transport);
    async function* requests() {
      yield create(ControlRequestSchema, {});
    }
    await assert.rejects(
      async () => {
        for await (const _ of client.control(requests(), { timeoutMs: 5_000 })) {
          assert.fail("no response expected");
        }
      },
      (err: unknown) => {
        const ce = ConnectError.from(err);
        assert.equal(ce.code, Code.Unavailable, `code ${Code[ce.code]}: ${ce.message}`);
        return true;
      },
    );
  });
});
