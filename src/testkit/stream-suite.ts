/**
 * `StreamSuite`: runs a {@link StreamHarness} and checks outputs, `done()` calls and the error
 * against expectations. `run()` throws on a violation.
 * @module
 */
import type { StreamMessage } from "../engram/streaming-message.ts";
import { checkExpectedError, errorMessage } from "./expected-error.ts";
import { StreamHarness, type StreamHarnessOptions } from "./stream-harness.ts";
import { validateStreamMessage } from "./validators.ts";

/** Expectations of a {@link StreamSuite}; the suite counts `done()` calls itself. */
export interface StreamSuiteOptions<C> extends Omit<StreamHarnessOptions<C>, "onInputProcessed"> {
  /** Every output must pass the testkit's `validateStreamMessage`. */
  readonly requireValidMessages?: boolean;
  /** Same as `minOutputCount: 1` (or more). */
  readonly requireNonEmptyOutput?: boolean;
  readonly minOutputCount?: number;
  /** On success, `done()` must have been called once per input. */
  readonly requireAllInputsDone?: boolean;
  readonly expectError?: boolean;
  /**
   * Implies `expectError`; the error itself must carry a structured error (stricter than a real
   * run, which reports a plain `Error` as an `execution_error`).
   */
  readonly requireStructuredError?: boolean;
  readonly validateError?: (error: unknown) => void | Promise<void>;
  readonly validateOutputMessage?: (msg: StreamMessage) => void | Promise<void>;
}

/** A conformance check of one streaming run. */
export class StreamSuite<C = Record<string, unknown>> {
  readonly options: StreamSuiteOptions<C>;

  constructor(options: StreamSuiteOptions<C>) {
    this.options = options;
  }

  /** Runs the engram; throws an Error describing the first violated expectation. */
  async run(): Promise<void> {
    const o = this.options;
    const expectError = o.expectError === true || o.requireStructuredError === true;
    let doneCount = 0;
    const { outputs, failed, error } = await new StreamHarness<C>({
      ...o,
      onInputProcessed: () => {
        doneCount++;
      },
    }).run();

    if (failed) {
      if (!expectError) throw new Error(`stream run failed unexpectedly: ${errorMessage(error)}`, { cause: error });
      await checkExpectedError(error, o.requireStructuredError, o.validateError);
      // The done count is not checked here: a failed stream may leave inputs unprocessed.
      const prefix = "output validation failed (expected error path): ";
      this.checkOutputCount(outputs, prefix);
      await this.checkMessages(outputs, prefix);
      return;
    }
    if (o.requireStructuredError) throw new Error("expected structured error, but stream completed successfully");
    if (expectError) throw new Error("expected error, but stream completed successfully");
    this.checkOutputCount(outputs, "stream output contract failed: ");
    const inputs = o.inputs?.length ?? 0;
    if (o.requireAllInputsDone && doneCount !== inputs) {
      throw new Error(
        `stream input completion contract failed: expected ${inputs} input Done() call(s), got ${doneCount}`,
      );
    }
    await this.checkMessages(outputs, "");
  }

  private checkOutputCount(outputs: readonly StreamMessage[], prefix: string): void {
    let min = this.options.minOutputCount ?? 0;
    if (this.options.requireNonEmptyOutput && min < 1) min = 1;
    if (min > 0 && outputs.length < min) {
      throw new Error(`${prefix}expected at least ${min} stream output message(s), got ${outputs.length}`);
    }
  }

  private async checkMessages(outputs: readonly StreamMessage[], prefix: string): Promise<void> {
    for (const msg of outputs) {
      if (this.options.requireValidMessages) {
        const invalid = validateStreamMessage(msg);
        if (invalid) throw new Error(`${prefix}invalid stream message: ${invalid.message}`, { cause: invalid });
      }
      if (this.options.validateOutputMessage) {
        try {
          await this.options.validateOutputMessage(msg);
        } catch (e) {
          throw new Error(`${prefix}stream output validation failed: ${errorMessage(e)}`, { cause: e });
        }
      }
    }
  }
}
