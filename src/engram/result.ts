/**
 * What `process` returns: Go's `engram.Result{Data}`.
 * @module
 */

/**
 * The output of a batch step. `process` may return a `Result` or the output value itself;
 * `undefined`/`null` becomes `{}` (Go's nil output).
 */
export class Result<O = unknown> {
  readonly data: O;
  constructor(data: O) {
    this.data = data;
  }
}

/** Wraps an output value (Go's `NewResultFrom`). */
export function result<O>(data: O): Result<O> {
  return new Result(data);
}

/** The output carried by a `process` return value, `undefined` for none. */
export function outputOf(value: unknown): unknown {
  return value instanceof Result ? value.data : value;
}
