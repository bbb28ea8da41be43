/**
 * Logs: publish log bytes or a log file to storage and point `StepRun.status.logs` at them.
 * Re-exports only.
 * @module
 */
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
  publishLogs,
  type PublishLogsOptions,
  readLogFile,
} from "./publish.ts";
export type { LogsRef } from "../k8s/logs-patch.ts";
