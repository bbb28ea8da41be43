/**
 * The parsed settings of one batch run, built from the environment (and, in local mode, from
 * flags); tests build them directly.
 * @module
 */
import type { StoryInfo } from "../env/story-info.ts";
import type { PayloadLimits } from "../process/payload-limits.ts";

/** Everything a batch run reads from its environment, already parsed and validated. */
export interface BatchSettings {
  /** `BUBU_STEP_TIMEOUT` in nanoseconds (Go duration; default 30m). */
  readonly stepTimeoutNs: bigint;
  /**
   * How long `process` may keep running after its signal aborted (deadline or SIGTERM) before
   * the SDK writes the status and exits anyway.
   */
  readonly graceMs: number;
  /**
   * The least time the terminal status write keeps trying, even past the step's deadline
   * (`BUBU_K8S_OPERATION_TIMEOUT`); 30s when absent.
   */
  readonly statusWriteMinMs?: number;
  readonly debug: boolean;
  readonly skipInputTemplating: boolean;
  readonly strictUnmarshal: boolean;
  readonly storyInfo: StoryInfo;
  readonly startedAt: Date;
  readonly inputs: Record<string, unknown>;
  readonly config: Record<string, unknown>;
  readonly templateContext: Record<string, unknown>;
  /** Default `DEFAULT_PAYLOAD_LIMITS`. */
  readonly payloadLimits?: PayloadLimits;
}
