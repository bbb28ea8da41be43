// Throughput of a typical config (8 templated fields) in our engine and in the Go engine.
// Usage: node test/interop/templating/bench.ts [iterations]   (Go must be installed)
import { spawnSync } from "node:child_process";
import { dirname } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { TemplateEngine } from "../../../src/templating/evaluator.ts";

const config = {
  url: "https://api.example.com/v1/users/{{ inputs.userId }}",
  headers: { Authorization: "Bearer {{ inputs.token }}", "X-Request": '{{ inputs.requestId | default "none" }}' },
  name: "{{ inputs.user.name | upper }}",
  retries: "{{ inputs.retries }}",
  body: { $bubuTemplate: "{{ toJson inputs.payload }}" },
  summary: "{{ range $i, $t := inputs.tags }}{{ if $i }}, {{ end }}{{ $t }}{{ end }}",
  previous: "{{ steps.fetch.output.count }}",
  literal: "no template here",
};
const vars = {
  inputs: {
    userId: "u-42",
    token: "t0k3n",
    user: { name: "Ada" },
    retries: 3,
    payload: { a: [1, 2, 3], b: { c: "d" } },
    tags: ["x", "y", "z"],
  },
  steps: { fetch: { output: { count: 7 } } },
};

const n = Number(process.argv[2] ?? 20000);
const engine = new TemplateEngine({ evaluationTimeoutMs: 30_000, maxOutputBytes: 1 << 20 });
engine.resolveValue(config, vars);
const t0 = performance.now();
for (let i = 0; i < n; i++) engine.resolveValue(config, vars);
const secs = (performance.now() - t0) / 1000;
console.log(
  `ts (${typeof (globalThis as { Bun?: unknown }).Bun !== "undefined" ? "bun" : typeof (globalThis as { Deno?: unknown }).Deno !== "undefined" ? "deno" : "node"}): ${n} configs in ${secs.toFixed(2)}s: ${(n / secs).toFixed(0)} configs/s`,
);

const dir = dirname(fileURLToPath(import.meta.url));
const go = spawnSync("go", ["run", ".", "-bench", String(n)], {
  cwd: dir,
  input: JSON.stringify({ name: "bench", value: config, vars }),
  encoding: "utf8",
});
process.stdout.write(go.status === 0 ? go.stdout : `go: not run (${go.stderr.trim().split("\n").at(-1)})\n`);
