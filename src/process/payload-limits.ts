/**
 * Bounds on the shape of config and inputs, checked where no storage hydrates them (a local run
 * without storage), so that a local run refuses what a pod refuses.
 * @module
 */
import type { BubuEnv } from "../env/load.ts";

/**
 * The payload bounds.
 *
 * @remarks The Go SDK hydrates every payload, storage or not, so these limits apply to every Go run.
 */
export interface PayloadLimits {
  /** `BUBU_MAX_RECURSION_DEPTH` (default 10): deepest value hydration accepts. */
  readonly maxRecursionDepth: number;
  /** `BUBU_CONFIG_HYDRATION_MAX_DEPTH` (default 64). */
  readonly configMaxDepth: number;
  /** `BUBU_CONFIG_HYDRATION_MAX_NODES` (default 10000). */
  readonly configMaxNodes: number;
}

/** The defaults of {@link PayloadLimits}, as the environment has them. */
export const DEFAULT_PAYLOAD_LIMITS: PayloadLimits = {
  maxRecursionDepth: 10,
  configMaxDepth: 64,
  configMaxNodes: 10_000,
};

/** The payload bounds the environment sets. */
export function payloadLimitsOf(bubu: BubuEnv): PayloadLimits {
  return {
    maxRecursionDepth: bubu.storage.maxRecursionDepth,
    configMaxDepth: bubu.limits.configHydrationMaxDepth,
    configMaxNodes: bubu.limits.configHydrationMaxNodes,
  };
}
