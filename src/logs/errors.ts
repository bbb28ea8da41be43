/**
 * Errors of the log publishing functions.
 * @module
 */

/**
 * No StepRun to attach logs to (`BUBU_STEPRUN_NAME` unset) or storage disabled. Callers may
 * treat it as a soft failure.
 */
export class LogsUnavailableError extends Error {
  override readonly name: string = "LogsUnavailableError";
  constructor() {
    super("log publishing unavailable: not running inside a StepRun or storage disabled");
  }
}

/** Why {@link LogFileError} refused a file. */
export type LogFileErrorCode =
  | "PathRequired"
  | "Unresolvable"
  | "OutsideRoots"
  | "NotRegularFile"
  | "TooLarge"
  | "Unreadable";

/** `publishLogFile` refused or could not read the file; nothing was published. */
export class LogFileError extends Error {
  override readonly name: string = "LogFileError";
  readonly code: LogFileErrorCode;
  constructor(code: LogFileErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
