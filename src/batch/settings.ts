/**
 * The parsed inputs of one batch run. `startBatch` builds them from the environment (and, in
 * local mode, from flags); tests build them directly.
 * @module
 */
import type { StoryInfo } from "../engram/story-info.ts";
import type { TemplateContext } from "../engram/execution-context.ts";

/**
 * Bounds on the shape of config and inputs, checked where no storage seam hydrates them (local
 * mode without storage), so that a local run refuses what a pod refuses.
 *
 * @remarks Go hydrates every payload, storage or not, so these limits apply to every Go run.
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
export const DEFAULT_PAYLOAD_LIMITS: PayloadLimits = { maxRecursionDepth: 10, configMaxDepth: 64, configMaxNodes: 10_000 };

/** Everything a batch run reads from its environment, already parsed and validated. */
export interface BatchSettings {
  /** `BUBU_STEP_TIMEOUT` in nanoseconds (Go duration; default 30m). */
  readonly stepTimeoutNs: bigint;
  /**
   * How long `process` may keep running after its signal aborted (deadline or SIGTERM) before
   * the SDK writes the status and exits anyway.
   */
  readonly graceMs: number;
  readonly debug: boolean;
  readonly skipInputTemplating: boolean;
  readonly strictUnmarshal: boolean;
  readonly storyInfo: StoryInfo;
  readonly startedAt: Date;
  readonly inputs: Record<string, unknown>;
  readonly config: Record<string, unknown>;
  readonly templateContext: TemplateContext;
  /** `BUBU_SECRET_*` descriptors by logical name (values are secret). */
  readonly secretDescriptors: Readonly<Record<string, string>>;
  /** Default {@link DEFAULT_PAYLOAD_LIMITS}. */
  readonly payloadLimits?: PayloadLimits;
}
