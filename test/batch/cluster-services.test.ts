// The schema checks of a cluster batch run share one EngramTemplate lookup: started early
// (prefetch), reused by the output check, looked up again only after a failure.

import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import { clusterServices } from "../../src/batch/cluster-services.ts";
import { loadEnv } from "../../src/env/load.ts";
import { BubuError } from "../../src/errors/bubu-error.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { clientFor, FakeApiServer, status } from "../k8s/fake-apiserver.ts";

const ENGRAM = "/apis/bubustack.io/v1alpha1/namespaces/ns1/engrams/eng";
const TEMPLATE = "/apis/catalog.bubustack.io/v1alpha1/engramtemplates/tpl";

let server: FakeApiServer;
beforeEach(async () => {
  server = await new FakeApiServer().start();
  server.put(ENGRAM, { metadata: { name: "eng" }, spec: { templateRef: { name: "tpl" } } });
  server.put(TEMPLATE, {
    metadata: { name: "tpl" },
    spec: {
      inputSchema: { type: "object", required: ["name"] },
      outputSchema: { type: "object", required: ["message"] },
    },
  });
});
afterEach(async () => {
  await server.stop();
});

function services(lines: string[] = []) {
  const env = loadEnv({ BUBU_STEPRUN_NAME: "sr1", BUBU_STEPRUN_NAMESPACE: "ns1", BUBU_ENGRAM_NAME: "eng" });
  const client = clientFor(server);
  return clusterServices(() => Promise.resolve(client), env, createLogger({ sink: (l) => lines.push(l) }));
}

const signal = (): AbortSignal => AbortSignal.timeout(10_000);
const paths = (): string[] => server.requests.map((r) => r.path);

describe("cluster batch services: one EngramTemplate lookup per run", () => {
  test("the input and the output check share one lookup, and both still validate", async () => {
    const s = services();
    await s.validateInputs!({ name: "Ada" }, signal());
    await s.validateOutput!({ message: "hi" }, signal());
    assert.deepEqual(paths(), [ENGRAM, TEMPLATE]);
    await assert.rejects(s.validateOutput!({ other: 1 }, signal()), (err: unknown) => {
      assert.ok(err instanceof BubuError);
      assert.match(
        err.message,
        /^output schema validation failed: object is invalid against EngramTemplate tpl output schema/,
      );
      return true;
    });
    await assert.rejects(s.validateInputs!({}, signal()), /^BubuError: input schema validation failed/);
    assert.deepEqual(paths(), [ENGRAM, TEMPLATE], "no request after the first lookup");
  });

  test("prefetchTemplate sends the lookup before the input check asks for it", async () => {
    const s = services();
    s.prefetchTemplate(signal());
    for (let i = 0; i < 200 && server.requests.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(paths(), [ENGRAM, TEMPLATE]);
    await s.validateInputs!({ name: "Ada" }, signal());
    assert.deepEqual(paths(), [ENGRAM, TEMPLATE]);
  });

  test("a forbidden Engram skips both checks after one GET", async () => {
    const lines: string[] = [];
    server.faults.push((req, res) => req.path === ENGRAM && (status(res, 403, "Forbidden", "forbidden"), true));
    const s = services(lines);
    await s.validateInputs!({}, signal());
    await s.validateOutput!({}, signal());
    assert.deepEqual(paths(), [ENGRAM]);
    assert.equal(lines.filter((l) => l.includes("Engram lookup forbidden")).length, 1);
  });

  test("a failed lookup is not kept: the next check looks again", async () => {
    let failures = 1;
    server.faults.push(
      (req, res) =>
        req.path === ENGRAM &&
        failures-- > 0 &&
        (status(res, 404, "NotFound", 'engrams.bubustack.io "eng" not found'), true),
    );
    const s = services();
    await assert.rejects(
      s.validateInputs!({ name: "Ada" }, signal()),
      /^BubuError: input schema resolution failed: fetch engram: /,
    );
    await s.validateOutput!({ message: "hi" }, signal());
    assert.deepEqual(paths(), [ENGRAM, ENGRAM, TEMPLATE]);
  });

  test("an aborted check stops waiting for the shared lookup", async () => {
    server.faults.push(async (req) => {
      if (req.path === ENGRAM) await new Promise((r) => setTimeout(r, 300));
      return false;
    });
    const s = services();
    const ac = new AbortController();
    const pending = s.validateInputs!({ name: "Ada" }, ac.signal);
    setTimeout(() => ac.abort(new Error("stop")), 20);
    await assert.rejects(pending, /input schema resolution failed: stop/);
  });
});
