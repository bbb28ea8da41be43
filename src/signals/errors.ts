/**
 * Errors of the signal functions.
 * @module
 */

/** No StepRun to write to (`BUBU_STEPRUN_NAME` unset). */
export class SignalsUnavailableError extends Error {
  override readonly name: string = "SignalsUnavailableError";
  constructor() {
    super("signal emission unavailable: not running inside a StepRun");
  }
}

/** The value that would be stored, even summarized, is over `BUBU_SIGNAL_MAX_PAYLOAD_BYTES`. */
export class SignalTooLargeError extends Error {
  override readonly name: string = "SignalTooLargeError";
  readonly key: string;
  readonly maxBytes: number;
  constructor(key: string, maxBytes: number) {
    super(`signal summary for ${key} exceeds ${maxBytes} bytes`);
    this.key = key;
    this.maxBytes = maxBytes;
  }
}
