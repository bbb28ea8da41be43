// Behaviour the Go corpus cannot express (cycles, JavaScript-only values, cancellation, loops
// that write nothing) and the bad-input rules of the issue: every failure is a clear,
// classified error with a position, never a hang or a crash.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  EvaluationBlockedError,
  OffloadedDataUsageError,
  TemplateEngine,
  templateErrorClass,
} from "../../src/templating/mod.ts";

const vars = {
  inputs: { name: "Ada", n: 3, list: Array.from({ length: 60 }, (_, i) => i), m: { a: 1 } },
  steps: { s1: { output: { $bubuStorageRef: "outputs/ns/sr/o.json" } } },
};

function fails(f: () => unknown, cls: string, pattern: RegExp): Error {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof Error, "expected an error");
  assert.equal(templateErrorClass(caught), cls, (caught as Error).message);
  assert.match((caught as Error).message, pattern);
  return caught as Error;
}

describe("bad input", () => {
  const engine = new TemplateEngine({ evaluationTimeoutMs: 200, maxOutputBytes: 1024, timeZone: "UTC" });

  test("unclosed action, with its line", () => {
    fails(() => engine.resolveValue("a\nb {{ .inputs.name", vars), "parse", /^template: bubu:2: unclosed action$/);
  });
  test("unknown function", () => {
    fails(() => engine.resolveValue("{{ nope 1 }}", vars), "parse", /function "nope" not defined/);
  });
  test("disabled Sprig functions are unknown", () => {
    for (const f of ["env", "expandenv", "getHostByName", "regexMatch", "merge"]) {
      fails(() => engine.resolveValue(`{{ ${f} "x" }}`, vars), "parse", new RegExp(`function "${f}" not defined`));
    }
  });
  test("wrong argument count and type carry the position", () => {
    fails(
      () => engine.resolveValue("x {{ upper 1 2 }}", vars),
      "exec",
      /^template: bubu:1:5: executing "bubu" at <upper>: wrong number of args for upper: want 1 got 2$/,
    );
    fails(
      () => engine.resolveValue('{{ trunc .inputs.n "abc" }}', vars),
      "exec",
      /at <\.inputs\.n>: wrong type for value; expected int; got float64/,
    );
  });
  test("huge output is cut at the limit", () => {
    fails(
      () => engine.resolveValue("{{ range .inputs.list }}{{ $.inputs.list }}{{ end }}", vars),
      "output_limit",
      /^template output exceeds max bytes \(current=\d+, writing=\d+, max=1024\)$/,
    );
  });
  test("a loop that writes nothing still times out (Go notices only at the next write)", () => {
    const t0 = performance.now();
    const deep = "{{ range $.inputs.list }}".repeat(5) + "{{ end }}".repeat(5);
    fails(() => engine.resolveValue(deep, vars), "timeout", /^template evaluation timed out after 200ms$/);
    assert.ok(performance.now() - t0 < 2000);
  });
  test("deep nesting: values beyond depth 128 and parentheses", () => {
    let v: unknown = "x";
    for (let i = 0; i < 200; i++) v = { k: v };
    fails(() => engine.resolveValue(v, vars), "depth", /template value exceeded max resolve depth 128$/);
    const nest = (n: number): string => "{{ " + "(".repeat(n) + "1" + ")".repeat(n) + " }}";
    assert.equal(engine.resolveValue(nest(500), vars), 1);
    fails(() => engine.resolveValue(nest(3000), vars), "parse", /^template: bubu:1: max expression depth exceeded$/);
  });
  test("cycles are detected", () => {
    const a: Record<string, unknown> = { t: "{{ inputs.n }}" };
    a["self"] = a;
    fails(() => engine.resolveValue(a, vars), "cycle", /^cyclic template value detected$/);
    const arr: unknown[] = ["{{ 1 }}"];
    arr.push(arr);
    fails(() => engine.resolveValue(arr, vars), "cycle", /^index 1: cyclic template value detected$/);
  });
  test("the same object twice (not a cycle) is fine", () => {
    const shared = { v: "{{ inputs.n }}" };
    assert.deepEqual(engine.resolveValue({ a: shared, b: shared }, vars), { a: { v: 3 }, b: { v: 3 } });
  });
  test("non-string keys and other JavaScript values are opaque, not a crash", () => {
    const withMap = { inputs: { m: new Map([[1, "one"]]) } };
    fails(() => engine.resolveValue("{{ .inputs.m.x }}", withMap), "path", /cannot access key "x"/);
    fails(() => engine.resolveValue("x{{ .inputs.m.x }}", withMap), "exec", /can't evaluate field x/);
  });
  test("template recursion stops with an error, not a stack overflow", () => {
    fails(
      () => engine.resolveValue('{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}', vars),
      "exec",
      /exceeded maximum template depth \(1000\)/,
    );
  });
  test("an aborted signal cancels", () => {
    const ac = new AbortController();
    ac.abort();
    fails(() => engine.resolveValue({ a: "{{ 1 }}" }, vars, { signal: ac.signal }), "canceled", /context canceled/);
  });
  test("$bubuTemplate must be a string, $bubuTemplateVars an object", () => {
    fails(() => engine.resolveValue({ $bubuTemplate: 1 }, vars), "shape", /^\$bubuTemplate must be a string$/);
    fails(
      () => engine.resolveValue({ $bubuTemplate: "{{ 1 }}", $bubuTemplateVars: [1] }, vars),
      "shape",
      /must be an object/,
    );
  });
});

describe("BubuStack rules", () => {
  const engine = new TemplateEngine({ timeZone: "UTC" });
  test("missing steps keys block evaluation (typed error)", () => {
    const e = fails(
      () => engine.resolveValue("{{ steps.later.output }}", vars),
      "blocked",
      /^template evaluation blocked: missing key at steps\.later$/,
    );
    assert.ok(e instanceof EvaluationBlockedError);
  });
  test("compound templates over offloaded step data fail", () => {
    const e = fails(
      () => engine.resolveValue("{{ steps.s1.output.x | upper }}", vars),
      "offloaded",
      /compound template references step output/,
    );
    assert.ok(e instanceof OffloadedDataUsageError);
  });
  test("selector refs through a storage-ref output", () => {
    assert.deepEqual(engine.resolveValue("{{ steps.s1.output.items.title }}", vars), {
      $bubuStorageRef: "outputs/ns/sr/o.json",
      $bubuStoragePath: "items.title",
    });
    // As in Go, a numeric subscript is a lexer error, so it never reaches the fast path.
    fails(() => engine.resolveValue("{{ steps.s1.output.items[2] }}", vars), "parse", /bad character U\+005B/);
  });
  test("deterministic mode drops now and random helpers", () => {
    const det = new TemplateEngine({ deterministic: true });
    fails(() => det.resolveValue("{{ now }}", vars), "parse", /function "now" not defined/);
    // Only built-in-only actions are JSON-decoded (Go quirk): this stays the string "36".
    assert.equal(new TemplateEngine().resolveValue("{{ uuidv4 | len }}", vars), "36");
  });
  test("the clock and zone are injectable", () => {
    const fixed = new TemplateEngine({ now: () => Date.UTC(2024, 2, 5, 10, 0, 0), timeZone: "UTC" });
    assert.equal(fixed.resolveValue('{{ now | date "2006-01-02 15:04" }}', vars), "2024-03-05 10:00");
    const tokyo = new TemplateEngine({ timeZone: "Asia/Tokyo" });
    assert.equal(tokyo.resolveValue('{{ date "15:04 -0700" 0 }}', vars), "09:00 +0900");
  });
  test("the caller's value is not modified", () => {
    const input = { a: "{{ inputs.n }}", b: ["{{ inputs.name }}"] };
    const copy = structuredClone(input);
    engine.resolveValue(input, vars);
    assert.deepEqual(input, copy);
  });
});
