/**
 * The BubuStack template evaluator: the walk over JSON values (`$bubuTemplate`,
 * `$bubuTemplateVars`, depth 128, cycles), the fast path, the offloaded-data check, rendering with
 * output and time limits, JSON coercion of single actions, and a parse cache (1000 entries, 30
 * minutes). Each call runs under one budget (`budget.ts`): a deadline, a per-value size limit and a
 * memory budget.
 * @module
 */
import { formatGoDuration } from "../env/duration.ts";
import { DEFAULT_ALLOC_VALUES, DEFAULT_MAX_VALUE_BYTES, Meter, type MeterLimits } from "./budget.ts";
import { BUILTIN_FUNCS } from "./builtins.ts";
import { EvaluationBlockedError, OffloadedDataUsageError, TemplateError, type TemplateErrorClass } from "./errors.ts";
import { execute, TemplateExecError, TemplateWriteError } from "./exec.ts";
import type { CallContext, FuncMap } from "./func-types.ts";
import { buildFuncMap } from "./funcs.ts";
import { goUnmarshal } from "./go-json.ts";
import { normalizeTemplateRoots } from "./normalize.ts";
import { type ParsedTemplate, parseTemplate, TemplateParseError } from "./parse.ts";
import { evaluatePath } from "./path-eval.ts";
import { goTrimSpace } from "./sprig-strings.ts";
import { hasStorageRefsInStepVars } from "./step-refs.ts";
import { localLocation, runtimeZone } from "./time-zone.ts";
import { isObject, utf8Length } from "./values.ts";

/** Settings of a {@link TemplateEngine}. */
export interface EvaluatorConfig {
  /** Per-render timeout in milliseconds; 0 or absent = none. */
  readonly evaluationTimeoutMs?: number;
  /** Per-render output cap in bytes; 0 or absent = none. */
  readonly maxOutputBytes?: number;
  /**
   * Largest single value (string, list, map) a template may build, in estimated bytes; 0 or
   * absent = 16 MiB, or `maxOutputBytes` when larger. (The Go engine has no such limit.)
   */
  readonly maxValueBytes?: number;
  /**
   * Memory budget of one call: the estimated bytes of all values built while it runs; 0 or
   * absent = 16 × the value limit. (The Go engine has no such limit.)
   */
  readonly maxAllocBytes?: number;
  /** Drops `now` and the random helpers. */
  readonly deterministic?: boolean;
  /** IANA zone of local time in date helpers (default: the runtime's zone). */
  readonly timeZone?: string;
  /** Clock, Unix milliseconds (tests). */
  readonly now?: () => number;
}

/** Per-call options. */
export interface ResolveOptions {
  /** Cancels evaluation between values and during rendering. */
  readonly signal?: AbortSignal;
}

/** What one call evaluates under: its cancellation, deadline and budget. */
interface Run {
  readonly signal: AbortSignal | undefined;
  /** Throws when the call must stop (canceled, or past its deadline). */
  readonly check: () => void;
  readonly meter: Meter;
  readonly ctx: CallContext;
}

const TEMPLATE_EXPR_KEY = "$bubuTemplate";
const TEMPLATE_VARS_KEY = "$bubuTemplateVars";
const MAX_RESOLVE_DEPTH = 128;
const CACHE_SIZE = 1000;
const CACHE_TTL_MS = 30 * 60 * 1000;
const CHECK_FUNCS = new Set(Object.keys(BUILTIN_FUNCS).concat(["len", "slice"]));

interface State {
  readonly visiting: Set<object>;
  readonly run: Run;
}

/** Wraps an error with a prefix, keeping it as the cause. */
class WrappedError extends Error {
  override readonly name: string = "TemplateError";
  constructor(prefix: string, cause: unknown) {
    super(`${prefix}${(cause as Error).message}`, { cause });
  }
}

/** The class of a templating error ({@link TemplateErrorClass}), found along its cause chain. */
export function templateErrorClass(err: unknown): TemplateErrorClass {
  let e: unknown = err;
  for (let depth = 0; depth < 1000 && e !== undefined && e !== null; depth++) {
    if (e instanceof EvaluationBlockedError) return "blocked";
    if (e instanceof OffloadedDataUsageError) return "offloaded";
    if (e instanceof TemplateError) return e.errorClass;
    if (e instanceof TemplateParseError) return "parse";
    if (e instanceof TemplateWriteError) return e.kind === "output" ? "output_limit" : e.kind;
    if (e instanceof TemplateExecError) {
      const inner = e.inner;
      if (inner instanceof EvaluationBlockedError) return "blocked";
      if (inner instanceof OffloadedDataUsageError) return "offloaded";
      if (
        inner instanceof TemplateError &&
        (inner.errorClass === "value_limit" || inner.errorClass === "memory_limit")
      ) {
        return inner.errorClass;
      }
      return "exec";
    }
    e = (e as { cause?: unknown }).cause;
  }
  return "other";
}

/**
 * Evaluates Go-syntax templates (`{{ .inputs.name | upper }}`) with the allow-listed Sprig
 * functions and the BubuStack layer (`$bubuTemplate` values, blocked and offloaded data), with
 * per-call timeouts and memory bounds.
 *
 * @remarks Agrees with the Go SDK's templating engine on the interop corpus (test/interop/templating).
 */
export class TemplateEngine {
  readonly #timeoutMs: number;
  readonly #maxOutput: number;
  readonly #limits: MeterLimits;
  readonly #funcs: FuncMap;
  readonly #permissive: FuncMap;
  readonly #ctx: CallContext;
  readonly #now: () => number;
  readonly #cache = new Map<string, { tpl: ParsedTemplate; at: number }>();

  constructor(cfg: EvaluatorConfig = {}) {
    const timeout = cfg.evaluationTimeoutMs ?? 0;
    const max = cfg.maxOutputBytes ?? 0;
    if (timeout < 0) throw new TemplateError("evaluation timeout must be >= 0", "other");
    if (max < 0) throw new TemplateError("max output bytes must be >= 0", "other");
    const maxValue = cfg.maxValueBytes ?? 0;
    const maxAlloc = cfg.maxAllocBytes ?? 0;
    if (maxValue < 0) throw new TemplateError("max value bytes must be >= 0", "other");
    if (maxAlloc < 0) throw new TemplateError("max alloc bytes must be >= 0", "other");
    this.#timeoutMs = timeout;
    this.#maxOutput = max;
    const valueBytes = maxValue > 0 ? maxValue : Math.max(DEFAULT_MAX_VALUE_BYTES, max);
    this.#limits = {
      maxValueBytes: valueBytes,
      maxAllocBytes: maxAlloc > 0 ? maxAlloc : DEFAULT_ALLOC_VALUES * valueBytes,
    };
    this.#funcs = buildFuncMap(cfg.deterministic === true);
    this.#permissive = cfg.deterministic === true ? buildFuncMap(false) : this.#funcs;
    const zone = cfg.timeZone ?? runtimeZone();
    const now = cfg.now ?? (() => Date.now());
    this.#now = now;
    this.#ctx = {
      localZone: zone,
      local: localLocation(zone),
      now: () => BigInt(Math.round(now() * 1000)) * 1000n,
      randomBytes,
      // Each call replaces it with its own meter (see #start).
      meter: new Meter(this.#limits),
    };
  }

  /**
   * Resolves templates anywhere in a JSON-like value.
   *
   * @remarks The Go SDK applies the timeout to each template string on its own; here it bounds the
   * whole call, so a value holding many slow templates cannot run for their sum.
   */
  resolveValue(value: unknown, vars: Record<string, unknown>, options: ResolveOptions = {}): unknown {
    return this.#resolve(value, vars, { visiting: new Set(), run: this.#start(options.signal) }, 0);
  }

  /** Resolves one template string. */
  resolveTemplateString(value: string, vars: Record<string, unknown>, options: ResolveOptions = {}): unknown {
    return this.#resolveString(value, vars, this.#start(options.signal));
  }

  /** Evaluates a condition: empty → true; bool or `true/1/yes/y`, `false/0/no/n/""` strings. */
  evaluateCondition(expr: string, vars: Record<string, unknown>, options: ResolveOptions = {}): boolean {
    if (goTrimSpace(expr) === "") return true;
    const val = this.#resolveString(expr, vars, this.#start(options.signal));
    if (typeof val === "boolean") return val;
    if (typeof val === "string") {
      const s = goTrimSpace(val.toLowerCase());
      if (["true", "1", "yes", "y"].includes(s)) return true;
      if (["false", "0", "no", "n", ""].includes(s)) return false;
      throw new TemplateError(`condition did not resolve to boolean: ${JSON.stringify(val)}`, "condition");
    }
    throw new TemplateError(`condition did not resolve to boolean, got ${goTypeOfJson(val)}`, "condition");
  }

  /** The deadline and budget of one call. */
  #start(signal: AbortSignal | undefined): Run {
    const timeoutMs = this.#timeoutMs;
    const deadline = timeoutMs > 0 ? performance.now() + timeoutMs : Infinity;
    const check = (): void => {
      if (signal?.aborted) throw new TemplateWriteError("template evaluation canceled: context canceled", "canceled");
      if (performance.now() > deadline) {
        throw new TemplateWriteError(
          `template evaluation timed out after ${formatGoDuration(BigInt(Math.round(timeoutMs * 1e6)))}`,
          "timeout",
        );
      }
    };
    const meter = new Meter(this.#limits, check);
    return { signal, check, meter, ctx: { ...this.#ctx, meter } };
  }

  #resolve(value: unknown, vars: Record<string, unknown>, state: State, depth: number): unknown {
    if (state.run.signal?.aborted) throw new TemplateError("context canceled", "canceled");
    state.run.meter.work();
    if (depth > MAX_RESOLVE_DEPTH) {
      throw new TemplateError(`template value exceeded max resolve depth ${MAX_RESOLVE_DEPTH}`, "depth");
    }
    if (typeof value === "string") return this.#resolveString(value, vars, state.run);
    if (Array.isArray(value)) {
      this.#enter(state, value);
      try {
        return value.map((elem, i) => {
          try {
            return this.#resolve(elem, vars, state, depth + 1);
          } catch (e) {
            throw new WrappedError(`index ${i}: `, e);
          }
        });
      } finally {
        state.visiting.delete(value);
      }
    }
    if (isObject(value)) {
      this.#enter(state, value);
      try {
        if (Object.prototype.hasOwnProperty.call(value, TEMPLATE_EXPR_KEY)) {
          const expr = value[TEMPLATE_EXPR_KEY];
          if (typeof expr !== "string") throw new TemplateError(`${TEMPLATE_EXPR_KEY} must be a string`, "shape");
          const merged = this.#templateVars(value, vars, state, depth);
          return this.#resolveString(expr, merged, state.run);
        }
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) {
          let r: unknown;
          try {
            r = this.#resolve(v, vars, state, depth + 1);
          } catch (e) {
            if (k === TEMPLATE_VARS_KEY) throw new WrappedError("template vars: ", e);
            throw e;
          }
          Object.defineProperty(out, k, { value: r, enumerable: true, writable: true, configurable: true });
        }
        return out;
      } finally {
        state.visiting.delete(value);
      }
    }
    return value;
  }

  #enter(state: State, v: object): void {
    if (state.visiting.has(v)) throw new TemplateError("cyclic template value detected", "cycle");
    state.visiting.add(v);
  }

  #templateVars(
    value: Record<string, unknown>,
    vars: Record<string, unknown>,
    state: State,
    depth: number,
  ): Record<string, unknown> {
    if (!Object.prototype.hasOwnProperty.call(value, TEMPLATE_VARS_KEY)) return vars;
    let resolved: unknown;
    try {
      resolved = this.#resolve(value[TEMPLATE_VARS_KEY], vars, state, depth + 1);
    } catch (e) {
      throw new WrappedError("template vars: ", e);
    }
    if (resolved === null || resolved === undefined) return vars;
    if (!isObject(resolved)) throw new TemplateError(`${TEMPLATE_VARS_KEY} must be an object`, "shape");
    if (Object.keys(resolved).length === 0) return vars;
    return { ...vars, ...resolved };
  }

  #resolveString(value: string, vars: Record<string, unknown>, run: Run): unknown {
    if (!value.includes("{{")) return value;
    const normalized = normalizeTemplateRoots(value);
    const trimmed = goTrimSpace(normalized);
    const single = isSingleActionTemplate(trimmed);
    if (single) {
      const expr = goTrimSpace(trimmed.slice(2, trimmed.length - 2));
      if (expr !== "") {
        const fast = evaluatePath(expr, vars);
        if (fast !== undefined) return fast.value;
      }
    }
    if (hasStorageRefsInStepVars(normalized, vars, this.#permissive)) {
      throw new OffloadedDataUsageError("compound template references step output containing storage ref");
    }
    const rendered = this.#render(normalized, vars, run);
    if (single) {
      const parsed = parseJsonValue(rendered);
      if (parsed !== undefined) return parsed.value;
    }
    return rendered;
  }

  #parse(text: string): ParsedTemplate {
    const now = this.#now();
    const hit = this.#cache.get(text);
    if (hit !== undefined && now - hit.at < CACHE_TTL_MS) {
      this.#cache.delete(text);
      this.#cache.set(text, hit);
      return hit.tpl;
    }
    let tpl: ParsedTemplate;
    try {
      tpl = parseTemplate("bubu", text, (n) => this.#funcs.has(n));
    } catch (e) {
      if (e instanceof RangeError)
        throw new TemplateError(`template: bubu: too deeply nested: ${e.message}`, "parse", { cause: e });
      throw e;
    }
    this.#cache.set(text, { tpl, at: now });
    if (this.#cache.size > CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value!);
    return tpl;
  }

  #render(text: string, vars: Record<string, unknown>, run: Run): string {
    const { check, meter } = run;
    const tpl = this.#parse(text);
    const max = this.#maxOutput;
    const parts: string[] = [];
    let size = 0;
    const out = {
      write(s: string): void {
        check();
        const n = utf8Length(s);
        if (max > 0 && size + n > max) {
          throw new TemplateWriteError(
            `template output exceeds max bytes (current=${size}, writing=${n}, max=${max})`,
            "output",
          );
        }
        // Rendered text is kept (in the resolved value) after the render ends.
        meter.charge(s.length);
        size += n;
        parts.push(s);
      },
    };
    try {
      execute(tpl, vars, out, { funcs: this.#funcs, ctx: run.ctx });
    } catch (e) {
      if (e instanceof RangeError) {
        throw new TemplateError(`template execution exceeded the call stack: ${e.message}`, "exec", { cause: e });
      }
      throw e;
    }
    check();
    return parts.join("");
  }
}

/** Random bytes (Web Crypto fills at most 64 KiB per call). */
function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  return out;
}

/** Whether `value` is one action: parsed with the built-ins only, one action node. */
function isSingleActionTemplate(value: string): boolean {
  const t = goTrimSpace(value);
  if (!t.startsWith("{{") || !t.endsWith("}}")) return false;
  try {
    const tpl = parseTemplate("check", t, (n) => CHECK_FUNCS.has(n));
    const root = tpl.trees.get("check");
    return root !== undefined && root.nodes.length === 1 && root.nodes[0]!.type === "action";
  } catch {
    return false;
  }
}

/** The trimmed text as JSON, when it is valid JSON Go's decoder would accept too. */
function parseJsonValue(raw: string): { value: unknown } | undefined {
  const t = goTrimSpace(raw);
  if (t === "") return undefined;
  try {
    const v = goUnmarshal(t);
    if (!finite(v)) return undefined;
    return { value: v };
  } catch {
    return undefined;
  }
}

function finite(v: unknown): boolean {
  if (typeof v === "number") return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(finite);
  if (isObject(v)) return Object.values(v).every(finite);
  return true;
}

function goTypeOfJson(v: unknown): string {
  if (v === null || v === undefined) return "<nil>";
  if (typeof v === "number") return "float64";
  if (Array.isArray(v)) return "[]interface {}";
  if (isObject(v)) return "map[string]interface {}";
  return typeof v;
}
