// The public helper (bubu-sdk-go cel/cel.go) and the batch seam.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadEnv } from "../../src/env/load.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { createTemplateSeam } from "../../src/process/template-service.ts";
import {
  extractExpression,
  extractProtected,
  parseJsonPointer,
  restoreProtected,
  TemplateEvaluator,
  toJsonPointer,
} from "../../src/templating/mod.ts";

const vars = { inputs: { name: "Ada", n: 3, ok: true } };

describe("TemplateEvaluator", () => {
  test("expressions are wrapped and JSON-coerced", () => {
    const ev = new TemplateEvaluator();
    assert.equal(ev.evaluateExpression("inputs.name | upper", vars), "ADA");
    assert.equal(ev.evaluateExpression('printf "%v" inputs.n', vars), 3);
    // JSON numbers are float64, as in Go.
    assert.equal(ev.evaluateExpression('printf "%d" inputs.n', vars), "%!d(float64=3)");
    assert.equal(ev.evaluateExpression("   ", vars), "");
    ev.close();
  });
  test("conditions", () => {
    const ev = new TemplateEvaluator();
    assert.equal(ev.evaluateCondition("", vars), true);
    assert.equal(ev.evaluateCondition("{{ .inputs.ok }}", vars), true);
    assert.equal(ev.evaluateCondition('{{ "No" }}', vars), false);
    assert.throws(() => ev.evaluateCondition('{{ "maybe" }}', vars), /condition did not resolve to boolean: "maybe"/);
  });
  test("templates: strings, objects, other values", () => {
    const ev = new TemplateEvaluator();
    assert.equal(ev.resolveTemplate("hi {{ inputs.name }}", vars), "hi Ada");
    assert.deepEqual(ev.resolveTemplate({ a: "{{ inputs.n }}" }, vars), { a: 3 });
    assert.equal(ev.resolveTemplate(5, vars), 5);
    assert.throws(
      () => ev.resolveTemplate({ $bubuTemplate: "{{ 1 }}" }, vars),
      /resolved with block must be an object, got float64/,
    );
  });
  test("logs start, success and failure like Go", () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({ sink: (l) => lines.push(JSON.parse(l)), level: "DEBUG" });
    const ev = new TemplateEvaluator({}, logger);
    ev.evaluateExpression("inputs.n", vars);
    assert.throws(() => ev.evaluateExpression('fail "x"', vars));
    assert.deepEqual(
      lines.map((l) => l["msg"]),
      [
        "Template evaluation started",
        "Template evaluation succeeded",
        "Template evaluation started",
        "Template evaluation failed",
      ],
    );
    assert.equal(lines[0]!["type"], "expression");
    assert.equal(typeof lines[1]!["duration"], "string");
    assert.match(String(lines[3]!["error"]), /error calling fail: x/);
  });
  test("extractExpression", () => {
    assert.deepEqual(extractExpression({ $bubuTemplate: "{{ 1 }}", $bubuTemplateVars: { a: 1 } }), {
      expr: "{{ 1 }}",
      vars: { a: 1 },
    });
    assert.equal(extractExpression({ $bubuTemplate: "  " }), undefined);
    assert.equal(extractExpression({ $bubuTemplate: 1 }), undefined);
    assert.equal(extractExpression("x"), undefined);
  });
});

describe("protected paths (JSON Pointer)", () => {
  test("round trip and escapes", () => {
    assert.equal(toJsonPointer(["a", 0, "b/c~d"]), "/a/0/b~1c~0d");
    assert.deepEqual(parseJsonPointer("/a/0/b~1c~0d"), ["a", "0", "b/c~d"]);
    assert.throws(() => parseJsonPointer("a.b"), /not a JSON Pointer/);
  });
  test("extract leaves the caller's value alone and restore puts values back", () => {
    const input = { body: "{{ not a template }}", list: [{ x: "{{ 1 }}" }, "{{ 2 }}"] };
    const { value, extracted } = extractProtected(input, ["/body", "/list/1", "/missing/x"]);
    assert.equal(value["body"], "__bubu_storage_ref_skip_0__");
    assert.equal((value["list"] as unknown[])[1], "__bubu_storage_ref_skip_1__");
    assert.equal(input.body, "{{ not a template }}");
    assert.equal(extracted.length, 2);
    const resolved = structuredClone(value);
    restoreProtected(resolved, extracted);
    assert.deepEqual(resolved, input);
  });
});

describe("createTemplateSeam", () => {
  const env = loadEnv({ BUBU_TEMPLATE_MAX_INPUT_BYTES: "4096", BUBU_TEMPLATE_EVALUATION_TIMEOUT: "2s" });
  const logger = createLogger({ sink: () => {} });
  const signal = new AbortController().signal;

  test("resolves config and inputs, leaving protected values untouched", async () => {
    const seam = createTemplateSeam(env, logger);
    const out = await seam.resolveTemplates!(
      { greeting: "hi {{ inputs.name }}", n: "{{ inputs.n }}", stored: "{{ literal from storage }}" },
      { inputs: { name: "Ada", n: 2 } },
      { kind: "inputs", protectedPaths: ["/stored"], signal },
    );
    assert.deepEqual(out, { greeting: "hi Ada", n: 2, stored: "{{ literal from storage }}" });
  });
  test("missing inputs/steps default to {} and steps keys block", async () => {
    const seam = createTemplateSeam(env, logger);
    assert.deepEqual(
      await seam.resolveTemplates!({ a: "x{{ inputs }}" }, {}, { kind: "config", protectedPaths: [], signal }),
      { a: "xmap[]" },
    );
    await assert.rejects(
      seam.resolveTemplates!({ a: "{{ steps.x }}" }, {}, { kind: "config", protectedPaths: [], signal }),
      /template evaluation blocked: missing key at steps\.x/,
    );
  });
  test("input size limit from env", async () => {
    const seam = createTemplateSeam(env, logger);
    await assert.rejects(
      seam.resolveTemplates!({ big: "x".repeat(5000) }, {}, { kind: "inputs", protectedPaths: [], signal }),
      /^Error: template payload exceeds max input bytes \(\d+ > 4096\)$|template payload exceeds max input bytes \(5010 > 4096\)/,
    );
  });
  test("the context can be hydrated first", async () => {
    const seam = createTemplateSeam(env, logger, {
      hydrateContext: (v) => Promise.resolve({ ...v, inputs: { name: "hydrated" } }),
    });
    assert.deepEqual(
      await seam.resolveTemplates!(
        { a: "{{ inputs.name }}" },
        { inputs: { name: "raw" } },
        { kind: "config", protectedPaths: [], signal },
      ),
      { a: "hydrated" },
    );
  });
});
