import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import { BubuError } from "../../src/errors/bubu-error.ts";
import { fetchEngramTemplate, resolveTemplateSchema } from "../../src/k8s/schema-lookup.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { clientFor, FakeApiServer, status } from "./fake-apiserver.ts";

const STEPRUN = "/apis/runs.bubustack.io/v1alpha1/namespaces/ns1/stepruns/sr1";
const ENGRAM = "/apis/bubustack.io/v1alpha1/namespaces/ns1/engrams/eng";
const TEMPLATE = "/apis/catalog.bubustack.io/v1alpha1/engramtemplates/tpl";
const INPUT_SCHEMA = { type: "object", required: ["name"] };

let server: FakeApiServer;
beforeEach(async () => {
  server = await new FakeApiServer().start();
  server.put(STEPRUN, { metadata: { name: "sr1" }, spec: { engramRef: { name: " eng " } } });
  server.put(ENGRAM, { metadata: { name: "eng" }, spec: { templateRef: { name: "tpl" } } });
  server.put(TEMPLATE, { metadata: { name: "tpl" }, spec: { inputSchema: INPUT_SCHEMA } });
});
afterEach(async () => {
  await server.stop();
});

const forbid = (path: string) => (req: { path: string }, res: Parameters<typeof status>[0]) =>
  req.path === path && (status(res, 403, "Forbidden", "forbidden"), true);

describe("schema lookup chain", () => {
  test("StepRun → Engram → EngramTemplate (cluster-scoped)", async () => {
    const schema = await resolveTemplateSchema(clientFor(server), "input", { stepRunName: "sr1" });
    assert.deepEqual(schema, { schema: INPUT_SCHEMA, schemaName: "EngramTemplate tpl inputs", templateName: "tpl" });
    assert.deepEqual(
      server.requests.map((r) => r.path),
      [STEPRUN, ENGRAM, TEMPLATE],
    );
  });

  test("BUBU_ENGRAM_NAME skips the StepRun read; namespace option wins over the client's", async () => {
    const client = clientFor(server, { namespace: "elsewhere" });
    await resolveTemplateSchema(client, "input", { engramName: "eng", namespace: "ns1" });
    assert.deepEqual(
      server.requests.map((r) => r.path),
      [ENGRAM, TEMPLATE],
    );
  });

  test("absent output schema → undefined", async () => {
    assert.equal(await resolveTemplateSchema(clientFor(server), "output", { engramName: "eng" }), undefined);
  });

  test("403 on Engram or EngramTemplate skips validation with an info log", async () => {
    const lines: string[] = [];
    const logger = createLogger({ sink: (l) => lines.push(l) });
    server.faults.push(forbid(ENGRAM));
    assert.deepEqual(await fetchEngramTemplate(clientFor(server), { engramName: "eng", logger }), {
      found: false,
      reason: "engram lookup forbidden",
    });
    assert.match(lines[0]!, /Engram lookup forbidden; controller-side validation remains authoritative/);
    server.faults = [forbid(TEMPLATE)];
    assert.equal(await resolveTemplateSchema(clientFor(server), "input", { engramName: "eng" }), undefined);
  });

  test("forbiddenLevel debug (the local Story runner) logs the skipped lookup at debug, not info", async () => {
    const info: string[] = [];
    const debug: string[] = [];
    const infoLogger = createLogger({ sink: (l) => info.push(l) });
    const debugLogger = createLogger({ sink: (l) => debug.push(l), level: "DEBUG" });
    server.faults.push(forbid(ENGRAM));
    for (const logger of [infoLogger, debugLogger])
      assert.equal(
        (await fetchEngramTemplate(clientFor(server), { engramName: "eng", logger, forbiddenLevel: "debug" })).found,
        false,
      );
    assert.deepEqual(info, []);
    assert.match(debug.join(""), /"level":"DEBUG","msg":"Schema validation skipped: Engram lookup forbidden;/);
  });

  test("no namespace, no engram name, no template name, or no client → skipped", async () => {
    assert.equal((await fetchEngramTemplate(clientFor(server, { namespace: "" }), { engramName: "eng" })).found, false);
    assert.equal((await fetchEngramTemplate(clientFor(server), {})).found, false);
    assert.equal((await fetchEngramTemplate(undefined, { engramName: "eng" })).found, false);
    server.put(ENGRAM, { metadata: { name: "eng" }, spec: { templateRef: { name: "" } } });
    assert.equal((await fetchEngramTemplate(clientFor(server), { engramName: "eng" })).found, false);
  });

  test("other errors → retryable execution_error with Go's wording", async () => {
    server.faults.push((req, res) => req.path === TEMPLATE && (status(res, 404, "NotFound", "boom"), true));
    await assert.rejects(resolveTemplateSchema(clientFor(server), "output", { engramName: "eng" }), (err: unknown) => {
      assert.ok(err instanceof BubuError);
      assert.equal(err.message, "output schema resolution failed: fetch engram template: boom");
      assert.equal(err.type, "execution_error");
      assert.equal(err.retryable, true);
      assert.equal(err.exitClass, "retry");
      return true;
    });
    assert.equal(server.calls("GET", TEMPLATE).length, 1, "a 404 is not retried");
  });

  test("transient failures (5xx, 429, no answer) are retried within the budget", async () => {
    const answers = [
      (res: Parameters<typeof status>[0]) => status(res, 500, "InternalError", "etcd"),
      (res: Parameters<typeof status>[0]) => status(res, 429, "TooManyRequests", "slow down"),
      (res: Parameters<typeof status>[0]) => res.socket?.destroy(),
      () => {}, // never answers: the attempt times out
    ];
    server.faults.push((req, res) => {
      const next = req.path === TEMPLATE ? answers.shift() : undefined;
      if (next === undefined) return false;
      next(res);
      return true;
    });
    const schema = await resolveTemplateSchema(clientFor(server), "input", {
      engramName: "eng",
      attemptTimeoutMs: 200,
      random: () => 0,
    });
    assert.equal(schema?.templateName, "tpl");
    assert.equal(server.calls("GET", TEMPLATE).length, 5);
  });

  test("a failure that outlasts the budget ends with the last failure's text, not the abort", async () => {
    server.faults.push((req, res) => req.path === TEMPLATE && (status(res, 503, "ServiceUnavailable", "boom"), true));
    const started = Date.now();
    await assert.rejects(
      resolveTemplateSchema(clientFor(server), "output", { engramName: "eng", operationTimeoutMs: 400 }),
      /^BubuError: output schema resolution failed: fetch engram template: boom$/,
    );
    assert.ok(Date.now() - started < 2000);
    assert.ok(server.calls("GET", TEMPLATE).length >= 2);
  });

  test("unavailable: skip → a failed lookup skips validation with a warning", async () => {
    const lines: string[] = [];
    const logger = createLogger({ sink: (l) => lines.push(l) });
    server.faults.push((req, res) => req.path === ENGRAM && (status(res, 503, "ServiceUnavailable", "down"), true));
    const schema = await resolveTemplateSchema(clientFor(server), "output", {
      engramName: "eng",
      operationTimeoutMs: 300,
      unavailable: "skip",
      logger,
    });
    assert.equal(schema, undefined);
    assert.equal(lines.length, 1);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    assert.equal(line.level, "WARN");
    assert.equal(
      line.msg,
      "Schema validation skipped: the output schema could not be read; controller-side validation remains authoritative",
    );
    assert.equal(line.error, "output schema resolution failed: fetch engram: down");
  });

  test("a 403 on the StepRun read is an error, as in Go", async () => {
    server.faults.push(forbid(STEPRUN));
    await assert.rejects(
      resolveTemplateSchema(clientFor(server), "input", { stepRunName: "sr1" }),
      /^BubuError: input schema resolution failed: resolve engram name: forbidden$/,
    );
  });

  test("the operation timeout bounds the lookup", async () => {
    server.faults.push((req) => req.path === ENGRAM); // hang
    const started = Date.now();
    await assert.rejects(
      resolveTemplateSchema(clientFor(server), "input", { engramName: "eng", operationTimeoutMs: 150 }),
      /input schema resolution failed: fetch engram: .*context deadline exceeded/,
    );
    assert.ok(Date.now() - started < 2000);
  });
});
