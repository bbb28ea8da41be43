/**
 * What the cluster refuses when a Story is applied: the CRD's schema and rules (checked by the
 * API server) and the Story admission webhook. A Story with an issue here never gets a StoryRun,
 * so the local runner refuses it before starting anything.
 *
 * @remarks Mirrors bobrapet v0.1.13: the CRD markers of `api/v1alpha1/story_types.go` (name
 * pattern and length, 1–100 steps, at most 50 compensations and 50 finally steps, the two CEL
 * rules "each step must set exactly one of ref or type" and "step names must be unique") and
 * `internal/webhook/v1alpha1/story_webhook.go` `validateStory` (unknown `needs`, self-needs,
 * `needs` cycles per block, primitive shapes of `executeStory`/`wait`/`gate` (a bad `sleep`
 * duration is only found at run time), `with` must be an
 * object, the template safety check, template syntax, positive policy timeouts, `requires`
 * paths). Messages follow the webhook's texts; the API server's own wording of schema errors
 * (`Invalid value: …`) is approximated. Not checked: the webhook's template *scope* check (which
 * roots a template may read), Engram existence and cross-namespace grants, transports, and the
 * 1 MiB Story size.
 * @module
 */
import { parseGoDuration } from "../env/duration.ts";
import { buildFuncMap } from "../templating/funcs.ts";
import { normalizeTemplateRoots } from "../templating/normalize.ts";
import { parseTemplate } from "../templating/parse.ts";
import { STEP_TYPES, type Step, type Story } from "./types.ts";

/** One reason the cluster would refuse the Story. */
export interface StoryIssue {
  /** The field, in the API server's notation (`spec.steps[1].needs`). */
  readonly field: string;
  /** The operator's condition reason (`ValidationFailed`) or the API server's (`FieldValueInvalid`). */
  readonly reason: string;
  readonly message: string;
}

/** A Story the cluster would refuse; `issues` lists every reason found. */
export class StoryValidationError extends Error {
  override readonly name: string = "StoryValidationError";
  readonly story: string;
  readonly issues: readonly StoryIssue[];
  constructor(story: string, issues: readonly StoryIssue[]) {
    const list = issues.map((i) => `${i.field}: ${i.message}`);
    super(`Story ${JSON.stringify(story)} is invalid: ${list.length === 1 ? list[0] : `[${list.join(", ")}]`}`);
    this.story = story;
    this.issues = issues;
  }
}

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DENIED_FUNCS = ["env", "expandenv", "getHostByName"] as const;
const FUNCS = buildFuncMap(false);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function goType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

class Issues {
  readonly list: StoryIssue[] = [];
  add(field: string, reason: string, message: string): void {
    this.list.push({ field, reason, message });
  }
  /** An API-server schema error: `must be of type string`. */
  type(field: string, value: unknown, want: string): boolean {
    const got = goType(value);
    const ok = want === "number" ? got === "integer" || got === "number" : got === want;
    if (!ok)
      this.add(
        field,
        "FieldValueTypeInvalid",
        `Invalid value: "${got}": ${field} in body must be of type ${want}: "${got}"`,
      );
    return ok;
  }
}

/** Returns the reasons the cluster would refuse `story` (empty when it would accept it). */
export function storyIssues(story: Story): StoryIssue[] {
  const issues = new Issues();
  const spec = story.spec as unknown as Record<string, unknown>;
  if (spec.pattern !== undefined && spec.pattern !== "batch" && spec.pattern !== "realtime") {
    issues.add(
      "spec.pattern",
      "FieldValueNotSupported",
      `Unsupported value: ${JSON.stringify(spec.pattern)}: supported values: "batch", "realtime"`,
    );
  }
  const blocks: [string, unknown, number, number][] = [
    ["spec.steps", spec.steps, 1, 100],
    ["spec.compensations", spec.compensations, 0, 50],
    ["spec.finally", spec.finally, 0, 50],
  ];
  const shapeOk: Record<string, boolean> = {};
  for (const [field, value, min, max] of blocks) {
    if (value === undefined && min === 0) {
      shapeOk[field] = true;
      continue;
    }
    if (value === undefined) {
      issues.add(field, "FieldValueRequired", "Required value");
      continue;
    }
    if (!issues.type(field, value, "array")) continue;
    const list = value as unknown[];
    if (list.length < min)
      issues.add(
        field,
        "FieldValueInvalid",
        `Invalid value: ${list.length}: ${field} in body should have at least ${min} items`,
      );
    if (list.length > max)
      issues.add(field, "FieldValueTooMany", `Too many: ${list.length}: must have at most ${max} items`);
    shapeOk[field] = list.every((s, i) => stepShape(issues, `${field}[${i}]`, s));
  }
  if (!Object.values(shapeOk).every(Boolean) || !shapeOk["spec.steps"]) return issues.list;

  const steps = story.spec.steps;
  const comps = story.spec.compensations ?? [];
  const fin = story.spec.finally ?? [];
  // The CRD's CEL rules (on spec.steps only).
  if (!steps.every((s) => (s.ref !== undefined) !== (s.type !== undefined))) {
    issues.add("spec", "FieldValueInvalid", `Invalid value: "object": each step must set exactly one of ref or type`);
  }
  if (!steps.every((s) => steps.filter((o) => o.name === s.name).length === 1)) {
    issues.add("spec", "FieldValueInvalid", `Invalid value: "object": step names must be unique`);
  }
  // The webhook.
  const seen = new Set<string>();
  for (const [field, list] of [
    ["spec.steps", steps],
    ["spec.compensations", comps],
    ["spec.finally", fin],
  ] as const) {
    list.forEach((step, i) => webhookStep(issues, `${field}[${i}]`, step, seen, story.spec.pattern === "realtime"));
  }
  const main = new Set(steps.map((s) => s.name));
  const compAllowed = new Set([...main, ...comps.map((s) => s.name)]);
  const finAllowed = new Set([...compAllowed, ...fin.map((s) => s.name)]);
  needsExist(issues, "spec.steps", steps, main);
  needsExist(issues, "spec.compensations", comps, compAllowed);
  needsExist(issues, "spec.finally", fin, finAllowed);
  acyclic(issues, "steps", steps);
  acyclic(issues, "compensations", comps);
  acyclic(issues, "finally", fin);
  requiresPaths(issues, "spec.steps", steps, main);
  requiresPaths(issues, "spec.compensations", comps, compAllowed);
  requiresPaths(issues, "spec.finally", fin, finAllowed);
  if (story.spec.output !== undefined) {
    if (!isObject(story.spec.output)) issues.add("spec.output", "ValidationFailed", "output must be a JSON object");
    else templatesIn(issues, "spec.output", story.spec.output);
  }
  const timeouts = story.spec.policy?.timeouts;
  for (const key of ["story", "step"] as const) {
    const raw = timeouts?.[key];
    if (typeof raw === "string" && raw.trim() !== "") {
      const err = positiveDurationError(raw.trim());
      if (err) issues.add(`spec.policy.timeouts.${key}`, "ValidationFailed", err);
    }
  }
  if (story.spec.policy?.with !== undefined) {
    if (!isObject(story.spec.policy.with))
      issues.add("spec.policy.with", "ValidationFailed", "spec.policy.with must be a JSON object");
    else templatesIn(issues, "spec.policy.with", story.spec.policy.with);
  }
  return issues.list;
}

/** Throws {@link StoryValidationError} when the cluster would refuse `story`. */
export function validateStory(story: Story): void {
  const list = storyIssues(story);
  if (list.length > 0) throw new StoryValidationError(story.metadata.name, list);
}

/** The schema checks of one step; false when it is too malformed to check further. */
function stepShape(issues: Issues, path: string, raw: unknown): boolean {
  if (!issues.type(path, raw, "object")) return false;
  const s = raw as Record<string, unknown>;
  let ok = true;
  if (s.name === undefined) {
    issues.add(`${path}.name`, "FieldValueRequired", "Required value");
    ok = false;
  } else if (!issues.type(`${path}.name`, s.name, "string")) ok = false;
  else {
    const name = s.name as string;
    if (name.length > 63) issues.add(`${path}.name`, "FieldValueTooLong", `Too long: may not be more than 63 bytes`);
    if (!NAME.test(name)) {
      issues.add(
        `${path}.name`,
        "FieldValueInvalid",
        `Invalid value: ${JSON.stringify(name)}: ${path}.name in body should match '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'`,
      );
    }
  }
  if (
    s.type !== undefined &&
    issues.type(`${path}.type`, s.type, "string") &&
    !(STEP_TYPES as readonly string[]).includes(s.type as string)
  ) {
    issues.add(
      `${path}.type`,
      "FieldValueNotSupported",
      `Unsupported value: ${JSON.stringify(s.type)}: supported values: ${STEP_TYPES.map((t) => `"${t}"`).join(", ")}`,
    );
  }
  for (const key of ["if", "idempotencyKeyTemplate", "transport", "id"])
    if (s[key] !== undefined) issues.type(`${path}.${key}`, s[key], "string");
  for (const key of ["allowFailure", "sideEffects"])
    if (s[key] !== undefined) issues.type(`${path}.${key}`, s[key], "boolean");
  for (const key of ["needs", "requires"]) {
    if (s[key] === undefined) continue;
    if (issues.type(`${path}.${key}`, s[key], "array")) {
      (s[key] as unknown[]).forEach((v, i) => {
        if (!issues.type(`${path}.${key}[${i}]`, v, "string")) ok = false;
      });
    } else ok = false;
  }
  if (s.ref !== undefined) {
    if (issues.type(`${path}.ref`, s.ref, "object")) {
      const ref = s.ref as Record<string, unknown>;
      if (ref.name === undefined) issues.add(`${path}.ref.name`, "FieldValueRequired", "Required value");
      else issues.type(`${path}.ref.name`, ref.name, "string");
    } else ok = false;
  }
  const exec = s.execution;
  if (exec !== undefined && issues.type(`${path}.execution`, exec, "object")) {
    const e = exec as Record<string, unknown>;
    if (e.timeout !== undefined) issues.type(`${path}.execution.timeout`, e.timeout, "string");
    if (e.maxInlineSize !== undefined) issues.type(`${path}.execution.maxInlineSize`, e.maxInlineSize, "integer");
    if (e.retry !== undefined) retryShape(issues, `${path}.execution.retry`, e.retry);
  }
  return ok;
}

function retryShape(issues: Issues, path: string, raw: unknown): void {
  if (!issues.type(path, raw, "object")) return;
  const r = raw as Record<string, unknown>;
  const range = (key: string, min: number, max: number): void => {
    if (r[key] === undefined || !issues.type(`${path}.${key}`, r[key], "integer")) return;
    const n = r[key] as number;
    if (n < min)
      issues.add(
        `${path}.${key}`,
        "FieldValueInvalid",
        `Invalid value: ${n}: ${path}.${key} in body should be greater than or equal to ${min}`,
      );
    if (n > max)
      issues.add(
        `${path}.${key}`,
        "FieldValueInvalid",
        `Invalid value: ${n}: ${path}.${key} in body should be less than or equal to ${max}`,
      );
  };
  range("maxRetries", 0, 10);
  range("jitter", 0, 100);
  if (r.backoff !== undefined && !["exponential", "linear", "constant"].includes(r.backoff as string)) {
    issues.add(
      `${path}.backoff`,
      "FieldValueNotSupported",
      `Unsupported value: ${JSON.stringify(r.backoff)}: supported values: "exponential", "linear", "constant"`,
    );
  }
  for (const key of ["delay", "maxDelay"]) if (r[key] !== undefined) issues.type(`${path}.${key}`, r[key], "string");
}

function webhookStep(issues: Issues, path: string, step: Step, seen: Set<string>, realtime: boolean): void {
  if (seen.has(step.name)) issues.add(`${path}.name`, "ValidationFailed", `duplicate step name '${step.name}'`);
  seen.add(step.name);
  if (step.ref !== undefined && step.type !== undefined)
    issues.add(path, "ValidationFailed", `step '${step.name}' must not set both ref and type`);
  if (step.ref === undefined && step.type === undefined)
    issues.add(path, "ValidationFailed", `step '${step.name}' must set either ref or type`);
  for (const dep of step.needs ?? []) {
    if (dep === step.name)
      issues.add(`${path}.needs`, "ValidationFailed", `step '${step.name}' cannot depend on itself in needs`);
  }
  if (realtime && (step.type === "gate" || step.type === "wait")) {
    issues.add(
      `${path}.type`,
      "ValidationFailed",
      `step '${step.name}' of type '${step.type}' is only supported for batch stories`,
    );
  }
  if (step.with !== undefined && !isObject(step.with)) {
    issues.add(`${path}.with`, "ValidationFailed", `${path}.with must be a JSON object`);
  }
  const shape = primitiveShapeError(step);
  if (shape) issues.add(path, "ValidationFailed", shape);
  if (typeof step.if === "string" && step.if.trim() !== "") templateString(issues, `${path}.if`, step.if);
  if (typeof step.idempotencyKeyTemplate === "string")
    templateString(issues, `${path}.idempotencyKeyTemplate`, step.idempotencyKeyTemplate);
  if (isObject(step.with)) templatesIn(issues, `${path}.with`, step.with);
  if (step.type === "wait" && isObject(step.with) && typeof step.with.until === "string")
    templateString(issues, `${path}.with.until`, step.with.until);
  if (step.postExecution?.condition)
    templateString(issues, `${path}.postExecution.condition`, step.postExecution.condition);
  if (step.runtime !== undefined && !realtime && step.transport === undefined && step.ref === undefined) {
    issues.add(
      `${path}.runtime`,
      "ValidationFailed",
      "runtime is only supported for realtime stories or bridged realtime steps",
    );
  }
}

/** `validatePrimitiveShapes` of the webhook. */
function primitiveShapeError(s: Step): string | undefined {
  const w = s.with as Record<string, unknown> | undefined;
  switch (s.type) {
    case "executeStory": {
      if (w === undefined) return `step '${s.name}' of type 'executeStory' requires a 'with' block`;
      const ref = w.storyRef as Record<string, unknown> | undefined;
      if (!isObject(ref) || typeof ref.name !== "string" || ref.name === "")
        return `step '${s.name}' of type 'executeStory' requires 'with.storyRef.name' to be set`;
      return undefined;
    }
    case "wait": {
      if (w === undefined) return `step '${s.name}' of type 'wait' requires a 'with' block`;
      if (typeof w.until !== "string" || w.until.trim() === "")
        return `step '${s.name}' of type 'wait' requires 'with.until' to be set`;
      return timingShapeError(s.name, "wait", w);
    }
    case "gate":
      return w === undefined ? undefined : timingShapeError(s.name, "gate", w);
    default:
      return undefined;
  }
}

function timingShapeError(name: string, kind: string, w: Record<string, unknown>): string | undefined {
  for (const key of ["timeout", "pollInterval"] as const) {
    const raw = w[key];
    if (raw === undefined || raw === "") continue;
    const err = typeof raw === "string" ? positiveDurationError(raw) : "not a duration string";
    if (err) return `step '${name}' has invalid ${kind} ${key}: ${err}`;
    if (key === "pollInterval" && parseGoDuration(raw as string) < 10_000_000n)
      return `step '${name}' has ${kind} pollInterval shorter than 10ms`;
  }
  const onTimeout = w.onTimeout;
  if (
    typeof onTimeout === "string" &&
    onTimeout.trim() !== "" &&
    !["fail", "skip"].includes(onTimeout.trim().toLowerCase())
  ) {
    return `step '${name}' has invalid ${kind} onTimeout: unsupported value ${JSON.stringify(onTimeout)} (expected fail or skip)`;
  }
  return undefined;
}

/** `parsePositiveDuration`'s error text, or undefined for a positive Go duration. */
export function positiveDurationError(raw: string): string | undefined {
  let ns: bigint;
  try {
    ns = parseGoDuration(raw);
  } catch (err) {
    return `parse duration: ${(err as Error).message}`;
  }
  return ns <= 0n ? "duration must be positive" : undefined;
}

function templatesIn(issues: Issues, path: string, value: unknown): void {
  if (typeof value === "string") templateString(issues, path, value);
  else if (Array.isArray(value)) value.forEach((v, i) => templatesIn(issues, `${path}[${i}]`, v));
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) templatesIn(issues, `${path}.${k}`, v);
}

/** The template safety check (denied functions) and the template's syntax. */
function templateString(issues: Issues, path: string, text: string): void {
  if (!text.includes("{{")) return;
  for (const expr of templateExpressions(text)) {
    const denied = DENIED_FUNCS.find((fn) => new RegExp(`\\b${fn}\\b`).test(expr));
    if (denied) {
      issues.add(path, "ValidationFailed", `template expression uses disallowed function '${denied}'`);
      return;
    }
  }
  try {
    parseTemplate("validate", normalizeTemplateRoots(text), (n) => FUNCS.has(n));
  } catch (err) {
    issues.add(path, "ValidationFailed", (err as Error).message);
  }
}

/** The `{{ … }}` bodies of `text`, trimmed of space and trim markers. */
function templateExpressions(text: string): string[] {
  const out: string[] = [];
  let rest = text;
  for (;;) {
    const start = rest.indexOf("{{");
    if (start < 0) break;
    rest = rest.slice(start + 2);
    const end = rest.indexOf("}}");
    if (end < 0) break;
    const expr = rest.slice(0, end).trim().replace(/^-/, "").replace(/-$/, "").trim();
    if (expr !== "") out.push(expr);
    rest = rest.slice(end + 2);
  }
  return out;
}

function needsExist(issues: Issues, field: string, steps: readonly Step[], allowed: ReadonlySet<string>): void {
  for (const s of steps) {
    for (const dep of s.needs ?? []) {
      if (!allowed.has(dep)) {
        issues.add(field, "ValidationFailed", `step '${s.name}' lists unknown dependency '${dep}' in needs`);
        return;
      }
    }
  }
}

/** `validateStepGraphAcyclic`: Kahn's algorithm over `needs` within one block. */
function acyclic(issues: Issues, label: string, steps: readonly Step[]): void {
  if (steps.length === 0) return;
  const names = new Set(steps.map((s) => s.name));
  const indegree = new Map<string, number>([...names].map((n) => [n, 0]));
  const edges = new Map<string, string[]>();
  for (const s of steps) {
    const seen = new Set<string>();
    for (const dep of s.needs ?? []) {
      if (dep === s.name) {
        issues.add(`spec.${label}`, "ValidationFailed", `step '${s.name}' cannot depend on itself`);
        return;
      }
      if (seen.has(dep) || !names.has(dep)) continue;
      seen.add(dep);
      edges.set(dep, [...(edges.get(dep) ?? []), s.name]);
      indegree.set(s.name, indegree.get(s.name)! + 1);
    }
  }
  const queue = [...indegree].filter(([, d]) => d === 0).map(([n]) => n);
  let processed = 0;
  while (queue.length > 0) {
    const current = queue.shift()!;
    processed++;
    for (const child of edges.get(current) ?? []) {
      indegree.set(child, indegree.get(child)! - 1);
      if (indegree.get(child) === 0) queue.push(child);
    }
  }
  if (processed === indegree.size) return;
  const blocked = [...indegree]
    .filter(([, d]) => d > 0)
    .map(([n]) => n)
    .sort();
  issues.add(
    `spec.${label}`,
    "ValidationFailed",
    `${label} contains a dependency cycle involving step(s): ${blocked.join(", ")}`,
  );
}

/** `validateRequiresPaths`: `steps.<upstream step>.<field>…`, upstream through `needs`. */
function requiresPaths(issues: Issues, field: string, steps: readonly Step[], allowed: ReadonlySet<string>): void {
  const direct = new Map(steps.map((s) => [s.name, s.needs ?? []]));
  steps.forEach((s, i) => {
    if (!s.requires?.length) return;
    const reachable = new Set<string>();
    const queue = [...(s.needs ?? [])];
    while (queue.length > 0) {
      const cur = queue.shift()!;
      if (reachable.has(cur)) continue;
      reachable.add(cur);
      queue.push(...(direct.get(cur) ?? []));
    }
    s.requires.forEach((path, j) => {
      const at = `${field}[${i}].requires[${j}]`;
      if (!path.startsWith("steps."))
        return issues.add(
          at,
          "ValidationFailed",
          `requires path must start with 'steps.', got ${JSON.stringify(path)}`,
        );
      const parts = path.split(".");
      if (parts.length < 3)
        return issues.add(
          at,
          "ValidationFailed",
          `requires path must have at least 3 segments (steps.<name>.<field>), got ${JSON.stringify(path)}`,
        );
      if (!allowed.has(parts[1]!))
        return issues.add(at, "ValidationFailed", `requires references unknown step ${JSON.stringify(parts[1])}`);
      if (!reachable.has(parts[1]!)) {
        issues.add(
          at,
          "ValidationFailed",
          `requires references step ${JSON.stringify(parts[1])} which is not upstream (add it to needs or needs chain)`,
        );
      }
    });
  });
}
