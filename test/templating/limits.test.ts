// Every template function whose result grows with a number or with repeated input is held to the
// evaluation's budget (issue #15: `printf "%.500000000f"` and `indent 500000000` ran a batch out of
// heap): printf/fmt follow Go's width and precision bounds; other functions stop with a
// `value_limit` error before allocating; retained values count against a `memory_limit`; work
// inside functions and `template` recursion is interrupted by the deadline. The engines here use
// small limits so that each case is cheap; the defaults are checked with the reported bombs.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { TemplateEngine, TemplateExecError, TemplateLimitError, templateErrorClass } from "../../src/templating/mod.ts";

const KIB = 1024;
const vars = {
  inputs: {
    map: Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, i])),
    text: "héllo wörld ".repeat(100_000),
    nums: Array.from({ length: 30_000 }, (_, i) => i),
  },
};

/** Runs `f`; returns its error after checking the class and the message. */
function fails(f: () => unknown, cls: string, pattern: RegExp): Error {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof Error, "expected an error");
  assert.equal(templateErrorClass(caught), cls, caught.message);
  assert.match(caught.message, pattern);
  return caught;
}

describe("printf and fmt: Go's width and precision bounds (1e6 for * arguments; literal numbers stop being read past it)", () => {
  const engine = new TemplateEngine({ timeZone: "UTC", maxOutputBytes: 1 << 20 });
  // Expected texts are Go's (test/interop/templating, go run . -lines).
  const cases: [string, string][] = [
    ['x{{ printf "%.500000000f" 1.0 }}', "x%!(NOVERB)%!(EXTRA float64=1)"],
    ['x{{ printf "%.500000000f|%d" 1.0 2 }}', "x%!(NOVERB)%!(EXTRA float64=1, int=2)"],
    ['x{{ printf "%100000000d|" 5 }}', "x%!(NOVERB)%!(EXTRA int=5)"],
    ['x{{ printf "%.10000010f|" 5.0 }}', "x%!(NOVERB)%!(EXTRA float64=5)"],
    ['x{{ printf "%*d|" 1000001 5 }}', "x%!(BADWIDTH)5|"],
    ['x{{ printf "%*d|" -1000001 5 }}', "x%!(BADWIDTH)5|"],
    ['x{{ printf "%.*f|" 1000001 5.0 }}', "x%!(BADPREC)5.000000|"],
    ['x{{ printf "%.*d|" -1 5 }}', "x%!(BADPREC)5|"],
    ['x{{ printf "%*d|" 1000000 5 | len }}', "x1000001"],
    ['x{{ printf "%10000000d|" 5 | len }}', "x10000001"],
    ['x{{ printf "%.10000009f|" 5.0 | len }}', "x10000012"],
  ];
  for (const [template, want] of cases) {
    test(template, () => {
      const engineNoOutputCap = new TemplateEngine({ timeZone: "UTC" });
      assert.equal((template.includes("| len") ? engineNoOutputCap : engine).resolveValue(template, {}), want);
    });
  }
  test("a width within Go's bound but a value beyond the output limit: Go's output error", () => {
    fails(
      () => engine.resolveValue('{{ printf "%.9999999f" 1.0 }}', {}),
      "output_limit",
      /^template output exceeds max bytes \(current=0, writing=10000001, max=1048576\)$/,
    );
  });
});

describe("functions stop before building a value over the per-value limit", () => {
  const engine = new TemplateEngine({
    timeZone: "UTC",
    maxValueBytes: 64 * KIB,
    maxAllocBytes: 4096 * KIB,
    evaluationTimeoutMs: 10_000,
  });
  const S = '{{ $s := printf "%10000d" 1 }}';
  const DAG = "{{ $l := list 1 }}{{ range 20 }}{{ $l = list $l $l }}{{ end }}";
  const LT = '{{ $lt := replace "0" "<" (printf "%030000d" 0) }}';
  const cases: [string, string, string][] = [
    ["indent", '{{ indent 100000 "x" }}', "indent"],
    ["nindent", '{{ nindent 40000 "a\\nb" }}', "nindent"],
    ["printf width", '{{ printf "%1000000d" 1 }}', "printf"],
    ["printf precision", '{{ printf "%.1000000f" 1.0 }}', "printf"],
    ["printf repeated verbs", '{{ printf "%50000d%50000d" 1 2 }}', "printf"],
    ["printf doubling", '{{ $s := "x" }}{{ range 30 }}{{ $s = printf "%s%s" $s $s }}{{ end }}', "printf"],
    ["print of a shared list", `${DAG}{{ print $l }}`, "print"],
    ["toString of a shared list", `${DAG}{{ toString $l }}`, "toString"],
    ["replace every rune boundary", '{{ replace "" (printf "%1000d" 1) (printf "%100d" 1) }}', "replace"],
    ["replace every match", '{{ replace "0" (printf "%100d" 1) (printf "%01000d" 0) }}', "replace"],
    [
      "wrapWith a long separator",
      '{{ wrapWith 1 (printf "%1000d" 1) (replace "0" "a " (printf "%0200d" 0)) }}',
      "wrapWith",
    ],
    ["join a long separator", '{{ join (printf "%1000d" 1) (splitList "" (printf "%100d" 1)) }}', "join"],
    ["split into many pieces", '{{ split "" (printf "%10000d" 1) }}', "split"],
    ["splitList into many pieces", '{{ splitList "" (printf "%10000d" 1) }}', "splitList"],
    ["splitn into many pieces", '{{ splitn "" 100000 (printf "%10000d" 1) }}', "splitn"],
    [
      "concat one list many times",
      '{{ $l := splitList "" (printf "%1000d" 1) }}{{ concat $l $l $l $l $l $l $l $l $l $l }}',
      "concat",
    ],
    ["keys of one map many times", "{{ $m := .inputs.map }}{{ keys $m $m $m $m $m $m $m $m $m $m }}", "keys"],
    ["cat of one string many times", `${S}{{ cat $s $s $s $s $s $s $s $s }}`, "cat"],
    ["quote of one string many times", `${S}{{ quote $s $s $s $s $s $s $s $s }}`, "quote"],
    ["squote of one string many times", `${S}{{ squote $s $s $s $s $s $s $s $s }}`, "squote"],
    ["toJson of a shared list", `${DAG}{{ toJson $l }}`, "toJson"],
    ["toRawJson of a shared list", `${DAG}{{ toRawJson $l }}`, "toRawJson"],
    [
      "toPrettyJson of deep nesting",
      '{{ $d := dict }}{{ range 300 }}{{ $d = dict "a" $d }}{{ end }}{{ toPrettyJson $d }}',
      "toPrettyJson",
    ],
    ["html escapes", `${LT}{{ html $lt }}`, "html"],
    ["js escapes", `${LT}{{ js $lt }}`, "js"],
    ["urlquery escapes", `${LT}{{ urlquery $lt }}`, "urlquery"],
    ["quote escapes", `${LT}{{ quote (replace "<" "\\x01" $lt) }}`, "quote"],
    ["b64enc", '{{ b64enc (printf "%60000d" 1) }}', "b64enc"],
    ["b32enc", '{{ b32enc (printf "%60000d" 1) }}', "b32enc"],
    ["randAlpha", "{{ randAlpha 100000 }}", "randAlpha"],
    ["randAscii", "{{ randAscii 100000 }}", "randAscii"],
    ["toStrings of a shared list", `${DAG}{{ toStrings (list $l) }}`, "toStrings"],
  ];
  for (const [name, template, fn] of cases) {
    test(name, { timeout: 20_000 }, () => {
      const e = fails(
        () => engine.resolveValue(template, vars),
        "value_limit",
        new RegExp(`error calling ${fn}: template value exceeds max bytes \\(size=\\d+, max=65536\\)$`),
      );
      assert.ok(e instanceof TemplateExecError);
      assert.ok(e.inner instanceof TemplateLimitError);
      assert.ok(e.inner.size > e.inner.max);
    });
  }
  test("printing a shared list stops at the action, with its position", () => {
    fails(
      () => engine.resolveValue(`${DAG}x{{ $l }}`, vars),
      "value_limit",
      /^template: bubu:1:\d+: executing "bubu" at <\{\{\$l\}\}>: template value exceeds max bytes/,
    );
  });
  test("the same functions work below the limit", () => {
    assert.equal(engine.resolveValue('{{ indent 2 "a\\nb" }}', vars), "  a\n  b");
    assert.equal(engine.resolveValue('{{ replace "" "-" "ab" }}', vars), "-a-b-");
    assert.equal(engine.resolveValue('{{ join "," (splitList "" "abc") }}', vars), "a,b,c");
    assert.equal(engine.resolveValue("{{ randAlpha 60000 | len }}", vars), "60000");
    assert.equal(engine.resolveValue('{{ printf "%5000d" 1 | len }}', vars), 5000);
  });
});

describe("the memory budget: values kept alive across a call", () => {
  const engine = new TemplateEngine({
    timeZone: "UTC",
    maxValueBytes: 64 * KIB,
    maxAllocBytes: 1024 * KIB,
    evaluationTimeoutMs: 10_000,
  });
  test("a list grown in a loop", { timeout: 20_000 }, () => {
    fails(
      () =>
        engine.resolveValue(
          '{{ $l := list }}{{ range 100000 }}{{ $l = append $l (printf "%60000d" 1) }}{{ end }}',
          vars,
        ),
      "memory_limit",
      /error calling \w+: template evaluation exceeds max memory bytes \(allocated=\d+, allocating=\d+, max=1048576\)$/,
    );
  });
  test("many variables", () => {
    const t = Array.from({ length: 30 }, (_, i) => `{{ $v${i} := printf "%60000d" ${i} }}`).join("");
    fails(() => engine.resolveValue(t, vars), "memory_limit", /template evaluation exceeds max memory bytes/);
  });
  test("many templates in one value (their results are kept)", () => {
    const value = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, `{{ printf "%60000d" ${i} }}`]));
    fails(() => engine.resolveValue(value, vars), "memory_limit", /template evaluation exceeds max memory bytes/);
  });
  test("output without an output limit", () => {
    fails(
      () => engine.resolveValue('{{ range 100 }}{{ printf "%60000d" 1 }}{{ end }}', vars),
      "memory_limit",
      /exceeds max memory bytes/,
    );
  });
  test("each call has its own budget", () => {
    for (let i = 0; i < 50; i++) assert.equal(engine.resolveValue('{{ printf "%60000d" 1 | len }}', vars), 60000);
  });
});

describe("the deadline interrupts work inside functions and recursion", () => {
  const engine = new TemplateEngine({ timeZone: "UTC", evaluationTimeoutMs: 300 });
  const timedOut = /^template evaluation timed out after 300ms$/;
  test("deepEqual of two shared lists with 2^40 leaves", { timeout: 20_000 }, () => {
    const build = (v: string): string => `{{ ${v} := list 1 }}{{ range 40 }}{{ ${v} = list ${v} ${v} }}{{ end }}`;
    fails(() => engine.resolveValue(`${build("$a")}${build("$b")}{{ deepEqual $a $b }}`, vars), "timeout", timedOut);
  });
  test("uniq (quadratic) of a long list", { timeout: 20_000 }, () => {
    fails(() => engine.resolveValue("{{ uniq .inputs.nums | len }}", vars), "timeout", timedOut);
  });
  test("template recursion that fans out", { timeout: 20_000 }, () => {
    const t =
      '{{ define "a" }}{{ if lt . 40 }}{{ template "a" (add1 .) }}{{ template "a" (add1 .) }}{{ end }}{{ end }}{{ template "a" 0 }}';
    fails(() => engine.resolveValue(t, vars), "timeout", timedOut);
  });
  test("a value holding many slow templates stops at the call's deadline", { timeout: 20_000 }, () => {
    const value = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, "{{ range 300000 }}{{ end }}"]));
    fails(() => engine.resolveValue(value, vars), "timeout", timedOut);
  });
});

describe("default limits", () => {
  const engine = new TemplateEngine({ timeZone: "UTC", maxOutputBytes: 1 << 20, evaluationTimeoutMs: 30_000 });
  test("the reported indent bomb", { timeout: 20_000 }, () => {
    fails(
      () => engine.resolveValue('{{ indent 500000000 "x" }}', vars),
      "value_limit",
      /^template: bubu:1:3: executing "bubu" at <indent 500000000 "x">: error calling indent: template value exceeds max bytes \(size=500000001, max=16777216\)$/,
    );
  });
  test("printf within Go's bounds, beyond the value limit", { timeout: 20_000 }, () => {
    fails(
      () => engine.resolveValue(`{{ printf "${"%.1000000f".repeat(17)}" ${"1.0 ".repeat(17)}}}`, vars),
      "value_limit",
      /error calling printf: template value exceeds max bytes \(size=\d+, max=16777216\)$/,
    );
  });
  test("inputs of a few MB still go through the string and JSON helpers", { timeout: 20_000 }, () => {
    const bytes = vars.inputs.text.length + 200_000; // é and ö take two bytes
    assert.equal(engine.resolveValue("{{ .inputs.text | upper | lower | title | len }}", vars), String(bytes));
    assert.ok(Number(engine.resolveValue("{{ toJson .inputs | fromJson | toJson | len }}", vars)) > bytes);
    assert.equal(engine.resolveValue("{{ .inputs.text | quote | len }}", vars), String(bytes + 2));
  });
});
