/**
 * The services of a batch run: the payload services plus the StepRun status write.
 * @module
 */
import type { PayloadServices } from "../process/payload-services.ts";
import type { RunEnd, StepRunStatusUpdate } from "./status.ts";

/** Optional services of a batch run; a missing one is a no-op (local mode has no status write). */
export interface BatchServices extends PayloadServices {
  /** Writes the terminal StepRun status, trying until `signal` (the write's window) aborts. */
  writeStatus?(status: StepRunStatusUpdate, signal: AbortSignal, end: RunEnd): Promise<void>;
}
