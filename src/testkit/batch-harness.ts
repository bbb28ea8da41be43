/**
 * `BatchHarness`: runs `init` then `process` in-process, with real secret expansion and
 * nothing else — no Kubernetes, storage, templating, timeout or status (contract testkit.md).
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

/** Fields of a {@link BatchHarness} (Go's `testkit.BatchHarness`). */
export interface BatchHarnessOptions<C, I, O> {
  readonly engram: BatchEngram<C, I, O>;
  readonly config?: C;
  readonly inputs?: I;
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
   * Expands secrets, calls `init(config, secrets, signal)`, then returns `process`'s result
   * as a {@link Result}. Errors from `init` and `process` are rethrown unwrapped.
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
    await o.engram.init?.(o.config as C, expanded.secrets, signal);
    const execCtx = createExecutionContext({
      signal,
      storyInfo: o.storyInfo,
      logger: o.logger,
      tracer: o.tracer,
      templateContext: o.templateContext,
    });
    const returned = await o.engram.process(execCtx, o.inputs as I);
    return returned instanceof Result ? returned : new Result(returned as O);
  }
}
