/**
 * `BatchSuite`: runs a {@link BatchHarness} and checks the outcome against expectations. `run()` throws on a violation, which fails the test in
 * `node:test`, `bun test` and `deno test` alike.
 * @module
 */
import { BatchHarness, type BatchHarnessOptions, type BatchRun } from "./batch-harness.ts";
import { checkExpectedError, errorMessage } from "./expected-error.ts";

/** Expectations of a {@link BatchSuite}. */
export interface BatchSuiteOptions<C, I, O> extends BatchHarnessOptions<C, I, O> {
  readonly expectError?: boolean;
  /**
   * Implies `expectError`; the thrown error itself must carry a structured error (a `BubuError`,
   * a validation failure, …). Stricter than a real run, which reports a plain `Error` as an
   * `execution_error`: use it to check that the engram classifies its failures.
   */
  readonly requireStructuredError?: boolean;
  readonly validateError?: (error: unknown) => void | Promise<void>;
  readonly validateResult?: (result: BatchRun<O>) => void | Promise<void>;
}

/** A conformance check of one batch run. */
export class BatchSuite<C = Record<string, unknown>, I = Record<string, unknown>, O = unknown> {
  readonly options: BatchSuiteOptions<C, I, O>;

  constructor(options: BatchSuiteOptions<C, I, O>) {
    this.options = options;
  }

  /** Runs the engram; throws an Error describing the first violated expectation. */
  async run(): Promise<void> {
    const o = this.options;
    const expectError = o.expectError === true || o.requireStructuredError === true;
    let result: BatchRun<O>;
    try {
      result = await new BatchHarness(o).run();
    } catch (err) {
      if (!expectError) throw new Error(`engram run failed unexpectedly: ${errorMessage(err)}`, { cause: err });
      await checkExpectedError(err, o.requireStructuredError, o.validateError);
      return;
    }
    if (o.requireStructuredError) throw new Error("expected structured error, but engram completed successfully");
    if (expectError) throw new Error("expected error, but engram completed successfully");
    if (o.validateResult) {
      try {
        await o.validateResult(result);
      } catch (e) {
        throw new Error(`result validation failed: ${errorMessage(e)}`, { cause: e });
      }
    }
  }
}
