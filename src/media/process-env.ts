/**
 * The default env source of the author-facing media helpers.
 * @module
 */
import type { EnvSource } from "../env/source.ts";
import { detectRuntime } from "../runtime/detect.ts";

/**
 * The process env, looked up on every read. Only the default of a parameter: callers (and tests)
 * pass their own source instead.
 */
export function processEnv(): EnvSource {
  return (name: string) => detectRuntime().env(name);
}
