/**
 * Process exit codes and exit classes (docs/status-writes.md; the SIGTERM and `rateLimited`
 * differences from the Go SDK are in docs/go-differences.md).
 * @module
 */
import { findStructuredErrorProvider } from "./bubu-error.ts";
import type { ExitClass } from "./structured-error.ts";

/** The exit codes this SDK ends a process with. */
export const ExitCode: {
  readonly Success: 0;
  readonly Failure: 1;
  readonly Timeout: 124;
  readonly Sigterm: 143;
} = Object.freeze({
  Success: 0,
  Failure: 1,
  /** The GNU `timeout` convention, as in the Go SDK. */
  Timeout: 124,
  /** 128 + SIGTERM: what the default disposition would give; the operator classifies it `retry`. */
  Sigterm: 143,
});

/** One of the {@link ExitCode} values. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * Parses an exit class: the input is trimmed and compared case-insensitively with `success`,
 * `retry`, `terminal` and `rateLimited`, and the canonical spelling is returned. `unknown` and
 * anything else give `undefined`. (The Go SDK lower-cases before comparing with `rateLimited`,
 * so it can never select it; fixed here.)
 */
export function parseExitClass(value: string): ExitClass | undefined {
  switch (value.trim().toLowerCase()) {
    case "success":
      return "success";
    case "retry":
      return "retry";
    case "terminal":
      return "terminal";
    case "ratelimited":
      return "rateLimited";
    default:
      return undefined;
  }
}

/**
 * The operator's reading of a container exit code: how a container exit code is read when the SDK
 * did not patch `status.exitClass`.
 */
export function classifyExitCode(code: number): ExitClass {
  if (code === -1) return "unknown"; // sentinel: exit code could not be determined
  if (code === 0) return "success";
  if (code === 124 || code === 137 || code === 143) return "retry";
  if (code === 125 || code === 126 || code === 127) return "terminal";
  if (code === 429) return "rateLimited";
  if (code >= 1 && code <= 127) return "terminal";
  if (code >= 128 && code <= 255) return "retry";
  return "terminal";
}

/**
 * The exit class a {@link StructuredErrorProvider} in `err`'s chain asks for (its `exitClass`
 * through {@link parseExitClass}, else `retryable` → `retry` / `terminal`); `undefined` when there
 * is no provider or it sets neither.
 */
export function exitClassOverride(err: unknown): ExitClass | undefined {
  const provider = findStructuredErrorProvider(err);
  if (provider === undefined) return undefined;
  const fields = provider.structuredError();
  if (typeof fields.exitClass === "string" && fields.exitClass !== "") {
    const parsed = parseExitClass(fields.exitClass);
    if (parsed !== undefined) return parsed;
  }
  if (typeof fields.retryable === "boolean") return fields.retryable ? "retry" : "terminal";
  return undefined;
}

/**
 * The exit class of a finished run that ended with `err`: `success` for `null`/`undefined`,
 * otherwise the provider's override or `terminal`. Timeouts are decided by the caller
 * (see `statusExitMetadata`).
 */
export function exitClassFor(err: unknown): ExitClass {
  if (err === undefined || err === null) return "success";
  return exitClassOverride(err) ?? "terminal";
}
