/**
 * The BubuStack templating errors (`core:templating/errors.go`), with Go's texts.
 * @module
 */

/** Evaluation waits on upstream data (a missing key under `steps`). */
export class EvaluationBlockedError extends Error {
  override readonly name: string = "EvaluationBlockedError";
  readonly reason: string;
  constructor(reason: string) {
    super(reason === "" ? "template evaluation blocked" : `template evaluation blocked: ${reason}`);
    this.reason = reason;
  }
}

/** A template needs data that was offloaded to storage. */
export class OffloadedDataUsageError extends Error {
  override readonly name: string = "OffloadedDataUsageError";
  readonly reason: string;
  constructor(reason: string) {
    super(reason === "" ? "offloaded data usage detected" : `offloaded data usage detected: ${reason}`);
    this.reason = reason;
  }
}

/** Error classes shared with the Go reference program (test/interop/templating). */
export type TemplateErrorClass =
  | "parse"
  | "exec"
  | "missing_key"
  | "blocked"
  | "offloaded"
  | "timeout"
  | "output_limit"
  | "input_limit"
  | "depth"
  | "cycle"
  | "shape"
  | "condition"
  | "path"
  | "canceled"
  | "other";

/** Any other templating failure, with its class. */
export class TemplateError extends Error {
  override readonly name: string = "TemplateError";
  readonly errorClass: TemplateErrorClass;
  constructor(message: string, errorClass: TemplateErrorClass, options?: { cause?: unknown }) {
    super(message, options);
    this.errorClass = errorClass;
  }
}
