/**
 * `BatchHarness`: runs a batch engram's `init` then `process` in-process, with real secret
 * expansion and schema decoding, and captures what the handler emitted: signals, effects,
 * published logs and log lines. No Kubernetes, storage, templating, timeout or status.
 * @module
 */
import type { BatchEngram, EngramSchemas } from "../engram/batch-engram.ts";
import { decodePayload } from "../process/decode.ts";
import { scrubThrown } from "./scrub-thrown.ts";
import { type Captured, type HarnessOptions, testContext } from "./test-context.ts";

/** Options of a {@link BatchHarness}. */
export interface BatchHarnessOptions<C, I, O> extends HarnessOptions {
  /** What `defineBatch` made (or any object with `process`, optional `init` and `schemas`). */
  readonly engram: Pick<BatchEngram<C, I, O>, "init" | "process" | "secrets"> & { readonly schemas?: EngramSchemas };
  /** Inputs as they arrive (JSON); decoded through the `inputs` schema. Default `{}`. */
  readonly inputs?: unknown;
}

/** What a {@link BatchHarness} run produced. */
export interface BatchRun<O> extends Captured {
  /** `process`'s return value, decoded by the `output` schema (`{}` when it returned nothing). */
  readonly output: O;
}

/**
 * Runs a batch engram in a test.
 *
 * @example
 * ```ts
 * const run = await new BatchHarness({ engram, inputs: { name: "Ada" } }).run();
 * assert.deepEqual(run.output, { message: "Hello, Ada!" });
 * assert.equal(run.signals[0].key, "progress");
 * ```
 */
export class BatchHarness<C = Record<string, unknown>, I = Record<string, unknown>, O = unknown> {
  readonly options: BatchHarnessOptions<C, I, O>;
  #captured: Captured | undefined;

  constructor(options: BatchHarnessOptions<C, I, O>) {
    this.options = options;
  }

  /** What the last run captured, also when it threw. */
  get captured(): Captured | undefined {
    return this.#captured;
  }

  /**
   * Decodes config and inputs, calls `init(ctx)` then `process(ctx, inputs)`, and returns the
   * output with what was captured. Errors from decoding, `init` and `process` are rethrown as they
   * are, except that the run's secret values in their message and stack read `[REDACTED]`.
   */
  async run(): Promise<BatchRun<O>> {
    const o = this.options;
    if (!o.engram) throw new Error("engram is required");
    const schemas = o.engram.schemas ?? {};
    const { ctx, captured, release } = await testContext<C>(o, schemas.config, o.engram.secrets);
    this.#captured = captured;
    try {
      const decode = o.decode !== false;
      const inputs = decode ? decodePayload("inputs", schemas.inputs, o.inputs ?? {}, o.strict === true) : o.inputs;
      await o.engram.init?.(ctx);
      const returned = await o.engram.process(ctx, inputs as I);
      // As a real run: no output is `{}` and is not validated.
      const output =
        returned === undefined || returned === null
          ? {}
          : decode && schemas.output !== undefined
            ? decodePayload("output", schemas.output, returned, false)
            : returned;
      return { ...captured, output: output as O };
    } catch (error) {
      throw scrubThrown(error);
    } finally {
      release();
    }
  }
}
