/**
 * Logs: publish log bytes or a log file to storage and point `StepRun.status.logs` at them.
 * Re-exports only.
 * @module
 */

export type { LogsRef } from "../k8s/logs-patch.ts";
export {
  DEFAULT_LOG_FILE_MAX_BYTES,
  defaultLogRoots,
  type LogFilePolicy,
  pathWithinRoot,
  readAllowedLogFile,
  resolveLogRoots,
} from "./allowed-file.ts";
export { LogFileError, type LogFileErrorCode, LogsUnavailableError } from "./errors.ts";
export {
  LOG_PATCH_TIMEOUT_MS,
  type LogDestination,
  type LogFileSource,
  type LogPayload,
  type PublishLogsOptions,
  publishLogs,
  readLogFile,
} from "./publish.ts";
