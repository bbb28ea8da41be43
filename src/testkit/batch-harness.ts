/**
 * `BatchHarness`: runs `init` then `process` in-process, with real secret expansion and
 * nothing else — no Kubernetes, storage, templating, timeout or status (contract testkit.md).
 * Unlike Go's harness it decodes config, inputs and output through the engram's valibot schemas,
 * as `startBatch` does: in TypeScript the schemas are the engram's types (defaults, coercions,
 * validation), so a harness that skipped them would test a different engram.
 * @module
 */
import type { Tracer } from "@opentelemetry/api";
import type { BatchEngram } from "../engram/batch-engram.ts";
import { createExecutionContext, type TemplateContext } from "../engram/execution-context.ts";
import { Result } from "../engram/result.ts";
import type { StoryInfo } from "../engram/story-info.ts";
import type { Logger } from "../observability/logger.ts";
import type { RuntimeFs } from "../runtime/types.ts";
import { expandSecrets } from "../engram/secret-expansion.ts";
import { detectRuntime } from "../runtime/detect.ts";
import { decodePayload } from "../batch/decode.ts";

/** Fields of a {@link BatchHarness} (Go's `testkit.BatchHarness`). */
export interface BatchHarnessOptions<C, I, O> {
  readonly engram: BatchEngram<C, I, O>;
  /** Config as it arrives (JSON); decoded through `engram.schemas.config`. Default `{}`. */
  readonly config?: C | Readonly<Record<string, unknown>>;
  /** Inputs as they arrive (JSON); decoded through `engram.schemas.inputs`. Default `{}`. */
  readonly inputs?: I | Readonly<Record<string, unknown>>;
  /**
   * Decode through the engram's schemas (default true). A schema violation throws the same
   * `validation_error` BubuError as `startBatch`. `false` passes config and inputs as given (Go).
   */
  readonly decode?: boolean;
  /** Reject unknown object keys while decoding (`BUBU_RUNTIME_STRICT_UNMARSHAL`). Default false. */
  readonly strict?: boolean;
  /** Secret descriptors by logical name: literal values, `env:PREFIX` or `file:/path`. */
  readonly secrets?: Readonly<Record<string, string>>;
  readonly storyInfo?: StoryInfo;
  readonly logger?: Logger;
  readonly tracer?: Tracer;
  readonly templateContext?: TemplateContext;
  /** Passed to `init` and as `execCtx.signal`; default: never aborted. */
  readonly signal?: AbortSignal;
  /** Environment for `env:` descriptors; default: the process environment. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** File system for `file:` descriptors; default: the runtime's. */
  readonly fs?: RuntimeFs;
}

/** Runs a batch engram the way the Go testkit does. */
export class BatchHarness<C = Record<string, unknown>, I = Record<string, unknown>, O = unknown> {
  readonly options: BatchHarnessOptions<C, I, O>;

  constructor(options: BatchHarnessOptions<C, I, O>) {
    this.options = options;
  }

  /**
   * Expands secrets, decodes config and inputs, calls `init(config, secrets, signal)`, then
   * returns `process`'s result (its output decoded) as a {@link Result}. Errors from `init` and
   * `process` are rethrown unwrapped.
   */
  async run(): Promise<Result<O>> {
    const o = this.options;
    if (!o.engram) throw new Error("engram is nil");
    const signal = o.signal ?? new AbortController().signal;
    const runtime = o.env && o.fs ? undefined : detectRuntime();
    const expanded = await expandSecrets(o.secrets ?? {}, {
      env: o.env ?? (runtime as NonNullable<typeof runtime>).envAll(),
      fs: o.fs ?? (runtime as NonNullable<typeof runtime>).fs,
      signal,
    });
    if (expanded.error) throw new Error(`failed to expand secrets: ${expanded.error.message}`, { cause: expanded.error });
    const decode = o.decode !== false;
    const schemas = o.engram.schemas;
    const config = decode ? decodePayload("config", schemas?.config, o.config ?? {}, o.strict === true) : o.config;
    const inputs = decode ? decodePayload("inputs", schemas?.inputs, o.inputs ?? {}, o.strict === true) : o.inputs;
    await o.engram.init?.(config as C, expanded.secrets, signal);
    const execCtx = createExecutionContext({
      signal,
      storyInfo: o.storyInfo,
      logger: o.logger,
      tracer: o.tracer,
      templateContext: o.templateContext,
    });
    const returned = await o.engram.process(execCtx, inputs as I);
    const result = returned instanceof Result ? returned : new Result(returned as O);
    // Like startBatch: no output is `{}` and is not validated.
    if (!decode || schemas?.output === undefined || result.data === undefined || result.data === null) return result;
    return new Result(decodePayload("output", schemas.output, result.data, false) as O);
  }
}
