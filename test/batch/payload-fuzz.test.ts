/**
 * Property-based probe of the batch payload path: random env payloads (inputs, config, config
 * overrides, template context), templates and storage refs, in local mode (the default services)
 * and in cluster mode in process (the storage and template seams a pod gets, a fake StepRun
 * status writer, the real template-schema check). Seeded and bounded; set BUBU_FUZZ_SEED and
 * BUBU_FUZZ_RUNS to explore further. On failure fast-check prints the seed and the case.
 *
 * Every run must: settle before step deadline + grace, end with a terminal status (a success, or
 * a failure carrying a structured error), leave Object.prototype and Array.prototype untouched,
 * keep `__proto__`/`constructor`/`prototype` as ordinary own members of what the engram gets, and
 * never copy a payload string (or a stored file's bytes) into the error.
 */

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import * as v from "valibot";
import type { BatchServices as BatchSeams } from "../../src/batch/services.ts";
import { startBatch } from "../../src/batch/start-batch.ts";
import type { StepRunStatusUpdate } from "../../src/batch/status.ts";
import { loadEnv } from "../../src/env/load.ts";
import { noopLogger } from "../../src/observability/logger.ts";
import { hasTemplates } from "../../src/process/has-templates.ts";
import { createStorageServices as createStorageSeams } from "../../src/process/storage-services.ts";
import { createTemplateSeam } from "../../src/process/template-service.ts";
import { detectRuntime } from "../../src/runtime/detect.ts";
import type { Runtime } from "../../src/runtime/types.ts";
import { assertTemplatePayload } from "../../src/schema/validation-error.ts";

const SEED = Number(process.env.BUBU_FUZZ_SEED ?? 0x5eed15);
const RUNS = Math.min(Number(process.env.BUBU_FUZZ_RUNS ?? 200), 1000);
const RESERVED = ["__proto__", "constructor", "prototype"] as const;
/** Marks payload strings; an error message that contains it copied payload bytes. */
const CANARY = "CANARYq7Z";
/** Step deadline and grace of every run, and how late a run may settle beyond them. */
const STEP_TIMEOUT_MS = 3000;
const GRACE_MS = 200;
const SLACK_MS = 5000;

const base = detectRuntime();
// Local mode prints the output and errors; the probe keeps stdout clean.
const rt: Runtime = { ...base, writeStdout: () => {}, writeStderr: () => {} };
let dir = "";

function writeStored(rel: string, text: string): void {
  const path = join(dir, rel);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
}

// ---- generators -------------------------------------------------------------------------------

const key = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...RESERVED) },
  { weight: 1, arbitrary: fc.constantFrom("toString", "hasOwnProperty", "valueOf", "__defineGetter__", "polluted") },
  {
    weight: 3,
    arbitrary: fc.constantFrom("a", "b", "mode", "value", "$bubuStorageRef", "$bubuStoragePath", "$bubuTemplate"),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
);

const refPath = fc.constantFrom(
  "store/ok.json",
  "store/raw.json",
  "store/proto.json",
  "store/not-json.txt",
  "store/deep.json",
  "store/inf.json",
  "store/missing.json",
  "../escape.json",
  "/etc/passwd",
  "",
);
const storageRef = fc.record(
  { $bubuStorageRef: refPath, $bubuStoragePath: fc.constantFrom("x", "__proto__", "items[0]", "items[*].n", "[") },
  { requiredKeys: ["$bubuStorageRef"] },
);
const template = fc.constantFrom(
  "{{ .inputs.a }}",
  '{{ index .inputs "__proto__" }}',
  "{{ .inputs.__proto__ }}",
  "{{ toJson .inputs }}",
  "{{ .inputs.missing.deeper }}",
  "{{ nope }}",
  "{{",
);
const scalar = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 8 }).map((s) => `${CANARY}${s}`),
  template,
);
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalar,
    storageRef,
    fc.array(tie("tree"), { maxLength: 3 }),
    fc.array(fc.tuple(key, tie("tree")), { maxLength: 4 }).map(objectOf),
  ),
}));

/** An object with these members; `__proto__` becomes an own member, as JSON.parse makes it. */
function objectOf(entries: [string, unknown][]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, x] of entries)
    Object.defineProperty(o, k, { value: x, enumerable: true, writable: true, configurable: true });
  return o;
}

/**
 * A payload: a generated object, one nested `n` levels deep, or a literal text. Kept as a small
 * description (the text is built at run time) so that a failing case prints short.
 */
type Payload =
  | { readonly tree: Record<string, unknown> }
  | { readonly deep: "array" | "object"; readonly n: number }
  | { readonly text: string };
const payload: fc.Arbitrary<Payload> = fc.oneof(
  { weight: 14, arbitrary: fc.array(fc.tuple(key, tree), { maxLength: 5 }).map((e) => ({ tree: objectOf(e) })) },
  {
    weight: 2,
    arbitrary: fc.record({
      deep: fc.constantFrom("array" as const, "object" as const),
      n: fc.integer({ min: 1, max: 100_000 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(
        '{"a":1e999}',
        '{"a":[-1e400]}',
        '{"__proto__":{"polluted":1},"keep":2}',
        `{"a":"${CANARY}"`,
        `{"a":${CANARY}}`,
        "[]",
        "null",
        '"x"',
      )
      .map((text) => ({ text })),
  },
);

function textOf(p: Payload): string {
  if ("tree" in p) return JSON.stringify(p.tree);
  if ("text" in p) return p.text;
  return p.deep === "array"
    ? `{"a":${"[".repeat(p.n)}${"]".repeat(p.n)}}`
    : `${'{"a":'.repeat(p.n)}1${"}".repeat(p.n)}`;
}

/** A case as one line: payload trees as JSON, deep payloads by their size. */
function describeCase(s: Scenario): string {
  return JSON.stringify(s, (_k, x: unknown) =>
    x && typeof x === "object" && "tree" in x ? JSON.stringify((x as { tree: unknown }).tree) : x,
  ).slice(0, 1500);
}

const schemaKind = fc.constantFrom("none", "loose", "record", "object", "strict-object");
function schemaOf(kind: string): v.GenericSchema | undefined {
  switch (kind) {
    case "loose":
      return v.looseObject({ a: v.optional(v.unknown()) });
    case "record":
      return v.record(v.string(), v.unknown());
    case "object":
      return v.object({ a: v.optional(v.string()) });
    case "strict-object":
      return v.strictObject({ a: v.optional(v.number()) });
    default:
      return undefined;
  }
}

const scenario = fc.record({
  cluster: fc.boolean(),
  storage: fc.boolean(),
  rootStore: fc.boolean(),
  inputs: fc.option(payload, { nil: undefined }),
  config: fc.option(payload, { nil: undefined }),
  templateContext: fc.option(payload, { nil: undefined }),
  override: fc.option(fc.tuple(fc.constantFrom(...RESERVED, "a", "X"), fc.string({ maxLength: 5 })), {
    nil: undefined,
  }),
  maxDepth: fc.oneof(
    { weight: 8, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: fc.constantFrom("1", "3", "64", "5000") },
    { weight: 1, arbitrary: fc.constantFrom("0", "x") },
  ),
  strict: fc.boolean(),
  schema: schemaKind,
  viaFlag: fc.boolean(),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

// ---- one run ----------------------------------------------------------------------------------

interface Run {
  readonly status: StepRunStatusUpdate;
  readonly seen: unknown;
  readonly seenConfig: unknown;
  readonly exitCode: number;
}

async function runScenario(s: Scenario): Promise<Run> {
  const env: Record<string, string> = {
    BUBU_STEP_TIMEOUT: `${STEP_TIMEOUT_MS}ms`,
    BUBU_SDK_GRACEFUL_SHUTDOWN_TIMEOUT: `${GRACE_MS}ms`,
  };
  if (s.cluster)
    Object.assign(env, { BUBU_STEPRUN_NAME: "fuzz", BUBU_STEPRUN_NAMESPACE: "ns", BUBU_ENGRAM_NAME: "fuzz" });
  if (s.storage || s.cluster)
    Object.assign(env, {
      BUBU_STORAGE_PROVIDER: "file",
      BUBU_STORAGE_PATH: s.rootStore ? join(dir, "store", "..") : dir,
    });
  const args: string[] = [];
  if (s.inputs !== undefined) {
    const text = textOf(s.inputs);
    // A flag value not starting with { or [ would be read as a file name.
    if (!s.cluster && s.viaFlag) args.push("--inputs", /^\s*[[{]/.test(text) ? text : `{"v":${JSON.stringify(text)}}`);
    else env.BUBU_TRIGGER_DATA = text;
  }
  if (s.config !== undefined) env.BUBU_STEP_CONFIG = textOf(s.config);
  if (s.templateContext !== undefined) env.BUBU_TEMPLATE_CONTEXT = textOf(s.templateContext);
  if (s.override) env[`BUBU_CONFIG_${s.override[0]}`] = `${CANARY}${s.override[1]}`;
  if (s.maxDepth !== undefined) env.BUBU_MAX_RECURSION_DEPTH = s.maxDepth;
  if (s.strict) env.BUBU_RUNTIME_STRICT_UNMARSHAL = "true";

  let seen: unknown;
  let seenConfig: unknown;
  const engram = {
    schemas: { inputs: schemaOf(s.schema) },
    init(ctx: { config: unknown }) {
      seenConfig = ctx.config;
    },
    process(_ctx: unknown, inputs: unknown) {
      seen = inputs;
      return { echo: inputs };
    },
  };
  let seams: BatchSeams | undefined;
  let close = async (): Promise<void> => {};
  if (s.cluster) seams = await clusterSeams(env, (c) => (close = c));
  try {
    const outcome = await startBatch(engram as never, {
      env,
      args,
      exit: false,
      logger: noopLogger,
      runtime: rt,
      services: seams,
    });
    return { status: outcome.status, seen, seenConfig, exitCode: outcome.exitCode };
  } finally {
    await close();
  }
}

/** What `startBatch` builds in a pod, minus the API server: status writes and schema lookups are fakes. */
async function clusterSeams(
  env: Record<string, string>,
  onClose: (c: () => Promise<void>) => void,
): Promise<BatchSeams> {
  const fake: BatchSeams = {
    validateInputs: (inputs) =>
      Promise.resolve(
        assertTemplatePayload("input", "fuzz", inputs, {
          type: "object",
          properties: { a: { type: ["string", "number", "object", "array", "boolean", "null"] } },
        }),
      ),
    writeStatus: () => Promise.resolve(),
  };
  let bubu;
  try {
    bubu = loadEnv(env);
  } catch {
    return fake; // startBatch meets the same error and reports it.
  }
  const storage = await createStorageSeams(rt, bubu, noopLogger, { kubeRefs: false, sleep: () => Promise.resolve() });
  onClose(() => storage.close());
  const templates =
    hasTemplates(bubu.payload.config) || hasTemplates(bubu.payload.inputs ?? {})
      ? createTemplateSeam(bubu, noopLogger, {
          hydrateContext: (vars, signal) => storage.manager.hydrate(vars, { signal }),
        })
      : {};
  return {
    hydrateConfig: storage.hydrateConfig,
    hydrateInputs: storage.hydrateInputs,
    dehydrateOutput: storage.dehydrateOutput,
    ...templates,
    ...fake,
  };
}

// ---- checks -----------------------------------------------------------------------------------

const protoNames = (p: object): string => Object.getOwnPropertyNames(p).sort().join(",");
const objectProtoBefore = protoNames(Object.prototype);
const arrayProtoBefore = protoNames(Array.prototype);

/** Every object inside `value` is an ordinary object or array: no prototype was swapped. */
function prototypesIntact(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const x = stack.pop();
    if (typeof x !== "object" || x === null) continue;
    const proto = Object.getPrototypeOf(x);
    if (proto !== Object.prototype && proto !== Array.prototype) return false;
    for (const k of Object.keys(x)) stack.push((x as Record<string, unknown>)[k]);
  }
  return true;
}

/** The reserved keys at the top of a payload, as JSON.parse sees them. */
function topReservedKeys(p: Payload | undefined): string[] {
  if (p === undefined) return [];
  try {
    const parsed = JSON.parse(textOf(p)) as unknown;
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return [];
    return RESERVED.filter((k) => Object.hasOwn(parsed, k));
  } catch {
    return [];
  }
}

/** Outcomes by mode and phase, printed with BUBU_FUZZ_STATS=1 (to see what the seed covers). */
const stats = new Map<string, number>();

async function check(s: Scenario): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = STEP_TIMEOUT_MS + GRACE_MS + SLACK_MS;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`run did not settle within ${limit}ms`)), limit);
  });
  let run: Run;
  try {
    run = await Promise.race([runScenario(s), hung]);
  } finally {
    clearTimeout(timer);
  }
  const { status } = run;
  const label = `${s.cluster ? "cluster" : "local"} ${status.phase} ${
    status.phase === "Succeeded"
      ? ""
      : String(status.lastFailureMsg)
          .replace(/[0-9]+/g, "N")
          .slice(0, 90)
  }`;
  stats.set(label, (stats.get(label) ?? 0) + 1);
  assert.equal(({} as Record<string, unknown>).polluted, undefined, "Object.prototype was polluted");
  assert.equal(protoNames(Object.prototype), objectProtoBefore, "Object.prototype changed");
  assert.equal(protoNames(Array.prototype), arrayProtoBefore, "Array.prototype changed");
  assert.ok(["Succeeded", "Failed", "Timeout"].includes(String(status.phase)), `phase ${status.phase}`);
  if (status.phase === "Succeeded") {
    assert.equal(run.exitCode, 0);
    for (const p of [s.inputs, s.config, s.templateContext]) {
      assert.ok(
        !(p && "text" in p && /e[0-9]{3}/.test(p.text)),
        "a number outside float64 was accepted (Go refuses it)",
      );
    }
    assert.ok(prototypesIntact(run.seen), "the engram's inputs contain an object with a swapped prototype");
    assert.ok(prototypesIntact(run.seenConfig), "the engram's config contains an object with a swapped prototype");
    if (s.schema === "none" || s.schema === "loose" || s.schema === "record") {
      // Reserved keys of plain (non-ref, non-template) members reach the engram as own members.
      for (const k of topReservedKeys(s.viaFlag && !s.cluster ? undefined : s.inputs)) {
        assert.ok(Object.hasOwn(run.seen as object, k), `inputs lost the key ${k}`);
      }
    }
    if (s.override)
      assert.ok(Object.hasOwn(run.seenConfig as object, s.override[0]), `config lost the override ${s.override[0]}`);
  } else {
    assert.notEqual(run.exitCode, 0);
    const error = status.error as { type?: unknown; message?: unknown } | undefined;
    assert.ok(
      error && typeof error.type === "string" && typeof error.message === "string",
      `no structured error: ${JSON.stringify(status)}`,
    );
    const text = `${JSON.stringify(status.error)} ${status.lastFailureMsg ?? ""}`;
    assert.ok(!text.includes(CANARY), `payload bytes in the error: ${text.slice(0, 300)}`);
    assert.ok(!text.includes("root:x:0"), `stored file bytes in the error: ${text.slice(0, 300)}`);
    assert.ok(!/call stack|too much recursion/i.test(text), `stack overflow: ${text.slice(0, 300)}`);
  }
}

describe("batch payload fuzzing (seeded)", () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "payload-fuzz-"));
    writeStored(
      "store/ok.json",
      JSON.stringify({ contentType: "json", data: { x: `${CANARY}stored`, items: [{ n: 1 }, { n: 2 }] } }),
    );
    writeStored("store/raw.json", JSON.stringify({ contentType: "raw", data: `${CANARY} {{ .inputs.a }}` }));
    writeStored(
      "store/proto.json",
      '{"contentType":"json","data":{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":2}},"x":1}}',
    );
    writeStored("store/not-json.txt", `${CANARY}root:x:0:0:/root:/bin/sh\n`);
    writeStored("store/deep.json", `{"contentType":"json","data":${"[".repeat(50_000)}${"]".repeat(50_000)}}`);
    writeStored("store/inf.json", '{"contentType":"json","data":{"n":1e999}}');
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test(`local and cluster runs (seed ${SEED}, ${RUNS} runs)`, async () => {
    const heapBefore = process.memoryUsage().heapUsed;
    // Every case runs (no stop at the first failure, no shrinking), so a report counts them all;
    // the seed and the case index reproduce one.
    const failures: { reason: string; text: string }[] = [];
    let index = 0;
    const result = await fc.check(
      fc.asyncProperty(scenario, async (s) => {
        const at = index++;
        try {
          await check(s);
        } catch (err) {
          const reason = err instanceof Error ? err.message.split("\n")[0]!.slice(0, 300) : String(err);
          failures.push({ reason, text: `#${at} ${reason}\n    case: ${describeCase(s)}` });
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
    assert.equal(result.failed, false, String(result.errorInstance));
    const kinds = new Map<string, number>();
    for (const { reason } of failures) {
      const kind = reason.split(/[:(]/)[0]!.trim();
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    assert.equal(
      failures.length,
      0,
      `seed ${SEED}: ${failures.length} of ${RUNS} cases failed (${[...kinds].map(([k, n]) => `${n}× ${k}`).join("; ")}); first:\n${failures
        .slice(0, 5)
        .map((f) => f.text)
        .join("\n")}`,
    );
    // Bounded memory: 200 runs with payloads of up to 100k levels must not keep hundreds of MiB.
    const grown = process.memoryUsage().heapUsed - heapBefore;
    assert.ok(grown < 256 * 1024 * 1024, `heap grew by ${grown} bytes`);
    if (process.env.BUBU_FUZZ_STATS) for (const [k, n] of [...stats].sort()) console.log(String(n).padStart(4), k);
  });
});
