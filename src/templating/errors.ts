/**
 * The BubuStack templating errors, with the texts of the Go templating library (BubuStack core).
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

/** The class of a templating failure (the interop corpus in test/interop/templating compares these). */
export type TemplateErrorClass =
  | "parse"
  | "exec"
  | "missing_key"
  | "blocked"
  | "offloaded"
  | "timeout"
  | "output_limit"
  | "input_limit"
  | "value_limit"
  | "memory_limit"
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

/**
 * A template tried to build a value larger than the per-value limit (`value_limit`) or to
 * allocate more than the evaluation's memory budget (`memory_limit`).
 *
 * @remarks The Go engine has no such limits; they keep one evaluation from exhausting the heap.
 */
export class TemplateLimitError extends TemplateError {
  override readonly name: string = "TemplateLimitError";
  /** Estimated bytes requested. */
  readonly size: number;
  /** The limit, in estimated bytes. */
  readonly max: number;
  constructor(message: string, errorClass: "value_limit" | "memory_limit", size: number, max: number) {
    super(message, errorClass);
    this.size = size;
    this.max = max;
  }
}
