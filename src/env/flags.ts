/**
 * The boolean variables. Each flag has its own truthy/falsy set, as in the Go SDK and the
 * operator; they are deliberately not unified, so every value keeps the meaning it has there.
 * @module
 */

import { parseGoBool, trimSpace } from "./go-text.ts";

const DEBUG_TRUE: ReadonlySet<string> = new Set(["1", "true", "t", "yes", "y", "on", "debug"]);
const SKIP_TEMPLATING_TRUE: ReadonlySet<string> = new Set(["1", "true", "yes", "y", "on"]);
const BRIDGE_FALSE: ReadonlySet<string> = new Set(["0", "false", "no", "off"]);
/** The observability and S3 boolean sets (the operator's and the Go SDK's `parseBoolEnv`). */
const WIDE_TRUE: ReadonlySet<string> = new Set(["1", "true", "t", "yes", "y", "on"]);
const WIDE_FALSE: ReadonlySet<string> = new Set(["0", "false", "f", "no", "n", "off"]);

/** `BUBU_DEBUG`: true for `1 true t yes y on debug` (trimmed, case-insensitive); anything else is false. */
export function parseDebugFlag(raw: string | undefined): boolean {
  return raw !== undefined && DEBUG_TRUE.has(trimSpace(raw).toLowerCase());
}

/** `BUBU_SKIP_INPUT_TEMPLATING`: true for `1 true yes y on` (trimmed, case-insensitive); else false. */
export function parseSkipInputTemplating(raw: string | undefined): boolean {
  return raw !== undefined && SKIP_TEMPLATING_TRUE.has(trimSpace(raw).toLowerCase());
}

/**
 * `BUBU_HYBRID_BRIDGE`: **true unless** the value is `0 false no off` (case-insensitive), so unset
 * means on. Go compares the untrimmed value; we trim first, so `" false "` also disables the bridge
 * (Go would treat it as on). The operator never sends padded values, so the wire is unchanged.
 */
export function parseHybridBridge(raw: string | undefined): boolean {
  if (raw === undefined || raw === "") return true;
  return !BRIDGE_FALSE.has(trimSpace(raw).toLowerCase());
}

/**
 * The observability/S3 set: true for `1 true t yes y on`, false for `0 false f no n off`
 * (trimmed, case-insensitive), `undefined` for anything else.
 */
export function parseWideBool(raw: string): boolean | undefined {
  const v = trimSpace(raw).toLowerCase();
  if (WIDE_TRUE.has(v)) return true;
  if (WIDE_FALSE.has(v)) return false;
  return undefined;
}

/** The result of {@link parseObservabilityToggle}. */
export interface ToggleResult {
  readonly value: boolean;
  /** Set when the raw value was in neither set and the default was used. */
  readonly invalid: boolean;
}

/**
 * `BUBU_SDK_METRICS_ENABLED`, `BUBU_SDK_TRACING_ENABLED`, `BUBU_TRACE_PROPAGATION`: unset or `""`
 * gives the default (true); an invalid value also gives the default, flagged `invalid` so the
 * caller logs the warning `ignoring invalid observability env override`.
 */
export function parseObservabilityToggle(raw: string | undefined, defaultValue = true): ToggleResult {
  if (raw === undefined || raw === "") return { value: defaultValue, invalid: false };
  const parsed = parseWideBool(raw);
  return parsed === undefined ? { value: defaultValue, invalid: true } : { value: parsed, invalid: false };
}

/**
 * `BUBU_RUNTIME_STRICT_UNMARSHAL`: {@link parseGoBool} on the trimmed value (`1 t T TRUE true True`,
 * `0 f F FALSE false False`). Unset or blank is false; anything else is `undefined` (invalid).
 */
export function parseStrictUnmarshal(raw: string | undefined): boolean | undefined {
  if (raw === undefined) return false;
  const v = trimSpace(raw);
  return v === "" ? false : parseGoBool(v);
}
