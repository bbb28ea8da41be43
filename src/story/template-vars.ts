/**
 * The template variables `{inputs, steps}` the operator evaluates `with`, `if` and the Story
 * output against, and the `BUBU_TEMPLATE_CONTEXT` it gives a step.
 *
 * @remarks bobrapet v0.1.13 `internal/controller/runs/dag.go` `getPriorStepOutputs`: every
 * StepRun of the run contributes `steps.<stepId>`; a Succeeded (or Skipped) one gets `output` and
 * `outputs` (the same object, `{}` when it wrote none), any StepRun with signals gets `signals`
 * (dotted keys nested, a higher `seq` wins); a Succeeded `executeStory` step contributes its
 * sub-StoryRun's output; then each name gets its `_` alias (`my-step` → `my_step`). Failed steps
 * are therefore absent unless they emitted signals, and primitive steps (which create no
 * StepRun) are absent. `steprun_controller.go` `buildTemplateContextEnvVar` and
 * `compactTemplateContextPayload` (64 KiB) give the env variable.
 * @module
 */
import { goJsonByteLength } from "../json/go-json.ts";
import { stepAlias } from "./graph.ts";
import type { JsonObject } from "./types.ts";

/** What the runner knows of one StepRun (or sub-StoryRun) for the template context. */
export interface StepRecord {
  /** `spec.stepId`: the step (or parallel branch) name. */
  readonly stepId: string;
  readonly phase: string;
  /** `status.output` (a JSON object), when written. */
  readonly output?: unknown;
  /** `status.signals`, key → latest value. */
  readonly signals?: Readonly<Record<string, unknown>>;
  /** A sub-StoryRun's output instead of a StepRun's (an `executeStory` step). */
  readonly subStory?: boolean;
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `steps`: the prior-step part of the template variables, with aliases. */
export function priorStepOutputs(records: readonly StepRecord[]): JsonObject {
  const outputs: JsonObject = {};
  for (const r of records.filter((r) => !r.subStory)) {
    const ctx: JsonObject = isObject(outputs[r.stepId]) ? (outputs[r.stepId] as JsonObject) : {};
    let updated = false;
    if (r.phase === "Succeeded" || r.phase === "Skipped") {
      if (r.phase === "Succeeded" && isObject(r.output) && !Object.hasOwn(ctx, "outputs")) {
        ctx.outputs = r.output;
        ctx.output = r.output;
      }
      if (ctx.output === undefined || ctx.output === null) ctx.output = {};
      if (ctx.outputs === undefined || ctx.outputs === null) ctx.outputs = {};
      updated = true;
    }
    const signals = collectSignals(r.signals);
    if (signals !== undefined) {
      if (isObject(ctx.signals)) mergeSignalMaps(ctx.signals, signals);
      else ctx.signals = signals;
      updated = true;
    }
    if (updated) outputs[r.stepId] = ctx;
  }
  for (const r of records.filter((r) => r.subStory && r.phase === "Succeeded")) {
    if (Object.hasOwn(outputs, r.stepId) || !isObject(r.output)) continue;
    outputs[r.stepId] = { outputs: r.output, output: r.output };
  }
  for (const name of Object.keys(outputs)) {
    const alias = stepAlias(name);
    if (!Object.hasOwn(outputs, alias)) outputs[alias] = outputs[name];
  }
  return outputs;
}

function collectSignals(raw: Readonly<Record<string, unknown>> | undefined): JsonObject | undefined {
  if (raw === undefined) return undefined;
  const out: JsonObject = {};
  let any = false;
  for (const key of Object.keys(raw).sort()) {
    const value = raw[key];
    if (value === undefined || value === null) continue;
    insertSignalValue(out, key, value);
    any = true;
  }
  return any ? out : undefined;
}

function signalSeq(v: unknown): number | undefined {
  if (!isObject(v)) return undefined;
  const s = v.seq;
  if (typeof s === "number") return s < 0 ? undefined : Math.trunc(s);
  if (typeof s === "string" && /^\s*\d+\s*$/.test(s)) return Number(s.trim());
  return undefined;
}

function shouldOverwrite(existing: unknown, incoming: unknown): boolean {
  const a = signalSeq(existing);
  const b = signalSeq(incoming);
  return a === undefined || b === undefined || b >= a;
}

function insertSignalValue(root: JsonObject, key: string, value: unknown): void {
  const segments = key.trim().split(".");
  let current = root;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!.trim();
    if (seg === "") continue;
    if (i === segments.length - 1) {
      if (Object.hasOwn(current, seg) && !shouldOverwrite(current[seg], value)) return;
      current[seg] = value;
      return;
    }
    const next = current[seg];
    if (isObject(next)) {
      current = next;
      continue;
    }
    const created: JsonObject = {};
    current[seg] = created;
    current = created;
  }
}

function mergeSignalMaps(dst: JsonObject, src: JsonObject): void {
  for (const [k, v] of Object.entries(src)) {
    const existing = dst[k];
    if (isObject(existing) && isObject(v)) {
      if (signalSeq(existing) !== undefined || signalSeq(v) !== undefined) {
        if (shouldOverwrite(existing, v)) dst[k] = v;
        continue;
      }
      mergeSignalMaps(existing, v);
      continue;
    }
    if (shouldOverwrite(existing, v)) dst[k] = v;
  }
}

const CONTEXT_MAX_VALUE_BYTES = 64 * 1024;
const REF_KEYS = [
  "$bubuStorageRef",
  "$bubuStoragePath",
  "$bubuStorageContentType",
  "$bubuStorageSchema",
  "$bubuStorageSchemaVersion",
];

/**
 * `BUBU_TEMPLATE_CONTEXT`'s value before serialization: `{inputs, steps}`. The operator's size
 * cap only ever trims storage-ref objects to their `$bubuStorage*` keys (a payload over 64 KiB is
 * left as it is), and so does this.
 */
export function templateContextPayload(inputs: JsonObject, steps: JsonObject): JsonObject {
  const payload: JsonObject = JSON.parse(JSON.stringify({ inputs, steps }));
  if (goJsonByteLength(payload) <= CONTEXT_MAX_VALUE_BYTES) trimRefs(payload);
  return payload;
}

function trimRefs(v: unknown): unknown {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = trimRefs(v[i]);
    return v;
  }
  if (!isObject(v)) return v;
  if (Object.hasOwn(v, "$bubuStorageRef")) {
    const out: JsonObject = {};
    for (const k of REF_KEYS) if (Object.hasOwn(v, k)) out[k] = v[k];
    return out;
  }
  for (const k of Object.keys(v)) v[k] = trimRefs(v[k]);
  return v;
}
